"""Reading back what the relay published, against the real embedded broker: a record is found only at its
acknowledged offset with its own bytes; a relay whose record the broker does not hold sends again from it."""

import asyncio
import json

from aiokafka import TopicPartition

from contracts.topics import INTAKE_EVENTS
from saphan_runtime import kafka, testing
from saphan_runtime.outbox import OutboxRelay
from saphan_runtime.read_back import ReadBack, Sent
from saphan_runtime.tests.support import store
from saphan_runtime.tests.test_outbox import _stored_ids, _write


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
        producer = kafka.producer(settings, "test-relay")
        await producer.start()
        relay = OutboxRelay(name="test", sessions=events.sessions, tables=dict(events.metadata.tables),
                            producer=producer, broker=settings, batch_size=7, poll_seconds=0.01)
        running = asyncio.create_task(relay.run())
        try:
            await testing.eventually(lambda: _true(relay.published == 20), within=30)
        finally:
            running.cancel()
            await producer.stop()
        stored = await _stored_ids(events)
    records = await testing.read_topic(broker, INTAKE_EVENTS, at_least=25)
    ids = [json.loads(r.value)["id"] for r in records]
    assert not losses and set(ids) == stored
    assert len(ids) == 20 + 5  # the first batch of 7 from its third record on was sent twice, nothing else


async def _true(value: bool) -> bool:
    return value
