"""Helpers for tests: run a service in-process on a free port, create and drop test databases, wait."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import uvicorn
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from contracts.access import Role
from saphan_runtime import dev_issuer
from saphan_runtime.service import Service
from saphan_runtime.settings import BrokerSettings

T = TypeVar("T")


@dataclass(frozen=True)
class BrokerUnderTest:
    """The broker a test talks to, and the topic prefix that keeps its topics apart on a shared broker."""

    bootstrap_servers: str
    topic_prefix: str = ""

    def topic(self, name: str) -> str:
        """Return a contract topic's name on this broker."""
        return f"{self.topic_prefix}{name}"

    def settings(self, **overrides: Any) -> BrokerSettings:
        """Return service broker settings pointing here."""
        return BrokerSettings(bootstrap_servers=self.bootstrap_servers, topic_prefix=self.topic_prefix, **overrides)


@asynccontextmanager
async def running(service: Service) -> AsyncIterator[str]:
    """Serve a service (API, relay and consumer) in this event loop; yield its base URL."""
    async with serving(service.app, service.settings.port) as url:
        yield url


@asynccontextmanager
async def serving(app: Any, port: int) -> AsyncIterator[str]:
    """Serve any ASGI app on a loopback port in this event loop (its lifespan included); yield its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError(f"nothing started on port {port}")
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@contextmanager
def serving_in_thread(app: Any, port: int) -> Iterator[str]:
    """Serve an ASGI app (its lifespan included) in a thread with an event loop of its own, for callers that block
    (Schemathesis, say); yield its base URL."""
    started: Future[tuple[str, Callable[[], None]]] = Future()

    async def serve() -> None:
        stopping, loop = asyncio.Event(), asyncio.get_running_loop()

        def stop() -> None:
            loop.call_soon_threadsafe(stopping.set)

        async with serving(app, port) as url:
            started.set_result((url, stop))
            await stopping.wait()

    with ThreadPoolExecutor(1, thread_name_prefix=f"serving-{port}") as pool:
        finished = pool.submit(asyncio.run, serve())
        either: list[Future[Any]] = [started, finished]
        wait(either, return_when=FIRST_COMPLETED)
        if not started.done():
            finished.result()  # raises why it did not start
        url, stop = started.result()
        try:
            yield url
        finally:
            stop()
            finished.result()


async def cancelled(task: asyncio.Task[Any], *, within: float = 30.0) -> None:
    """Cancel a background task and wait for it to end (before what it uses is closed under it)."""
    task.cancel()
    done, _ = await asyncio.wait([task], timeout=within)
    if not done:
        raise TimeoutError(f"{task.get_name()} did not end within {within}s of being cancelled")


async def eventually(probe: Callable[[], Awaitable[T | None]], *, within: float = 30.0, every: float = 0.1) -> T:
    """Return the first truthy result of `probe`, or fail after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met after {within}s")
        await asyncio.sleep(every)


def sqlite_url(directory: Path, name: str) -> str:
    """Return the URL of a SQLite file for one test database."""
    return f"sqlite+aiosqlite:///{directory / f'{name}.db'}"


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def create_postgres_database(admin_url: str, name: str) -> str:
    """Create a fresh PostgreSQL database and return its async SQLAlchemy URL."""
    database = f"saphan_test_{name}_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(_plain(admin_url))
    try:
        await connection.execute(f'CREATE DATABASE "{database}"')
    finally:
        await connection.close()
    base = admin_url.rsplit("/", 1)[0]
    return f"{base}/{database}"


async def drop_postgres_database(admin_url: str, url: str) -> None:
    """Drop a database made by `create_postgres_database`, closing its connections first."""
    database = url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(_plain(admin_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await connection.close()


async def read_topic(broker: BrokerUnderTest, topic: str, *, at_least: int, within: float = 20.0) -> list[Any]:
    """Read a contract topic from the beginning until `at_least` records arrived (then drain for a moment)."""
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(broker.topic(topic), bootstrap_servers=broker.bootstrap_servers, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False, fetch_max_wait_ms=50)
    await consumer.start()
    records: list[Any] = []
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for partition_records in batch.values():
                records.extend(partition_records)
            if len(records) >= at_least and not batch:
                break
    finally:
        await consumer.stop()
    return records


def bearer(var_dir: Path, unit: str | None, *roles: Role, user: str = "tester") -> dict[str, str]:
    """Return the Authorization header of a development-issuer token for a user of a unit with roles."""
    return {"Authorization": f"Bearer {dev_issuer.mint(var_dir, user=user, unit=unit, roles=list(roles))}"}


async def scrape(base_url: str) -> list[Sample]:
    """Return every sample a process's /metrics exposes, parsed as Prometheus parses it (and asked without a token)."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"{base_url}/metrics")
    response.raise_for_status()
    return [sample for family in text_string_to_metric_families(response.text) for sample in family.samples]


def sample_value(samples: list[Sample], name: str, **labels: str) -> float | None:
    """Return the value of the sample of that name whose labels include these, or None when there is none."""
    found = [s.value for s in samples if s.name == name and labels.items() <= s.labels.items()]
    if len(found) > 1:
        raise AssertionError(f"{len(found)} samples of {name} match {labels}")
    return found[0] if found else None
