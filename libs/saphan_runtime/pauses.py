"""The partitions an inbox consumer leaves alone for a moment: those whose next record was deferred (its cause has
not arrived). The other partitions go on meanwhile, and a consumer far behind does not spend its fetches and
transactions on the deferred record again and again."""

import time

from aiokafka import AIOKafkaConsumer, TopicPartition

DEFER_PAUSE_SECONDS = 0.05  # how long a deferred partition is not fetched


class Pauses:
    """When each paused partition is to be fetched again."""

    def __init__(self, seconds: float = DEFER_PAUSE_SECONDS) -> None:
        self._seconds = seconds
        self._until: dict[TopicPartition, float] = {}

    def defer(self, consumer: AIOKafkaConsumer, partition: TopicPartition, offset: int) -> None:
        """Go back to a deferred record and leave its partition alone for a while."""
        consumer.seek(partition, offset)
        consumer.pause(partition)
        self._until[partition] = time.monotonic() + self._seconds

    def resume_due(self, consumer: AIOKafkaConsumer, longest_ms: int) -> int:
        """Fetch again from the partitions whose pause is over; return how long the next fetch may wait
        (milliseconds: until the next pause is over, `longest_ms` at most)."""
        now, held = time.monotonic(), consumer.paused()
        if due := [partition for partition in held if self._until.get(partition, now) <= now]:
            consumer.resume(*due)
        self._until = {partition: at for partition, at in self._until.items() if partition in held and at > now}
        soonest = min(self._until.values(), default=now + longest_ms / 1000)
        return max(1, min(longest_ms, int((soonest - now) * 1000)))

    def clear(self) -> None:
        """Forget every pause (a new consumer holds none)."""
        self._until.clear()
