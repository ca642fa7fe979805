"""The unit of work: one transaction over a service's event store, its projections and its inbox."""

import asyncio
import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self, TypeVar

from sqlalchemy import BindParameter, Select, Table, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.envelope import CloudEvent, EventData
from contracts.registry import model_for
from saphan_runtime import cloudevents, direct
from saphan_runtime.batch import Batch
from saphan_runtime.db import lock_for_append
from saphan_runtime.transactions import (
    AlreadyProcessed,
    ConcurrencyConflict,
    InboxKey,
    LeftOpen,
    begin,
    end,
    finish_and_commit,
)

S = TypeVar("S")
VERSIONS = "eventstore.versions"  # session.info: each stream's version as this transaction appended it


@dataclass(frozen=True)
class StoredEvent:
    """An event as the store holds it: its envelope and its decoded data."""

    position: int
    envelope: CloudEvent
    data: EventData
    payload: str | None = field(default=None, compare=False)  # the envelope's canonical JSON, when at hand

    @property
    def version(self) -> int:
        """Return the event's version within its stream."""
        return int(self.envelope.sequence)

    @property
    def encoded(self) -> str:
        """Return the envelope as the store holds it: its canonical JSON text."""
        return self.payload if self.payload is not None else cloudevents.encode(self.envelope)


Projector = Callable[[AsyncSession, StoredEvent], Awaitable[None]]
Projection = Callable[[AsyncSession, StoredEvent], Awaitable[None]]
Notice = Callable[[AsyncSession, EventData], Awaitable[None]]


def projector(projections: dict[type[EventData], Projection]) -> Projector:
    """Return a projector that routes each appended event to its projection (events without one are skipped)."""

    async def project(session: AsyncSession, event: StoredEvent) -> None:
        projection = projections.get(type(event.data))
        if projection is not None:
            await projection(session, event)

    return project


def decode_data(envelope: CloudEvent) -> EventData:
    """Decode an envelope's data with the contract model its type names."""
    model = model_for(envelope.type)
    if model is None:
        raise ValueError(f"unknown event type {envelope.type!r}")
    return model.model_validate(envelope.data)


class UnitOfWork:
    """Append events, update projections and mark the inbox in one transaction; handlers own it (or, inside a
    consumer's batch, their part of the batch's transaction)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        tables: dict[str, Table],
        *,
        source: str,
        project: Projector,
        on_commit: Callable[[], None],
        inbox: InboxKey | None = None,
        gate: asyncio.Lock | None = None,
        notice: Notice | None = None,
        batch: Batch | None = None,
    ) -> None:
        """`notice` sees each consumed upstream event in the transaction that marks it in the inbox (the service's
        views of other services' events, such as who is party to a case). With `batch`, the unit of work joins the
        batch's transaction: its commit hands its work to the batch, which commits it with the rest."""
        self._notice, self._batch, self._committed = notice, batch, False
        self._sessions, self._tables, self._source = sessions, tables, source
        self._project, self._on_commit, self._inbox, self._gate = project, on_commit, inbox, gate
        self._session: AsyncSession | None = None
        self._appended = False

    @property
    def session(self) -> AsyncSession:
        """Return the open session (only inside `async with`)."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    async def __aenter__(self) -> Self:
        if self._batch is not None:
            self._session = self._batch.session
            await self._noticed()
            return self
        self._session = await begin(self._sessions, self._gate)
        try:
            if self._inbox is not None:
                await self._claim_inbox(self._inbox)
            await self._noticed()
        except BaseException:
            await self.__aexit__(None, None, None)  # __aexit__ is not called when __aenter__ raises
            raise
        return self

    async def _noticed(self) -> None:
        if self._notice is not None and self._inbox is not None and self._inbox.delivered is not None:
            await self._notice(self.session, self._inbox.delivered)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session, self._session = self.session, None
        if self._batch is not None:
            if exc_type is None and not self._committed:
                raise LeftOpen("a unit of work in a batch ended without a commit")
            return  # the batch rolls back or commits, and closes its session
        await end(session, self._gate)

    async def commit(self) -> None:
        """Commit everything done in this unit of work and wake the outbox relay (in a batch: hand it over)."""
        self._committed = True
        if self._batch is not None:
            self._batch.joined(self._inbox, appended=self._appended)
            return
        await finish_and_commit(self.session)
        if self._appended:
            self._on_commit()

    async def load(self, stream_id: str) -> list[StoredEvent]:
        """Return a stream's events in version order."""
        rows = await direct.select_rows(self.session, _statements(self._tables["events"]).load, {"stream": stream_id})
        return [_stored(position, payload) for position, payload in rows]

    async def fold(self, stream_id: str, evolve: Callable[[S | None, EventData, int], S | None]) -> S | None:
        """Return a stream's state: its events folded in version order by the aggregate's `evolve`."""
        state: S | None = None
        for event in await self.load(stream_id):
            state = evolve(state, event.data, event.version)
        return state

    async def version(self, stream_id: str) -> int:
        """Return a stream's current version (0 for a new stream) without loading its events."""
        if (appended := self.session.info.get(VERSIONS, {}).get(stream_id)) is not None:
            return int(appended)  # this transaction appended to it, holding the append lock since
        current = await direct.select_scalar(self.session, _statements(self._tables["events"]).version,
                                             {"stream": stream_id})
        return int(current or 0)

    async def append(
        self, stream_id: str, *, case_id: str, expected_version: int, events: Sequence[EventData]
    ) -> list[StoredEvent]:
        """Append events after `expected_version`; a concurrent writer makes commit raise a conflict."""
        if not events:
            return []
        await lock_for_append(self.session)
        envelopes = [cloudevents.build(
            data=data, source=self._source, subject=case_id, stream_id=stream_id, version=expected_version + offset,
            causation_id=self._inbox.event_id if self._inbox else None,
        ) for offset, data in enumerate(events, start=1)]
        stored = await self._insert(envelopes, list(events))
        self._appended = True
        return stored

    async def restore(self, envelope: CloudEvent) -> StoredEvent:
        """Insert an event exactly as another copy of this store held it (a rebuild: same id, time, version) and
        project it; nothing is published again."""
        await lock_for_append(self.session)
        return (await self._insert([envelope], [decode_data(envelope)]))[0]

    async def _insert(self, envelopes: list[CloudEvent], events: list[EventData]) -> list[StoredEvent]:
        """Insert events in one statement, in order, then project each."""
        table = self._tables["events"]
        payloads = [cloudevents.encode(envelope) for envelope in envelopes]
        rows = [{
            "event_id": envelope.id, "stream_id": envelope.streamid, "version": int(envelope.sequence),
            "type": envelope.type, "case_id": envelope.subject, "topic": type(data).topic,
            "payload": payload, "recorded_at": envelope.time,
        } for envelope, data, payload in zip(envelopes, events, payloads, strict=True)]
        try:
            positions = await direct.insert_numbered(self.session, table, rows, table.c.position)
        except IntegrityError as error:
            raise ConcurrencyConflict(f"stream {envelopes[0].streamid} moved past the expected version") from error
        versions = self.session.info.setdefault(VERSIONS, {})
        stored = []
        for position, envelope, data, payload in zip(positions, envelopes, events, payloads, strict=True):
            versions[envelope.streamid] = max(int(envelope.sequence), versions.get(envelope.streamid, 0))
            event = StoredEvent(position=position, envelope=envelope, data=data, payload=payload)
            await self._project(self.session, event)
            stored.append(event)
        return stored

    async def _claim_inbox(self, key: InboxKey) -> None:
        table = self._tables["inbox"]
        try:
            await direct.insert_rows(self.session, table, [
                {"consumer": key.consumer, "event_id": key.event_id, "processed_at": cloudevents.now()}])
        except IntegrityError as error:
            raise AlreadyProcessed(f"{key.consumer} already applied {key.event_id}") from error


@dataclass(frozen=True)
class _Statements:
    """An event table's statements, built once (building one costs more than running it on SQLite)."""

    load: Select[tuple[int, str]]
    version: Select[tuple[int]]


@functools.cache
def _statements(events: Table) -> _Statements:
    stream: BindParameter[str] = bindparam("stream")
    return _Statements(
        load=select(events.c.position, events.c.payload).where(events.c.stream_id == stream)
        .order_by(events.c.version),
        version=select(func.max(events.c.version)).where(events.c.stream_id == stream),
    )


def _stored(position: int, payload: str) -> StoredEvent:
    envelope = cloudevents.decode(payload)
    return StoredEvent(position=position, envelope=envelope, data=decode_data(envelope), payload=payload)
