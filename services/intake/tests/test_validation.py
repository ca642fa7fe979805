"""A dry run of a report (validation as the operator types): the checks of `POST /cases`, the same answers when a
field is at fault, and nothing stored."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from contracts.access import Role
from saphan_runtime.service import Service
from saphan_runtime.testing import running
from tests.helpers import report

CHILD = {"name": "ด.ญ. มานี ใจดี", "national_id": "1-1037-02071-81-1", "birth_date": "2017-05-01", "sex": "female"}
WITHOUT_CHANNEL = {key: value for key, value in report().items() if key != "channel"}
# Each report at fault, and the field its first error names.
FAULTY: list[tuple[dict[str, Any], str]] = [
    (report(location={"province_code": "10", "district_code": "1001", "subdistrict_code": "109999"}),
     "body.location.subdistrict_code"),
    (report(location={"province_code": "10", "district_code": "5001"}), "body.location.district_code"),
    (report(location={"province_code": "99"}), "body.location.province_code"),
    (WITHOUT_CHANNEL, "body.channel"),
    (report(client={**CHILD, "national_id": "1103702071812"}), "body.client.national_id"),
    (report(received_at=(datetime.now(UTC) + timedelta(days=1)).isoformat()), "body.received_at"),
]


def operator_client(url: str, caller: Any) -> httpx.AsyncClient:
    """Return a client calling as an operator of the 1300 hotline."""
    return httpx.AsyncClient(base_url=url, headers=caller("hotline-1300", Role.HOTLINE_OPERATOR))


async def rows_in(service: Service) -> dict[str, int]:
    """Return how many rows each of the service's tables holds."""
    async with service.read_sessions() as session:
        return {name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
                for name, table in service.tables.items()}


async def test_a_good_report_is_valid_and_nothing_is_stored(make_service, caller) -> None:
    intake = make_service("intake")
    async with running(intake) as url, operator_client(url, caller) as client:
        checked = await client.post("/cases/validation", json=report(client=CHILD, informant={"name": "ครูสมศรี"}))
        after_check = await rows_in(intake)
        await client.post("/cases", json=report(client=CHILD))
        after_report = await rows_in(intake)
    assert checked.status_code == 200 and checked.json() == {"valid": True}
    assert not any(after_check.values()), after_check  # no case, no key, no event (the outbox), no access event
    assert after_report["events"] == 3 and after_report["cases"] == 1  # the same count sees a real report


async def test_a_faulty_report_is_refused_naming_the_field_as_a_real_report_would_be(make_service, caller) -> None:
    intake = make_service("intake")
    async with running(intake) as url, operator_client(url, caller) as client:
        answers = [(await client.post("/cases/validation", json=body), await client.post("/cases", json=body), field)
                   for body, field in FAULTY]
        stored = await rows_in(intake)
    for checked, submitted, field in answers:
        assert checked.status_code == 422 and checked.headers["content-type"] == "application/problem+json"
        assert checked.json()["errors"][0]["field"] == field, checked.text
        assert checked.json() == submitted.json()
    assert " / " in answers[0][0].json()["errors"][0]["message"]  # English and Thai
    assert answers[3][0].json()["errors"][0]["type"] == "missing"
    assert not any(stored.values())


async def test_only_a_role_that_may_report_may_validate(make_service, caller) -> None:
    async with running(make_service("intake")) as url, httpx.AsyncClient(base_url=url) as client:
        answers = {role: await client.post("/cases/validation", json=report(), headers=caller("unit-1", role))
                   for role in (Role.AUDITOR, Role.ADMINISTRATOR, Role.AGENCY_SYSTEM)}
        anonymous = await client.post("/cases/validation", json=report())
    assert answers[Role.AUDITOR].status_code == answers[Role.ADMINISTRATOR].status_code == 403
    assert "may not report a case" in answers[Role.AUDITOR].json()["detail"]
    assert answers[Role.AGENCY_SYSTEM].status_code == 200
    assert anonymous.status_code == 401


async def test_schema_errors_and_facts_at_fault_come_back_together_each_naming_its_field(make_service, caller) -> None:
    body = report(client={**CHILD, "national_id": "1103702071812", "estimated_age_years": 200},
                  location={"province_code": "10", "district_code": "5001"},
                  guardians=[{"relationship_to_client": "mother", "national_id": "1103702071812"}], problem_types=[])
    async with running(make_service("intake")) as url, operator_client(url, caller) as client:
        checked = await client.post("/cases/validation", json=body)
        submitted = await client.post("/cases", json=body)
    assert checked.status_code == 422 and checked.headers["content-type"] == "application/problem+json"
    errors = {e["field"]: e for e in checked.json()["errors"]}
    assert list(errors) == ["body.client.estimated_age_years", "body.problem_types", "body.client.national_id",
                            "body.guardians.0.national_id", "body.location.district_code"]
    assert [e["type"] for e in errors.values()].count("domain") == 3
    assert all(e["message_en"] and e["message_th"] for e in errors.values())
    assert checked.json()["detail"] == f"invalid fields: {', '.join(errors)}"
    assert [e["field"] for e in submitted.json()["errors"]] == list(errors)[:2]  # a real report stops at the schema
