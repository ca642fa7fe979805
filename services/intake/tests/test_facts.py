"""The facts of a report that cannot be true, checked all at once for the dry run: on a report the schema accepts,
and on the parts it accepts of one it refuses (an ID number's check digit even while the age is out of range)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contracts.intake import IntakeReport
from saphan_runtime.errors import DomainError
from services.intake.facts import check_report, faults_of_body

NOW = datetime(2026, 11, 20, 5, tzinfo=UTC)
BAD_ID, GOOD_ID = "1103702071812", "1103702071811"
FUTURE = (NOW + timedelta(days=1)).isoformat()
ELSEWHERE = {"province_code": "10", "district_code": "5001"}


def body(**changes: Any) -> dict[str, Any]:
    """Return a good report's body with some parts changed."""
    values: dict[str, Any] = {
        "channel": "hotline_1300", "received_at": (NOW - timedelta(minutes=3)).isoformat(),
        "client": {"name": "ด.ญ. มานี ใจดี", "national_id": GOOD_ID, "birth_date": "2017-05-01"},
        "location": {"province_code": "50", "district_code": "5001", "subdistrict_code": "500101"},
        "problem_types": ["child_abuse_or_neglect"],
    }
    return {**values, **changes}


def fields(faults: list[DomainError]) -> list[str | None]:
    return [fault.field for fault in faults]


def test_a_good_report_has_no_fault() -> None:
    assert faults_of_body(body(), NOW) == ([], [])


def test_every_fact_at_fault_is_named_at_once_in_the_order_a_real_report_meets_them() -> None:
    schema, faults = faults_of_body(body(received_at=FUTURE, client={"national_id": BAD_ID}, location=ELSEWHERE,
                                         guardians=[{"national_id": GOOD_ID}, {"national_id": BAD_ID}]), NOW)
    assert schema == []
    assert fields(faults) == ["body.received_at", "body.client.national_id", "body.guardians.1.national_id",
                              "body.location.district_code"]
    assert " / " in str(faults[1])  # English and Thai


def test_a_real_report_is_refused_for_the_first_of_its_faults() -> None:
    report = IntakeReport.model_validate(body(client={"national_id": BAD_ID}, location=ELSEWHERE))
    with pytest.raises(DomainError) as refused:
        check_report(report, NOW)
    assert refused.value.field == "body.client.national_id"


def test_the_parts_the_schema_accepts_are_checked_beside_what_it_refuses() -> None:
    schema, faults = faults_of_body(body(client={"national_id": BAD_ID, "estimated_age_years": 200},
                                         problem_types=[]), NOW)
    assert [error["loc"] for error in schema] == [("client", "estimated_age_years"), ("problem_types",)]
    assert fields(faults) == ["body.client.national_id"]


def test_a_refused_person_keeps_the_others_in_their_places() -> None:
    _, faults = faults_of_body(body(household_members=["not a person", {"national_id": BAD_ID, "age_years": -1},
                                                       {"national_id": BAD_ID}]), NOW)
    assert fields(faults) == ["body.household_members.1.national_id", "body.household_members.2.national_id"]


@pytest.mark.parametrize(("changes", "expected"), [
    pytest.param({"received_at": "yesterday", "client": {"birth_date": "2099-01-01"}}, [],
                 id="a birth date is not compared with a refused received_at"),
    pytest.param({"received_at": "2026-11-20T10:00:00", "location": {"province_code": "99"}},
                 ["body.location.province_code"], id="a received_at without a time zone"),
    pytest.param({"location": {"province_code": "1", "district_code": "5001"}}, [],
                 id="areas are not checked when a code is malformed"),
    pytest.param({"client": "nobody", "guardians": {"national_id": BAD_ID}}, [], id="parts of the wrong shape"),
])
def test_a_fact_that_depends_on_a_refused_part_is_not_checked(changes: dict[str, Any],
                                                              expected: list[str]) -> None:
    schema, faults = faults_of_body(body(**changes), NOW)
    assert schema and fields(faults) == expected


@pytest.mark.parametrize("whole", [[1, 2], "report", None])
def test_a_body_that_is_not_an_object_has_only_its_schema_error(whole: Any) -> None:
    schema, faults = faults_of_body(whole, NOW)
    assert [error["loc"] for error in schema] == [()] and faults == []
