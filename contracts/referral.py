"""Events published by referral."""

from pydantic import AwareDatetime, Field

from contracts.common import (
    AgencyKind,
    DeadlineKind,
    Location,
    ProblemType,
    ReferralOutcome,
    ReferralRole,
    ReferralStatus,
    RuleFired,
    StatusReason,
    Urgency,
    Value,
)
from contracts.envelope import EventData
from contracts.topics import REFERRAL_EVENTS


class AgencyAssignment(Value):
    """One agency made party to a case, and in what role."""

    agency_kind: AgencyKind
    unit_id: str
    role: ReferralRole


class CaseFactsNoted(EventData):
    """Referral noted the facts of a reported case that routing needs; kept in referral's own store."""

    event_type = "saphan.referral.case-facts-noted"
    version = 1
    topic = None

    case_id: str = Field(min_length=1, max_length=64)
    problem_types: list[ProblemType] = Field(min_length=1)
    client_age_years: int | None = Field(default=None, ge=0, le=130)
    location: Location


class RoutingDecided(EventData):
    """Referral decided which agencies a case goes to and which one leads."""

    event_type = "saphan.referral.routing-decided"
    version = 1
    topic = REFERRAL_EVENTS

    case_id: str = Field(min_length=1, max_length=64)
    urgency: Urgency
    lead: AgencyKind
    assignments: list[AgencyAssignment] = Field(min_length=1)
    rules_fired: list[RuleFired] = Field(min_length=1)
    needs_review: bool = Field(default=False, description="no specific rule covered the case: a person decides")
    overrides_with_reason: str | None = Field(default=None, max_length=1000, description="an operator's override")
    decided_at: AwareDatetime


class ReferralEvent(EventData):
    """Base of the events of one referral: which referral, of which case, from which unit to which."""

    topic = REFERRAL_EVENTS

    referral_id: str = Field(min_length=1, max_length=64)
    case_id: str = Field(min_length=1, max_length=64)
    from_unit: str
    to_unit: str


class ReferralRequested(ReferralEvent):
    """A referral of a case from one unit to another, with its deadlines (a FHIR Task in `requested`)."""

    event_type = "saphan.referral.referral-requested"
    version = 1

    to_kind: AgencyKind
    role: ReferralRole
    urgency: Urgency
    receipt_due: AwareDatetime
    acceptance_due: AwareDatetime
    escalate_to: str = Field(description="the provincial office told when a deadline is missed")
    requested_at: AwareDatetime


class ReferralStatusChanged(ReferralEvent):
    """A referral moved to a new status; the sender sees every change (the loop is closed)."""

    event_type = "saphan.referral.referral-status-changed"
    version = 1

    previous: ReferralStatus
    status: ReferralStatus
    reason: StatusReason | None = None
    outcome: ReferralOutcome | None = None
    note: str | None = Field(default=None, max_length=1000)
    by_unit: str
    changed_at: AwareDatetime


class ReferralOverdue(EventData):
    """A referral missed a deadline and was escalated to the provincial office."""

    event_type = "saphan.referral.referral-overdue"
    version = 1
    topic = REFERRAL_EVENTS

    referral_id: str = Field(min_length=1, max_length=64)
    case_id: str = Field(min_length=1, max_length=64)
    to_unit: str
    deadline: DeadlineKind
    due_at: AwareDatetime
    escalated_to: str
    detected_at: AwareDatetime
