"""Build, encode and decode the CloudEvents envelope (structured JSON mode)."""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from contracts.envelope import CloudEvent, EventData


def now() -> datetime:
    """Return the current time in UTC (one place to read the clock)."""
    return datetime.now(UTC)


def current_traceparent() -> tuple[str | None, str | None]:
    """Return the W3C `traceparent` and `tracestate` of the current span, if there is one."""
    carrier: dict[str, str] = {}
    if trace.get_current_span().get_span_context().is_valid:
        TraceContextTextMapPropagator().inject(carrier)
    return carrier.get("traceparent"), carrier.get("tracestate") or None


def build(
    *, data: EventData, source: str, subject: str, stream_id: str, version: int, causation_id: str | None = None
) -> CloudEvent:
    """Wrap event data in a new CloudEvent carrying the current trace context."""
    traceparent, tracestate = current_traceparent()
    return CloudEvent(
        specversion="1.0",
        id=str(uuid.uuid4()),
        source=source,
        type=data.type_name(),
        subject=subject,
        time=now(),
        dataschema=data.schema_uri(),
        streamid=stream_id,
        sequence=f"{version:010d}",
        traceparent=traceparent,
        tracestate=tracestate,
        causationid=causation_id,
        data=data.model_dump(mode="json"),
    )


def encode(event: CloudEvent) -> str:
    """Return the canonical JSON text of an event (sorted keys, no spaces, UTF-8 kept)."""
    return canonical_json(event.model_dump(mode="json", exclude_none=True))


def canonical_json(value: Any) -> str:
    """Return a value as canonical JSON text, the form that is stored, published and hashed: keys sorted, no spaces,
    UTF-8 kept, written by orjson (an event took 11 µs through json.dumps, 1.5 µs through orjson). For strings,
    integers, booleans, nulls, lists and objects the text is byte for byte json.dumps(sort_keys=True,
    separators=(",", ":"), ensure_ascii=False)'s (test_cloudevents checks it); so are floats, but for those below
    1e-4, which orjson writes 0.00001 and 1e-7 where json.dumps writes 1e-05 and 1e-07, and NaN and infinities,
    which orjson writes null. No contract carries a float; one sent by a stray producer is written the one way,
    every time, so what is hashed stays verifiable. Integers past 64 bits, which orjson refuses, go through
    json.dumps."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def decode(raw: bytes | str) -> CloudEvent:
    """Parse and validate an envelope; raises ValueError (pydantic.ValidationError) when it is not one."""
    return CloudEvent.model_validate_json(raw)
