"""One service process: its database, broker clients, outbox relay, inbox consumer and HTTP app."""

import asyncio
import contextlib
import functools
import logging
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import APIRouter
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.envelope import EventData
from contracts.topics import EVENT_TOPICS, dead_letter_topic, partitions_of, relay_marker_topic
from saphan_runtime import db, dev_issuer, direct, kafka, leadership, migrations, parties, sqlite_inline
from saphan_runtime.access import RecordAccess, record_access
from saphan_runtime.auth import KeySet, TokenVerifier
from saphan_runtime.background import Changes, Ticker, repeat
from saphan_runtime.batch import Batch
from saphan_runtime.broker_life import GroupLife
from saphan_runtime.broker_memory import BrokerMemory
from saphan_runtime.bus import Handler, MessageBus
from saphan_runtime.deliveries import AnyEvent, Subscriptions
from saphan_runtime.errors import Unavailable
from saphan_runtime.eventstore import Projector, UnitOfWork
from saphan_runtime.figures import runtime_figures
from saphan_runtime.inbox import InboxConsumer
from saphan_runtime.metrics import GaugeReader, Metrics
from saphan_runtime.outbox import OutboxRelay
from saphan_runtime.sealing import Keyring
from saphan_runtime.service_app import create_app
from saphan_runtime.settings import ServiceSettings
from saphan_runtime.telemetry import setup_tracing
from saphan_runtime.transactions import InboxKey

log = logging.getLogger(__name__)
# How long the outbox relay may fall behind (every read finding more than a batch) before new reports are refused.
BEHIND_SECONDS = 2.0


CaseOf = Callable[[AsyncSession, Mapping[str, str]], Awaitable[str | None]]


async def case_in_path(session: AsyncSession, path: Mapping[str, str]) -> str | None:
    """Return the case a request's path names (`{case_id}`), or None."""
    return path.get("case_id")


@dataclass(frozen=True)
class ServiceParts:
    """What a service's bootstrap hands to the runtime: its tables, handlers, projections and routes."""

    settings: ServiceSettings
    metadata: MetaData
    migrations: str
    handlers: Mapping[type, Handler]
    project: Projector
    subscriptions: Subscriptions
    routers: Sequence[APIRouter]
    title: str
    description: str = ""
    topics: Sequence[str] = field(default_factory=lambda: EVENT_TOPICS)
    on_start: Sequence[Callable[["Service"], Awaitable[None]]] = ()
    tickers: Sequence[Ticker] = ()
    case_of: CaseOf = case_in_path  # which case a request is about, for need-to-know checks
    keyring: Keyring | None = None  # the case keys sealing personal data, for a service that holds any
    gauges: Sequence[GaugeReader] = ()  # the service's own figures for /metrics, read when scraped


class Service:
    """Compose one service; nothing connects until `start`."""

    def __init__(self, parts: ServiceParts) -> None:
        self.parts, self.settings = parts, parts.settings
        check_no_development_defaults(self.settings)
        self.verifier = token_verifier(self.settings)
        self.database_url = parts.settings.resolved_database_url()
        self.engine = db.create_engine(self.database_url, inline=True)
        self.sessions = db.create_sessionmaker(self.engine, info={"keyring": parts.keyring})
        self.read_engine = db.create_engine(self.database_url, read_only=True) if self.database_url.startswith(
            "sqlite") else self.engine
        self.read_sessions = db.create_sessionmaker(self.read_engine)
        # SQLite has one writer at a time and its busy-wait is unfair: queue this process's writers in order.
        self.write_gate = asyncio.Lock() if self.database_url.startswith("sqlite") else None
        self.tables = dict(parts.metadata.tables)
        self.case_of = parts.case_of
        self.tracks_parties = parties.TABLE in self.tables  # keeps who is party to each case (need to know)
        self.project = parties.tracking(parts.project) if self.tracks_parties else parts.project
        self.subscriptions = (parties.subscriptions(self.settings.name, parts.subscriptions) if self.tracks_parties
                              else parts.subscriptions)
        own_handlers: dict[type, Handler] = {RecordAccess: record_access, parties.NoteParties: parties.note_parties}
        self.bus = MessageBus({**parts.handlers, **own_handlers}, self.unit_of_work)
        self.producer: AIOKafkaProducer | None = None
        self.relay: OutboxRelay | None = None
        self.consumer: InboxConsumer | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.changes = Changes()
        own_figures = [functools.partial(gauges, self) for gauges in parts.gauges]
        self.metrics = Metrics(self.settings.name, [*runtime_figures(self), *own_figures])
        self.tracing = setup_tracing(self.settings.name)  # spans recorded (an exporter, or a test's collector)
        self.app = create_app(self)

    def unit_of_work(self, inbox: InboxKey | None = None, batch: Batch | None = None) -> UnitOfWork:
        """Return a new unit of work over this service's store (joining a consumer's batch, when given)."""
        return UnitOfWork(self.sessions, self.tables, source=self.settings.source(), project=self.project,
                          on_commit=self._wake_relay, inbox=inbox, gate=self.write_gate,
                          notice=parties.note if self.tracks_parties else None, batch=batch)

    def batch(self) -> Batch:
        """Return a new batch: one transaction for several consumed events."""
        return Batch(self.sessions, self.tables, on_commit=self._wake_relay, gate=self.write_gate)

    def refuse_when_behind(self) -> None:
        """Refuse new work (503, retry later) while the outbox relay has been falling behind for BEHIND_SECONDS: what
        is accepted then only waits longer to be published. Past what the machine can publish, reports are turned
        away at the door, at once and with Retry-After, rather than accepted into a backlog that grows without end."""
        if self.relay is not None and self.relay.behind_seconds() > BEHIND_SECONDS:
            raise Unavailable(f"{self.settings.name} is behind publishing what it accepted / ระบบกำลังส่งต่องานที่รับไว้ไม่ทัน")

    def _wake_relay(self) -> None:
        if self.relay is not None:
            self.relay.wake()
        self.changes.notify()

    async def start(self) -> None:
        """Migrate the database, make sure the topics exist, then start the consumer, and the relay and tickers
        while this replica leads."""
        if self.tracing:
            for engine in (self.engine.sync_engine, db.writer_engine(self.engine)):
                if engine is not None:
                    SQLAlchemyInstrumentor().instrument(engine=engine)
        await migrations.upgrade_async(self.database_url, self.parts.migrations)
        await kafka.ensure_topics(self.settings.broker, self._topics())
        self.producer = kafka.producer(self.settings.broker, f"saphan-{self.settings.name}")
        await self.producer.start()
        inline_file = db.inline_sqlite_file(self.database_url)
        self.relay = OutboxRelay(name=self.settings.name, sessions=self.sessions, tables=self.tables,
                                 producer=self.producer, broker=self.settings.broker, read_sessions=self.read_sessions,
                                 gate=self.write_gate,
                                 batch_size=self.settings.relay_batch_size,
                                 poll_seconds=self.settings.relay_poll_seconds,
                                 memory=BrokerMemory(broker=self.settings.broker,
                                                     marker=relay_marker_topic(self.settings.name)),
                                 on_lost=functools.partial(kafka.ensure_topics, self.settings.broker, self._topics()),
                                 tracing=self.tracing,
                                 reader=None if inline_file is None else direct.FileReader(inline_file))
        if inline_file is not None and self.write_gate is not None:
            self._tasks.append(asyncio.create_task(
                sqlite_inline.checkpoint_continually(inline_file, self.write_gate),
                name=f"{self.settings.name}-checkpoints"))
        for hook in self.parts.on_start:
            await hook(self)
        if self.subscriptions:
            await self._start_consumer(self.producer)
        # Every replica serves HTTP and consumes its share of the partitions; one at a time relays and ticks.
        self._tasks.append(asyncio.create_task(
            leadership.lead(self.engine, self.settings.name, "singletons", self._run_singletons),
            name=f"{self.settings.name}-singletons"))

    async def _run_singletons(self) -> None:
        assert self.relay is not None
        loops = [self.relay.run(), *(repeat(ticker, self) for ticker in self.parts.tickers)]
        await asyncio.gather(*loops)

    async def _start_consumer(self, producer: AIOKafkaProducer) -> None:
        broker = self.settings.broker
        group = GroupLife(broker=broker, service=self.settings.name,
                          topics=[broker.topic(name) for name in self.subscribed_topics()])
        self.consumer = InboxConsumer(name=self.settings.name, consumer=await group.join(), producer=producer,
                                      bus=self.bus, subscriptions=self.subscriptions,
                                      sessions=self.sessions, tables=self.tables, broker=self.settings.broker,
                                      batches=self.batch, gate=self.write_gate, group=group, tracing=self.tracing)
        self._tasks.append(asyncio.create_task(self.consumer.run(), name=f"{self.settings.name}-consumer"))

    def subscribed_topics(self) -> list[str]:
        """Return the contract names of the topics this service consumes."""
        if AnyEvent in self.subscriptions:
            return [topic for topic in self.parts.topics if not topic.startswith(f"saphan.{self.settings.name}.")]
        return sorted({model.topic for model in self.subscriptions
                       if issubclass(model, EventData) and model.topic is not None})

    def _topics(self) -> dict[str, int]:
        broker = self.settings.broker
        topics = {broker.topic(name): partitions_of(name) for name in self.parts.topics}
        topics[broker.topic(dead_letter_topic(self.settings.name))] = 1
        return topics

    async def stop(self) -> None:
        """Stop the consumer and relay, then close the broker clients and the database pool."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self.kafka_consumer is not None:
            await self.kafka_consumer.stop()
        if self.producer is not None:
            await self.producer.stop()
        await db.dispose(self.engine)
        await self.read_engine.dispose()

    @property
    def kafka_consumer(self) -> AIOKafkaConsumer | None:
        """Return the consumer's Kafka client (None in a service that consumes nothing, or before it starts)."""
        return None if self.consumer is None else self.consumer.kafka

    def health(self) -> dict[str, Any]:
        """Return liveness: the process answers, and which of its loops are running."""
        loops = {task.get_name(): not task.done() for task in self._tasks}
        return {"status": "ok", "service": self.settings.name, "pid": os.getpid(), "loops": loops}

    async def readiness(self) -> dict[str, bool]:
        """Check the database, the broker and the background loops."""
        checks = {"database": await _succeeds(db.ping(self.read_engine)),
                  "broker": await _succeeds(self._ping_broker()),
                  "loops": bool(self._tasks) and all(not task.done() for task in self._tasks)}
        return checks

    async def _ping_broker(self) -> None:
        if self.producer is None or not await self.producer.client.force_metadata_update():
            raise ConnectionError("broker unreachable")


def check_no_development_defaults(settings: ServiceSettings) -> None:
    """Refuse to start outside development while a secret or trust anchor is still a development default."""
    defaults = settings.development_defaults()
    if settings.environment != "development" and defaults:
        raise SystemExit(f"{settings.name}: refusing to start in {settings.environment} with development defaults; "
                         f"set {', '.join(defaults)}")


def token_verifier(settings: ServiceSettings) -> TokenVerifier:
    """Return the verifier of callers' tokens: the issuer's JWKS, or in development the development issuer's key."""
    if settings.auth.jwks_url:
        return TokenVerifier(settings.auth, KeySet(url=settings.auth.jwks_url))
    return TokenVerifier(settings.auth, KeySet(jwks=dev_issuer.jwks(settings.var_dir)))


async def _succeeds(check: Any) -> bool:
    try:
        await asyncio.wait_for(check, timeout=3)
        return True
    except Exception:
        return False
