"""Kafka clients and topics, with the settings Saphan relies on (acks=all, manual commits, earliest)."""

import asyncio
import logging
from collections.abc import AsyncGenerator, Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import IllegalStateError, TopicAlreadyExistsError

from contracts.topics import configs_of
from saphan_runtime.settings import BrokerSettings

log = logging.getLogger(__name__)

POSITION_TIMEOUT_SECONDS = 1.0  # a partition whose position is being reset is left out of the lag, not waited for


def require_bootstrap(settings: BrokerSettings) -> str:
    """Return the bootstrap servers, or fail with a message saying how to get a broker."""
    if not settings.bootstrap_servers:
        raise SystemExit(
            "KAFKA_BOOTSTRAP_SERVERS is not set: run `saphan up` (which starts the embedded broker) "
            "or point it at a Kafka broker."
        )
    return settings.bootstrap_servers


def producer(settings: BrokerSettings, client_id: str) -> AIOKafkaProducer:
    """Return a producer that waits for all in-sync replicas (the outbox makes it at-least-once)."""
    return AIOKafkaProducer(
        bootstrap_servers=require_bootstrap(settings),
        client_id=client_id,
        acks="all",
        linger_ms=2,
        request_timeout_ms=15_000,
        retry_backoff_ms=200,
    )


def consumer(settings: BrokerSettings, group_id: str, topics: Iterable[str],
             client_id: str | None = None) -> AIOKafkaConsumer:
    """Return a group consumer that commits offsets only when told to, starting from the earliest."""
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=require_bootstrap(settings),
        group_id=group_id,
        client_id=client_id or group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=settings.fetch_max_wait_ms,
        session_timeout_ms=settings.session_timeout_ms,
        heartbeat_interval_ms=max(settings.session_timeout_ms // 4, 500),
        metadata_max_age_ms=30_000,
    )


async def has_topic(settings: BrokerSettings, topic: str) -> bool:
    """Return whether the broker has a topic (full name), asking for the full list so nothing gets created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=require_bootstrap(settings), client_id="saphan-admin")
    await admin.start()
    try:
        return topic in set(await admin.list_topics())
    finally:
        await admin.close()


async def ensure_topics(settings: BrokerSettings, topics: dict[str, int]) -> None:
    """Create the topics that do not exist yet (name → partitions), with their configs; existing ones are left alone."""
    admin = AIOKafkaAdminClient(bootstrap_servers=require_bootstrap(settings), client_id="saphan-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(name, n, 1, topic_configs=configs_of(settings.logical_topic(name)))
                   for name, n in topics.items() if name not in existing]
        if missing:
            await _create(admin, missing)
    finally:
        await admin.close()


async def _create(admin: AIOKafkaAdminClient, topics: list[NewTopic]) -> None:
    try:
        await admin.create_topics(topics)
    except TopicAlreadyExistsError:
        log.debug("topics created concurrently by another process")


async def read_from_beginning(settings: BrokerSettings, topic: str) -> AsyncGenerator[Any, None]:
    """Yield every record of a topic (its full name) from its first offset until it is caught up (at its end offset
    and a fetch brings nothing more), each partition in offset order; a topic that does not exist yields nothing."""
    reader = AIOKafkaConsumer(bootstrap_servers=require_bootstrap(settings), group_id=None, enable_auto_commit=False,
                              auto_offset_reset="earliest", fetch_max_wait_ms=settings.fetch_max_wait_ms)
    await reader.start()
    try:
        if topic not in await reader.topics():
            return
        partitions = [TopicPartition(topic, p) for p in sorted(reader.partitions_for_topic(topic) or ())]
        if not partitions:  # created a moment ago: its partitions are not in the metadata yet
            return
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        while True:
            batch = await reader.getmany(*partitions, timeout_ms=500, max_records=5000)
            for records in batch.values():
                for record in records:
                    yield record
            # The end offset alone is not enough: the embedded broker can report it one behind the last record.
            if not batch and await _caught_up(reader, partitions):
                return
    finally:
        await reader.stop()


async def _caught_up(reader: AIOKafkaConsumer, partitions: list[TopicPartition]) -> bool:
    ends = await reader.end_offsets(partitions)
    return all([await reader.position(tp) >= ends[tp] for tp in partitions])


async def lag(consumer: AIOKafkaConsumer) -> dict[TopicPartition, int]:
    """Return each assigned partition's lag: its high-water mark (learnt from the last fetch) minus the consumer's
    position; a partition not fetched yet, or whose position is still being reset, is left out."""
    lags: dict[TopicPartition, int] = {}
    for partition in consumer.assignment():
        highwater = consumer.highwater(partition)
        if highwater is None:
            continue
        try:
            position = await asyncio.wait_for(consumer.position(partition), POSITION_TIMEOUT_SECONDS)
        except (TimeoutError, IllegalStateError):
            continue
        lags[partition] = max(highwater - position, 0)
    return lags
