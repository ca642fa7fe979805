"""What a consumer reads off Kafka: a record checked as a CloudEvent of a known type (a Delivery), or a Rejected
record with the reason it goes to the dead-letter topic; and what a service subscribes to."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from aiokafka import ConsumerRecord
from pydantic import ValidationError

from contracts.envelope import CloudEvent, EventData
from contracts.registry import model_for
from saphan_runtime import cloudevents
from saphan_runtime.settings import BrokerSettings


class AnyEvent:
    """Subscription key meaning: every event on the subscribed topics (audit's ledger)."""


@dataclass(frozen=True)
class Delivery:
    """One event as it came off Kafka: where it was, its envelope and its validated data."""

    topic: str
    partition: int
    offset: int
    envelope: CloudEvent
    data: EventData
    raw: bytes
    waited_seconds: float = 0.0  # how long this delivery has been deferred so far


Translator = Callable[[Delivery], object | None]
Subscriptions = Mapping[type[EventData] | type[AnyEvent], Translator]


class Rejected(Exception):
    """A message that can never be applied; it goes to the dead-letter topic with this reason."""


def read(record: ConsumerRecord, broker: BrokerSettings) -> Delivery:
    """Return a record as a delivery: a CloudEvents 1.0 JSON event of a known type whose data matches its contract;
    raise Rejected saying what is wrong otherwise."""
    if record.value is None:
        raise Rejected("empty message")
    try:
        envelope = cloudevents.decode(record.value)
    except ValidationError as error:
        raise Rejected(f"not a CloudEvents 1.0 JSON event: {_first_errors(error)}") from error
    model = model_for(envelope.type)
    if model is None:
        raise Rejected(f"unknown event type {envelope.type!r}")
    try:
        data = model.model_validate(envelope.data)
    except ValidationError as error:
        raise Rejected(f"data does not match {envelope.type}: {_first_errors(error)}") from error
    return Delivery(broker.logical_topic(record.topic), record.partition, record.offset, envelope, data, record.value)


def translator(subscriptions: Subscriptions, delivery: Delivery) -> Translator | None:
    """Return what turns this event into a command: its type's subscription, else the catch-all, else None."""
    return subscriptions.get(type(delivery.data)) or subscriptions.get(AnyEvent)


def _first_errors(error: ValidationError, limit: int = 3) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '(message)'}: {e['msg']}" for e in error.errors()[:limit]]
    return "; ".join(parts)
