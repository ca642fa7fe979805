"""The outbox relay against the real broker and real databases: nothing skipped, nothing lost."""

import asyncio
import json
import random
import uuid
from collections import defaultdict

from contracts.topics import INTAKE_EVENTS
from saphan_runtime import kafka, testing
from saphan_runtime.broker import EmbeddedBroker
from saphan_runtime.broker_memory import BrokerMemory
from saphan_runtime.outbox import OutboxRelay
from saphan_runtime.testing import BrokerUnderTest
from saphan_runtime.tests.support import Store, case_reported, store

WRITERS, EVENTS_PER_WRITER = 6, 20


async def _relay(events: Store, broker: BrokerUnderTest) -> tuple[OutboxRelay, object]:
    settings = broker.settings()
    await kafka.ensure_topics(settings, {settings.topic(INTAKE_EVENTS): 6})
    producer = kafka.producer(settings, "test-relay")
    await producer.start()
    relay = OutboxRelay(name="test", sessions=events.sessions, tables=dict(events.metadata.tables),
                        producer=producer, broker=settings, batch_size=7, poll_seconds=0.01)
    return relay, producer


async def _write(events: Store, writer: int) -> None:
    for n in range(EVENTS_PER_WRITER):
        case = f"case-{writer}-{n % 3}"
        async with events.unit_of_work() as uow:
            version = await uow.version(case)
            await uow.append(case, case_id=case, expected_version=version, events=[case_reported(case)])
            # Hold the transaction open a little: a late commit must not be skipped by the relay.
            await asyncio.sleep(random.uniform(0, 0.03))
            await uow.commit()


async def _stored_ids(events: Store) -> set[str]:
    async with events.unit_of_work() as uow:
        table = events.metadata.tables["events"]
        return set((await uow.session.execute(table.select().with_only_columns(table.c.event_id))).scalars())


async def test_racing_writers_are_all_published_once_and_in_stream_order(database, broker) -> None:
    async with store(database("outbox")) as events:
        relay, producer = await _relay(events, broker)
        running = asyncio.create_task(relay.run())
        try:
            await asyncio.gather(*(_write(events, w) for w in range(WRITERS)))
            await testing.eventually(lambda: _published_all(relay), within=30)
        finally:
            await testing.cancelled(running)
            await producer.stop()  # type: ignore[attr-defined]
        stored = await _stored_ids(events)
    records = await testing.read_topic(broker, INTAKE_EVENTS, at_least=len(stored))
    published = [json.loads(r.value) for r in records]
    assert sorted(e["id"] for e in published) == sorted(stored)
    by_stream: dict[str, list[int]] = defaultdict(list)
    for event in sorted(((r.partition, r.offset), json.loads(r.value)) for r in records):
        by_stream[event[1]["streamid"]].append(int(event[1]["sequence"]))
    assert all(versions == sorted(versions) for versions in by_stream.values())
    assert all(r.key.decode() == json.loads(r.value)["subject"] for r in records)


async def test_a_relay_that_caught_up_on_a_full_batch_saves_its_cursor_on_the_empty_read_after(database, broker):
    async with store(database("outbox")) as events:
        relay, producer = await _relay(events, broker)  # batches of 7
        try:
            await _write_events(events, 7)
            assert await relay.publish_pending() == 7  # the first batch: saved (no save yet)
            await _write_events(events, 7)
            assert await relay.publish_pending() == 7  # full, and the last save was just now: not saved yet
            assert await relay.backlog() == 7
            assert await relay.publish_pending() == 0  # nothing more: caught up, so saved now
            assert await relay.backlog() == 0 and relay.published == 14
        finally:
            await producer.stop()  # type: ignore[attr-defined]


async def test_a_relay_is_behind_while_every_read_finds_a_full_batch(database, broker) -> None:
    async with store(database("outbox")) as events:
        relay, producer = await _relay(events, broker)  # batches of 7
        try:
            await _write_events(events, 10)
            assert relay.behind_seconds() == 0.0
            assert await relay.publish_pending() == 7  # more than a batch waited: falling behind from now
            await asyncio.sleep(0.05)
            behind = relay.behind_seconds()
            assert await relay.publish_pending() == 3  # less than a batch: caught up
            assert behind >= 0.05 and relay.behind_seconds() == 0.0
        finally:
            await producer.stop()  # type: ignore[attr-defined]


async def _write_events(events: Store, count: int) -> None:
    async with events.unit_of_work() as uow:
        for case in (f"case-{uuid.uuid4()}" for _ in range(count)):
            await uow.append(case, case_id=case, expected_version=0, events=[case_reported(case)])
        await uow.commit()


async def _published_all(relay: OutboxRelay) -> bool:
    return relay.published >= WRITERS * EVENTS_PER_WRITER and await relay.backlog() == 0


async def test_a_crash_before_the_cursor_moves_resends_the_batch_and_loses_nothing(database, broker) -> None:
    async with store(database("outbox")) as events:
        for w in range(2):
            await _write(events, w)
        relay, producer = await _relay(events, broker)
        original_advance, failures = relay._advance, [1]

        async def advance_failing_once(previous: int | None, position: int) -> None:
            if failures:
                failures.pop()
                raise ConnectionError("database went away before the cursor moved")
            await original_advance(previous, position)

        relay._advance = advance_failing_once  # type: ignore[method-assign]
        running = asyncio.create_task(relay.run())
        try:
            await testing.eventually(lambda: _drained(relay), within=30)
        finally:
            await testing.cancelled(running)
            await producer.stop()  # type: ignore[attr-defined]
        stored = await _stored_ids(events)
    records = await testing.read_topic(broker, INTAKE_EVENTS, at_least=len(stored) + 7)
    ids = [json.loads(r.value)["id"] for r in records]
    assert set(ids) == stored
    assert len(ids) == len(stored) + 7  # the first batch of 7 was sent twice, nothing else


async def _drained(relay: OutboxRelay) -> bool:
    return await relay.backlog() == 0


async def test_a_broker_that_lost_its_memory_gets_the_store_published_again(database) -> None:
    """The embedded broker keeps nothing across a restart: the relay finds its marker gone, recreates the topics and
    publishes everything again; a broker that remembers is left alone."""
    embedded = EmbeddedBroker().start()
    try:
        broker = BrokerUnderTest(embedded.bootstrap_servers)
        settings = broker.settings()
        async with store(database("outbox")) as events:
            await _write(events, 0)
            recreated: list[bool] = []

            async def recreate() -> None:
                recreated.append(True)
                await kafka.ensure_topics(settings, {settings.topic(INTAKE_EVENTS): 6})

            _, producer = await _relay(events, broker)
            relay = OutboxRelay(name="test", sessions=events.sessions, tables=dict(events.metadata.tables),
                                producer=producer, broker=settings, batch_size=7,
                                poll_seconds=0.01, memory=BrokerMemory(broker=settings, marker="test.marker"),
                                on_lost=recreate)
            assert not await relay.check_broker_memory()  # nothing published yet: it only leaves its marker
            while await relay.publish_pending():
                pass
            assert not await relay.check_broker_memory() and not recreated  # it remembers everything

            await producer.stop()  # type: ignore[attr-defined]
            embedded.stop()
            embedded.start()  # same port, nothing kept
            producer = kafka.producer(settings, "test-relay")
            await producer.start()
            relay._producer = producer
            await _write(events, 1)
            assert await relay.check_broker_memory() and recreated
            while await relay.publish_pending():
                pass
            assert not await relay.check_broker_memory() and len(recreated) == 1
            await producer.stop()
            stored = await _stored_ids(events)
        records = await testing.read_topic(broker, INTAKE_EVENTS, at_least=len(stored))
        assert sorted(json.loads(r.value)["id"] for r in records) == sorted(stored)
    finally:
        embedded.stop()


async def test_the_cursor_is_saved_when_caught_up_and_at_most_every_so_often_while_not(database, broker,
                                                                                      monkeypatch) -> None:
    monkeypatch.setattr("saphan_runtime.outbox.CURSOR_SAVE_SECONDS", 3600.0)
    async with store(database("outbox")) as events:
        await _write(events, 0)  # 20 events: batches of 7, 7 and 6
        relay, producer = await _relay(events, broker)
        try:
            saved = []
            for _ in range(3):
                assert await relay.publish_pending()
                saved.append(await relay.backlog())
        finally:
            await producer.stop()  # type: ignore[attr-defined]
    assert saved == [13, 13, 0]  # the first batch saved, the second not (too soon), the last (caught up) saved
