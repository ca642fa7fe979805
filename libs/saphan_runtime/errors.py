"""Errors the domain raises; entry points translate them (HTTP 422/404, or a dead letter)."""


class DomainError(Exception):
    """A rule of the domain refused the command; `field` names the input at fault when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Deferred(Exception):
    """The event cannot be applied yet (for example its cause has not arrived); the consumer retries it."""


class Conflict(DomainError):
    """The command contradicts the current state (HTTP 409); `details` says what is allowed instead."""

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.details = details


class StaleVersion(Conflict):
    """The client edited an older version than the current one (If-Match did not match)."""


def check_version(what: str, actual: int, expected: int | None) -> None:
    """Refuse an edit made against another version than the current one (no expectation: no check)."""
    if expected is not None and actual != expected:
        raise StaleVersion(f"the {what} is at version {actual}, not {expected}; read it again / "
                           f"ข้อมูลถูกแก้ไขแล้ว (ฉบับที่ {actual}) กรุณาอ่านใหม่", version=actual)


class NotFound(DomainError):
    """The command names something that does not exist (HTTP 404)."""


class Forbidden(DomainError):
    """The actor may not do this (HTTP 403)."""


class Unavailable(Exception):
    """A part the service depends on (a content store, say) does not answer; the client may retry (HTTP 503)."""
