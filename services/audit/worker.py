"""Audit's Kafka entry point: every event on every other service's topic becomes a ledger entry."""

from saphan_runtime.deliveries import AnyEvent, Delivery, Subscriptions
from services.audit.commands import RecordEvent

# An event is recorded after the event that caused it; past this wait it is recorded anyway (and said so).
CAUSE_WAIT_SECONDS = 30.0


def on_any_event(delivery: Delivery) -> RecordEvent:
    """Any event received is to be recorded, byte for byte."""
    return RecordEvent(case_id=delivery.envelope.subject, topic=delivery.topic, partition=delivery.partition,
                       offset=delivery.offset, raw=delivery.raw.decode("utf-8"),
                       causation_id=delivery.envelope.causationid,
                       wait_for_cause=delivery.waited_seconds < CAUSE_WAIT_SECONDS)


SUBSCRIPTIONS: Subscriptions = {
    AnyEvent: on_any_event,
}
