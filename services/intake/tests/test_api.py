"""Intake over HTTP, on a real database and broker: reports, idempotent retries, optimistic edits, search."""

import asyncio
from typing import Any

import httpx
from sqlalchemy import Table, event
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.access import Role
from saphan_runtime import db, direct
from saphan_runtime.service import BEHIND_SECONDS
from saphan_runtime.testing import running
from tests.helpers import report

CHILD = {"name": "ด.ญ. มานี ใจดี", "national_id": "1-1037-02071-81-1", "birth_date": "2017-05-01", "sex": "female"}


def operator_client(url: str, caller) -> httpx.AsyncClient:
    """Return a client calling as an operator of the 1300 hotline."""
    return httpx.AsyncClient(base_url=url, headers=caller("hotline-1300", Role.HOTLINE_OPERATOR))


async def test_a_reported_case_can_be_read_back_with_its_version(make_service, caller) -> None:
    async with running(make_service("intake")) as url, operator_client(url, caller) as client:
        created = await client.post("/cases", json=report(client=CHILD, description="เด็กถูกทำร้าย"))
        case = await client.get(created.headers["location"])
        missing = await client.get("/cases/no-such-case")
    assert created.status_code == 201
    assert created.json()["urgency"] == "urgent" and created.json()["decided_by"][0]["rule_id"] == "urgent.child-harmed"
    assert case.status_code == 200 and case.headers["etag"] == created.headers["etag"] == '"3"'
    record = case.json()
    assert record["status"] == "open" and record["client_national_id"] == "1103702071811"
    assert record["received_at"] == "2026-11-21T03:00:00Z" and record["client_age_years"] == 9
    assert missing.status_code == 404 and "ไม่พบ" in missing.json()["title"]


async def test_a_retried_post_with_the_same_idempotency_key_returns_the_first_case(make_service, caller) -> None:
    async with running(make_service("intake")) as url, operator_client(url, caller) as client:
        key = {"Idempotency-Key": "hotline-call-0001"}
        first = await client.post("/cases", json=report(), headers=key)
        again = await client.post("/cases", json=report(), headers=key)
        together = await asyncio.gather(*(client.post("/cases", json=report(1), headers={"Idempotency-Key": "k2"})
                                          for _ in range(5)))
        other = await client.post("/cases", json=report(1), headers=key)
        total = (await client.get("/cases")).json()["total"]
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert {r.status_code for r in together} == {201} and len({r.json()["case_id"] for r in together}) == 1
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "header.idempotency-key"
    assert total == 2


async def test_an_edit_needs_the_current_version_and_a_stale_one_conflicts(make_service, caller) -> None:
    async with running(make_service("intake")) as url, operator_client(url, caller) as client:
        case_id = (await client.post("/cases", json=report())).json()["case_id"]
        etag = (await client.get(f"/cases/{case_id}")).headers["etag"]
        without = await client.post(f"/cases/{case_id}/closure", json={"reason": "prank"})
        closed = await client.post(f"/cases/{case_id}/closure", json={"reason": "prank"}, headers={"If-Match": etag})
        stale = await client.post(f"/cases/{case_id}/closure", json={"reason": "false_report"},
                                  headers={"If-Match": etag})
        again = await client.post(f"/cases/{case_id}/closure", json={"reason": "prank"},
                                  headers={"If-Match": closed.headers["etag"]})
        record = (await client.get(f"/cases/{case_id}")).json()
    assert without.status_code == 428
    assert closed.status_code == 200 and closed.headers["etag"] == '"4"'
    assert stale.status_code == 409 and "version 4" in stale.json()["detail"]
    assert again.status_code == 409
    assert record["status"] == "closed_at_intake" and record["closure_reason"] == "prank"


async def test_a_second_report_of_the_same_child_is_offered_as_a_link_and_can_be_confirmed(
    make_service, caller
) -> None:
    async with running(make_service("intake")) as url, operator_client(url, caller) as client:
        first = (await client.post("/cases", json=report(client=CHILD))).json()["case_id"]
        respelled = {**CHILD, "name": "มานี  ใจ ดี", "national_id": None}
        second = (await client.post("/cases", json=report(client=respelled))).json()
        case_id = second["case_id"]
        etag = (await client.get(f"/cases/{case_id}")).headers["etag"]
        confirmed = await client.post(f"/cases/{case_id}/duplicates/{first}", json={"confirmed": True},
                                      headers={"If-Match": etag})
        unknown = await client.post(f"/cases/{case_id}/duplicates/nope", json={"confirmed": True},
                                    headers={"If-Match": confirmed.headers["etag"]})
        record = (await client.get(f"/cases/{case_id}")).json()
    assert second["possible_duplicates"] == [{"case_id": first, "rule_id": "duplicate.name-birth-year-subdistrict"}]
    assert confirmed.status_code == 200 and unknown.status_code == 404
    assert [(link["existing_case_id"], link["status"]) for link in record["possible_duplicates"]] == [
        (first, "confirmed")]


async def test_cases_can_be_searched_by_id_name_area_category_urgency_and_date(make_service, caller) -> None:
    async with running(make_service("intake")) as url, operator_client(url, caller) as client:
        await client.post("/cases", json=report(client=CHILD))
        for n in range(1, 5):
            await client.post("/cases", json=report(n, problem_types=["begging"], received_at=f"2026-11-0{n}T10:00:00Z",
                                                    location={"province_code": "50", "district_code": "5001"}))

        async def found(**params: Any) -> list[str]:
            response = await client.get("/cases", params=params)
            assert response.status_code == 200, response.text
            return [item["province_code"] + ":" + item["problem_types"][0] for item in response.json()["items"]]

        assert await found(national_id="1103702071811") == ["10:domestic_violence"]
        assert await found(name="มานี ใจดี") == ["10:domestic_violence"]
        assert len(await found(province_code="50")) == 4
        assert len(await found(problem_type="begging", district_code="5001")) == 4
        assert await found(urgency="urgent") == ["10:domestic_violence"]
        assert len(await found(received_from="2026-11-02T00:00:00Z", received_to="2026-11-04T00:00:00Z")) == 2
        page = (await client.get("/cases", params={"page": 2, "page_size": 2})).json()
        bad = await client.get("/cases", params={"urgency": "whenever"})
    assert page["total"] == 5 and len(page["items"]) == 2 and page["page"] == 2
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.urgency"


async def test_a_new_report_writes_its_case_row_once(make_service, caller, monkeypatch) -> None:
    """The `cases` row of a new report is inserted once as its transaction commits, with what the report's later
    events (reported, triaged, duplicates) set, rather than inserted and then updated for each of them."""
    service = make_service("intake")
    statements: list[str] = []

    def note(conn: object, cursor: object, statement: str, *args: object) -> None:
        if " cases " in f"{statement} ".replace("\n", " ") and not statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement.split("(")[0].split(" SET ")[0].strip())

    inserting = direct.insert_rows

    async def insert_rows(session: AsyncSession, table: Table, rows: Any, **options: Any) -> None:
        if table.name == "cases" and session.bind.dialect.name == "sqlite":  # (the driver's: no SQLAlchemy events)
            statements.extend("INSERT INTO cases" for _ in rows)
        await inserting(session, table, rows, **options)

    monkeypatch.setattr(direct, "insert_rows", insert_rows)
    writer = db.writer_engine(service.engine) or service.engine.sync_engine  # (SQLite's writers: their own engine)
    async with running(service) as url, operator_client(url, caller) as client:
        event.listen(writer, "before_cursor_execute", note)
        try:
            created = await client.post("/cases", json=report(client=CHILD, description="เด็กถูกทำร้าย"))
        finally:
            event.remove(writer, "before_cursor_execute", note)
        case = (await client.get(created.headers["location"])).json()
    assert statements == ["INSERT INTO cases"]
    assert (case["version"], case["urgency"], case["status"]) == (3, "urgent", "open")


async def test_reports_are_refused_with_retry_after_while_the_relay_falls_behind(make_service, caller,
                                                                                   monkeypatch) -> None:
    """Past what the machine can publish, a report is turned away at once (503, Retry-After) rather than accepted
    into a backlog that only grows; reading goes on."""
    service = make_service("intake")
    async with running(service) as url, operator_client(url, caller) as client:
        created = await client.post("/cases", json=report())
        assert service.relay is not None
        monkeypatch.setattr(service.relay, "behind_seconds", lambda: BEHIND_SECONDS + 1)
        refused = await client.post("/cases", json=report(1))
        read = await client.get(created.headers["location"])
        monkeypatch.undo()
        again = await client.post("/cases", json=report(1))
    assert created.status_code == 201 and again.status_code == 201
    assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
    assert "behind" in refused.json()["detail"]
    assert read.status_code == 200
