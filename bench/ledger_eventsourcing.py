"""Baseline: the eventsourcing library (pyeventsourcing) with its own SQLite and PostgreSQL stores. Each case is an
aggregate whose events are the events received for it (the CloudEvent, its topic, partition and offset): the same
information as a ledger entry, without the ledger's sequence, Merkle tree, inbox or projections."""

import asyncio
import json
import sqlite3
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import StoredEvent

from bench.ledger_fill import BATCH, no_gc_pauses
from bench.ledger_plan import SHORT_STORY
from bench.ledger_records import RecordMaker, Row
from bench.prefetch import Prefetch
from bench.stats import median_ms

Stored = tuple[UUID, int, str, bytes]  # a stored event's row: aggregate id, version, topic, state


class RecordedCase(Aggregate):
    """One case: the events received for it, in order."""

    @staticmethod
    def create_id(case_id: str) -> UUID:
        """Name the aggregate by its case id."""
        return UUID(case_id)

    @event("Started")
    def __init__(self, case_id: str, event: dict[str, Any], topic_name: str, partition: int, offset: int) -> None:
        """Start a case with its first event."""
        self.case_id = case_id
        self.timeline = [event]

    @event("Recorded")
    def record(self, event: dict[str, Any], topic_name: str, partition: int, offset: int) -> None:
        """Add an event to the case."""
        self.timeline.append(event)


class CaseStore(Application[UUID]):
    """The application holding the cases (no snapshots, no aggregate cache: a get reads every event)."""


def sqlite_store(path: str) -> CaseStore:
    """Return the application on a SQLite file, committing as audit does (WAL, synchronous=NORMAL)."""
    store = CaseStore(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path})
    pool: Any = getattr(store.recorder, "datastore").pool  # noqa: B009 - not on the abstract recorder's type
    create = pool._create_connection

    def create_like_audit() -> Any:
        connection = create()
        connection._sqlite_conn.execute("PRAGMA synchronous=NORMAL")
        return connection

    pool._create_connection = create_like_audit
    return store


def postgres_store(url: str) -> CaseStore:
    """Return the application on a PostgreSQL database (its URL in SQLAlchemy's or asyncpg's form)."""
    parts = urlsplit(url)
    return CaseStore(env={
        "PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1", "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": parts.username or "postgres", "POSTGRES_PASSWORD": parts.password or ""})


def _fields(row: Row) -> dict[str, Any]:
    return {"event": json.loads(row.event), "topic_name": row.topic, "partition": row.partition, "offset": row.offset}


def _apply(live: dict[str, RecordedCase], row: Row) -> RecordedCase:
    case = live.get(row.case_id)
    if case is None:
        case = live[row.case_id] = RecordedCase(case_id=row.case_id, **_fields(row))
    else:
        case.record(**_fields(row))
    return case


def ingest(store: CaseStore, maker: RecordMaker, count: int, live: dict[str, RecordedCase]) -> dict[str, Any]:
    """Save `count` events, one aggregate event per transaction (the aggregates stay in memory, as in a consumer)."""
    started = time.perf_counter()
    for _ in range(count):
        row = maker.row()
        store.save(_apply(live, row))
    elapsed = time.perf_counter() - started
    return {"events": count, "seconds": round(elapsed, 3), "events_per_s": round(count / elapsed, 1)}


class StoredRows:
    """The stored-event rows of the plan after what was saved: the long cases' events encoded one by one by the
    application's mapper; the short cases' events (never read) copied from one encoded event of each kind."""

    def __init__(self, store: CaseStore, maker: RecordMaker, live: dict[str, RecordedCase]) -> None:
        """Follow the plan where the ingest left it."""
        self.store, self.maker, self.live = store, maker, live
        self.long_ids = {case.case_id for case in maker.plan.long_cases.values()}
        self._pool: dict[tuple[str, bool], StoredEvent] = {}
        self._unfinished: set[str] = set()  # short cases with events still to come

    def batches(self, size: int) -> Iterator[list[Stored]]:
        """Yield the rows up to sequence `size`, in batches."""
        while self.maker.plan.done < size:
            yield [self._stored() for _ in range(min(BATCH, size - self.maker.plan.done))]

    def _stored(self) -> Stored:
        step = self.maker.plan.step()
        if step.case_id in self.long_ids:
            case = _apply(self.live, self.maker.row_for(step))
            stored = self.store.mapper.to_stored_event(case.collect_events()[0])
            return UUID(step.case_id), step.number, stored.topic, stored.state
        if step.number < len(SHORT_STORY):
            self._unfinished.add(step.case_id)
        else:
            self._unfinished.discard(step.case_id)
        key = (step.kind, step.number == 1)
        if key not in self._pool:
            row = self.maker.row_for(step)
            case = _apply({}, row)
            if step.number > 1:
                case.record(**_fields(row))
            self._pool[key] = self.store.mapper.to_stored_event(case.collect_events()[-1])
        pooled = self._pool[key]
        return UUID(step.case_id), step.number, pooled.topic, pooled.state

    def resume(self) -> None:
        """Load the short cases the fill left unfinished, so saving their next events goes on from the store."""
        for case_id in self._unfinished:
            self.live[case_id] = self.store.repository.get(UUID(case_id))


def fill_sqlite(path: str, rows: StoredRows, size: int) -> float:
    """Grow the SQLite store to `size` events with plain inserts into its table; return the seconds it took."""
    started = time.perf_counter()
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-1000000")
        with no_gc_pauses(), Prefetch(rows.batches(size)) as batches:
            for batch in batches:
                connection.execute("BEGIN")
                connection.executemany("INSERT INTO stored_events VALUES (?, ?, ?, ?)", [
                    (originator.hex, version, topic, state) for originator, version, topic, state in batch])
                connection.execute("COMMIT")
    finally:
        connection.close()
    return time.perf_counter() - started


async def fill_postgres(dsn: str, table: str, rows: StoredRows, size: int) -> float:
    """Grow the PostgreSQL store to `size` events with COPY into its table; return the seconds it took."""
    started = time.perf_counter()
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("SET synchronous_commit TO off")
        with no_gc_pauses(), Prefetch(rows.batches(size)) as batches:
            while (batch := await asyncio.to_thread(batches.next_or_none)) is not None:
                await connection.copy_records_to_table(
                    table, columns=("originator_id", "originator_version", "topic", "state"), records=batch)
        await connection.execute(f"ANALYZE {table}")
    finally:
        await connection.close()
    return time.perf_counter() - started


def replay_case(store: CaseStore, case_id: str, runs: int) -> dict[str, Any]:
    """Get one case's aggregate from the store (every event read and applied), and read its events, `runs` times."""
    gets, reads, events = [], [], 0
    for _ in range(runs):
        started = time.perf_counter()
        case: RecordedCase = store.repository.get(UUID(case_id))
        gets.append(time.perf_counter() - started)
        started = time.perf_counter()
        stored = store.recorder.select_events(UUID(case_id))
        reads.append(time.perf_counter() - started)
        events = len(case.timeline)
        if events != len(stored):
            raise RuntimeError(f"case {case_id}: {events} events replayed, {len(stored)} stored")
    return {"case_events": events, "runs": runs, "replay_ms": median_ms(gets), "read_ms": median_ms(reads)}


