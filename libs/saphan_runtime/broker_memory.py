"""Whether the broker still holds what a relay published. The embedded broker keeps nothing across a restart, and a
Kafka cluster rebuilt from nothing is the same. Each relay leaves a marker on the broker (an empty topic of its own
that nobody else names, so nothing creates it by accident); a broker without the marker has forgotten, and the relay
publishes its store again from the start (consumers apply each event once, by its id, so the repeat is harmless)
instead of trusting it. Offsets would not do: a shared topic mixes producers, and brokers differ on end offsets."""

import time

from saphan_runtime import kafka
from saphan_runtime.settings import BrokerSettings

CHECK_SECONDS = 10.0  # how often the relay asks, besides at its start and after every failure


class BrokerMemory:
    """The marker of one relay on the broker."""

    def __init__(self, *, broker: BrokerSettings, marker: str, every_seconds: float = CHECK_SECONDS) -> None:
        """`marker`: the contract name of the relay's marker topic."""
        self._broker, self._marker, self._every = broker, broker.topic(marker), every_seconds
        self._checked_at: float | None = None  # None: in doubt (at start, after a failure)

    def doubt(self) -> None:
        """Ask again before the next publication (something failed: the broker may have restarted)."""
        self._checked_at = None

    def due(self) -> bool:
        """Return whether it is time to ask."""
        return self._checked_at is None or time.monotonic() - self._checked_at >= self._every

    async def forgot(self) -> bool:
        """Return whether the broker lacks the marker (it never had it, or lost it)."""
        forgot = not await kafka.has_topic(self._broker, self._marker)
        if not forgot:
            self._checked_at = time.monotonic()
        return forgot

    async def remember(self) -> None:
        """Leave the marker (once everything the broker forgot is on its way again)."""
        await kafka.ensure_topics(self._broker, {self._marker: 1})
        self._checked_at = time.monotonic()
