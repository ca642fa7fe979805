"""Case work after referral, in plain Python: the nine steps with their allowed moves, the named case manager,
and ownership transfers (the lead changes only when the asked unit accepts)."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from contracts.casework import (
    AssessmentRecorded,
    CarePlanAgreed,
    CaseDisengaged,
    CaseManagerAssigned,
    CaseWorkEvent,
    HomeVisitLogged,
    ImplementationStarted,
    OwnershipTransferAnswered,
    OwnershipTransferRequested,
    ReassessmentRecorded,
    SurveillanceStarted,
)
from contracts.common import CaseStage as St
from contracts.common import DisengagementReason, IsoDate, ReassessmentDecision
from saphan_runtime.errors import Conflict, DomainError, Forbidden, NotFound


class Work(BaseModel):
    """Base of a piece of case work, as a lead unit reports it."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Assess(Work):
    kind: Literal["assessment"] = "assessment"
    risk_level: StrictInt = Field(ge=1, le=3)


class Plan(Work):
    kind: Literal["care_plan"] = "care_plan"
    goals: StrictInt = Field(ge=1, le=50)
    review_on: IsoDate


class Implement(Work):
    kind: Literal["implementation"] = "implementation"


class Visit(Work):
    kind: Literal["home_visit"] = "home_visit"
    visited_on: IsoDate


class Reassess(Work):
    kind: Literal["reassessment"] = "reassessment"
    decision: ReassessmentDecision
    risk_level: StrictInt = Field(ge=1, le=3)


class Disengage(Work):
    kind: Literal["disengagement"] = "disengagement"
    reason: DisengagementReason


class Watch(Work):
    kind: Literal["surveillance"] = "surveillance"
    ends_on: IsoDate


class NameManager(Work):
    kind: Literal["case_manager"] = "case_manager"
    manager: str = Field(min_length=1, max_length=200)


class RequestTransfer(Work):
    kind: Literal["ownership_transfer"] = "ownership_transfer"
    to_unit: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)


class AnswerTransfer(Work):
    kind: Literal["transfer_answer"] = "transfer_answer"
    accepted: StrictBool
    reason: str | None = Field(default=None, max_length=500)


AnyWork = Annotated[Assess | Plan | Implement | Visit | Reassess | Disengage | Watch | NameManager | RequestTransfer
                    | AnswerTransfer, Field(discriminator="kind")]

# Which stages each step may follow, and the stage it leads to.
STEPS: dict[type[Work], tuple[frozenset[St], St]] = {
    Assess: (frozenset({St.SCREENING_AND_REFERRAL, St.ASSESSMENT}), St.ASSESSMENT),
    Plan: (frozenset({St.ASSESSMENT, St.REASSESSMENT}), St.CARE_PLANNING),
    Implement: (frozenset({St.CARE_PLANNING, St.REASSESSMENT}), St.IMPLEMENTATION),
    Visit: (frozenset({St.IMPLEMENTATION, St.MONITORING}), St.MONITORING),
    Reassess: (frozenset({St.IMPLEMENTATION, St.MONITORING}), St.REASSESSMENT),
    Disengage: (frozenset({St.MONITORING, St.REASSESSMENT}), St.DISENGAGEMENT),
    Watch: (frozenset({St.DISENGAGEMENT}), St.SURVEILLANCE),
}
# After a reassessment, its decision names the one step that may follow.
AFTER_DECISION = {ReassessmentDecision.REPLAN: Plan, ReassessmentDecision.CONTINUE: Implement,
                  ReassessmentDecision.DISENGAGE: Disengage}


def allowed_steps(stage: St, decision: ReassessmentDecision | None) -> list[str]:
    """Return the kinds of step the case may take next."""
    steps = [step for step, (sources, _) in STEPS.items() if stage in sources]
    if stage is St.REASSESSMENT and decision is not None:
        steps = [step for step in steps if step is AFTER_DECISION[decision]]
    return [step.model_fields["kind"].default for step in steps]


def do_work(case: Any, work: Work, *, by_unit: str, today: date, now: datetime) -> list[CaseWorkEvent]:
    """Decide the event of a piece of case work by a unit, or refuse it saying what is allowed."""
    if case is None or case.lead_unit is None:
        raise NotFound("the case has not been routed / ยังไม่มีการส่งต่อรายการนี้")
    if isinstance(work, AnswerTransfer):
        return [_answer(case, work, by_unit=by_unit, now=now)]
    if by_unit != case.lead_unit:
        raise Forbidden(f"only the lead unit {case.lead_unit} does case work / เฉพาะหน่วยงานหลักเท่านั้น")
    if type(work) in STEPS:
        return [_step(case, work, by_unit=by_unit, today=today, now=now)]
    base = {"case_id": case.case_id, "by_unit": by_unit, "stage": case.stage, "at": now}
    if isinstance(work, NameManager):
        return [CaseManagerAssigned(**base, manager=work.manager)]
    assert isinstance(work, RequestTransfer)
    if work.to_unit == case.lead_unit or case.pending_transfer is not None:
        raise Conflict("a transfer is pending, or the unit already leads / มีคำขอโอนค้างอยู่หรือหน่วยงานนี้เป็นหน่วยหลักแล้ว")
    return [OwnershipTransferRequested(**base, to_unit=work.to_unit, reason=work.reason)]


def _step(case: Any, work: Work, *, by_unit: str, today: date, now: datetime) -> CaseWorkEvent:
    allowed = allowed_steps(case.stage, case.decision)
    kind = type(work).model_fields["kind"].default
    if kind not in allowed:
        raise Conflict(f"cannot record {kind} at {case.stage.value} / ทำขั้นตอนนี้ไม่ได้ในขั้นปัจจุบัน",
                       stage=case.stage.value, allowed_steps=allowed)
    if isinstance(work, Watch) and work.ends_on <= today:
        raise DomainError("surveillance must end in the future / วันสิ้นสุดการเฝ้าระวังต้องอยู่ในอนาคต",
                          field="body.ends_on")
    stage = STEPS[type(work)][1]
    base = {"case_id": case.case_id, "by_unit": by_unit, "stage": stage, "at": now}
    make: dict[type[Work], Callable[[], CaseWorkEvent]] = {
        Assess: lambda: AssessmentRecorded(**base, risk_level=work.risk_level),  # type: ignore[attr-defined]
        Plan: lambda: CarePlanAgreed(**base, goals=work.goals, review_on=work.review_on),  # type: ignore[attr-defined]
        Implement: lambda: ImplementationStarted(**base),
        Visit: lambda: HomeVisitLogged(**base, visited_on=work.visited_on),  # type: ignore[attr-defined]
        Reassess: lambda: ReassessmentRecorded(**base, decision=work.decision,  # type: ignore[attr-defined]
                                               risk_level=work.risk_level),  # type: ignore[attr-defined]
        Disengage: lambda: CaseDisengaged(**base, reason=work.reason),  # type: ignore[attr-defined]
        Watch: lambda: SurveillanceStarted(**base, ends_on=work.ends_on),  # type: ignore[attr-defined]
    }
    return make[type(work)]()


def _answer(case: Any, work: AnswerTransfer, *, by_unit: str, now: datetime) -> CaseWorkEvent:
    if case.pending_transfer is None:
        raise Conflict("no transfer is pending / ไม่มีคำขอโอนที่รออยู่")
    if by_unit != case.pending_transfer:
        raise Forbidden(f"only {case.pending_transfer} answers this transfer / เฉพาะหน่วยงานที่ได้รับคำขอเท่านั้น")
    return OwnershipTransferAnswered(case_id=case.case_id, by_unit=by_unit, stage=case.stage, at=now,
                                     from_unit=case.lead_unit, accepted=work.accepted, reason=work.reason)
