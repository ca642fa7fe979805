"""What referral can be asked to do."""

from pydantic import BaseModel, ConfigDict

from contracts.common import Location, ProblemType, Urgency


class Command(BaseModel):
    """Base of referral's commands: frozen and closed."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class NoteCaseFacts(Command):
    """Keep the facts of a reported case that routing will need."""

    case_id: str
    problem_types: list[ProblemType]
    client_age_years: int | None
    location: Location


class RouteCase(Command):
    """Decide which agencies a screened case goes to, and which one leads."""

    case_id: str
    urgency: Urgency
