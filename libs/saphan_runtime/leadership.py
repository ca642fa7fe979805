"""One replica at a time runs a service's singleton loops (the outbox relay, the tickers), so a service scales out
(every replica serves HTTP and consumes its share of the partitions) without two relays racing over one cursor or two
deadline watches escalating the same referral. PostgreSQL: a session advisory lock per loop, held on a connection of
its own; whoever holds it leads, the others wait and take over when its connection ends (a crash, a kill -9, a
network partition the server notices). SQLite: one process owns the file, so it always leads."""

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

RETRY_SECONDS = 2.0  # how often a follower asks for the lock
HEARTBEAT_SECONDS = 5.0  # how often a leader checks it still holds its connection (and so its lock)


def lock_key(service: str, loop: str) -> int:
    """Return the advisory-lock key of one service's loop: a stable signed 64-bit number."""
    digest = hashlib.sha256(f"saphan-leader:{service}:{loop}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def lead(engine: AsyncEngine, service: str, loop: str, work: Callable[[], Awaitable[None]],
               retry_seconds: float = RETRY_SECONDS, heartbeat_seconds: float = HEARTBEAT_SECONDS) -> None:
    """Run `work` while this process leads `loop`, until cancelled; on losing the lead, stop it and wait again."""
    if engine.dialect.name != "postgresql":
        await work()
        return
    key = lock_key(service, loop)
    while True:
        try:
            async with engine.connect() as connection:
                if await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}):
                    log.info("%s leads %s", service, loop)
                    try:
                        await _while_held(connection, work, heartbeat_seconds)
                    finally:
                        # Closed, not returned to the pool: the lock ends with the server session.
                        await connection.invalidate()
                    log.warning("%s lost the lead of %s", service, loop)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s: leading %s failed; trying again", service, loop)
        await asyncio.sleep(retry_seconds)


async def _while_held(connection: AsyncConnection, work: Callable[[], Awaitable[None]], heartbeat: float) -> None:
    task = asyncio.ensure_future(work())
    try:
        while not task.done():
            done, _ = await asyncio.wait({task}, timeout=heartbeat)
            if not done:
                await connection.scalar(text("SELECT 1"))  # raises once the connection (and its lock) is gone
        task.result()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
