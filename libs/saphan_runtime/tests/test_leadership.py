"""Leadership: on PostgreSQL exactly one replica runs a service's singleton loops, and another takes over when the
leader stops or its connection is cut; on SQLite the one process always leads."""

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from saphan_runtime import testing
from saphan_runtime.leadership import lead, lock_key


class Replica:
    """One replica's view: whether its work is running now."""

    def __init__(self, name: str, running: set[str], overlaps: list[set[str]]) -> None:
        self.name, self.running, self.overlaps = name, running, overlaps

    async def work(self) -> None:
        self.running.add(self.name)
        if len(self.running) > 1:
            self.overlaps.append(set(self.running))
        try:
            await asyncio.Event().wait()
        finally:
            self.running.discard(self.name)


async def eventually(condition: Callable[[], bool], within: float = 30.0) -> None:
    async def probe() -> bool:
        return condition()

    await testing.eventually(probe, within=within)


async def _engines(make: Callable[[str], str], count: int) -> list[AsyncEngine]:
    url = make("leadership")
    return [create_async_engine(url) for _ in range(count)]


def test_lock_keys_are_stable_and_differ_by_service_and_loop() -> None:
    assert lock_key("referral", "singletons") == lock_key("referral", "singletons")
    assert len({lock_key(s, loop) for s in ("intake", "referral") for loop in ("a", "b")}) == 4
    assert -(2**63) <= lock_key("audit", "singletons") < 2**63


async def test_on_sqlite_the_one_process_leads(database: Callable[[str], str], backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("the SQLite rule")
    [engine] = await _engines(database, 1)
    running: set[str] = set()
    task = asyncio.create_task(lead(engine, "intake", "singletons", Replica("a", running, []).work))
    await eventually(lambda: running == {"a"})
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await engine.dispose()


async def test_one_replica_leads_and_another_takes_over(database: Callable[[str], str], backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    engines = await _engines(database, 3)
    running: set[str] = set()
    overlaps: list[set[str]] = []
    tasks = {name: asyncio.create_task(lead(engine, "referral", "singletons", Replica(name, running, overlaps).work,
                                            retry_seconds=0.1, heartbeat_seconds=0.1))
             for name, engine in zip("abc", engines, strict=True)}
    try:
        await eventually(lambda: len(running) == 1)
        await asyncio.sleep(0.5)  # the followers keep asking meanwhile
        [leader] = running
        assert not overlaps

        tasks[leader].cancel()  # a replica stops: its lock goes with its connection
        await asyncio.gather(tasks[leader], return_exceptions=True)
        await eventually(lambda: len(running) == 1 and leader not in running)
        [second] = running

        async with engines[0].connect() as admin:  # the second leader's connection is cut (as by a partition)
            await admin.execute(text("SELECT pg_terminate_backend(pid) FROM pg_locks "
                                     "WHERE locktype = 'advisory' AND objid = (CAST(:key AS bigint) & 4294967295)"),
                                {"key": lock_key("referral", "singletons")})
        await eventually(lambda: len(running) == 1 and second not in running, within=10)
        assert not overlaps
    finally:
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
        for engine in engines:
            await engine.dispose()
