"""The event data of each step of a case's story, built with the contract models (intake, referral, case work)."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

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
from contracts.common import (
    AgencyKind,
    CaseStage,
    Channel,
    ConsentState,
    DisengagementReason,
    DutyShift,
    Location,
    ProblemType,
    ReassessmentDecision,
    ReferralOutcome,
    ReferralRole,
    ReferralStatus,
    Relationship,
    Response,
    RuleFired,
    Sex,
    Urgency,
)
from contracts.envelope import EventData
from contracts.intake import CaseReported, CaseTriaged
from contracts.referral import AgencyAssignment, ReferralRequested, ReferralStatusChanged, RoutingDecided

LEAD, PETITION, OFFICE, HOTLINE = "shelter-10", "prosecutor-10", "msdhs-10", "hotline-1300"
RULE = RuleFired(rule_id="child-harmed-at-home", reason="a child harmed at home / เด็กถูกกระทำในบ้าน")
STATUS_FLOW = {"received": (ReferralStatus.REQUESTED, ReferralStatus.RECEIVED),
               "accepted": (ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED),
               "in_progress": (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS),
               "completed": (ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED)}


class Values:
    """The values that change from event to event (sentinels when building a template)."""

    def __init__(self, case_id: str, referral_id: str, at: datetime, day: date) -> None:
        """Keep the case, the referral, the event's time and the day of a visit or review."""
        self.case_id, self.referral_id, self.at, self.day = case_id, referral_id, at, day


def _reported(v: Values, petition: bool) -> EventData:
    return CaseReported(
        case_id=v.case_id, channel=Channel.HOTLINE_1300, received_at=v.at, duty_shift=DutyShift.OFFICE_HOURS,
        problem_types=[ProblemType.DOMESTIC_VIOLENCE], client_age_years=9, client_sex=Sex.FEMALE,
        alleged_perpetrator_relationships=[Relationship.STEP_PARENT],
        location=Location(province_code="10", district_code="1001", subdistrict_code="100101"),
        consent=ConsentState.GIVEN, informant_anonymous=False)


def _triaged(v: Values, petition: bool) -> EventData:
    return CaseTriaged(case_id=v.case_id, urgency=Urgency.URGENT, response=Response.FIELD_VISIT, decided_by=RULE,
                       triaged_at=v.at)


def _routed(v: Values, petition: bool) -> EventData:
    return RoutingDecided(
        case_id=v.case_id, urgency=Urgency.URGENT, lead=AgencyKind.CHILDREN_FAMILY_SHELTER,
        assignments=[AgencyAssignment(agency_kind=AgencyKind.CHILDREN_FAMILY_SHELTER, unit_id=LEAD,
                                      role=ReferralRole.LEAD),
                     AgencyAssignment(agency_kind=AgencyKind.JUVENILE_FAMILY_PROSECUTOR, unit_id=PETITION,
                                      role=ReferralRole.WELFARE_PROTECTION_PETITION)],
        rules_fired=[RULE], decided_at=v.at)


def _referred(v: Values, petition: bool) -> EventData:
    kind = AgencyKind.JUVENILE_FAMILY_PROSECUTOR if petition else AgencyKind.CHILDREN_FAMILY_SHELTER
    role = ReferralRole.WELFARE_PROTECTION_PETITION if petition else ReferralRole.LEAD
    return ReferralRequested(
        referral_id=v.referral_id, case_id=v.case_id, from_unit=HOTLINE, to_unit=PETITION if petition else LEAD,
        to_kind=kind, role=role, urgency=Urgency.URGENT, receipt_due=v.at + timedelta(hours=24),
        acceptance_due=v.at + timedelta(hours=72), escalate_to=OFFICE, requested_at=v.at)


def _status(kind: str) -> Callable[[Values, bool], EventData]:
    previous, status = STATUS_FLOW[kind]

    def build(v: Values, petition: bool) -> EventData:
        to_unit = PETITION if petition else LEAD
        outcome = ReferralOutcome.SERVICES_DELIVERED if status is ReferralStatus.COMPLETED else None
        return ReferralStatusChanged(referral_id=v.referral_id, case_id=v.case_id, from_unit=HOTLINE, to_unit=to_unit,
                                     previous=previous, status=status, outcome=outcome, by_unit=to_unit,
                                     changed_at=v.at)

    return build


def _work(model: type[CaseWorkEvent], stage: CaseStage, **extra: Any) -> Callable[[Values, bool], EventData]:
    def build(v: Values, petition: bool) -> EventData:
        days = {name: v.day for name, value in extra.items() if value is date}
        fields = {name: value for name, value in extra.items() if value is not date}
        return model(case_id=v.case_id, by_unit=fields.pop("by_unit", LEAD), stage=stage, at=v.at, **fields, **days)

    return build


BUILDERS: dict[str, Callable[[Values, bool], EventData]] = {
    "reported": _reported, "triaged": _triaged, "routed": _routed, "referred": _referred,
    **{kind: _status(kind) for kind in STATUS_FLOW},
    "manager": _work(CaseManagerAssigned, CaseStage.ASSESSMENT, manager="staff-10-0042"),
    "assessed": _work(AssessmentRecorded, CaseStage.ASSESSMENT, risk_level=2),
    "planned": _work(CarePlanAgreed, CaseStage.CARE_PLANNING, goals=3, review_on=date),
    "implementing": _work(ImplementationStarted, CaseStage.IMPLEMENTATION),
    "home_visit": _work(HomeVisitLogged, CaseStage.MONITORING, visited_on=date),
    "reassessed": _work(ReassessmentRecorded, CaseStage.REASSESSMENT, decision=ReassessmentDecision.CONTINUE,
                        risk_level=2),
    "transfer_requested": _work(OwnershipTransferRequested, CaseStage.MONITORING, to_unit=OFFICE,
                                reason="the family moved within the province / ครอบครัวย้ายที่อยู่"),
    "transfer_answered": _work(OwnershipTransferAnswered, CaseStage.MONITORING, by_unit=OFFICE, from_unit=LEAD,
                               accepted=False, reason="the shelter keeps the case / บ้านพักเด็กฯ ดูแลต่อ"),
    "disengaged": _work(CaseDisengaged, CaseStage.DISENGAGEMENT, reason=DisengagementReason.GOALS_MET),
    "surveillance": _work(SurveillanceStarted, CaseStage.SURVEILLANCE, ends_on=date),
}
