"""A service's SQLite writers, run on the event loop's own thread.

aiosqlite hands every call (cursor, execute, fetch, close: four per statement) to a worker thread and wakes the
event loop when it is done. A statement on a local SQLite file takes microseconds; the two thread switches each
call costs take far more, and on a busy two-core machine they dominated the consumers' work. Run inline, the same
calls complete at once: `await` on a finished future does not even yield. The writers' sessions go one step
further (InlineSession): their statements run on SQLAlchemy's sync Session over sqlite3, with no greenlet and no
aiosqlite adapter between them and the driver; the inline aiosqlite connection serves the writers' AsyncEngine
itself (creating tables, the engine-level work of tests and tools).

The price: while a statement runs, nothing else in the process does. That is why only the writers' engine runs
inline (their statements are short, and the write gate already has them take turns), never the readers' (a long
query would stall the whole process). A writer must never wait here for a lock another task of this process holds:
every writer of the database goes through the service's write gate. For the same reason an inline writer never
checkpoints the write-ahead log (SQLite would do it in the commit that fills a page count, copying megabytes and
syncing the file while the process waits): `checkpoint_continually` does it on a thread of its own."""

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite
from sqlalchemy import Executable, Result, create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.util import EMPTY_DICT, immutabledict

log = logging.getLogger(__name__)
CHECKPOINT_SECONDS = 1.0
REWIND_FRAMES = 4096  # 16 MiB of 4 KiB pages: a log this long is copied whole under the write gate, then started over


class _RunAtOnce:
    """Stands in for aiosqlite's queue to its worker thread: runs each call as it is put, and settles its future."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:  # handed to the awaiting caller, as the worker thread would
            if future is not None:
                future.set_exception(error)
            return
        if future is not None:
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection without its worker thread."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int = 64) -> None:
        super().__init__(connector, iter_chunk_size)
        self._tx = _RunAtOnce()  # type: ignore[assignment]

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()  # no thread to start


def creator(path: str, *, timeout: float) -> Callable[[], Any]:
    """Return the `async_creator` for SQLAlchemy's aiosqlite dialect: inline connections to the file at `path`."""

    async def connect() -> aiosqlite.Connection:
        return await InlineConnection(lambda: sqlite3.connect(path, timeout=timeout, check_same_thread=False))

    return connect


async def checkpoint(path: str, gate: asyncio.Lock | None = None,
                     rewind_frames: int = REWIND_FRAMES) -> tuple[int, int, int]:
    """Copy what the write-ahead log holds into the database without waiting for anyone (PASSIVE), on aiosqlite's
    thread; return SQLite's answer: (busy, frames in the log, frames checkpointed).

    SQLite starts its log over only when a writer begins while every frame of it is in the database and no reader
    is still inside it. Under a steady stream of commits that never happens on its own: writers keep adding frames
    while the checkpoint copies, so the log (and the index of it each process maps) grew without end, a gigabyte
    in minutes, and every read that missed it searched more of it. So once the log holds `rewind_frames`, the
    checkpoint is done again holding the write `gate`: no writer adds a frame meanwhile, the log ends wholly copied,
    and the next writer starts it over (the bulk was copied by the first pass, outside the gate)."""
    async with aiosqlite.connect(path, timeout=1) as connection:
        answer = await _passive(connection)
        if gate is not None and answer[1] >= rewind_frames:
            async with gate:
                answer = await _passive(connection)
    return answer


async def _passive(connection: aiosqlite.Connection) -> tuple[int, int, int]:
    async with connection.execute("PRAGMA wal_checkpoint(PASSIVE)") as cursor:
        row = await cursor.fetchone()
    busy, frames, done = row if row is not None else (0, 0, 0)
    return int(busy), int(frames), int(done)


async def checkpoint_continually(path: str, gate: asyncio.Lock, every: float = CHECKPOINT_SECONDS) -> None:
    """Checkpoint a database whose writers run inline (and take turns at `gate`), every `every` seconds, until
    cancelled."""
    while True:
        await asyncio.sleep(every)
        try:
            await checkpoint(path, gate)
        except (sqlite3.Error, OSError) as error:  # the next round tries again
            log.warning("checkpointing %s failed: %r", path, error)


class InlineSession(AsyncSession):
    """A writer's session on a SQLite file whose statements run at once on a plain sqlite3 connection.

    An AsyncSession hands each statement to a greenlet, and the aiosqlite adapter each of its driver calls to the
    driver's future: on a SQLite file, where nothing ever waits, that machinery cost more than the statements
    (an INSERT: 124 µs through AsyncSession and aiosqlite, 44 µs through SQLAlchemy's Session and sqlite3). This
    session keeps AsyncSession's interface for the unit of work and the projections, and runs its statements on a
    sync Session over `writer`, an engine of the same file on sqlite3 (see `writer_engine`); so do its commits,
    rollbacks and closes (transactions still begin through AsyncSession, once each). The same rule as for inline
    connections holds: no writer may wait for a lock another task of this process holds (the write gate)."""

    def __init__(self, bind: AsyncEngine, *, writer: Engine, **kw: Any) -> None:
        super().__init__(bind, **kw)
        self.sync_session.bind = writer  # (`bind` stays the async engine: its dialect is the same)

    async def execute(
        self, statement: Executable, params: Any = None, *, execution_options: Any = EMPTY_DICT,
        bind_arguments: Any = None, **kw: Any,
    ) -> Result[Any]:
        return self.sync_session.execute(statement, params, execution_options=_buffered(execution_options),
                                         bind_arguments=bind_arguments, **kw)

    # (AsyncSession.scalars goes through `execute`: no override needed.)
    async def scalar(
        self, statement: Executable, params: Any = None, *, execution_options: Any = EMPTY_DICT,
        bind_arguments: Any = None, **kw: Any,
    ) -> Any:
        return self.sync_session.scalar(statement, params, execution_options=_buffered(execution_options),
                                        bind_arguments=bind_arguments, **kw)

    async def commit(self) -> None:
        self.sync_session.commit()

    async def rollback(self) -> None:
        self.sync_session.rollback()

    async def close(self) -> None:
        self.sync_session.close()

    async def connection(self, *args: Any, **kw: Any) -> Any:
        raise NotImplementedError("an inline session has no async connection: use sync_session.connection()")


def _buffered(options: Any) -> Any:
    """Return execution options with AsyncSession's: rows fetched before the result is handed back."""
    return immutabledict(options).union(BUFFERED) if options else BUFFERED


BUFFERED = immutabledict({"prebuffer_rows": True})


def writer_engine(path: str, *, timeout: float) -> Engine:
    """Return an engine of a SQLite file on the sqlite3 driver, for InlineSession (configured by the caller)."""
    return create_engine(f"sqlite:///{path}", connect_args={"timeout": timeout, "check_same_thread": False})
