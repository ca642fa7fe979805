"""Events published by intake."""

from pydantic import AwareDatetime, Field

from contracts.common import Channel, Location, ProblemType
from contracts.envelope import EventData
from contracts.topics import INTAKE_EVENTS


class CaseReported(EventData):
    """A report was received and a case opened for it."""

    event_type = "saphan.intake.case-reported"
    version = 1
    topic = INTAKE_EVENTS

    case_id: str = Field(min_length=1, max_length=64)
    channel: Channel
    received_at: AwareDatetime
    problem_types: list[ProblemType] = Field(min_length=1)
    client_age_years: int | None = Field(default=None, ge=0, le=130)
    location: Location
    summary: str = Field(default="", max_length=10_000)
