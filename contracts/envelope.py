"""The CloudEvents 1.0 envelope (structured JSON mode) that carries every Saphan event on Kafka."""

from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"


class EventData(BaseModel):
    """Base of every event's `data`: frozen, closed, and named by type, version and topic."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    version: ClassVar[int]
    topic: ClassVar[str | None]  # None: kept in the producer's own store, never published
    keyed_by: ClassVar[str] = "the case id"  # what the envelope's `subject`, and so the Kafka key, names

    @classmethod
    def type_name(cls) -> str:
        """Return the CloudEvents `type`, which carries the version."""
        return f"{cls.event_type}.v{cls.version}"

    @classmethod
    def schema_uri(cls) -> str:
        """Return the `dataschema` URI naming this version's JSON Schema file."""
        return f"urn:saphan:schema:{cls.type_name()}"


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 event; `subject` is the case id and is also the Kafka key."""

    model_config = ConfigDict(frozen=True, extra="allow")

    specversion: Literal["1.0"]
    id: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=200)
    subject: str = Field(min_length=1, max_length=200)
    time: AwareDatetime
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str = Field(min_length=1)
    streamid: str = Field(min_length=1, max_length=200, description="the aggregate stream in the producer")
    sequence: str = Field(pattern=r"^[0-9]{10}$", description="the stream version, zero-padded (CE sequence)")
    traceparent: str | None = Field(default=None, description="W3C trace context of the starting trace")
    tracestate: str | None = None
    causationid: str | None = Field(default=None, description="id of the event whose handling produced this one")
    data: dict[str, Any]
