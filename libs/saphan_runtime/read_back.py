"""Reading back what the relay published. The embedded broker (Tansu 0.6, memory storage) has been seen to
acknowledge records with acks=all that no consumer ever reads: in a fault run the last records of two partitions never
reached any of the three groups that consume them, and in a scratch run three producers writing at once to a new
partition lost its first five (acknowledged, offsets 0-4, the end offset reporting 1). With `KAFKA_READ_BACK` on
(`saphan up` turns it on for the embedded broker) a record counts as published only once it has been read back at
the offset the broker acknowledged; the relay sends again from the first one that was not, and the inboxes drop the
repeats. A Kafka cluster with acks=all does not need it."""

import asyncio
import time
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition

from saphan_runtime.kafka import require_bootstrap
from saphan_runtime.settings import BrokerSettings

WAIT_SECONDS = 2.0  # how long a published record may take to be readable before it counts as lost


@dataclass(frozen=True)
class Sent:
    """A record the broker acknowledged: the store position it came from, where the broker put it, and its bytes."""

    position: int
    partition: TopicPartition
    offset: int
    value: bytes


class ReadBack:
    """A reader outside any group that looks for acknowledged records at their offsets."""

    def __init__(self, broker: BrokerSettings, *, wait_seconds: float = WAIT_SECONDS) -> None:
        self._broker, self._wait = broker, wait_seconds
        self._reader: AIOKafkaConsumer | None = None

    async def missing(self, sent: list[Sent]) -> list[Sent]:
        """Return the records not found, byte for byte, at their acknowledged offsets (in `sent` order)."""
        if not sent:
            return []
        reader = await self._started()
        wanted: dict[TopicPartition, dict[int, bytes]] = {}
        for record in sent:
            wanted.setdefault(record.partition, {})[record.offset] = record.value
        reader.assign(list(wanted))
        for partition, offsets in wanted.items():
            reader.seek(partition, min(offsets))
        lost: set[tuple[TopicPartition, int]] = set()
        deadline = time.monotonic() + self._wait
        while wanted and time.monotonic() < deadline:
            fetched = await reader.getmany(*wanted, timeout_ms=100, max_records=5000)
            for partition, records in fetched.items():
                offsets = wanted.get(partition, {})
                for found in records:
                    if offsets.get(found.offset) == found.value:
                        del offsets[found.offset]
                if offsets and records and records[-1].offset >= max(offsets):
                    lost |= {(partition, offset) for offset in offsets}  # read past them: not there, or not ours
                    offsets.clear()
                if not offsets:
                    wanted.pop(partition, None)
        lost |= {(partition, offset) for partition, offsets in wanted.items() for offset in offsets}
        return [record for record in sent if (record.partition, record.offset) in lost]

    async def _started(self) -> AIOKafkaConsumer:
        if self._reader is None:
            reader = AIOKafkaConsumer(bootstrap_servers=require_bootstrap(self._broker), group_id=None,
                                      enable_auto_commit=False, fetch_max_wait_ms=self._broker.fetch_max_wait_ms)
            await reader.start()
            self._reader = reader
        return self._reader

    async def stop(self) -> None:
        """Close the reader."""
        if self._reader is not None:
            reader, self._reader = self._reader, None
            await asyncio.shield(reader.stop())
