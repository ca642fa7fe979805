"""A case's routing: plain Python rules that decide which agencies get the case and why."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from contracts.agencies import AgencyUnit
from contracts.casework import (
    CaseManagerAssigned,
    CaseWorkEvent,
    OwnershipTransferAnswered,
    OwnershipTransferRequested,
    ReassessmentRecorded,
)
from contracts.common import (
    AgencyKind,
    CaseStage,
    Location,
    ReassessmentDecision,
    ReferralRole,
    RuleFired,
    Urgency,
)
from contracts.envelope import EventData
from contracts.referral import AgencyAssignment, CaseFactsNoted, RoutingDecided
from saphan_runtime.errors import Deferred, DomainError, NotFound
from services.referral import registry
from services.referral.commands import NoteCaseFacts, OverrideRouting, RouteCase
from services.referral.rules import Condition, Rule, RuleBook

NO_UNIT = "No {} unit serves this area / ไม่มีหน่วยงานประเภทนี้ในพื้นที่"


@dataclass(frozen=True)
class CaseRouting:
    """A case's routing as referral knows it, folded from its events."""

    case_id: str
    facts: CaseFactsNoted
    version: int
    lead: AgencyKind | None = None
    assignments: tuple[AgencyAssignment, ...] = ()
    lead_unit: str | None = None
    urgency: Urgency | None = None
    stage: CaseStage = CaseStage.INTAKE
    decision: ReassessmentDecision | None = None
    manager: str | None = None
    pending_transfer: str | None = None


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


def decide_routing(
    state: CaseRouting | None, command: RouteCase, rules: RuleBook, units: Sequence[AgencyUnit], *, now: datetime
) -> list[EventData]:
    """Decide the first routing of a screened case to units serving its area; a routed case is not routed again."""
    if state is None:
        raise Deferred(f"the facts of case {command.case_id} have not arrived yet")
    if state.lead is not None:
        return []
    kinds: dict[AgencyKind, ReferralRole] = {}
    fired = [RuleFired(rule_id=rule.id, reason=rule.reason)
             for rule in rules.rules if matches(rule.when, state.facts) and _assign(kinds, rule)]
    assignments, fallbacks = _to_units(kinds, units, state.facts.location)
    lead = check_one_lead(assignments)
    return [RoutingDecided(
        case_id=command.case_id, urgency=command.urgency, lead=lead.agency_kind, assignments=assignments,
        rules_fired=fired + fallbacks, needs_review=[r.rule_id for r in fired] == [rules.rules[-1].id],
        decided_at=now,
    )]


def override_routing(
    state: CaseRouting | None, command: OverrideRouting, units: dict[str, AgencyUnit], *, now: datetime
) -> list[EventData]:
    """Decide an operator's override of a routed case: the named units, exactly one lead, and the reason."""
    if state is None or state.urgency is None:
        raise NotFound("the case has not been routed / ยังไม่มีการส่งต่อรายการนี้")
    for n, named in enumerate(command.assignments):
        if named.unit_id not in units:
            raise DomainError(f"unknown unit {named.unit_id} / ไม่พบหน่วยงาน", field=f"body.assignments.{n}.unit_id")
    assignments = [AgencyAssignment(agency_kind=units[a.unit_id].kind, unit_id=a.unit_id, role=a.role)
                   for a in command.assignments]
    if len({a.unit_id for a in assignments}) != len(assignments):
        raise DomainError("a unit is named twice / ระบุหน่วยงานซ้ำ", field="body.assignments")
    lead = check_one_lead(assignments)
    rule = RuleFired(rule_id="operator.override", reason=f"{command.by}: {command.reason}")
    return [RoutingDecided(case_id=state.case_id, urgency=state.urgency, lead=lead.agency_kind,
                           assignments=assignments, rules_fired=[rule], overrides_with_reason=command.reason,
                           decided_at=now)]


def _to_units(
    kinds: dict[AgencyKind, ReferralRole], units: Sequence[AgencyUnit], location: Location
) -> tuple[list[AgencyAssignment], list[RuleFired]]:
    """Find the unit serving the area for each kind; a lead nobody serves falls to the provincial office."""
    assignments: list[AgencyAssignment] = []
    fallbacks: list[RuleFired] = []
    for kind, role in kinds.items():
        unit = registry.serving(units, kind, location)
        if unit is None and role is ReferralRole.LEAD:
            unit = registry.serving(units, AgencyKind.PROVINCIAL_MSDHS_OFFICE, location)
            fallbacks.append(RuleFired(rule_id="fallback.lead-to-provincial-office", reason=NO_UNIT.format(kind)))
        if unit is None:
            fallbacks.append(RuleFired(rule_id="fallback.no-unit", reason=NO_UNIT.format(kind)))
            continue
        if all(a.unit_id != unit.unit_id for a in assignments):
            assignments.append(AgencyAssignment(agency_kind=unit.kind, unit_id=unit.unit_id, role=role))
    return assignments, fallbacks


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


def check_one_lead(assignments: list[AgencyAssignment]) -> AgencyAssignment:
    """Return the lead; the rule book and the registry must always give exactly one."""
    leads = [a for a in assignments if a.role is ReferralRole.LEAD]
    if len(leads) != 1:
        raise DomainError("exactly one unit must lead / ต้องมีหน่วยงานหลักหนึ่งหน่วย", field="body.assignments")
    return leads[0]


def evolve(state: CaseRouting | None, event: EventData, version: int) -> CaseRouting | None:
    """Fold one event into the case's routing and case work."""
    if isinstance(event, CaseFactsNoted):
        return CaseRouting(case_id=event.case_id, facts=event, version=version)
    if state is None:
        return None
    state = replace(state, version=version)
    if isinstance(event, RoutingDecided):
        lead = next(a.unit_id for a in event.assignments if a.role is ReferralRole.LEAD)
        stage = CaseStage.SCREENING_AND_REFERRAL if state.stage is CaseStage.INTAKE else state.stage
        return replace(state, lead=event.lead, assignments=tuple(event.assignments), lead_unit=lead, stage=stage,
                       urgency=event.urgency)
    if isinstance(event, CaseManagerAssigned):
        return replace(state, manager=event.manager)
    if isinstance(event, OwnershipTransferRequested):
        return replace(state, pending_transfer=event.to_unit)
    if isinstance(event, OwnershipTransferAnswered):
        lead_unit = event.by_unit if event.accepted else state.lead_unit
        manager = None if event.accepted else state.manager  # the new lead names its own case manager
        return replace(state, pending_transfer=None, lead_unit=lead_unit, manager=manager)
    if isinstance(event, CaseWorkEvent):
        decision = event.decision if isinstance(event, ReassessmentRecorded) else None
        return replace(state, stage=event.stage, decision=decision)
    return state
