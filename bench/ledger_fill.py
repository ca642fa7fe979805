"""Grow an audit ledger to a size fast, as a fixture (not the measured path): the rows audit's projection would have
written (`events` of the ledger stream, `ledger_entries`, the completed subtrees in `ledger_nodes`, and at the end the
`ledger_frontier`), bulk-inserted in large transactions. The ledger still verifies: same texts, same leaf hashes,
same nodes. SQLite is filled through sqlite3 with its journal off; PostgreSQL through COPY (asyncpg)."""

import asyncio
import gc
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import asyncpg

from bench.ledger_records import RecordMaker, Row, check, clock, moment
from bench.prefetch import Prefetch
from contracts.audit import EventRecorded
from services.audit import merkle
from services.audit.domain import LEDGER_STREAM

BATCH = 20_000
CHECK_EVERY = 50_000  # also the first rows of every fill are checked against the models
EVENT_TYPE, EVENT_TOPIC = EventRecorded.type_name(), EventRecorded.topic  # the outbox publishes the ledger there
Node = tuple[int, int, str]
Tables = list[tuple[str, tuple[str, ...], list[Any]]]  # (table, columns, rows) of one batch
T = TypeVar("T")
# Without a commit per batch waiting for the disk; lz4 compresses the long texts (TOAST) several times faster than
# the default pglz, which would otherwise be half the server's work.
SESSION = "SET synchronous_commit TO off; SET default_toast_compression TO lz4"
EVENT_COLUMNS = ("event_id", "stream_id", "version", "type", "case_id", "topic", "payload", "recorded_at")
ENTRY_COLUMNS = ("sequence", "event_id", "case_id", "type", "source", "time", "topic", "partition", "offset", "event",
                 "record", "leaf_hash", "recorded_at")
NODE_COLUMNS = ("level", "index", "hash")
SAVE_FRONTIER = ("INSERT INTO ledger_frontier (id, size, state) VALUES (1, {0}, {1}) "
                 "ON CONFLICT (id) DO UPDATE SET size = excluded.size, state = excluded.state")


def batches(maker: RecordMaker, frontier: merkle.Frontier, size: int,
            shape: Callable[[list[Row], list[Node]], T]) -> Iterator[T]:
    """Yield the rows after the frontier's size up to `size`, with the subtrees each completes, in batches shaped
    for the database."""
    first = frontier.size + 1
    while frontier.size < size:
        rows, nodes = [], []
        for _ in range(min(BATCH, size - frontier.size)):
            row = maker.row()
            if row.sequence != frontier.size + 1:
                raise RuntimeError(f"the plan is at {row.sequence}, the ledger at {frontier.size}")
            if row.sequence < first + 100 or row.sequence % CHECK_EVERY == 0:
                check(row)
            nodes += [(level, index, node.hex()) for level, index, node in frontier.append(row.leaf)]
            rows.append(row)
        yield shape(rows, nodes)


def _insert(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(f'"{name}"' for name in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"


def _sqlite_time(us: int) -> str:
    day, clock_time, micro = clock(us)
    return f"{day} {clock_time}.{micro:06d}"  # how SQLAlchemy stores a DateTime in SQLite


def _sqlite_rows(rows: list[Row], nodes: list[Node]) -> Tables:
    return [
        ("events", EVENT_COLUMNS, [(r.record_id, LEDGER_STREAM, r.sequence, EVENT_TYPE, r.case_id, EVENT_TOPIC,
                                    r.record, _sqlite_time(r.recorded_us)) for r in rows]),
        ("ledger_entries", ENTRY_COLUMNS, [
            (r.sequence, r.event_id, r.case_id, r.type, r.source, _sqlite_time(r.time_us), r.topic, r.partition,
             r.offset, r.event, r.record, r.leaf.hex(), _sqlite_time(r.recorded_us)) for r in rows]),
        ("ledger_nodes", NODE_COLUMNS, nodes)]


def fill_sqlite(path: str, maker: RecordMaker, size: int) -> float:
    """Grow the SQLite ledger at `path` to `size` entries; return the seconds it took."""
    started = time.perf_counter()
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("journal_mode=DELETE", "journal_mode=OFF", "synchronous=OFF", "cache_size=-2000000",
                       "temp_store=MEMORY"):
            connection.execute(f"PRAGMA {pragma}")
        frontier = _frontier(connection.execute("SELECT state FROM ledger_frontier WHERE id = 1").fetchone())
        with no_gc_pauses(), Prefetch(batches(maker, frontier, size, _sqlite_rows)) as tables:
            for batch in tables:
                connection.execute("BEGIN")
                for table, columns, records in batch:
                    connection.executemany(_insert(table, columns), records)
                connection.execute("COMMIT")
        connection.execute(SAVE_FRONTIER.format("?", "?"), (frontier.size, json.dumps(frontier.to_json())))
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()
    return time.perf_counter() - started


def _frontier(row: tuple[str] | None) -> merkle.Frontier:
    return merkle.Frontier.from_json(json.loads(row[0])) if row else merkle.Frontier()


def _postgres_rows(rows: list[Row], nodes: list[Node]) -> Tables:
    return [
        ("ledger_entries", ENTRY_COLUMNS, [
            (r.sequence, r.event_id, r.case_id, r.type, r.source, moment(r.time_us), r.topic, r.partition, r.offset,
             r.event, r.record, r.leaf.hex(), moment(r.recorded_us)) for r in rows]),
        ("events", EVENT_COLUMNS, [(r.record_id, LEDGER_STREAM, r.sequence, EVENT_TYPE, r.case_id, EVENT_TOPIC,
                                    r.record, moment(r.recorded_us)) for r in rows]),
        ("ledger_nodes", NODE_COLUMNS, nodes)]


async def _copy(connection: asyncpg.Connection, tables: Tables) -> None:
    for table, columns, records in tables:
        await connection.copy_records_to_table(table, columns=columns, records=records)


async def fill_postgres(dsn: str, maker: RecordMaker, size: int) -> float:
    """Grow the PostgreSQL ledger at `dsn` (asyncpg's form) to `size` entries; return the seconds it took.
    The entries and the events are copied over two connections at once (two server processes); the indexes grow
    row by row, as they do in service."""
    started = time.perf_counter()
    connections = [await asyncpg.connect(dsn), await asyncpg.connect(dsn)]
    try:
        for connection in connections:
            await connection.execute(SESSION)
        frontier = _frontier(await connections[0].fetchrow("SELECT state FROM ledger_frontier WHERE id = 1"))
        with no_gc_pauses(), Prefetch(batches(maker, frontier, size, _postgres_rows)) as tables:
            while (batch := await asyncio.to_thread(tables.next_or_none)) is not None:
                await asyncio.gather(_copy(connections[0], batch[:1]), _copy(connections[1], batch[1:]))
        await connections[0].execute(SAVE_FRONTIER.format("$1", "$2"), frontier.size, json.dumps(frontier.to_json()))
        await connections[0].execute("ANALYZE events; ANALYZE ledger_entries; ANALYZE ledger_nodes")
    finally:
        for connection in connections:
            await connection.close()
    return time.perf_counter() - started


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Stop the cyclic collector for a while: a fill makes millions of tuples, and none of them are cycles."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
