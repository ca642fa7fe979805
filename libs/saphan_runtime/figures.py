"""The figures every service reports when scraped: how far its consumer lags, what its outbox still holds, and how
many messages it dead-lettered."""

from collections.abc import Iterable
from typing import Any

from prometheus_client.metrics_core import Metric

from saphan_runtime import cloudevents, kafka, outbox
from saphan_runtime.dead_letters import dead_letters_by_topic
from saphan_runtime.metrics import Figures, gauge


def runtime_figures(service: Any) -> list[Figures]:
    """Return the readings of a Service's consumer, outbox and dead letters."""

    async def consumer_lag() -> Iterable[Metric]:
        broker = service.settings.broker
        lags = {} if service.kafka_consumer is None else await kafka.lag(service.kafka_consumer)
        return [gauge("saphan_kafka_consumer_lag_records",
                      "Records on a partition after the consumer's position (its high-water mark minus the position).",
                      {(broker.logical_topic(tp.topic), str(tp.partition)): lag for tp, lag in lags.items()},
                      labels=["topic", "partition"])]

    async def outbox_backlog() -> Iterable[Metric]:
        async with service.read_sessions() as session:
            waiting, oldest = await outbox.pending(session, service.tables, service.settings.name)
        age = 0.0 if oldest is None else max((cloudevents.now() - oldest).total_seconds(), 0.0)
        return [gauge("saphan_outbox_backlog_events", "Stored events the outbox relay has not published yet.",
                      {(): waiting}),
                gauge("saphan_outbox_oldest_event_age_seconds",
                      "Age of the oldest event the relay has not published yet (0 when none waits).", {(): age})]

    async def dead_letters() -> Iterable[Metric]:
        broker = service.settings.broker
        counts = {topic: 0 for topic in service.subscribed_topics()}
        async with service.read_sessions() as session:
            recorded = await dead_letters_by_topic(session, service.tables["dead_letters"])
        for topic, count in recorded.items():
            counts[broker.logical_topic(topic)] = count
        return [gauge("saphan_inbox_dead_letters",
                      "Messages this service's consumer could not apply and sent to its dead-letter topic, "
                      "by the topic they came from (rows of its dead_letters table).",
                      {(topic,): count for topic, count in counts.items()}, labels=["topic"])]

    return [consumer_lag, outbox_backlog, dead_letters]

