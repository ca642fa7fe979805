"""The intake case: plain Python rules that decide which events a command produces, and how they fold."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from contracts.common import ClosureReason, Location, RuleFired, Sealed, Urgency
from contracts.envelope import EventData
from contracts.intake import (
    CaseClosedAtIntake,
    CaseReported,
    CaseTriaged,
    DuplicateResolved,
    ErasureReason,
    IntakeReport,
    PersonalDataErased,
    PossibleDuplicateFlagged,
    ReportReceived,
    RequestKind,
)
from saphan_runtime.errors import Conflict, NotFound
from services.intake import duplicates, triage
from services.intake.facts import check_report

CLOSING_KINDS = {RequestKind.INFORMATION_ONLY: ClosureReason.INFORMATION_ONLY,
                 RequestKind.COUNSELLING_ONLY: ClosureReason.COUNSELLING_ONLY}


class CaseStatus(StrEnum):
    """Where a case stands in intake."""

    OPEN = "open"
    CLOSED_AT_INTAKE = "closed_at_intake"


@dataclass(frozen=True)
class IntakeCase:
    """A case as intake knows it, folded from its events."""

    case_id: str
    status: CaseStatus
    version: int
    urgency: Urgency | None = None
    flagged: frozenset[str] = field(default_factory=frozenset)
    resolved: frozenset[str] = field(default_factory=frozenset)
    erased: bool = False


def stream_id(case_id: str) -> str:
    """Return the event stream of one case."""
    return f"case-{case_id}"


def report(
    report: IntakeReport, *, case_id: str, now: datetime, prior: Sequence[duplicates.PriorCase],
    seal: Callable[[bytes], Sealed], by_unit: str | None = None, by_user: str | None = None,
) -> list[EventData]:
    """Decide the events of a new report: received (its personal data sealed with `seal`, the case's key), reported,
    then closed or triaged, and any duplicates."""
    check_report(report, now)
    shift = report.duty_shift or triage.duty_shift_of(report.received_at)
    age = duplicates.age_at(report.client, report.received_at)
    events: list[EventData] = [
        ReportReceived(case_id=case_id, report=seal(report.model_dump_json().encode()), duty_shift=shift,
                       reported_by_unit=by_unit, reported_by_user=by_user),
        CaseReported(case_id=case_id, channel=report.channel, received_at=report.received_at, duty_shift=shift,
                     problem_types=report.problem_types, client_age_years=age, client_sex=report.client.sex,
                     client_has_disability=report.client.disability,
                     alleged_perpetrator_relationships=[p.relationship_to_client for p in report.alleged_perpetrators],
                     location=Location(**report.location.model_dump(exclude={"address"})), consent=report.consent,
                     informant_anonymous=report.informant.anonymous, request_kind=report.request_kind,
                     reported_by_unit=by_unit),
    ]
    if report.request_kind in CLOSING_KINDS:
        reason = CLOSING_KINDS[report.request_kind]
        rule = RuleFired(rule_id=f"close.{reason.value.replace('_', '-')}",
                         reason="The caller wanted information or counselling only / ผู้แจ้งต้องการเพียงข้อมูลหรือคำปรึกษา")
        return [*events, CaseClosedAtIntake(case_id=case_id, reason=reason, decided_by=rule, closed_at=now)]
    urgency, response, rule = triage.triage(triage.facts_of(report, age))
    events.append(CaseTriaged(case_id=case_id, urgency=urgency, response=response, decided_by=rule, triaged_at=now))
    person = duplicates.person_of(report.client, report.location.subdistrict_code, report.received_at)
    for existing, matched in duplicates.find_duplicates(person, prior):
        events.append(PossibleDuplicateFlagged(case_id=case_id, existing_case_id=existing, decided_by=matched,
                                               flagged_at=now))
    return events


def close(case: IntakeCase | None, *, reason: ClosureReason, now: datetime) -> list[EventData]:
    """Decide the closure of an open case by an operator."""
    case = check_exists(case)
    if case.status is CaseStatus.CLOSED_AT_INTAKE:
        raise Conflict("the case is already closed / รายการนี้ปิดแล้ว")
    rule = RuleFired(rule_id=f"operator.close.{reason.value.replace('_', '-')}",
                     reason="Closed at intake by an operator / เจ้าหน้าที่ปิดรายการที่จุดรับแจ้ง")
    return [CaseClosedAtIntake(case_id=case.case_id, reason=reason, decided_by=rule, closed_at=now)]


def resolve_duplicate(
    case: IntakeCase | None, *, existing_case_id: str, confirmed: bool, now: datetime
) -> list[EventData]:
    """Decide a person's answer to a flagged duplicate."""
    case = check_exists(case)
    if existing_case_id not in case.flagged:
        raise NotFound("that case was not flagged as a duplicate / ไม่ได้ระบุว่ารายการนั้นซ้ำ")
    if existing_case_id in case.resolved:
        raise Conflict("this duplicate was already resolved / ได้พิจารณารายการซ้ำนี้แล้ว")
    return [DuplicateResolved(case_id=case.case_id, existing_case_id=existing_case_id, confirmed=confirmed,
                              resolved_at=now)]


def erase(case: IntakeCase | None, *, reason: ErasureReason, note: str | None, by_unit: str,
          now: datetime) -> list[EventData]:
    """Decide the erasure of a case's personal data (its key is destroyed with it)."""
    case = check_exists(case)
    if case.erased:
        raise Conflict("the case's personal data was already erased / ข้อมูลส่วนบุคคลของรายการนี้ถูกทำลายแล้ว")
    return [PersonalDataErased(case_id=case.case_id, reason=reason, note=note, by_unit=by_unit, erased_at=now)]


def check_exists(case: IntakeCase | None) -> IntakeCase:
    """Refuse a command about a case that does not exist."""
    if case is None:
        raise NotFound("no such case / ไม่พบรายการนี้")
    return case


def evolve(state: IntakeCase | None, event: EventData, version: int) -> IntakeCase | None:
    """Fold one event into the case."""
    if isinstance(event, ReportReceived):
        return IntakeCase(case_id=event.case_id, status=CaseStatus.OPEN, version=version)
    if state is None:
        return None
    state = replace(state, version=version)
    if isinstance(event, CaseTriaged):
        return replace(state, urgency=event.urgency)
    if isinstance(event, CaseClosedAtIntake):
        return replace(state, status=CaseStatus.CLOSED_AT_INTAKE)
    if isinstance(event, PossibleDuplicateFlagged):
        return replace(state, flagged=state.flagged | {event.existing_case_id})
    if isinstance(event, DuplicateResolved):
        return replace(state, resolved=state.resolved | {event.existing_case_id})
    if isinstance(event, PersonalDataErased):
        return replace(state, erased=True)
    return state
