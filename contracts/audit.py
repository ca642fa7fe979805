"""Events kept by audit. The ledger entry is internal: it stays in audit's own store."""

from typing import Any

from pydantic import AwareDatetime, Field

from contracts.envelope import EventData


class EventRecorded(EventData):
    """One event, exactly as received from Kafka, appended to the ledger at a dense sequence number."""

    event_type = "saphan.audit.event-recorded"
    version = 1
    topic = None

    sequence: int = Field(ge=1)
    case_id: str
    topic_name: str
    partition: int = Field(ge=0)
    offset: int = Field(ge=0)
    recorded_at: AwareDatetime
    event: dict[str, Any]
