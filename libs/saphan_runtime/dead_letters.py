"""Dead letters: a consumed message that can never be applied goes to the consumer's dead-letter topic with its
reason, and into its `dead_letters` table whole."""

import asyncio
import contextlib
import logging

from aiokafka import AIOKafkaProducer, ConsumerRecord
from aiokafka.errors import MessageSizeTooLargeError
from sqlalchemy import Table, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.topics import dead_letter_topic
from saphan_runtime import cloudevents
from saphan_runtime.settings import BrokerSettings

log = logging.getLogger(__name__)

DEAD_LETTER_CUT_BYTES = 512 * 1024  # a dead letter too large to send with its headers goes on cut to this


class DeadLetters:
    """One consumer's dead letters: recorded in its table (under the write gate), then sent with their reason."""

    def __init__(self, *, consumer: str, producer: AIOKafkaProducer, broker: BrokerSettings,
                 sessions: async_sessionmaker[AsyncSession], table: Table, gate: asyncio.Lock | None) -> None:
        self._consumer, self._producer, self._broker = consumer, producer, broker
        self._sessions, self._table, self._gate = sessions, table, gate
        self.sent = 0

    async def send(self, record: ConsumerRecord, reason: str) -> None:
        """Record a message as a dead letter and send it to the dead-letter topic with its reason."""
        log.warning("%s dead-letters %s/%s@%s: %s", self._consumer, record.topic, record.partition, record.offset,
                    reason)
        await self._record(record, reason)
        headers = [*(record.headers or []), ("dlq-reason", reason.encode()), ("dlq-consumer", self._consumer.encode()),
                   ("dlq-topic", record.topic.encode()), ("dlq-partition", str(record.partition).encode()),
                   ("dlq-offset", str(record.offset).encode())]
        topic = self._broker.topic(dead_letter_topic(self._consumer))
        try:
            await (await self._producer.send(topic, value=record.value, key=record.key, headers=headers))
        except MessageSizeTooLargeError:
            # Near the size limit the added headers tip it over: send a cut copy (the table keeps it whole).
            whole = record.value or b""
            headers.append(("dlq-truncated", str(len(whole)).encode()))
            cut = whole[:DEAD_LETTER_CUT_BYTES]
            await (await self._producer.send(topic, value=cut, key=record.key, headers=headers))
        self.sent += 1

    async def _record(self, record: ConsumerRecord, reason: str) -> None:
        try:
            async with self._gate or contextlib.nullcontext(), self._sessions() as session, session.begin():
                await session.execute(insert(self._table), {
                    "consumer": self._consumer, "topic": record.topic, "partition": record.partition,
                    "offset": record.offset, "reason": reason, "key": record.key, "value": record.value,
                    "recorded_at": cloudevents.now(),
                })
        except IntegrityError:
            log.info("dead letter %s/%s@%s already recorded", record.topic, record.partition, record.offset)


async def dead_letters_by_topic(session: AsyncSession, dead_letters: Table) -> dict[str, int]:
    """Return how many messages are recorded as dead letters, by the topic (its name on the broker) they came from."""
    rows = await session.execute(select(dead_letters.c.topic, func.count()).group_by(dead_letters.c.topic))
    return {topic: int(count) for topic, count in rows.tuples()}
