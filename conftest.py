"""Fixtures every test ring shares: the real broker, real databases (SQLite always, PostgreSQL when
SAPHAN_TEST_POSTGRES_URL is set) and an in-memory span exporter installed before any service starts."""

import asyncio
import os
import uuid
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from contracts.access import Role
from saphan_runtime import testing
from saphan_runtime.broker import EmbeddedBroker
from saphan_runtime.service import Service
from saphan_runtime.testing import BrokerUnderTest

POSTGRES_ADMIN_URL = os.environ.get("SAPHAN_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", autouse=True)
def spans() -> InMemorySpanExporter:
    """Collect every span of this test process (services in-process share it)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return exporter


@pytest.fixture(scope="session")
def shared_kafka() -> Iterator[str | None]:
    """Yield a broker shared by the session: KAFKA_BOOTSTRAP_SERVERS, else Apache Kafka in a container where a
    Docker engine answers, else None (each test then gets a fresh embedded broker)."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield external
        return
    if not _docker_engine_answers():
        yield None
        return
    from testcontainers.kafka import KafkaContainer

    with KafkaContainer().with_kraft() as kafka:
        yield kafka.get_bootstrap_server()


def _docker_engine_answers() -> bool:
    try:
        import docker

        return bool(docker.from_env(timeout=3).ping())
    except Exception:
        return False


@pytest.fixture
def broker(shared_kafka: str | None) -> Iterator[BrokerUnderTest]:
    """Yield a real Kafka-protocol broker for one test: on a shared broker, behind a topic prefix of its own."""
    if shared_kafka:
        yield BrokerUnderTest(shared_kafka, topic_prefix=f"t{uuid.uuid4().hex[:10]}.")
        return
    embedded = EmbeddedBroker().start()
    try:
        yield BrokerUnderTest(embedded.bootstrap_servers)
    finally:
        embedded.stop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Run the test once per database backend; PostgreSQL needs SAPHAN_TEST_POSTGRES_URL."""
    if request.param == "postgresql" and not POSTGRES_ADMIN_URL:
        pytest.skip("SAPHAN_TEST_POSTGRES_URL is not set")
    return str(request.param)


@pytest.fixture
def database(backend: str, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Return a factory of fresh, empty databases on the backend under test (dropped afterwards)."""
    created: list[str] = []

    def make(name: str) -> str:
        if backend == "sqlite":
            return testing.sqlite_url(tmp_path, name)
        url = str(_run(testing.create_postgres_database(POSTGRES_ADMIN_URL, name)))
        created.append(url)
        return url

    yield make
    for url in created:
        _run(testing.drop_postgres_database(POSTGRES_ADMIN_URL, url))


def _run(coroutine: Coroutine[Any, Any, str | None]) -> Any:
    # Fixtures set up outside the test's event loop; a worker thread gives each call a loop of its own.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def caller(tmp_path: Path) -> Callable[..., dict[str, str]]:
    """Return a maker of Authorization headers: a development token for a unit with roles, which the services built
    by make_service (same var dir) trust."""

    def make(unit: str | None, *roles: Role, user: str = "tester") -> dict[str, str]:
        return testing.bearer(tmp_path, unit, *roles, user=user)

    return make


@pytest.fixture
def make_service(broker: BrokerUnderTest, database: Callable[[str], str], tmp_path: Path) -> Callable[..., Service]:
    """Return a factory building one service wired to the test broker and a fresh test database."""
    import importlib

    from saphan_runtime.broker import free_port

    def make(name: str, **overrides: object) -> Service:
        settings_class = importlib.import_module(f"services.{name}.settings").Settings
        bootstrap = importlib.import_module(f"services.{name}.bootstrap").bootstrap
        settings = settings_class(
            port=free_port(), database_url=database(name), var_dir=tmp_path, relay_poll_seconds=0.2,
            broker=broker.settings(fetch_max_wait_ms=50, session_timeout_ms=2000),
            **overrides,
        )
        service: Service = bootstrap(settings)
        return service

    return make


@pytest.fixture
def system_databases(backend: str, database: Callable[[str], str]) -> dict[str, str]:
    """Return one fresh database per service for a whole-system run (SQLite files under var/ by default)."""
    if backend == "sqlite":
        return {}
    return {name: database(name) for name in ("intake", "referral", "documents", "audit")}


@pytest.fixture
def system_broker(shared_kafka: str | None) -> BrokerUnderTest | None:
    """Return the shared broker for a whole-system run, or None: `saphan up` then starts its embedded one."""
    return BrokerUnderTest(shared_kafka, topic_prefix=f"t{uuid.uuid4().hex[:10]}.") if shared_kafka else None
