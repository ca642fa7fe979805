"""What referral can be asked to do."""

from pydantic import BaseModel, ConfigDict, Field

from contracts.agencies import AgencyUnit
from contracts.common import (
    DeadlineKind,
    Location,
    ProblemType,
    ReferralOutcome,
    ReferralRole,
    StatusReason,
    Urgency,
)
from services.referral.casework import AnyWork
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


class DoCaseWork(Command):
    """Record a piece of case work (a step, the case manager, an ownership transfer) on behalf of a unit."""

    case_id: str
    by_unit: str
    work: AnyWork
    expected_version: int | None = None


class Reassign(Command):
    """One unit an operator names in an override, and its role."""

    unit_id: str = Field(min_length=1, max_length=64)
    role: ReferralRole


class OverrideRouting(Command):
    """Replace a case's routing with an operator's choice of units, for a stated reason."""

    case_id: str
    by: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=1000)
    assignments: list[Reassign] = Field(min_length=1, max_length=10)
    expected_version: int | None = None


class SubscribeWebhook(Command):
    """Send a unit's system the events that concern it, signed with a secret, from now or from a position."""

    unit_id: str
    url: str = Field(pattern=r"^https?://", max_length=2000)
    event_types: list[str] = Field(min_length=1, max_length=50)
    secret: str | None = Field(default=None, min_length=16, max_length=200)
    from_position: int | None = Field(default=None, ge=1)


class ReplayWebhook(Command):
    """Deliver a webhook's events again, starting from a position of referral's event log."""

    unit_id: str
    webhook_id: str
    from_position: int = Field(ge=1)
