"""Reading back what the relay published, against the real embedded broker: a record is found only at its
acknowledged offset with its own bytes; a relay whose record the broker does not hold sends again from it."""

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiokafka import TopicPartition
from sqlalchemy import select

from contracts.topics import INTAKE_EVENTS
from saphan_runtime import kafka, testing
from saphan_runtime.outbox import OutboxRelay
from saphan_runtime.read_back import ReadBack, Sent
from saphan_runtime.settings import BrokerSettings
from saphan_runtime.tests.support import Store, store
from saphan_runtime.tests.test_outbox import _write


async def test_only_a_record_with_its_own_bytes_at_its_acknowledged_offset_is_found(broker) -> None:
    settings = broker.settings()
    topic = settings.topic(INTAKE_EVENTS)
    await kafka.ensure_topics(settings, {topic: 2})
    producer = kafka.producer(settings, "test")
    await producer.start()
    try:
        acks = [await producer.send_and_wait(topic, f"r{n}".encode(), partition=n % 2) for n in range(6)]
    finally:
        await producer.stop()
    sent = [Sent(n, TopicPartition(ack.topic, ack.partition), ack.offset, f"r{n}".encode())
            for n, ack in enumerate(acks)]
    changed = Sent(6, sent[1].partition, sent[1].offset, b"not what is there")
    beyond = Sent(7, sent[0].partition, sent[4].offset + 5, b"r7")
    reader = ReadBack(settings, wait_seconds=2.0)
    try:
        assert await reader.missing(sent) == []
        assert await reader.missing([*sent, beyond]) == [beyond]
        assert await reader.missing([changed]) == [changed]
    finally:
        await reader.stop()


async def test_a_relay_sends_again_from_the_first_record_the_broker_does_not_hold(database, broker,
                                                                                  monkeypatch) -> None:
    settings = broker.settings(read_back=True)
    await kafka.ensure_topics(settings, {settings.topic(INTAKE_EVENTS): 6})
    looked = ReadBack.missing
    losses: list[int] = [1]

    async def losing_once(self: ReadBack, sent: list[Sent]) -> list[Sent]:
        found = await looked(self, sent)
        if losses and len(sent) > 3:
            losses.pop()
            return [*found, sent[2]]  # the broker acknowledged the third record and does not hold it
        return found

    monkeypatch.setattr(ReadBack, "missing", losing_once)
    async with store(database("outbox")) as events:
        await _write(events, 0)  # 20 events
        async with _relaying(events, settings) as relay:
            await testing.eventually(lambda: _published_and_saved(relay, 20), within=30)
        order = await _ids_by_position(events)
    records = await testing.read_topic(broker, INTAKE_EVENTS, at_least=25)
    sent = Counter(json.loads(r.value)["id"] for r in records)
    assert not losses and set(sent) == set(order)
    # The relay sent on while the first batch was checked: everything from the lost third record up to where it had
    # got was sent twice, nothing before it and nothing after.
    twice = [n for n, event in enumerate(order) if sent[event] == 2]
    assert set(sent.values()) == {1, 2} and twice == list(range(2, 2 + len(twice))) and len(twice) >= 5


async def test_a_relay_sends_on_while_its_records_are_checked_and_saves_only_what_was_found(
        database, broker, monkeypatch) -> None:
    settings = broker.settings(read_back=True)
    await kafka.ensure_topics(settings, {settings.topic(INTAKE_EVENTS): 6})
    looked, answer = ReadBack.missing, asyncio.Event()

    async def slow(self: ReadBack, sent: list[Sent]) -> list[Sent]:
        await answer.wait()
        return await looked(self, sent)

    monkeypatch.setattr(ReadBack, "missing", slow)
    async with store(database("outbox")) as events:
        await _write(events, 0)  # 20 events: batches of 7, 7 and 6
        async with _relaying(events, settings) as relay:
            records = await testing.read_topic(broker, INTAKE_EVENTS, at_least=20)
            assert len(records) == 20  # all three batches went out while the first check waited
            assert relay.published == 0 and await relay.backlog() == 20  # and the cursor did not pass them
            answer.set()
            await testing.eventually(lambda: _published_and_saved(relay, 20), within=30)


@asynccontextmanager
async def _relaying(events: Store, settings: BrokerSettings) -> AsyncIterator[OutboxRelay]:
    """Run a relay of `events` (batches of 7) until the block ends."""
    producer = kafka.producer(settings, "test-relay")
    await producer.start()
    relay = OutboxRelay(name="test", sessions=events.sessions, tables=dict(events.metadata.tables),
                        producer=producer, broker=settings, batch_size=7, poll_seconds=0.01)
    running = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        await testing.cancelled(running)
        await producer.stop()


async def _published_and_saved(relay: OutboxRelay, count: int) -> bool:
    return relay.published == count and await relay.backlog() == 0


async def _ids_by_position(events: Store) -> list[str]:
    table = events.metadata.tables["events"]
    async with events.unit_of_work() as uow:
        return list((await uow.session.execute(
            select(table.c.event_id).order_by(table.c.position))).scalars())
