"""One valid example of every event type, built from its JSON Schema (so a new type has one at once): the first
choice of each enum and alternative, every optional field filled, the smallest string a pattern accepts."""

from functools import cache
from typing import Any

from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st

from contracts.envelope import CloudEvent, EventData
from saphan_runtime import cloudevents
from saphan_runtime.settings import service_source

TEXT = "example ตัวอย่าง"
FORMATS = {"date-time": "2026-11-21T10:00:00+07:00", "date": "2026-11-21"}


def example_data(model: type[EventData]) -> EventData:
    """Return a valid instance of an event model (raises when its schema asks for something the builder lacks)."""
    schema = model.model_json_schema()
    return model.model_validate(example_of(schema, schema))


def example_event(model: type[EventData], *, producer: str = "intake") -> CloudEvent:
    """Return a CloudEvent carrying an example of the model, its subject the example's case id where it has one."""
    data = example_data(model)
    subject = str(getattr(data, "case_id", None) or "example-subject")
    return cloudevents.build(data=data, source=service_source(producer), subject=subject,
                             stream_id=f"example-{subject}", version=1)


def example_of(schema: dict[str, Any], root: dict[str, Any]) -> Any:
    """Return a value the schema accepts."""
    if "$ref" in schema:
        return example_of(root["$defs"][schema["$ref"].removeprefix("#/$defs/")], root)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        present = [branch for branch in schema["anyOf"] if branch.get("type") != "null"]
        return example_of(present[0], root)
    kind = schema.get("type")
    if kind == "object":
        fields = schema.get("properties", {})
        return {name: example_of(field, root) for name, field in fields.items()} if fields else {"note": TEXT}
    if kind == "array":
        count = min(max(schema.get("minItems", 1), 1), schema.get("maxItems", 1))
        return [example_of(schema.get("items", {"type": "string"}), root)] * count
    if kind in ("integer", "number"):
        return _number(schema)
    if kind == "boolean":
        return True
    if kind == "string":
        return _string(schema)
    raise AssertionError(f"no example for the schema {schema}: teach tests/examples.py")


def _number(schema: dict[str, Any]) -> int:
    low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1 if "exclusiveMinimum" in schema else None)
    high = schema.get("maximum", schema.get("exclusiveMaximum", 2) - 1 if "exclusiveMaximum" in schema else None)
    return int(low if low is not None else min(1, high if high is not None else 1))


def _string(schema: dict[str, Any]) -> str:
    low, high = schema.get("minLength", 0), schema.get("maxLength", 10_000)
    if "format" in schema:
        return FORMATS[schema["format"]]
    if "pattern" in schema:
        return _matching(schema["pattern"], low, high)
    return (TEXT + "x" * max(low - len(TEXT), 0))[:high]


@cache
def _matching(pattern: str, low: int, high: int) -> str:
    """Return the simplest string the pattern accepts within the lengths (hypothesis shrinks to it)."""
    return str(find(st.from_regex(pattern), lambda s: "\n" not in s and low <= len(s) <= high,
                    settings=settings(database=None, max_examples=2000, suppress_health_check=list(HealthCheck))))
