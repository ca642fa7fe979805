"""Applying a consumed record alone: the inbox's path for a record that cannot go in a batch (unreadable, refused,
deferred, failing). It retries while the database or broker is away, and dead-letters what can never be applied or
keeps failing or conflicting."""

import asyncio
import contextlib
import dataclasses
import logging
import time
from dataclasses import dataclass, field

from aiokafka import ConsumerRecord
from aiokafka.errors import KafkaError
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from pydantic import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError

from saphan_runtime.bus import MessageBus
from saphan_runtime.dead_letters import DeadLetters
from saphan_runtime.deliveries import Delivery, Rejected, Subscriptions, Translator, read, translator
from saphan_runtime.errors import Deferred, DomainError
from saphan_runtime.settings import BrokerSettings
from saphan_runtime.telemetry import TRACER_NAME, context_from_headers
from saphan_runtime.transactions import AlreadyProcessed, ConcurrencyConflict, InboxKey

log = logging.getLogger(__name__)
tracer = trace.get_tracer(TRACER_NAME)

MAX_FAILURES = 5
# A stream that another writer keeps moving under a consumed event: a few conflicts are a race (retried, re-read),
# this many in a row (about a minute and a half of backing off) are a bug, and the record is dead-lettered.
MAX_CONFLICTS = 20
# Failures of the database or broker: wait for them to come back rather than give up on the record.
TRANSIENT = (OperationalError, InterfaceError, OSError, KafkaError, TimeoutError, ConcurrencyConflict)


@dataclass
class Counts:
    """What a consumer applied, and the repeats it dropped (by either path)."""

    applied: int = 0
    duplicates: int = 0


@dataclass
class Waits:
    """Since when each deferred record has waited (monotonic seconds), by topic, partition and offset."""

    since: dict[tuple[str, int, int], float] = field(default_factory=dict)

    def of(self, record: ConsumerRecord) -> float | None:
        """Return since when `record` waited, if it was deferred before."""
        return self.since.get((record.topic, record.partition, record.offset))

    def start(self, record: ConsumerRecord) -> float:
        """Return since when `record` waited, counting from now if it was not deferred before."""
        return self.since.setdefault((record.topic, record.partition, record.offset), time.monotonic())

    def end(self, record: ConsumerRecord) -> None:
        """Forget `record`: it was applied."""
        self.since.pop((record.topic, record.partition, record.offset), None)


class OneAtATime:
    """Apply records alone, each in its own transaction."""

    def __init__(self, *, name: str, bus: MessageBus, subscriptions: Subscriptions, broker: BrokerSettings,
                 dead_letters: DeadLetters, tracing: bool) -> None:
        self._name, self._bus, self._subscriptions, self._broker = name, bus, subscriptions, broker
        self._dead_letters, self._tracing = dead_letters, tracing
        self.counts, self.waits = Counts(), Waits()

    async def with_retries(self, record: ConsumerRecord) -> None:
        """Retry while the database or broker is away; a record that keeps failing otherwise, or keeps conflicting,
        is dead-lettered."""
        backoff, failures, conflicts = 0.1, 0, 0
        while True:
            try:
                return await self.process(record)
            except (asyncio.CancelledError, Deferred):
                raise
            except ConcurrencyConflict as error:
                conflicts += 1
                if conflicts >= MAX_CONFLICTS:
                    return await self._dead_letters.send(record, f"conflicted {conflicts} times: {error!r}")
                log.warning("%s: %s/%s@%s conflicted (%d): %r", self._name, record.topic, record.partition,
                            record.offset, conflicts, error)
            except TRANSIENT as error:
                log.warning("%s: %s/%s@%s waits for %r", self._name, record.topic, record.partition, record.offset,
                            error)
            except Exception as error:
                failures += 1
                if failures >= MAX_FAILURES:
                    return await self._dead_letters.send(record, f"failed {failures} times: {error!r}")
                log.exception("%s could not apply %s/%s@%s (%d)", self._name, record.topic, record.partition,
                              record.offset, failures)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)

    async def process(self, record: ConsumerRecord) -> None:
        """Apply one record, or dead-letter it when it can never be applied."""
        try:
            delivery = read(record, self._broker)
        except Rejected as rejection:
            return await self._dead_letters.send(record, str(rejection))
        translate = translator(self._subscriptions, delivery)
        if translate is None:
            return
        delivery = dataclasses.replace(delivery, waited_seconds=time.monotonic() - self.waits.start(record))
        with self.span(record, delivery):
            await self._apply(record, delivery, translate)
        self.waits.end(record)

    def span(self, record: ConsumerRecord, delivery: Delivery) -> contextlib.AbstractContextManager[object]:
        """Return the span of applying a record (none without tracing)."""
        if not self._tracing:
            return contextlib.nullcontext()
        return tracer.start_as_current_span(
            f"{delivery.topic} process", context=context_from_headers(record.headers), kind=SpanKind.CONSUMER,
            attributes={"messaging.system": "kafka", "messaging.consumer.group.name": self._name,
                        "messaging.message.id": delivery.envelope.id, "cloudevents.event_type": delivery.envelope.type,
                        "saphan.case_id": delivery.envelope.subject},
        )

    async def _apply(self, record: ConsumerRecord, delivery: Delivery, translate: Translator) -> None:
        try:
            command = translate(delivery)
        except (ValueError, ValidationError) as error:
            return await self._dead_letters.send(record, f"cannot be applied: {error}")
        if command is None:
            return
        try:
            await self._bus.handle(command, inbox=InboxKey(self._name, delivery.envelope.id, delivery.data))
            self.counts.applied += 1
        except AlreadyProcessed:
            self.counts.duplicates += 1
        except DomainError as error:
            await self._dead_letters.send(record, f"refused by {self._name}: {error}")
