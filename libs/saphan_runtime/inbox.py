"""The inbox consumer: apply each event once, dead-letter what cannot be read, commit offsets after."""

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from saphan_runtime.batch import Batch
from saphan_runtime.broker_life import GroupLife
from saphan_runtime.bus import MessageBus
from saphan_runtime.dead_letters import DeadLetters
from saphan_runtime.deliveries import Delivery, Rejected, Subscriptions, read, translator
from saphan_runtime.errors import Deferred
from saphan_runtime.one_at_a_time import TRANSIENT, OneAtATime
from saphan_runtime.pauses import Pauses
from saphan_runtime.settings import BrokerSettings
from saphan_runtime.transactions import InboxKey

log = logging.getLogger(__name__)

POLL_MS = 1000  # how long a fetch waits for records, at most
BATCH_RECORDS = 100  # records applied in one transaction, at most


@dataclass(frozen=True)
class Planned:
    """A record to apply in a batch: its delivery and command (None when the consumer has nothing to do)."""

    record: ConsumerRecord
    delivery: Delivery | None = None
    command: object | None = None


class InboxConsumer:
    """Consume topics as one group; each event is applied in a transaction that records it in the inbox.

    With `batches`, fetched records are applied together, one transaction for up to BATCH_RECORDS of them (first the
    heads of every partition a fetch brought, then any partition's rest); a record that cannot go in a batch
    (unreadable, refused, deferred, failing) undoes its batch, the others are applied again together without it and
    the records after it in its partition, and it takes the one-at-a-time path (one_at_a_time.py) with its retries
    and dead letters."""

    def __init__(
        self,
        *,
        name: str,
        consumer: AIOKafkaConsumer,
        producer: AIOKafkaProducer,
        bus: MessageBus,
        subscriptions: Subscriptions,
        sessions: async_sessionmaker[AsyncSession],
        tables: dict[str, Table],
        broker: BrokerSettings,
        batches: Callable[[], Batch] | None = None,
        gate: asyncio.Lock | None = None,
        group: GroupLife | None = None,
        tracing: bool = True,
    ) -> None:
        """`group`: the consumer group `consumer` joined for the broker's life; when the broker moves on to another
        life, the consumer is replaced by one in the new life's group."""
        self._broker, self._batches, self._tracing, self._group = broker, batches, tracing, group
        self._name, self._consumer, self._producer, self._bus = name, consumer, producer, bus
        self._subscriptions = subscriptions
        self._dead_letters = DeadLetters(consumer=name, producer=producer, broker=broker, sessions=sessions,
                                         table=tables["dead_letters"], gate=gate)
        self._alone = OneAtATime(name=name, bus=bus, subscriptions=subscriptions, broker=broker,
                                 dead_letters=self._dead_letters, tracing=tracing)
        self._counts, self._waits = self._alone.counts, self._alone.waits
        self._paused = Pauses()  # deferred partitions, until they are fetched again

    @property
    def kafka(self) -> AIOKafkaConsumer:
        """Return the Kafka consumer in use (replaced when the broker starts a new life)."""
        return self._consumer

    @property
    def applied(self) -> int:
        """Return how many records this consumer applied."""
        return self._counts.applied

    @property
    def duplicates(self) -> int:
        """Return how many repeats of records already applied this consumer dropped."""
        return self._counts.duplicates

    @property
    def dead_lettered(self) -> int:
        """Return how many messages this consumer sent to its dead-letter topic."""
        return self._dead_letters.sent

    async def run(self) -> None:
        """Consume until cancelled; offsets are committed only after each record's transaction."""
        backoff = 0.1
        while True:
            try:
                if self._group is not None and self._group.due() and await self._group.moved_on():
                    await self._join_the_new_life()
                await self._poll_once()
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s: consumer loop failed; rewinding to the committed offsets", self._name)
                if self._group is not None:
                    self._group.doubt()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                with contextlib.suppress(Exception):
                    await self._rewind()

    async def _join_the_new_life(self) -> None:
        """Leave the group of the broker's past life for the current one's, which starts from the earliest offsets."""
        assert self._group is not None
        log.warning("%s: the broker restarted empty (its life is no longer %s); consuming again from the start in a "
                    "new group", self._name, self._group.life)
        with contextlib.suppress(Exception):
            await self._consumer.stop()
        self._paused.clear()
        self._consumer = await self._group.join()

    async def _rewind(self) -> None:
        """Go back to the committed offsets: the fetch position moved past records that were never applied. A
        partition without one goes back to its beginning (aiokafka's seek_to_committed would leave it where it is,
        and what was fetched there would never be applied: after a broker restart every partition is like that)."""
        for partition in self._consumer.assignment():
            committed = await self._consumer.committed(partition)
            if committed is None:
                await self._consumer.seek_to_beginning(partition)
            else:
                self._consumer.seek(partition, committed)

    async def _poll_once(self) -> None:
        """Apply what one fetch brought: first the heads of all its partitions together, in one transaction, then
        each partition's rest in order; commit every partition's offset in one request."""
        batches = await self._consumer.getmany(timeout_ms=self._paused.resume_due(self._consumer, POLL_MS),
                                               max_records=500)
        if not batches:
            return
        heads = await self._apply_together(self._heads(batches)) if self._batches is not None else {}
        offsets = {}
        for partition, records in batches.items():
            offset = await self._consume_partition(partition, records, heads.get(partition, 0))
            if offset is not None:
                offsets[partition] = offset
        if offsets:
            await self._consumer.commit(offsets)

    def _heads(self, batches: dict[TopicPartition, list[ConsumerRecord]]) -> dict[TopicPartition, list[Planned]]:
        """Plan the first records of each partition, BATCH_RECORDS in all at most."""
        plans, budget = {}, BATCH_RECORDS
        for partition, records in batches.items():
            if budget <= 0:
                break
            plans[partition] = self._plan(records[:budget])
            budget -= len(plans[partition])
        return plans

    async def _consume_partition(
        self, partition: TopicPartition, records: list[ConsumerRecord], start: int
    ) -> int | None:
        """Apply a partition's records in order from `start` (those before it are applied); return the offset to
        commit (on a deferred record: its own, the partition rewound to it and paused; None if it was the first)."""
        index = start
        while index < len(records):
            chunk = records[index:index + BATCH_RECORDS]
            together = 0
            if self._batches is not None:
                together = (await self._apply_together({partition: self._plan(chunk)})).get(partition, 0)
            index += together
            if together == len(chunk):
                continue
            record = records[index]
            try:
                await self._alone.with_retries(record)
            except Deferred:
                self._paused.defer(self._consumer, partition, record.offset)
                return int(record.offset) if record.offset > records[0].offset else None
            index += 1
        return int(records[-1].offset) + 1

    async def _apply_together(self, plans: dict[TopicPartition, list[Planned]]) -> dict[TopicPartition, int]:
        """Apply planned records of one or more partitions in one transaction; return how many of each partition's,
        from its first, were applied. A record that fails undoes the transaction, which is made again without it and
        the records after it in its partition (the failing one then goes on alone); a failing transaction applies
        nothing."""
        plans = {partition: plan for partition, plan in plans.items() if plan}
        if not plans:
            return {}
        assert self._batches is not None
        applied = duplicates = 0
        failed: tuple[TopicPartition, int] | None = None
        try:
            async with self._batches() as batch:
                known = await batch.processed(
                    self._name, [p.delivery.envelope.id for plan in plans.values() for p in plan if p.delivery])
                for partition, plan in plans.items():
                    for index, planned in enumerate(plan):
                        if planned.delivery is None or planned.command is None:
                            continue
                        if planned.delivery.envelope.id in known:
                            duplicates += 1
                            continue
                        known.add(planned.delivery.envelope.id)
                        try:
                            await self._apply_in(batch, planned.record, planned.delivery, planned.command)
                        except Exception:
                            failed = (partition, index)  # the batch is undone as it closes
                            break
                        applied += 1
                    if failed is not None:
                        break
                else:
                    await batch.commit()
        except TRANSIENT as error:
            count = sum(len(plan) for plan in plans.values())
            log.info("%s: a batch of %d failed (%r); applying them one by one", self._name, count, error)
            return {}
        if failed is not None:  # apply the others again, without the failing record and those after it
            partition, index = failed
            return await self._apply_together({**plans, partition: plans[partition][:index]})
        self._counts.applied += applied
        self._counts.duplicates += duplicates
        for plan in plans.values():
            for planned in plan:
                self._waits.end(planned.record)
        return {partition: len(plan) for partition, plan in plans.items()}

    def _plan(self, records: list[ConsumerRecord]) -> list[Planned]:
        """Read and translate records until one that needs the one-at-a-time path (to be dead-lettered, say)."""
        plan = []
        for record in records:
            try:
                delivery = read(record, self._broker)
            except Rejected:
                break
            translate = translator(self._subscriptions, delivery)
            if translate is None:
                plan.append(Planned(record))
                continue
            since = self._waits.of(record)
            delivery = dataclasses.replace(delivery, waited_seconds=0.0 if since is None else time.monotonic() - since)
            try:
                command = translate(delivery)
            except (ValueError, ValidationError):
                break
            plan.append(Planned(record, delivery, command))
        return plan

    async def _apply_in(self, batch: Batch, record: ConsumerRecord, delivery: Delivery, command: object) -> None:
        with self._alone.span(record, delivery):
            await self._bus.handle(command, inbox=InboxKey(self._name, delivery.envelope.id, delivery.data),
                                   batch=batch)
