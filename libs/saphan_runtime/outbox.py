"""The outbox relay: publishes the event store, in position order, and records how far it got."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, NamedTuple

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.structs import RecordMetadata
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.topics import partitions_of
from saphan_runtime import cloudevents
from saphan_runtime.broker_memory import BrokerMemory
from saphan_runtime.direct import FileReader
from saphan_runtime.read_back import Checks, ReadBack, Sent
from saphan_runtime.settings import BrokerSettings
from saphan_runtime.telemetry import TRACER_NAME

log = logging.getLogger(__name__)
tracer = trace.get_tracer(TRACER_NAME)

CONTENT_TYPE_HEADER = ("content-type", b"application/cloudevents+json; charset=UTF-8")
# While there is more to publish, the cursor is saved at most this often (saving waits for the service's other
# writers); a crash re-sends what was published since, which the consumers' inboxes drop.
CURSOR_SAVE_SECONDS = 0.5


class Pending(NamedTuple):
    """A stored event waiting to be published."""

    position: int
    topic: str | None
    case_id: str
    payload: str
    type: str


class OutboxRelay:
    """Publish stored events with acks=all; a crash before the cursor moves means a re-send, never a loss."""

    def __init__(
        self,
        *,
        name: str,
        sessions: async_sessionmaker[AsyncSession],
        tables: dict[str, Table],
        producer: AIOKafkaProducer,
        broker: BrokerSettings,
        batch_size: int,
        poll_seconds: float,
        read_sessions: async_sessionmaker[AsyncSession] | None = None,
        gate: asyncio.Lock | None = None,
        memory: BrokerMemory | None = None,
        on_lost: Callable[[], Awaitable[None]] | None = None,
        tracing: bool = True,
        reader: FileReader | None = None,
    ) -> None:
        """`memory` tells whether the broker still holds what was published; when it does not, `on_lost` runs (to
        recreate the topics) and the relay publishes the store again from the start. Without `tracing`, no span is
        made and no stored envelope decoded for its trace context. `reader` (a SQLite file's) reads the batches on the
        loop's thread rather than through a read session."""
        self._tracing = tracing
        self._name, self._sessions, self._producer, self._broker = name, sessions, producer, broker
        self._memory, self._on_lost = memory, on_lost
        self._checks = Checks(ReadBack(broker)) if broker.read_back else None  # read back behind the sends
        self._events, self._cursor = tables["events"], tables["relay_cursor"]
        self._batch_size, self._poll_seconds = batch_size, poll_seconds
        self._read_sessions = read_sessions or sessions  # reading need not wait for the writers (SQLite)
        self._reader = reader
        self._next_batch = (select(self._events.c.position, self._events.c.topic, self._events.c.case_id,
                                   self._events.c.payload, self._events.c.type)
                            .where(self._events.c.position > bindparam("after"))
                            .order_by(self._events.c.position).limit(bindparam("size")))
        self._gate = gate  # writing queues with the service's other writers (SQLite)
        self._wake = asyncio.Event()
        self.published = 0
        self._position: int | None = None  # how far it published (None: read the saved cursor first)
        self._saved: int | None = None  # the saved cursor (None: no row yet)
        self._saved_at = -CURSOR_SAVE_SECONDS
        self._behind_since: float | None = None  # since when every read has found a full batch (None: caught up)

    def behind_seconds(self) -> float:
        """Return for how long every read has found more than a batch to publish (0 once a read finds less): how
        long the relay has been falling behind what the service stores."""
        return 0.0 if self._behind_since is None else time.monotonic() - self._behind_since

    def wake(self) -> None:
        """Tell the relay new events were committed (the poll is the fallback)."""
        self._wake.set()

    async def run(self) -> None:
        """Publish until cancelled, backing off while the broker or database is unavailable."""
        try:
            await self._run()
        finally:
            if self._checks is not None:
                await self._checks.stop()
            if self._reader is not None:
                self._reader.close()

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            try:
                if self._memory is not None and self._memory.due():
                    await self.check_broker_memory()
                sent = await self.publish_pending()
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception:
                self._position = None  # start again from the saved cursor
                if self._memory is not None:
                    self._memory.doubt()
                log.exception("outbox relay %s failed; retrying in %.1fs", self._name, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            if sent < self._batch_size:
                await self._sleep_until_woken()

    async def publish_pending(self) -> int:
        """Publish one batch after the cursor and move the cursor (saved when caught up, and every
        CURSOR_SAVE_SECONDS while not; with read-back, only as far as the records were found); return how many events
        it read."""
        if self._position is None:
            self._saved = await self._saved_cursor()
            self._position = self._saved or 0
            if self._checks is not None:
                self._checks.restart(self._position)
        if self._checks is not None:
            await self._take_checks()
        rows = await self._read_batch(self._position)
        if rows:
            published = [row for row in rows if row.topic is not None]
            values = [row.payload.encode() for row in published]
            acknowledged = await asyncio.gather(*[await self._send(row, value)
                                                  for row, value in zip(published, values, strict=True)])
            self._position = rows[-1].position
            if self._checks is None:
                self.published += len(published)
            else:
                self._checks.add([Sent(row.position, TopicPartition(ack.topic, ack.partition), ack.offset, value)
                                  for row, ack, value in zip(published, acknowledged, values, strict=True)],
                                 self._position)
        published_to = self._position if self._checks is None else self._checks.checked_to
        caught_up = len(rows) < self._batch_size  # (a full last batch is followed by an empty read: caught up then)
        if caught_up:
            self._behind_since = None
        elif self._behind_since is None:
            self._behind_since = time.monotonic()
        due = caught_up or time.monotonic() - self._saved_at >= CURSOR_SAVE_SECONDS
        if due and published_to != (self._saved or 0):
            await self._advance(self._saved, published_to)
            self._saved, self._saved_at = published_to, time.monotonic()
        return len(rows)

    async def _take_checks(self) -> None:
        """Count what the read-back found; send again from the first record it did not find."""
        assert self._checks is not None and self._position is not None
        if self._checks.full:
            await self._checks.running()
        checked = await self._checks.collect()
        self.published += checked.found
        if checked.lost is not None:
            log.warning("relay %s: the broker acknowledged a record it does not hold; sending again from position %d "
                        "(%d sent after it)", self._name, checked.lost.position, self._position - checked.lost.position)
            self._position = checked.lost.position - 1

    async def check_broker_memory(self) -> bool:
        """Start again from the beginning of the store if the broker forgot what was published; return whether it
        had anything to forget."""
        assert self._memory is not None
        if not await self._memory.forgot():
            return False
        cursor = await self._saved_cursor()
        if cursor:
            log.warning("the broker forgot what relay %s published (up to position %s); publishing the store again "
                        "from the start", self._name, cursor)
            if self._on_lost is not None:
                await self._on_lost()
            async with self._gate or contextlib.nullcontext(), self._sessions() as session, session.begin():
                await session.execute(update(self._cursor).where(self._cursor.c.relay == self._name)
                                      .values(position=0, updated_at=cloudevents.now()))
            self._position = None
        await self._memory.remember()
        return bool(cursor)

    async def backlog(self) -> int:
        """Return how many stored events wait to be published."""
        async with self._read_sessions() as session:
            waiting, _ = await pending(session, {"events": self._events, "relay_cursor": self._cursor}, self._name)
        return waiting

    async def _saved_cursor(self) -> int | None:
        async with self._read_sessions() as session:
            saved = await session.scalar(select(self._cursor.c.position).where(self._cursor.c.relay == self._name))
        return None if saved is None else int(saved)

    async def _read_batch(self, position: int) -> list[Pending]:
        parameters = {"after": position, "size": self._batch_size}
        if self._reader is not None:
            return [Pending(*row) for row in self._reader.rows(self._next_batch, parameters)]
        async with self._read_sessions() as session, session.begin():
            return [Pending(*row) for row in await session.execute(self._next_batch, parameters)]

    async def _send(self, row: Pending, value: bytes) -> asyncio.Future[RecordMetadata]:
        topic = row.topic
        assert topic is not None  # (events without one are not published)
        if not self._tracing:
            sent: asyncio.Future[RecordMetadata] = await self._producer.send(
                self._broker.topic(topic), value=value, key=row.case_id.encode(),
                partition=_partition(topic), headers=[CONTENT_TYPE_HEADER])
            return sent
        envelope = cloudevents.decode(row.payload)
        parent = TraceContextTextMapPropagator().extract({"traceparent": envelope.traceparent or ""})
        with tracer.start_as_current_span(
            f"{row.topic} publish", context=parent, kind=SpanKind.PRODUCER,
            attributes={"messaging.system": "kafka", "messaging.destination.name": row.topic,
                        "messaging.message.id": envelope.id, "cloudevents.event_type": row.type,
                        "saphan.case_id": row.case_id},
        ):
            # The aiokafka instrumentation adds its send span's `traceparent` to these headers.
            headers = [CONTENT_TYPE_HEADER]
            delivery: asyncio.Future[RecordMetadata] = await self._producer.send(
                self._broker.topic(topic), value=value, key=row.case_id.encode(),
                partition=_partition(topic), headers=headers)
            return delivery

    async def _advance(self, previous: int | None, position: int) -> None:
        async with self._gate or contextlib.nullcontext(), self._sessions() as session, session.begin():
            values = {"position": position, "updated_at": cloudevents.now()}
            if previous is None:
                await session.execute(self._cursor.insert().values(relay=self._name, **values))
            else:
                await session.execute(
                    update(self._cursor).where(self._cursor.c.relay == self._name).values(**values)
                )

    async def _sleep_until_woken(self) -> None:
        """Wait for new events, the poll, or (with read-back) the running check's answer."""
        waits: list[asyncio.Task[Any]] = [asyncio.create_task(self._wake.wait())]
        if self._checks is not None and self._checks.busy:
            waits.append(asyncio.create_task(self._checks.running()))
        try:
            await asyncio.wait(waits, timeout=self._poll_seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
        self._wake.clear()


def _partition(topic: str) -> int | None:
    """Return the partition of a one-partition topic (the ledger: its order is the sequence), even if the broker made
    the topic with more; None for the others (by key)."""
    return 0 if partitions_of(topic) == 1 else None


async def pending(session: AsyncSession, tables: dict[str, Table], relay: str) -> tuple[int, datetime | None]:
    """Return how many stored events wait for a relay to publish them, and when the oldest of them was stored."""
    events, cursor = tables["events"], tables["relay_cursor"]
    published = select(cursor.c.position).where(cursor.c.relay == relay).scalar_subquery()
    row = (await session.execute(
        select(func.count(), func.min(events.c.recorded_at)).select_from(events)
        .where(events.c.position > func.coalesce(published, 0), events.c.topic.is_not(None))
    )).one()
    return int(row[0] or 0), row[1]
