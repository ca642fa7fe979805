"""Count what the services published, from the broker: the sum of every partition's end offset, topic by topic,
and the mean size of the records at the end of each topic."""

import time
from typing import Self

from aiokafka import AIOKafkaConsumer, TopicPartition

SAPHAN_TOPICS = "saphan."


class TopicCounter:
    """Read the end offsets of every `saphan.*` topic on a broker (records published so far, per topic); the
    services make their topics as they start, so the ones known when the counter starts are all there are."""

    def __init__(self, bootstrap_servers: str) -> None:
        """Prepare a reader that joins no group and reads nothing unless asked to sample."""
        self._reader = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False,
                                        fetch_max_wait_ms=100)

    async def __aenter__(self) -> Self:
        await self._reader.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._reader.stop()

    async def _partitions(self) -> list[TopicPartition]:
        topics = sorted(t for t in await self._reader.topics() if t.startswith(SAPHAN_TOPICS))
        return [TopicPartition(t, p) for t in topics for p in sorted(self._reader.partitions_for_topic(t) or ())]

    async def totals(self) -> dict[str, int]:
        """Return how many records each topic holds (the sum of its partitions' end offsets)."""
        partitions = await self._partitions()
        ends = await self._reader.end_offsets(partitions) if partitions else {}
        totals: dict[str, int] = {}
        for partition, end in ends.items():
            totals[partition.topic] = totals.get(partition.topic, 0) + end
        return totals

    async def mean_sizes(self, per_partition: int = 50, patience: float = 5.0) -> dict[str, float]:
        """Return the mean value size (bytes) of up to `per_partition` records at the end of each partition."""
        partitions = await self._partitions()
        ends = await self._reader.end_offsets(partitions)
        wanted = {tp: end for tp, end in ends.items() if end > 0}
        if not wanted:
            return {}
        self._reader.assign(list(wanted))
        for tp, end in wanted.items():
            self._reader.seek(tp, max(end - per_partition, 0))
        sizes: dict[str, list[int]] = {}
        deadline = time.monotonic() + patience
        while wanted and time.monotonic() < deadline:
            batch = await self._reader.getmany(timeout_ms=300)
            for tp, records in batch.items():
                sizes.setdefault(tp.topic, []).extend(len(r.value or b"") for r in records)
                if records and records[-1].offset + 1 >= wanted.get(tp, 0):
                    wanted.pop(tp, None)
        self._reader.assign([])
        return {topic: round(sum(found) / len(found), 1) for topic, found in sizes.items() if found}


def published(before: dict[str, int], after: dict[str, int], leave_out: frozenset[str] = frozenset()) -> int:
    """Return how many records were published on all topics between two counts (topics left out excepted)."""
    return sum(after[t] - before.get(t, 0) for t in after if t not in leave_out)


def weighted_mean_size(counts: dict[str, int], sizes: dict[str, float]) -> float:
    """Return the mean record size over topics, weighted by how many records each topic got."""
    total = sum(n for t, n in counts.items() if t in sizes)
    return sum(sizes[t] * n for t, n in counts.items() if t in sizes) / total if total else 0.0
