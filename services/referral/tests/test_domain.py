"""Referral's routing rules, in plain Python, read from the real rule file."""

from datetime import UTC, datetime

import pytest

from contracts.common import AgencyKind, Location, ProblemType, ReferralRole, Urgency
from contracts.referral import RoutingDecided
from saphan_runtime.errors import Deferred, DomainError
from services.referral import domain
from services.referral.commands import NoteCaseFacts, RouteCase
from services.referral.registry import load_registry_file
from services.referral.rules import RuleBook, load_rules
from services.referral.settings import DEFAULT_AGENCIES, DEFAULT_RULES

NOW = datetime(2026, 11, 21, tzinfo=UTC)
RULES = load_rules(DEFAULT_RULES)
UNITS = load_registry_file(DEFAULT_AGENCIES).units


def noted(age: int | None, *problems: ProblemType, subdistrict: str | None = "100101") -> domain.CaseRouting:
    command = NoteCaseFacts(case_id="c", problem_types=list(problems), client_age_years=age,
                            location=Location(province_code="10", district_code="1001", subdistrict_code=subdistrict))
    [event] = domain.note_facts(None, command)
    state = domain.evolve(None, event, 1)
    assert state is not None
    return state


def route(age: int | None, *problems: ProblemType, subdistrict: str | None = "100101") -> RoutingDecided:
    state = noted(age, *problems, subdistrict=subdistrict)
    [decision] = domain.decide_routing(state, RouteCase(case_id="c", urgency=Urgency.URGENT), RULES, UNITS, now=NOW)
    assert isinstance(decision, RoutingDecided)
    assert decision.urgency is Urgency.URGENT
    return decision


def roles(decision: RoutingDecided) -> dict[AgencyKind, ReferralRole]:
    return {a.agency_kind: a.role for a in decision.assignments}


def test_a_child_harmed_at_home_goes_to_the_shelter_the_prosecutor_and_the_tambon_centre() -> None:
    decision = route(9, ProblemType.DOMESTIC_VIOLENCE)
    assert decision.lead is AgencyKind.CHILDREN_FAMILY_SHELTER
    assert roles(decision) == {
        AgencyKind.CHILDREN_FAMILY_SHELTER: ReferralRole.LEAD,
        AgencyKind.JUVENILE_FAMILY_PROSECUTOR: ReferralRole.WELFARE_PROTECTION_PETITION,
        AgencyKind.TAMBON_COORDINATION_CENTRE: ReferralRole.SURVEILLANCE,
    }
    assert [r.rule_id for r in decision.rules_fired] == ["child-harmed-at-home"]


def test_an_adult_victim_of_domestic_violence_is_led_by_the_provincial_office_and_watched_locally() -> None:
    decision = route(34, ProblemType.DOMESTIC_VIOLENCE)
    assert decision.lead is AgencyKind.PROVINCIAL_MSDHS_OFFICE
    assert roles(decision)[AgencyKind.TAMBON_COORDINATION_CENTRE] is ReferralRole.SURVEILLANCE
    assert [r.rule_id for r in decision.rules_fired] == ["domestic-violence-surveillance", "default-provincial-office"]


def test_an_unknown_age_is_not_taken_for_a_child() -> None:
    assert route(None, ProblemType.SEXUAL_ABUSE).lead is AgencyKind.PROVINCIAL_MSDHS_OFFICE


def test_an_eighteen_year_old_is_an_adult() -> None:
    assert route(18, ProblemType.CHILD_ABUSE_OR_NEGLECT).lead is AgencyKind.PROVINCIAL_MSDHS_OFFICE


def test_a_trafficked_child_is_led_by_the_shelter_with_the_prosecutor_in_support() -> None:
    decision = route(15, ProblemType.HUMAN_TRAFFICKING, subdistrict=None)
    assert roles(decision) == {AgencyKind.CHILDREN_FAMILY_SHELTER: ReferralRole.LEAD,
                               AgencyKind.JUVENILE_FAMILY_PROSECUTOR: ReferralRole.SUPPORT}


def test_every_reason_is_given_in_thai_and_english() -> None:
    assert all(" / " in rule.reason for rule in RULES.rules)


def test_a_case_already_routed_gets_no_second_decision() -> None:
    state = domain.evolve(noted(9, ProblemType.DOMESTIC_VIOLENCE), route(9, ProblemType.DOMESTIC_VIOLENCE), 2)
    assert domain.decide_routing(state, RouteCase(case_id="c", urgency=Urgency.CRISIS), RULES, UNITS, now=NOW) == []


def test_facts_are_noted_once() -> None:
    state = noted(40, ProblemType.BEGGING)
    command = NoteCaseFacts(case_id="c", problem_types=[ProblemType.BEGGING], client_age_years=41,
                            location=Location(province_code="10"))
    assert domain.note_facts(state, command) == []


def test_a_case_is_not_routed_before_its_facts_arrive() -> None:
    with pytest.raises(Deferred):
        domain.decide_routing(None, RouteCase(case_id="c", urgency=Urgency.NORMAL), RULES, UNITS, now=NOW)


def test_a_rule_book_that_names_no_lead_is_refused() -> None:
    without_default = RuleBook(version=1, rules=tuple(r for r in RULES.rules if r.id != "default-provincial-office"))
    with pytest.raises(DomainError):
        domain.decide_routing(noted(40, ProblemType.BEGGING), RouteCase(case_id="c", urgency=Urgency.NORMAL),
                              without_default, UNITS, now=NOW)
