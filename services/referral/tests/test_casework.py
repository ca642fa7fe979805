"""Case work in plain Python: the nine steps and their allowed moves, the case manager, ownership transfers."""

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from contracts.casework import CaseWorkEvent, OwnershipTransferAnswered
from contracts.common import CaseStage, DisengagementReason, Location, ProblemType, ReassessmentDecision
from contracts.referral import CaseFactsNoted
from saphan_runtime.errors import Conflict, DomainError, Forbidden, NotFound
from services.referral import casework, domain
from services.referral.casework import (
    AnswerTransfer,
    Assess,
    Disengage,
    Implement,
    NameManager,
    Plan,
    Reassess,
    RequestTransfer,
    Visit,
    Watch,
)

NOW = datetime(2026, 11, 21, 3, tzinfo=UTC)
FACTS = CaseFactsNoted(case_id="c", problem_types=[ProblemType.DOMESTIC_VIOLENCE], client_age_years=8,
                       location=Location(province_code="10"))
ROUTED = domain.CaseRouting(case_id="c", facts=FACTS, version=2, lead_unit="shelter-10",
                            stage=CaseStage.SCREENING_AND_REFERRAL)


def apply(case: domain.CaseRouting, work: Any, by_unit: str = "shelter-10") -> domain.CaseRouting:
    events = casework.do_work(case, work, by_unit=by_unit, today=NOW.date(), now=NOW)
    for event in events:
        folded = domain.evolve(case, event, case.version + 1)
        assert folded is not None
        case = folded
    return case


FULL_JOURNEY = [Assess(risk_level=3), Plan(goals=4, review_on=date(2027, 1, 1)), Implement(),
                Visit(visited_on=date(2026, 11, 25)), Reassess(decision=ReassessmentDecision.DISENGAGE, risk_level=1),
                Disengage(reason=DisengagementReason.GOALS_MET), Watch(ends_on=date(2027, 5, 1))]


def test_a_case_walks_the_nine_steps_in_order() -> None:
    case, stages = ROUTED, []
    for work in FULL_JOURNEY:
        case = apply(case, work)
        stages.append(case.stage)
    assert stages == [CaseStage.ASSESSMENT, CaseStage.CARE_PLANNING, CaseStage.IMPLEMENTATION, CaseStage.MONITORING,
                      CaseStage.REASSESSMENT, CaseStage.DISENGAGEMENT, CaseStage.SURVEILLANCE]
    assert case.version == 2 + len(FULL_JOURNEY)


def test_a_step_out_of_order_is_refused_naming_the_allowed_ones() -> None:
    with pytest.raises(Conflict) as refused:
        apply(ROUTED, Implement())
    assert refused.value.details == {"stage": "screening_and_referral", "allowed_steps": ["assessment"]}


@pytest.mark.parametrize(("decision", "next_step", "wrong_step"), [
    (ReassessmentDecision.REPLAN, Plan(goals=1, review_on=date(2027, 1, 1)), Implement()),
    (ReassessmentDecision.CONTINUE, Implement(), Disengage(reason=DisengagementReason.GOALS_MET)),
    (ReassessmentDecision.DISENGAGE, Disengage(reason=DisengagementReason.CLIENT_MOVED),
     Plan(goals=1, review_on=date(2027, 1, 1))),
])
def test_a_reassessment_decides_the_one_step_that_follows(decision: Any, next_step: Any, wrong_step: Any) -> None:
    case = replace(ROUTED, stage=CaseStage.MONITORING)
    case = apply(case, Reassess(decision=decision, risk_level=2))
    with pytest.raises(Conflict):
        apply(case, wrong_step)
    assert apply(case, next_step).stage is not CaseStage.REASSESSMENT


def test_only_the_lead_unit_does_case_work_and_an_unrouted_case_has_none() -> None:
    with pytest.raises(Forbidden):
        apply(ROUTED, Assess(risk_level=2), by_unit="prosecutor-10")
    with pytest.raises(NotFound):
        casework.do_work(None, Assess(risk_level=2), by_unit="shelter-10", today=NOW.date(), now=NOW)


def test_surveillance_must_end_in_the_future() -> None:
    case = replace(ROUTED, stage=CaseStage.DISENGAGEMENT)
    with pytest.raises(DomainError) as refused:
        apply(case, Watch(ends_on=NOW.date()))
    assert refused.value.field == "body.ends_on"


def test_a_transfer_changes_the_lead_only_when_the_asked_unit_accepts() -> None:
    case = apply(apply(ROUTED, NameManager(manager="staff-0042")), RequestTransfer(to_unit="msdhs-10", reason="moved"))
    assert case.pending_transfer == "msdhs-10" and case.manager == "staff-0042"
    with pytest.raises(Conflict):
        apply(case, RequestTransfer(to_unit="shelter-50", reason="again"))
    with pytest.raises(Forbidden):
        apply(case, AnswerTransfer(accepted=True), by_unit="shelter-50")
    declined = apply(case, AnswerTransfer(accepted=False, reason="no staff"), by_unit="msdhs-10")
    assert (declined.lead_unit, declined.pending_transfer) == ("shelter-10", None)
    moved = apply(case, AnswerTransfer(accepted=True), by_unit="msdhs-10")
    assert (moved.lead_unit, moved.manager, moved.pending_transfer) == ("msdhs-10", None, None)
    with pytest.raises(Forbidden):
        apply(moved, Assess(risk_level=1), by_unit="shelter-10")
    assert apply(moved, Assess(risk_level=1), by_unit="msdhs-10").stage is CaseStage.ASSESSMENT
    with pytest.raises(Conflict):
        apply(moved, AnswerTransfer(accepted=True), by_unit="msdhs-10")


def test_every_case_work_event_says_the_stage_it_leaves_the_case_in() -> None:
    events = casework.do_work(ROUTED, Assess(risk_level=3), by_unit="shelter-10", today=NOW.date(), now=NOW)
    assert all(isinstance(e, CaseWorkEvent) and e.stage is CaseStage.ASSESSMENT for e in events)
    answer = OwnershipTransferAnswered(case_id="c", by_unit="x", stage=CaseStage.ASSESSMENT, at=NOW,
                                       from_unit="shelter-10", accepted=False)
    assert answer.stage is CaseStage.ASSESSMENT
