"""Database set-up and the tables every service shares: the event store (which is the outbox), the relay
cursor, the inbox and the dead letters."""

import weakref
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from saphan_runtime import sqlite_inline

# The largest number an Integer (a version) and a BigInteger (a position, a sequence) column holds; a caller asking
# for more is refused at the edge (422) rather than failing in the driver.
MAX_INTEGER = 2**31 - 1
MAX_BIG_INTEGER = 2**63 - 1


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC; SQLite's naive read-back is given its UTC zone again."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must carry a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a bigint identity.
Position = BigInteger().with_variant(Integer(), "sqlite")

# One advisory-lock key for "appending events" (PostgreSQL): see `lock_for_append`.
APPEND_LOCK_KEY = 0x5A9_4A11
APPEND_LOCK = "db.append_lock"  # session.info: the transaction that holds the append lock


def event_store_tables(metadata: MetaData) -> None:
    """Add the shared event-store, relay, inbox and dead-letter tables to a service's metadata."""
    Table(
        "events",
        metadata,
        Column("position", Position, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("stream_id", String(200), nullable=False),
        Column("version", Integer, nullable=False),
        Column("type", String(200), nullable=False),
        Column("case_id", String(64), nullable=False, index=True),
        Column("topic", String(200), nullable=True),
        Column("payload", Text, nullable=False),
        Column("recorded_at", UtcDateTime(), nullable=False),
        UniqueConstraint("stream_id", "version", name="uq_events_stream_version"),
    )
    Table(
        "relay_cursor",
        metadata,
        Column("relay", String(100), primary_key=True),
        Column("position", BigInteger, nullable=False),
        Column("updated_at", UtcDateTime(), nullable=False),
    )
    Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("processed_at", UtcDateTime(), nullable=False),
    )
    Table(
        "dead_letters",
        metadata,
        Column("id", Position, primary_key=True, autoincrement=True),
        Column("consumer", String(100), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", BigInteger, nullable=False),
        Column("reason", Text, nullable=False),
        Column("key", LargeBinary, nullable=True),
        Column("value", LargeBinary, nullable=True),
        Column("recorded_at", UtcDateTime(), nullable=False),
        UniqueConstraint("consumer", "topic", "partition", "offset", name="uq_dead_letters_delivery"),
    )


SQLITE_BUSY_SECONDS = 30
# An inline writer waits on the event loop's thread: only another process can make it wait, and not for long.
SQLITE_INLINE_BUSY_SECONDS = 5
# What a log started over is cut back to (PRAGMA journal_size_limit): a burst's log gives its disk space back.
SQLITE_LOG_SIZE_LIMIT = 32 * 2**20
# Each inline SQLite engine's writer engine (sqlite_inline.InlineSession), by the inline engine's sync engine.
_WRITERS: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def create_engine(url: str, *, read_only: bool = False, inline: bool = False) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL, a busy timeout and serialised (IMMEDIATE) write transactions,
    and a read-only engine whose snapshots never wait for the writers. `inline` runs a SQLite file's statements on
    the event loop's thread (see sqlite_inline): for a service's writers, which its write gate has take turns, and
    whose log `sqlite_inline.checkpoint_continually` must then checkpoint."""
    if url.startswith("sqlite"):
        path = inline_sqlite_file(url) if inline and not read_only else None
        if path is not None:
            connect = sqlite_inline.creator(path, timeout=SQLITE_INLINE_BUSY_SECONDS)
            engine = create_async_engine(url, async_creator=connect)
            writer = sqlite_inline.writer_engine(path, timeout=SQLITE_INLINE_BUSY_SECONDS)
            _configure_sqlite(writer, read_only=False, inline=True)
            _WRITERS[engine.sync_engine] = writer
        else:
            engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
        _configure_sqlite(engine.sync_engine, read_only=read_only, inline=path is not None)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def inline_sqlite_file(url: str) -> str | None:
    """Return the file an inline engine of this URL writes (None: not a SQLite file, so never inline)."""
    path = make_url(url).database if url.startswith("sqlite") else None
    return path if path and path != ":memory:" else None


def writer_engine(engine: AsyncEngine) -> Engine | None:
    """Return the sqlite3 engine the sessions of an inline SQLite engine write through (None: not inline)."""
    return _WRITERS.get(engine.sync_engine)


async def dispose(engine: AsyncEngine) -> None:
    """Close an engine's connections (and those of its inline writer's engine)."""
    if (writer := writer_engine(engine)) is not None:
        writer.dispose()
    await engine.dispose()


def _configure_sqlite(engine: Engine, *, read_only: bool, inline: bool) -> None:
    busy_seconds = SQLITE_INLINE_BUSY_SECONDS if inline else SQLITE_BUSY_SECONDS
    # pysqlite's deferred BEGIN lets two transactions read, then one fails to upgrade to a writer
    # (SQLITE_BUSY_SNAPSHOT). BEGIN IMMEDIATE takes the write lock up front, so writers queue instead. Readers
    # (queries, streams) use a deferred BEGIN: in WAL mode they read a snapshot and wait for nobody.
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_seconds * 1000}")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        if inline:  # an inline writer never checkpoints: sqlite_inline.checkpoint_continually does, off the loop
            cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.execute(f"PRAGMA journal_size_limit={SQLITE_LOG_SIZE_LIMIT}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def create_sessionmaker(engine: AsyncEngine, info: dict[str, Any] | None = None) -> async_sessionmaker[AsyncSession]:
    """Return the session factory the unit of work uses; `info` is handed to every session (e.g. the keyring). An
    inline SQLite engine's sessions run their statements at once on its writer engine (sqlite_inline.InlineSession)."""
    if (writer := writer_engine(engine)) is not None:
        return async_sessionmaker(engine, class_=sqlite_inline.InlineSession, writer=writer, expire_on_commit=False,
                                  autoflush=False, info=info)
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False, info=info)


async def lock_for_append(session: AsyncSession) -> None:
    """Serialise appends until commit, so event positions are handed out in commit order.

    Without this, a PostgreSQL transaction that took position 10 but commits after the one that took 11
    would be skipped by a relay that has already moved past 11 (the outbox gap problem). SQLite already
    serialises writers (BEGIN IMMEDIATE)."""
    if session.bind.dialect.name != "postgresql":
        return
    transaction = session.sync_session.get_transaction()
    if transaction is not None and session.info.get(APPEND_LOCK) is transaction:
        return  # held until this transaction ends (a consumer's batch appends many times: one round trip, not many)
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK_KEY})
    session.info[APPEND_LOCK] = session.sync_session.get_transaction()


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
