"""aiosqlite's connection run on the event loop's own thread, for a service's SQLite writers.

aiosqlite hands every call (cursor, execute, fetch, close: four per statement) to a worker thread and wakes the
event loop when it is done. A statement on a local SQLite file takes microseconds; the two thread switches each
call costs take far more, and on a busy two-core machine they dominated the consumers' work. Run inline, the same
calls complete at once: `await` on a finished future does not even yield.

The price: while a statement runs, nothing else in the process does. That is why only the writers' engine runs
inline (their statements are short, and the write gate already has them take turns), never the readers' (a long
query would stall the whole process). A writer must never wait here for a lock another task of this process holds:
every writer of the database goes through the service's write gate."""

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite


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
