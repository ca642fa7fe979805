"""Events published by referral."""

from pydantic import AwareDatetime, Field

from contracts.common import AgencyKind, ReferralRole, Value
from contracts.envelope import EventData
from contracts.topics import REFERRAL_EVENTS


class AgencyAssignment(Value):
    """One agency made party to a case, and in what role."""

    agency_kind: AgencyKind
    role: ReferralRole


class FiredRule(Value):
    """A routing rule that matched, and the reason a person can read."""

    rule_id: str
    reason: str


class RoutingDecided(EventData):
    """Referral decided which agencies a case goes to and which one leads."""

    event_type = "saphan.referral.routing-decided"
    version = 1
    topic = REFERRAL_EVENTS

    case_id: str = Field(min_length=1, max_length=64)
    lead: AgencyKind
    assignments: list[AgencyAssignment] = Field(min_length=1)
    rules_fired: list[FiredRule] = Field(min_length=1)
    decided_at: AwareDatetime
