"""The inbox consumer against the real broker and databases: a record that keeps failing (or keeps conflicting) is
dead-lettered, and the records after it are still applied."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts.intake import CaseReported
from contracts.topics import INTAKE_EVENTS, dead_letter_topic
from saphan_runtime import cloudevents, kafka, one_at_a_time, testing
from saphan_runtime.bus import MessageBus
from saphan_runtime.deliveries import Delivery
from saphan_runtime.errors import Deferred
from saphan_runtime.eventstore import UnitOfWork
from saphan_runtime.inbox import InboxConsumer
from saphan_runtime.settings import BrokerSettings
from saphan_runtime.testing import BrokerUnderTest
from saphan_runtime.tests.support import Store, case_reported, store
from saphan_runtime.transactions import ConcurrencyConflict


@dataclass(frozen=True)
class Note:
    case_id: str


def event_for(case_id: str) -> bytes:
    envelope = cloudevents.build(data=case_reported(case_id), source="/saphan/intake", subject=case_id,
                                 stream_id=f"case-{case_id}", version=1)
    return cloudevents.encode(envelope).encode()


@pytest.mark.parametrize(("failure", "reason"), [
    (RuntimeError("a bug in the handler"), "failed 5 times: RuntimeError('a bug in the handler')"),
    (ConcurrencyConflict("stream moved"), "conflicted 3 times: ConcurrencyConflict('stream moved')"),
], ids=["error", "conflict"])
async def test_a_record_whose_handler_keeps_failing_is_dead_lettered_and_the_next_is_applied(
    database, broker, monkeypatch, failure, reason
) -> None:
    monkeypatch.setattr(one_at_a_time, "MAX_CONFLICTS", 3)
    applied: list[str] = []

    async def note(command: Note, uow: UnitOfWork) -> None:
        async with uow:
            if command.case_id == "poison":
                raise failure
            applied.append(command.case_id)
            await uow.commit()

    settings = broker.settings(fetch_max_wait_ms=50, session_timeout_ms=2000)
    await kafka.ensure_topics(settings, {broker.topic(INTAKE_EVENTS): 1, broker.topic(dead_letter_topic("t")): 1})
    async with store(database("inbox")) as events:
        producer = kafka.producer(settings, "test")
        consumer = kafka.consumer(settings, broker.topic("test-group"), [broker.topic(INTAKE_EVENTS)])
        await producer.start()
        await consumer.start()
        inbox = InboxConsumer(name="t", consumer=consumer, producer=producer,
                              bus=MessageBus({Note: note}, events.unit_of_work),
                              subscriptions={CaseReported: note_of}, sessions=events.sessions,
                              tables=dict(events.metadata.tables), broker=settings)
        running = asyncio.create_task(inbox.run())
        try:
            for case_id in ("poison", "fine"):
                await (await producer.send(broker.topic(INTAKE_EVENTS), event_for(case_id), key=case_id.encode()))
            # the handler has run and the consumer has counted it (the count follows the commit)
            await testing.eventually(lambda: _true(applied == ["fine"] and inbox.applied == 1), within=30)
        finally:
            await testing.cancelled(running)
            await consumer.stop()
            await producer.stop()
    letters = await testing.read_topic(broker, dead_letter_topic("t"), at_least=1)
    reasons = [dict(r.headers)["dlq-reason"].decode() for r in letters]
    assert reasons == [reason]
    assert inbox.dead_lettered == 1 and inbox.applied == 1


async def _true(value: bool) -> bool:
    return value


def appending_note(applied: list[str]) -> Callable[[Note, UnitOfWork], Awaitable[None]]:
    """Return a handler that appends an event for each note and lists it in `applied`; the case "poison" fails."""

    async def note(command: Note, uow: UnitOfWork) -> None:
        async with uow:
            if command.case_id == "poison":
                raise RuntimeError("a bug in the handler")
            await uow.append(f"note-{command.case_id}", case_id=command.case_id, expected_version=0,
                             events=[case_reported(command.case_id)])
            applied.append(command.case_id)
            await uow.commit()

    return note


@asynccontextmanager
async def _batching(events: Store, broker: BrokerUnderTest, settings: BrokerSettings, producer: AIOKafkaProducer,
                    note: Callable[[Note, UnitOfWork], Awaitable[None]]
                    ) -> AsyncIterator[tuple[InboxConsumer, AIOKafkaConsumer]]:
    """Run a batching inbox consumer of the intake topic until the block ends; then stop it and the producer."""
    consumer = kafka.consumer(settings, broker.topic("test-group"), [broker.topic(INTAKE_EVENTS)])
    await consumer.start()
    inbox = InboxConsumer(name="t", consumer=consumer, producer=producer,
                          bus=MessageBus({Note: note}, events.unit_of_work),
                          subscriptions={CaseReported: note_of}, sessions=events.sessions,
                          tables=dict(events.metadata.tables), broker=settings, batches=events.batch)
    running = asyncio.create_task(inbox.run())
    try:
        yield inbox, consumer
    finally:
        await testing.cancelled(running)
        await consumer.stop()
        await producer.stop()


def note_of(delivery: Delivery) -> Note:
    assert isinstance(delivery.data, CaseReported)
    return Note(delivery.data.case_id)


async def test_a_fetched_batch_is_applied_in_few_transactions_around_a_poison_a_duplicate_and_garbage(
        database, broker) -> None:
    """The records before a failing one are applied together, the failing one alone (dead-lettered), the rest
    together again; a duplicate in the batch is skipped and unreadable bytes are dead-lettered."""
    applied: list[str] = []
    note = appending_note(applied)

    good = [f"c{n}" for n in range(30)]
    settings = broker.settings(fetch_max_wait_ms=50, session_timeout_ms=2000)
    await kafka.ensure_topics(settings, {broker.topic(INTAKE_EVENTS): 1, broker.topic(dead_letter_topic("t")): 1})
    async with store(database("inbox"), inline=True) as events:
        producer = kafka.producer(settings, "test")
        await producer.start()
        values = [event_for(c) for c in good]
        for value in [*values[:10], event_for("poison"), values[0], b"\xff not json", *values[10:]]:
            await (await producer.send(broker.topic(INTAKE_EVENTS), value, key=b"k"))
        async with _batching(events, broker, settings, producer, note) as (inbox, _):
            await testing.eventually(lambda: _true(inbox.applied == 30 and inbox.dead_lettered == 2), within=30)
    assert sorted(set(applied)) == sorted(good)
    assert inbox.duplicates == 1
    # c0..c9 once, then again without the poison; the poison alone; the rest in few batches, not one by one
    assert events.commits < 10


async def test_the_heads_of_every_fetched_partition_go_in_one_transaction_and_a_poison_holds_back_its_own_only(
        database, broker) -> None:
    """One fetch of three partitions: their records are applied in one transaction, without the poison and the
    records after it in its partition; the poison is dead-lettered alone, and those after it go in one more."""
    applied: list[str] = []
    note = appending_note(applied)

    by_partition = {0: [f"a{n}" for n in range(10)], 1: [*(f"b{n}" for n in range(5)), "poison",
                                                         *(f"b{n}" for n in range(5, 10))],
                    2: [f"c{n}" for n in range(10)]}
    settings = broker.settings(fetch_max_wait_ms=50, session_timeout_ms=2000)
    await kafka.ensure_topics(settings, {broker.topic(INTAKE_EVENTS): 3, broker.topic(dead_letter_topic("t")): 1})
    async with store(database("inbox"), inline=True) as events:
        producer = kafka.producer(settings, "test")
        await producer.start()
        for partition, case_ids in by_partition.items():
            for case_id in case_ids:
                await (await producer.send(broker.topic(INTAKE_EVENTS), event_for(case_id), partition=partition))
        async with _batching(events, broker, settings, producer, note) as (inbox, consumer):
            await testing.eventually(lambda: _true(inbox.applied == 30 and inbox.dead_lettered == 1), within=30)
            # (the count moves before the offsets are committed: wait for the last commit, past b9)
            await testing.eventually(lambda: _committed(consumer, TopicPartition(broker.topic(INTAKE_EVENTS), 1), 11))
    assert set(applied) == {c for case_ids in by_partition.values() for c in case_ids} - {"poison"}
    assert events.commits == 2  # the three heads together, then b5..b9 after the poison went alone


async def test_a_failed_poll_goes_back_for_what_it_fetched_even_where_nothing_was_committed_yet(
        database, broker, monkeypatch) -> None:
    """A poll that fails after its fetch rewinds to the committed offsets; a partition without one (a new group, a
    broker that restarted empty) goes back to its beginning, not on from where the fetch left it."""
    applied: list[str] = []
    settings = broker.settings(fetch_max_wait_ms=50, session_timeout_ms=2000)
    await kafka.ensure_topics(settings, {broker.topic(INTAKE_EVENTS): 1, broker.topic(dead_letter_topic("t")): 1})
    plan_heads = InboxConsumer._heads
    failures = [RuntimeError("the poll failed after its fetch")]

    def failing_once(self: InboxConsumer, batches: dict[TopicPartition, list[Any]]) -> dict[TopicPartition, Any]:
        if failures:
            raise failures.pop()
        return plan_heads(self, batches)

    monkeypatch.setattr(InboxConsumer, "_heads", failing_once)
    async with store(database("inbox"), inline=True) as events:
        producer = kafka.producer(settings, "test")
        await producer.start()
        for case_id in ("a", "b", "c"):
            await (await producer.send(broker.topic(INTAKE_EVENTS), event_for(case_id), key=b"k"))
        async with _batching(events, broker, settings, producer, appending_note(applied)) as (inbox, _):
            await testing.eventually(lambda: _true(inbox.applied == 3), within=30)
    assert not failures and sorted(applied) == ["a", "b", "c"]


async def _committed(consumer: Any, partition: TopicPartition, offset: int) -> bool:
    return bool(await consumer.committed(partition) == offset)


async def test_a_deferred_record_holds_back_its_own_partition_only_and_is_not_fetched_again_at_once(
        database, broker, monkeypatch) -> None:
    """A record whose cause has not arrived is deferred: its partition is paused for a moment (not fetched and tried
    again at every poll), the other partition is applied meanwhile, and the record goes once its cause is there."""
    applied: list[str] = []
    cause_arrived = asyncio.Event()
    paused: list[int] = []
    pause = AIOKafkaConsumer.pause

    def noting_pause(self: AIOKafkaConsumer, *partitions: TopicPartition) -> None:
        paused.extend(partition.partition for partition in partitions)
        pause(self, *partitions)

    monkeypatch.setattr(AIOKafkaConsumer, "pause", noting_pause)

    async def note(command: Note, uow: UnitOfWork) -> None:
        async with uow:
            if command.case_id == "effect" and not cause_arrived.is_set():
                raise Deferred("its cause has not arrived")
            applied.append(command.case_id)
            await uow.commit()

    settings = broker.settings(fetch_max_wait_ms=50, session_timeout_ms=2000)
    await kafka.ensure_topics(settings, {broker.topic(INTAKE_EVENTS): 2, broker.topic(dead_letter_topic("t")): 1})
    async with store(database("inbox"), inline=True) as events:
        producer = kafka.producer(settings, "test")
        await producer.start()
        for partition, case_ids in {0: ["effect", "after"], 1: [f"x{n}" for n in range(20)]}.items():
            for case_id in case_ids:
                await (await producer.send(broker.topic(INTAKE_EVENTS), event_for(case_id), partition=partition))
        async with _batching(events, broker, settings, producer, note) as (inbox, _):
            # (`applied` lists what handlers did, also in batches that were undone; `inbox.applied` what committed)
            await testing.eventually(lambda: _true(inbox.applied == 20 and len(paused) >= 2), within=30)
            assert set(applied) == {f"x{n}" for n in range(20)}  # partition 1 went on; "after" waits behind "effect"
            cause_arrived.set()
            await testing.eventually(lambda: _true(inbox.applied == 22), within=30)
    assert applied[-2:] == ["effect", "after"]
    assert set(paused) == {0}  # paused after each deferral, and only the deferred record's partition
