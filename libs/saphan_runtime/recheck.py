"""A question put to the broker now and then: whether it still holds a relay's marker (broker_memory.py), which life
it is in (broker_life.py). Asked at the start, at most every CHECK_SECONDS after an answer, and at once after any
failure (the broker may have restarted)."""

import time

CHECK_SECONDS = 10.0  # how often to ask, besides at the start and after every failure


class Recheck:
    """When to ask again."""

    def __init__(self, every_seconds: float = CHECK_SECONDS) -> None:
        self._every = every_seconds
        self._answered_at: float | None = None  # None: in doubt (at the start, after a failure)

    def doubt(self) -> None:
        """Ask again before going on (something failed: the broker may have restarted)."""
        self._answered_at = None

    def due(self) -> bool:
        """Return whether it is time to ask."""
        return self._answered_at is None or time.monotonic() - self._answered_at >= self._every

    def answered(self) -> None:
        """Record that the broker answered just now."""
        self._answered_at = time.monotonic()
