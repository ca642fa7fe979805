"""What referral can be asked to do."""

from pydantic import BaseModel, ConfigDict, Field

from contracts.agencies import AgencyUnit
from contracts.common import DeadlineKind, Location, ProblemType, ReferralOutcome, StatusReason, Urgency
from services.referral.lifecycle import Action


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
    """Decide which units a screened case goes to, which one leads, and send them referrals."""

    case_id: str
    urgency: Urgency


class ChangeReferralStatus(Command):
    """Move a referral through its lifecycle on behalf of a unit."""

    referral_id: str
    action: Action
    by_unit: str
    reason: StatusReason | None = None
    outcome: ReferralOutcome | None = None
    note: str | None = Field(default=None, max_length=1000)
    expected_version: int | None = None


class MarkOverdue(Command):
    """Flag a missed deadline and escalate it to the provincial office."""

    referral_id: str
    deadline: DeadlineKind


class CancelCaseReferrals(Command):
    """Cancel the open referrals of a case that intake closed (a prank, a false report, a duplicate)."""

    case_id: str


class RecordAgencyUnit(Command):
    """Register a unit, or change it, on behalf of an administrator (or the registry file)."""

    unit: AgencyUnit
    recorded_by: str
    expected_version: int | None = None


class SeedRegistry(Command):
    """Register the units of the registry file that the store does not hold yet (at start-up)."""

    units: tuple[AgencyUnit, ...]
