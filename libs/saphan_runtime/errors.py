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


class NotFound(DomainError):
    """The command names something that does not exist (HTTP 404)."""


class Forbidden(DomainError):
    """The actor may not do this (HTTP 403)."""
