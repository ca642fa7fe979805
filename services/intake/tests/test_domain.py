"""Intake's rules, in plain Python: what a report records, how it is screened, and what is refused."""

import json
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import pytest

from contracts.common import ClosureReason, DutyShift, Response, Urgency
from contracts.intake import (
    CaseClosedAtIntake,
    CaseReported,
    CaseTriaged,
    IntakeReport,
    PossibleDuplicateFlagged,
    ReportReceived,
)
from saphan_runtime import sealing
from saphan_runtime.errors import Conflict, DomainError, NotFound
from services.intake import domain, duplicates, triage

NOW = datetime(2026, 11, 20, 5, tzinfo=UTC)  # a Friday, 12:00 in Bangkok
VALID_ID, OTHER_VALID_ID = "1103702071811", "3500100123457"


def report(**changes: Any) -> IntakeReport:
    values: dict[str, Any] = {
        "channel": "hotline_1300", "received_at": NOW - timedelta(minutes=3),
        "informant": {"name": "ป้าสมศรี", "callback_phone": "081-234-5678", "relationship_to_client": "neighbour"},
        "client": {"name": "ด.ญ. มานี ใจดี", "national_id": VALID_ID, "birth_date": "2017-05-01", "sex": "female"},
        "alleged_perpetrators": [{"name": "นายสมชาย ใจร้าย", "relationship_to_client": "step_parent"}],
        "location": {"province_code": "50", "district_code": "5001", "subdistrict_code": "500101",
                     "address": "12 หมู่ 3"},
        "problem_types": ["child_abuse_or_neglect"], "description": "เด็กถูกตีทุกวัน",
    }
    return IntakeReport.model_validate({**values, **changes})


KEY = bytes(range(32))


def decide(r: IntakeReport, prior: list[duplicates.PriorCase] | None = None) -> list[Any]:
    return domain.report(r, case_id="c-1", now=NOW, prior=prior or [], seal=partial(sealing.seal, KEY, "c-1"))


def test_a_report_is_received_reported_and_triaged() -> None:
    received, reported, triaged = decide(report())
    assert isinstance(received, ReportReceived)
    opened = IntakeReport.model_validate_json(sealing.open_sealed(KEY, "c-1", received.report))
    assert opened == report() and opened.client.name == "ด.ญ. มานี ใจดี"
    assert isinstance(reported, CaseReported) and reported.client_age_years == 9
    assert isinstance(triaged, CaseTriaged) and triaged.urgency is Urgency.URGENT
    assert triaged.decided_by.rule_id == "urgent.child-harmed" and triaged.response is Response.FIELD_VISIT


def test_the_published_events_carry_no_readable_personal_data() -> None:
    for event in decide(report()):
        text = json.dumps(event.model_dump(mode="json"), ensure_ascii=False)
        for secret in ("มานี", "ใจร้าย", VALID_ID, "081-234-5678", "12 หมู่ 3", "ตีทุกวัน", "สมศรี", "2017-05-01"):
            assert secret not in text, (type(event).__name__, secret)


@pytest.mark.parametrize(("changes", "urgency", "rule"), [
    ({"immediate_danger": True, "problem_types": ["household_poverty"]}, Urgency.CRISIS, "crisis.immediate-danger"),
    ({"problem_types": ["sexual_abuse"]}, Urgency.CRISIS, "crisis.child-sexual-abuse"),
    ({"problem_types": ["human_trafficking"], "client": {"estimated_age_years": 30}}, Urgency.CRISIS,
     "crisis.human-trafficking"),
    ({"problem_types": ["psychiatric_crisis"], "client": {}}, Urgency.CRISIS, "crisis.psychiatric-crisis"),
    ({"problem_types": ["domestic_violence"], "client": {"estimated_age_years": 40}}, Urgency.URGENT,
     "urgent.violence"),
    ({"problem_types": ["sexual_abuse"], "client": {}}, Urgency.URGENT, "urgent.violence"),
    ({"problem_types": ["abandoned_dependent_person"], "client": {"estimated_age_years": 80}}, Urgency.URGENT,
     "urgent.abandoned-dependent"),
    ({"problem_types": ["unplanned_pregnancy"], "client": {"estimated_age_years": 15}}, Urgency.URGENT,
     "urgent.child-harmed"),
    ({"problem_types": ["unplanned_pregnancy"], "client": {"estimated_age_years": 25}}, Urgency.NORMAL,
     "normal.default"),
    ({"problem_types": ["begging", "household_poverty"], "client": {"estimated_age_years": 60}}, Urgency.NORMAL,
     "normal.default"),
])
def test_triage_names_the_rule_that_decided(changes: dict[str, Any], urgency: Urgency, rule: str) -> None:
    triaged = decide(report(**changes))[2]
    assert (triaged.urgency, triaged.decided_by.rule_id) == (urgency, rule)
    assert " / " in triaged.decided_by.reason


@pytest.mark.parametrize("kind", ["information_only", "counselling_only"])
def test_information_or_counselling_only_calls_are_closed_at_intake(kind: str) -> None:
    events = decide(report(request_kind=kind))
    assert [type(e) for e in events] == [ReportReceived, CaseReported, CaseClosedAtIntake]
    assert events[2].reason is ClosureReason(kind)


@pytest.mark.parametrize(("received", "shift"), [
    (datetime(2026, 11, 20, 2, 0, tzinfo=UTC), DutyShift.OFFICE_HOURS),   # Friday 09:00 in Bangkok
    (datetime(2026, 11, 20, 13, 0, tzinfo=UTC), DutyShift.AFTER_HOURS),   # Friday 20:00
    (datetime(2026, 11, 21, 3, 0, tzinfo=UTC), DutyShift.AFTER_HOURS),    # Saturday 10:00
])
def test_the_duty_shift_follows_bangkok_office_hours(received: datetime, shift: DutyShift) -> None:
    assert triage.duty_shift_of(received) is shift
    reported = domain.report(report(received_at=received), case_id="c", now=received, prior=[],
                             seal=partial(sealing.seal, KEY, "c"))[1]
    assert isinstance(reported, CaseReported) and reported.duty_shift is shift


@pytest.mark.parametrize(("changes", "field"), [
    ({"received_at": NOW + timedelta(hours=1)}, "body.received_at"),
    ({"client": {"birth_date": "2027-01-01"}}, "body.client.birth_date"),
    ({"client": {"national_id": "1103702071812"}}, "body.client.national_id"),
    ({"alleged_perpetrators": [{"national_id": "3500100123450"}]}, "body.alleged_perpetrators.0.national_id"),
    ({"location": {"province_code": "99"}}, "body.location.province_code"),
    ({"location": {"province_code": "50", "district_code": "1001"}}, "body.location.district_code"),
    ({"location": {"province_code": "50", "district_code": "5002", "subdistrict_code": "500101"}},
     "body.location.subdistrict_code"),
    ({"location": {"province_code": "10", "district_code": "1001", "subdistrict_code": "100199"}},
     "body.location.subdistrict_code"),
])
def test_a_report_that_cannot_be_true_is_refused_naming_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(DomainError) as refused:
        decide(report(**changes))
    assert refused.value.field == field and " / " in str(refused.value)


def prior_case(case_id: str, **person: Any) -> duplicates.PriorCase:
    values = {"national_id": None, "name": "มานี ใจดี", "birth_year": 2017, "birth_year_estimated": False,
              "subdistrict_code": "500101", "received_at": NOW - timedelta(days=10)}
    return duplicates.PriorCase(case_id, duplicates.Person(**{**values, **person}))


def test_the_same_national_id_is_flagged_as_a_possible_duplicate_whenever_it_was_reported() -> None:
    events = decide(report(), [prior_case("old", national_id=VALID_ID, name="x", subdistrict_code="100101",
                                          received_at=NOW - timedelta(days=900))])
    [flag] = [e for e in events if isinstance(e, PossibleDuplicateFlagged)]
    assert flag.existing_case_id == "old" and flag.decided_by.rule_id == "duplicate.same-national-id"


@pytest.mark.parametrize("name", ["มานี ใจดี", "มานี  ใจ ดี", "เด็กหญิงมานี ใจดี"])
def test_a_close_name_with_the_same_birth_year_and_subdistrict_is_flagged(name: str) -> None:
    events = decide(report(client={"name": name, "birth_date": "2017-02-02"}), [prior_case("old")])
    assert [e.existing_case_id for e in events if isinstance(e, PossibleDuplicateFlagged)] == ["old"]


@pytest.mark.parametrize("person", [
    {"name": "มานะ ใจดี"}, {"birth_year": 2015}, {"subdistrict_code": "500102"},
    {"received_at": NOW - timedelta(days=200)},
])
def test_a_different_person_place_or_time_is_not_flagged(person: dict[str, Any]) -> None:
    r = report(client={"name": "มานี ใจดี", "birth_date": "2017-02-02"})
    assert not [e for e in decide(r, [prior_case("old", **person)]) if isinstance(e, PossibleDuplicateFlagged)]


def test_an_estimated_age_matches_a_birth_year_one_off() -> None:
    r = report(client={"name": "มานี ใจดี", "estimated_age_years": 10})  # born 2016 by estimate
    assert [e for e in decide(r, [prior_case("old")]) if isinstance(e, PossibleDuplicateFlagged)]


def folded(events: list[Any]) -> domain.IntakeCase:
    case = None
    for version, event in enumerate(events, start=1):
        case = domain.evolve(case, event, version)
    assert case is not None
    return case


def test_an_operator_closes_an_open_case_once() -> None:
    case = folded(decide(report()))
    [closed] = domain.close(case, reason=ClosureReason.PRANK, now=NOW)
    assert isinstance(closed, CaseClosedAtIntake) and closed.decided_by.rule_id == "operator.close.prank"
    with pytest.raises(Conflict):
        domain.close(folded([*decide(report()), closed]), reason=ClosureReason.PRANK, now=NOW)
    with pytest.raises(NotFound):
        domain.close(None, reason=ClosureReason.PRANK, now=NOW)


def test_a_flagged_duplicate_is_resolved_once_and_only_a_flagged_one() -> None:
    events = decide(report(), [prior_case("old", national_id=VALID_ID)])
    case = folded(events)
    assert case.flagged == {"old"} and case.version == 4
    [resolved] = domain.resolve_duplicate(case, existing_case_id="old", confirmed=True, now=NOW)
    with pytest.raises(Conflict):
        domain.resolve_duplicate(folded([*events, resolved]), existing_case_id="old", confirmed=False, now=NOW)
    with pytest.raises(NotFound):
        domain.resolve_duplicate(case, existing_case_id="other", confirmed=True, now=NOW)


def test_age_is_counted_in_whole_years_at_the_report() -> None:
    client = report(client={"birth_date": date(2017, 11, 21)}).client
    assert duplicates.age_at(client, NOW) == 8
    assert duplicates.age_at(client, NOW + timedelta(days=1)) == 9
    assert OTHER_VALID_ID != VALID_ID
