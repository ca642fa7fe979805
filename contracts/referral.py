"""Events published by referral."""

from pydantic import AwareDatetime, Field

from contracts.common import AgencyKind, Location, ProblemType, ReferralRole, RuleFired, Urgency, Value
from contracts.envelope import EventData
from contracts.topics import REFERRAL_EVENTS


class AgencyAssignment(Value):
    """One agency made party to a case, and in what role."""

    agency_kind: AgencyKind
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
    decided_at: AwareDatetime
