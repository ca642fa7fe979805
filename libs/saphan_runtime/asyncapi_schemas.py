"""The AsyncAPI document's `components/schemas`: the envelope's and every event's JSON Schema (the files in
contracts/schemas), their shared definitions lifted beside them, and the Kafka headers."""

from typing import Any

from contracts.envelope import CONTENT_TYPE
from saphan_runtime.schemas import versioned_schemas

ENVELOPE = "cloudevent"
EVENT_HEADERS = "EventHeaders"
DEAD_LETTER = "DeadLetter"
LOCAL_DEFINITIONS = "#/$defs/"
COMPONENTS = "#/components/schemas/"
HEADERS = {
    EVENT_HEADERS: {
        "type": "object", "required": ["content-type"],
        "description": "The Kafka record headers the outbox relay sets (UTF-8 values).",
        "properties": {
            "content-type": {"type": "string", "const": CONTENT_TYPE},
            "traceparent": {"type": "string", "description": "W3C trace context of the publishing span"},
        },
    },
    f"{DEAD_LETTER}Headers": {
        "type": "object", "required": ["dlq-reason", "dlq-consumer", "dlq-topic", "dlq-partition", "dlq-offset"],
        "description": "The record's own headers, kept, followed by these (UTF-8 values).",
        "properties": {
            "dlq-reason": {"type": "string", "description": "why it can never be applied"},
            "dlq-consumer": {"type": "string", "description": "the service that gave up on it"},
            "dlq-topic": {"type": "string", "description": "the topic it was read from, as named on the broker"},
            "dlq-partition": {"type": "string", "pattern": "^[0-9]+$"},
            "dlq-offset": {"type": "string", "pattern": "^[0-9]+$"},
            "dlq-truncated": {"type": "string", "pattern": "^[0-9]+$",
                              "description": "present when the message was too large to send whole with these "
                                             "headers: its size in bytes; the value is cut (the consumer's "
                                             "dead_letters table keeps it whole)"},
        },
    },
}


def component_schemas() -> dict[str, Any]:
    """Return every schema by name: the envelope (`cloudevent`), each event type's data, the definitions they share
    (by model name) and the headers; sorted by name."""
    found: dict[str, Any] = {}
    for name, schema in versioned_schemas().items():
        body = {key: value for key, value in schema.items() if key not in ("$schema", "$id", "$defs")}
        for definition, shared in schema.get("$defs", {}).items():
            _add(found, definition, _lifted(shared))
        _add(found, name, _lifted(body))
    for name, headers in HEADERS.items():
        _add(found, name, headers)
    return dict(sorted(found.items()))


def _add(found: dict[str, Any], name: str, schema: Any) -> None:
    if found.setdefault(name, schema) != schema:
        raise ValueError(f"two different schemas are both named {name}: rename one of the models")


def _lifted(node: Any) -> Any:
    """Point local references at the components; a reference with keywords beside it becomes an allOf, so that
    readers of the AsyncAPI schema dialect (JSON Schema draft 7, where they would be ignored) read them too."""
    if isinstance(node, list):
        return [_lifted(item) for item in node]
    if not isinstance(node, dict):
        return node
    lifted = {key: value if key in ("enum", "const", "default", "examples") else _lifted(value)
              for key, value in node.items()}
    if "$ref" not in lifted:
        return lifted
    reference = {"$ref": str(lifted.pop("$ref")).replace(LOCAL_DEFINITIONS, COMPONENTS, 1)}
    return {**lifted, "allOf": [reference]} if lifted else reference
