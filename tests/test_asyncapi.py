"""The AsyncAPI document: valid AsyncAPI 3.0.0, every event type a message on its topic's channel, every service's
subscription an operation; and an example of every event, published to a real broker on the topic the document names
for it and read back, matches the document's payload, key and headers for that channel."""

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from aiokafka import AIOKafkaProducer
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from contracts.envelope import CONTENT_TYPE, EventData
from contracts.registry import BY_TYPE, EVENT_MODELS
from contracts.topics import PUBLISHED_TOPICS, dead_letter_topic, partitions_of
from saphan_runtime import cloudevents, kafka
from saphan_runtime.asyncapi import ASYNCAPI_FILE
from saphan_runtime.asyncapi_schemas import DEAD_LETTER
from saphan_runtime.service_catalogue import SERVICES, offline_services
from saphan_runtime.testing import BrokerUnderTest, read_topic
from tests.examples import example_event

VENDOR = ASYNCAPI_FILE.parent / "vendor" / "asyncapi"
DOCUMENT_URI = "urn:saphan:asyncapi"
PUBLISHED = [model for model in EVENT_MODELS if model.topic is not None]


@cache
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ASYNCAPI_FILE.read_text(encoding="utf-8"))
    return loaded


def validator(pointer: str) -> jsonschema.Draft7Validator:
    """Return a validator of the schema at a pointer into the document, its `$ref`s resolved in the document (the
    AsyncAPI schema dialect is a superset of JSON Schema draft 7)."""
    resource = Resource.from_contents(document(), default_specification=DRAFT7)
    registry: Registry[Any] = Registry().with_resource(DOCUMENT_URI, resource)
    return jsonschema.Draft7Validator({"$ref": f"{DOCUMENT_URI}#{pointer}"}, registry=registry,
                                      format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def channel_of(model: type[EventData]) -> str:
    """Return the id of the one channel whose address is the model's topic."""
    [found] = [name for name, channel in document()["channels"].items() if channel["address"] == model.topic]
    return found


def message_pointer(model: type[EventData]) -> str:
    """Return where the document keeps a model's message: through its channel when it is published."""
    if model.topic is None:
        return f"/components/messages/{model.type_name()}"
    return str(document()["channels"][channel_of(model)]["messages"][model.type_name()]["$ref"]).removeprefix("#")


def test_the_document_is_valid_asyncapi_3_0_0_and_a_broken_one_is_not() -> None:
    official = json.loads((VENDOR / "asyncapi-3.0.0.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(official)
    jsonschema.Draft7Validator(official).validate(document())
    broken = {**document(), "operations": {"x": {"action": "publish", "channel": {"$ref": "#/channels/none"}}}}
    assert not jsonschema.Draft7Validator(official).is_valid(broken)
    assert "Apache License" in (VENDOR / "LICENSE").read_text(encoding="utf-8")


def test_every_event_type_is_one_message_and_every_published_one_is_on_its_topics_channel() -> None:
    assert set(document()["components"]["messages"]) == {*BY_TYPE, DEAD_LETTER}
    for model in PUBLISHED:
        assert model.type_name() in document()["channels"][channel_of(model)]["messages"]
    on_channels = {name for channel in document()["channels"].values() for name in channel["messages"]}
    assert on_channels == {model.type_name() for model in PUBLISHED} | {DEAD_LETTER}


def test_the_channels_are_the_published_topics_and_each_consumers_dead_letters() -> None:
    addresses = {channel["address"] for channel in document()["channels"].values()}
    assert addresses == {*PUBLISHED_TOPICS, *(dead_letter_topic(name) for name in SERVICES)}
    for channel in document()["channels"].values():
        if channel["address"] in PUBLISHED_TOPICS:
            assert channel["bindings"]["kafka"]["partitions"] == partitions_of(channel["address"])


def test_each_operation_names_messages_of_its_own_channel() -> None:
    for name, operation in document()["operations"].items():
        channel = operation["channel"]["$ref"]
        assert operation["messages"], name
        assert all(message["$ref"].startswith(f"{channel}/messages/") for message in operation["messages"]), name
        assert all(validator(message["$ref"].removeprefix("#")) for message in operation["messages"])


def test_the_operations_are_who_publishes_each_topic_and_what_each_service_consumes() -> None:
    operations = document()["operations"].values()
    sent = {operation["channel"]["$ref"].removeprefix("#/channels/") for operation in operations
            if operation["action"] == "send"}
    assert sent >= set(PUBLISHED_TOPICS)
    with offline_services() as (services, _):
        for name, service in services.items():
            received = {operation["channel"]["$ref"].removeprefix("#/channels/") for operation in operations
                        if operation["action"] == "receive"
                        and re.fullmatch(operation["bindings"]["kafka"]["groupId"]["pattern"],
                                         f"saphan-{name}-0123456789ab")}
            assert received == set(service.subscribed_topics()), name


@pytest.mark.parametrize("model", EVENT_MODELS, ids=lambda model: model.type_name())
def test_an_example_of_every_event_type_matches_its_message_payload(model: type[EventData]) -> None:
    event = json.loads(cloudevents.encode(example_event(model)))
    validator(f"{message_pointer(model)}/payload").validate(event)
    with pytest.raises(jsonschema.ValidationError):
        validator(f"{message_pointer(model)}/payload").validate({**event, "data": {**event["data"], "extra": 1}})


async def test_every_published_event_read_back_from_a_real_broker_matches_the_document(
        broker: BrokerUnderTest, tmp_path: Path) -> None:
    events = {model: example_event(model) for model in PUBLISHED}
    topics = {document()["channels"][channel_of(model)]["address"] for model in PUBLISHED}
    await kafka.ensure_topics(broker.settings(), {broker.topic(topic): partitions_of(topic) for topic in topics})
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for model, event in events.items():
            await producer.send_and_wait(broker.topic(document()["channels"][channel_of(model)]["address"]),
                                         value=cloudevents.encode(event).encode(), key=event.subject.encode(),
                                         headers=[("content-type", CONTENT_TYPE.encode())])
    finally:
        await producer.stop()
    received = {}
    for topic in topics:
        expected = sum(1 for model in PUBLISHED if model.topic == topic)
        for record in await read_topic(broker, topic, at_least=expected):
            received[json.loads(record.value)["id"]] = record
    for model, event in events.items():
        record, pointer = received[event.id], message_pointer(model)
        message = json.loads(record.value)
        validator(f"{pointer}/payload").validate(message)
        validator(f"{pointer}/headers").validate({name: value.decode() for name, value in record.headers})
        validator(f"{pointer}/bindings/kafka/key").validate(record.key.decode())
        assert (record.key.decode(), message["type"]) == (message["subject"], model.type_name())
