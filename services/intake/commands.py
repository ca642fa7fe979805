"""What intake can be asked to do."""

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.common import Channel, Location, ProblemType


class ReportCase(BaseModel):
    """Open a case for a report received by an operator or an agency system."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: Channel
    received_at: AwareDatetime
    problem_types: list[ProblemType] = Field(min_length=1, max_length=12)
    client_age_years: int | None = Field(default=None, ge=0, le=130)
    location: Location
    summary: str = Field(default="", max_length=10_000)
