"""What referral can be asked to do."""

from pydantic import BaseModel, ConfigDict

from contracts.common import Location, ProblemType


class RouteCase(BaseModel):
    """Decide which agencies a newly reported case goes to, and which one leads."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str
    problem_types: list[ProblemType]
    client_age_years: int | None
    location: Location
