"""A case's routing: plain Python rules that decide which agencies get the case and why."""

from dataclasses import dataclass, replace
from datetime import datetime

from contracts.common import AgencyKind, ReferralRole, RuleFired
from contracts.envelope import EventData
from contracts.referral import AgencyAssignment, CaseFactsNoted, RoutingDecided
from saphan_runtime.errors import Deferred, DomainError
from services.referral.commands import NoteCaseFacts, RouteCase
from services.referral.rules import Condition, Rule, RuleBook


@dataclass(frozen=True)
class CaseRouting:
    """A case's routing as referral knows it, folded from its events."""

    case_id: str
    facts: CaseFactsNoted
    version: int
    lead: AgencyKind | None = None


def stream_id(case_id: str) -> str:
    """Return the routing stream of one case."""
    return f"routing-{case_id}"


def note_facts(state: CaseRouting | None, command: NoteCaseFacts) -> list[EventData]:
    """Keep a reported case's facts, once."""
    if state is not None:
        return []
    return [CaseFactsNoted(**command.model_dump())]


def matches(condition: Condition, facts: CaseFactsNoted) -> bool:
    """Return whether a rule's condition holds for a case."""
    age = facts.client_age_years
    checks = [
        condition.max_age_years is None or (age is not None and age <= condition.max_age_years),
        condition.min_age_years is None or (age is not None and age >= condition.min_age_years),
        not condition.problem_types_any or bool(condition.problem_types_any & set(facts.problem_types)),
        condition.has_subdistrict is None or condition.has_subdistrict == bool(facts.location.subdistrict_code),
    ]
    return all(checks)


def decide_routing(state: CaseRouting | None, command: RouteCase, rules: RuleBook, *, now: datetime) -> list[EventData]:
    """Decide the first routing of a screened case; a case already routed gets no second decision."""
    if state is None:
        raise Deferred(f"the facts of case {command.case_id} have not arrived yet")
    if state.lead is not None:
        return []
    assignments: dict[AgencyKind, ReferralRole] = {}
    fired = [rule for rule in rules.rules if matches(rule.when, state.facts) and _assign(assignments, rule)]
    lead = check_one_lead(assignments)
    return [RoutingDecided(
        case_id=command.case_id, urgency=command.urgency, lead=lead,
        assignments=[AgencyAssignment(agency_kind=kind, role=role) for kind, role in assignments.items()],
        rules_fired=[RuleFired(rule_id=rule.id, reason=rule.reason) for rule in fired],
        decided_at=now,
    )]


def _assign(assignments: dict[AgencyKind, ReferralRole], rule: Rule) -> bool:
    """Add a matching rule's assignments (the first lead wins); return whether it added any."""
    added = False
    for assignment in rule.assign:
        lead_taken = ReferralRole.LEAD in assignments.values()
        if assignment.agency_kind in assignments or (assignment.role is ReferralRole.LEAD and lead_taken):
            continue
        assignments[assignment.agency_kind] = assignment.role
        added = True
    return added


def check_one_lead(assignments: dict[AgencyKind, ReferralRole]) -> AgencyKind:
    """Return the lead agency; the rule book must always name one."""
    leads = [kind for kind, role in assignments.items() if role is ReferralRole.LEAD]
    if len(leads) != 1:
        raise DomainError("the routing rules named no lead agency for this case")
    return leads[0]


def evolve(state: CaseRouting | None, event: EventData, version: int) -> CaseRouting | None:
    """Fold one event into the routing."""
    if isinstance(event, CaseFactsNoted):
        return CaseRouting(case_id=event.case_id, facts=event, version=version)
    if isinstance(event, RoutingDecided) and state is not None:
        return replace(state, lead=event.lead, version=version)
    return state
