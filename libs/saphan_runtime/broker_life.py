"""Which life of the broker a consumer group belongs to. The embedded broker keeps nothing across a restart, nor does
a Kafka cluster rebuilt from nothing; a consumer alive across the restart still holds positions in the old logs, and
its commits (aiokafka retries them) land on the new broker, where the relays publish everything again in another
order: a stale offset committed there would skip records the consumer never applied. So each life of the broker has
a name, the first record of its `saphan.broker-life` topic (written by the first process to find the topic empty;
every process reads the same first record), and a service's consumer group carries it: `saphan-<service>-<life>`. A
consumer that finds the broker in a new life joins the new life's group, which starts from the earliest offsets
(the inbox drops what was applied already), and nothing its old group committed can move it. The relays' markers
(broker_memory.py) are the other half: they tell a relay to publish its store again."""

import asyncio
import contextlib
import uuid

from aiokafka import AIOKafkaConsumer

from contracts.topics import BROKER_LIFE
from saphan_runtime import kafka
from saphan_runtime.recheck import CHECK_SECONDS, Recheck
from saphan_runtime.settings import BrokerSettings

READ_ATTEMPTS, RETRY_SECONDS = 10, 0.2  # reading the name back after writing it


class BrokerLifeUnknown(Exception):
    """The broker's life could not be read back after naming it."""


async def current_life(broker: BrokerSettings) -> str:
    """Return the name of the broker's current life, naming it first when nobody has."""
    topic = broker.topic(BROKER_LIFE)
    for attempt in range(READ_ATTEMPTS):
        if (life := await _first_record(broker, topic)) is not None:
            return life
        if attempt == 0:  # (a topic created a moment ago reads as empty: the name written then is only a repeat)
            await _name_life(broker, topic)
        else:
            await asyncio.sleep(RETRY_SECONDS)
    raise BrokerLifeUnknown(f"{topic} still reads as empty after a name was written to it")


async def _name_life(broker: BrokerSettings, topic: str) -> None:
    await kafka.ensure_topics(broker, {topic: 1})
    producer = kafka.producer(broker, "saphan-broker-life")
    await producer.start()
    try:
        # Partition 0 even if the topic was made with more (the broker makes one of four when a client asks first).
        await producer.send_and_wait(topic, uuid.uuid4().hex[:12].encode(), partition=0)
    finally:
        await producer.stop()


async def _first_record(broker: BrokerSettings, topic: str) -> str | None:
    async with contextlib.aclosing(kafka.read_from_beginning(broker, topic)) as records:
        async for record in records:
            return bytes(record.value).decode()
    return None


class GroupLife(Recheck):
    """A service's consumer group for the broker's current life: joins it, and tells when the broker moved on (asked
    at most every CHECK_SECONDS, and before the next poll after any failure)."""

    def __init__(self, *, broker: BrokerSettings, service: str, topics: list[str],
                 every_seconds: float = CHECK_SECONDS) -> None:
        """`topics`: the full names of the topics the group consumes."""
        super().__init__(every_seconds)
        self._broker, self._service, self._topics = broker, service, topics
        self.life: str | None = None  # the life of the group last joined

    def group_id(self, life: str) -> str:
        """Return the consumer group of this service in one life of the broker."""
        return self._broker.topic(f"saphan-{self._service}-{life}")

    async def join(self) -> AIOKafkaConsumer:
        """Return a started consumer in the group of the broker's current life."""
        life = await current_life(self._broker)
        consumer = kafka.consumer(self._broker, self.group_id(life), self._topics,
                                  client_id=self._broker.topic(f"saphan-{self._service}"))
        await consumer.start()
        self.life = life
        self.answered()
        return consumer

    async def moved_on(self) -> bool:
        """Return whether the broker is in another life than the group last joined."""
        life = await current_life(self._broker)
        self.answered()
        return life != self.life
