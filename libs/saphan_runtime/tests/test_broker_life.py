"""The broker's life against the real embedded broker: every process reads the same name, a restarted broker has a
new one, and a consumer across the restart joins the new life's group, so an offset its old group committed on the
new broker (aiokafka retries a commit until a broker takes it) cannot make it skip what the relays publish again."""

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition

from contracts.intake import CaseReported
from contracts.topics import INTAKE_EVENTS, dead_letter_topic
from saphan_runtime import kafka, testing
from saphan_runtime.broker import EmbeddedBroker
from saphan_runtime.broker_life import GroupLife, current_life
from saphan_runtime.bus import MessageBus
from saphan_runtime.inbox import InboxConsumer
from saphan_runtime.testing import BrokerUnderTest
from saphan_runtime.tests.support import store
from saphan_runtime.tests.test_inbox import Note, appending_note, event_for, note_of


async def test_every_process_reads_one_name_for_a_life_and_a_restarted_broker_has_another(broker) -> None:
    settings = broker.settings()
    names = await asyncio.gather(*(current_life(settings) for _ in range(5)))  # five first callers at once
    assert len(set(names)) == 1 and await current_life(settings) == names[0]

    embedded = EmbeddedBroker().start()
    try:
        own = BrokerUnderTest(embedded.bootstrap_servers).settings()
        first = await current_life(own)
        embedded.stop()
        embedded.start()  # same port, nothing kept
        assert await current_life(own) != first
    finally:
        embedded.stop()


async def test_a_consumer_across_a_broker_restart_skips_nothing_its_old_group_committed_past(database) -> None:
    """The old group's offset on the new broker would skip d, e and f (offsets 0-2 of the new log); the consumer
    finds the broker in a new life and consumes in the new life's group from the earliest offset."""
    embedded = EmbeddedBroker().start()
    try:
        broker = BrokerUnderTest(embedded.bootstrap_servers)
        settings = broker.settings(fetch_max_wait_ms=50, session_timeout_ms=2000)
        topics = {settings.topic(INTAKE_EVENTS): 1, settings.topic(dead_letter_topic("t")): 1}
        partition = TopicPartition(settings.topic(INTAKE_EVENTS), 0)
        applied: list[str] = []
        await kafka.ensure_topics(settings, topics)
        async with store(database("inbox"), inline=True) as events:
            producer = kafka.producer(settings, "test")
            await producer.start()
            group = GroupLife(broker=settings, service="t", topics=[partition.topic], every_seconds=1.0)
            inbox = InboxConsumer(name="t", consumer=await group.join(), producer=producer,
                                  bus=MessageBus({Note: appending_note(applied)}, events.unit_of_work),
                                  subscriptions={CaseReported: note_of}, sessions=events.sessions,
                                  tables=dict(events.metadata.tables), broker=settings, batches=events.batch,
                                  group=group)
            running = asyncio.create_task(inbox.run())
            try:
                for case_id in ("a", "b", "c"):
                    await producer.send_and_wait(partition.topic, event_for(case_id), partition=0)
                await testing.eventually(lambda: _true(inbox.applied == 3), within=30)
                await testing.cancelled(running)
                await inbox.kafka.stop()  # out of the old group, so that the stale commit below is taken
                old_group = group.group_id(group.life or "")

                embedded.stop()
                embedded.start()
                await kafka.ensure_topics(settings, topics)
                # The old group's position committed on the new broker, as aiokafka's retried commit does.
                await _commit(settings, old_group, partition, 3)
                for case_id in ("d", "e", "f", "g"):  # offsets 0-3 of the new log
                    await producer.send_and_wait(partition.topic, event_for(case_id), partition=0)
                running = asyncio.create_task(inbox.run())
                await testing.eventually(lambda: _true(inbox.applied == 7), within=60)
            finally:
                await testing.cancelled(running)
                await inbox.kafka.stop()
                await producer.stop()
        assert sorted(set(applied)) == ["a", "b", "c", "d", "e", "f", "g"]
        assert group.group_id(group.life or "") != old_group
    finally:
        embedded.stop()


async def _commit(settings: object, group_id: str, partition: TopicPartition, offset: int) -> None:
    assert hasattr(settings, "bootstrap_servers")
    committer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, group_id=group_id,
                                 enable_auto_commit=False)
    await committer.start()
    try:
        committer.assign([partition])
        await committer.commit({partition: offset})
        assert await committer.committed(partition) == offset
    finally:
        await committer.stop()


async def _true(value: bool) -> bool:
    return value
