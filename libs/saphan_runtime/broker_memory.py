"""Whether the broker still holds what a relay published. The embedded broker keeps nothing across a restart, and a
Kafka cluster rebuilt from nothing is the same. Each relay leaves a marker on the broker (an empty topic of its own
that nobody else names, so nothing creates it by accident); a broker without the marker has forgotten, and the relay
publishes its store again from the start (consumers apply each event once, by its id, so the repeat is harmless)
instead of trusting it. Offsets would not do: a shared topic mixes producers, and brokers differ on end offsets."""

from saphan_runtime import kafka
from saphan_runtime.recheck import CHECK_SECONDS, Recheck
from saphan_runtime.settings import BrokerSettings


class BrokerMemory(Recheck):
    """The marker of one relay on the broker (asked about at the relay's start, every CHECK_SECONDS and after any
    failure)."""

    def __init__(self, *, broker: BrokerSettings, marker: str, every_seconds: float = CHECK_SECONDS) -> None:
        """`marker`: the contract name of the relay's marker topic."""
        super().__init__(every_seconds)
        self._broker, self._marker = broker, broker.topic(marker)

    async def forgot(self) -> bool:
        """Return whether the broker lacks the marker (it never had it, or lost it)."""
        forgot = not await kafka.has_topic(self._broker, self._marker)
        if not forgot:
            self.answered()
        return forgot

    async def remember(self) -> None:
        """Leave the marker (once everything the broker forgot is on its way again)."""
        await kafka.ensure_topics(self._broker, {self._marker: 1})
        self.answered()
