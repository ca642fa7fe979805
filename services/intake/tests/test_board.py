"""The live board: the day's cases the caller's unit is party to, newest first, counted by urgency, with no personal
data and no access event; and the same board pushed as server-sent events."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from contracts.access import Role
from saphan_runtime.service import Service
from saphan_runtime.testing import running
from services.intake.board import start_of_today
from tests.helpers import report

CHILD = {"name": "ด.ญ. มานี ใจดี", "national_id": "1-1037-02071-81-1", "estimated_age_years": 9, "sex": "female"}
INFORMANT = {"name": "นายสมชาย แจ้งเหตุ", "callback_phone": "0812345678"}
AREA = {"province_code": "10", "district_code": "1001", "subdistrict_code": "100101", "address": "99 ซอยลับ"}
PERSONAL = ("มานี", "1103702071811", "1-1037", "สมชาย", "0812345678", "ซอยลับ", "เด็กถูกทำร้าย")
ITEM_FIELDS = {"case_id", "received_at", "channel", "status", "urgency", "response", "triage_rule", "triage_reason",
               "closure_reason", "problem_types", "province_code", "province_name_th", "district_code",
               "district_name_th", "subdistrict_code", "subdistrict_name_th", "possible_duplicate"}


def as_unit(caller: Any, unit: str, role: Role = Role.HOTLINE_OPERATOR) -> dict[str, str]:
    """Return the Authorization header of a user of a unit."""
    return dict(caller(unit, role))


def at(moment: datetime) -> str:
    """Return a moment as a report's received_at."""
    return moment.isoformat()


async def reported(http: httpx.AsyncClient, headers: dict[str, str], **overrides: Any) -> str:
    """Report a case (by default a child, named, at a known address, by a named informant) and return its id."""
    body = report(**{"client": CHILD, "informant": INFORMANT, "location": AREA, "description": "เด็กถูกทำร้าย",
                     **overrides})
    created = await http.post("/cases", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return str(created.json()["case_id"])


async def access_events(service: Service) -> int:
    """Return how many access events the service has recorded."""
    async with service.read_sessions() as session:
        events = service.tables["events"]
        return int(await session.scalar(select(func.count()).select_from(events)
                                        .where(events.c.type.like("saphan.access.%"))) or 0)


async def test_the_board_lists_the_days_cases_of_the_unit_without_personal_data(make_service, caller) -> None:
    intake = make_service("intake")
    now, hotline, other = datetime.now(UTC), as_unit(caller, "hotline-1300"), as_unit(caller, "msdhs-50")
    async with running(intake) as url, httpx.AsyncClient(base_url=url) as client:
        yesterday = await reported(client, hotline, received_at=at(start_of_today(now) - timedelta(hours=1)))
        crisis = await reported(client, hotline, problem_types=["human_trafficking"], client={"name": "นางสาวมานี ดีงาม"},
                                received_at=at(now - timedelta(minutes=3)))
        again = await reported(client, hotline, received_at=at(now - timedelta(minutes=2)))  # the same child
        info = await reported(client, hotline, request_kind="information_only",
                              received_at=at(now - timedelta(minutes=1)))
        elsewhere = await reported(client, other, received_at=at(now))
        board = await client.get("/board", headers=hotline)
        longer = await client.get("/board", params={"since": at(start_of_today(now) - timedelta(hours=2))},
                                  headers=hotline)
        theirs = (await client.get("/board", headers=other)).json()
        naive = await client.get("/board", params={"since": "2026-11-30T00:00:00"}, headers=hotline)
        accessed = await access_events(intake)
    assert board.status_code == 200, board.text
    body = board.json()
    assert [item["case_id"] for item in body["items"]] == [info, again, crisis]  # newest first, not yesterday's
    assert body["counts"] == {"crisis": 1, "urgent": 1, "normal": 0} and body["total"] == 3
    assert body["since"] == at(start_of_today(now)) and body["since"].endswith("T00:00:00+07:00")
    items = {item["case_id"]: item for item in body["items"]}
    assert all(set(item) == ITEM_FIELDS for item in body["items"])
    assert not [word for word in PERSONAL if word in board.text]
    assert items[crisis]["triage_rule"] == "crisis.human-trafficking" and "rapid response" in items[crisis][
        "triage_reason"]
    assert (items[crisis]["province_name_th"], items[crisis]["district_name_th"],
            items[crisis]["subdistrict_name_th"]) == ("กรุงเทพมหานคร", "เขตพระนคร", "พระบรมมหาราชวัง")
    assert items[again]["possible_duplicate"] and not items[crisis]["possible_duplicate"]
    assert items[info]["status"] == "closed_at_intake" and items[info]["urgency"] is None
    assert items[info]["closure_reason"] == "information_only" and items[crisis]["status"] == "open"
    assert [item["case_id"] for item in longer.json()["items"]] == [info, again, crisis, yesterday]
    assert longer.json()["counts"]["urgent"] == 2 and longer.json()["total"] == 4
    assert [item["case_id"] for item in theirs["items"]] == [elsewhere]
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "query.since"
    assert accessed == 0


async def test_only_roles_that_read_cases_may_see_the_board(make_service, caller) -> None:
    async with running(make_service("intake")) as url, httpx.AsyncClient(base_url=url) as client:
        answers = {role: (await client.get("/board", headers=as_unit(caller, "unit-1", role))).status_code
                   for role in Role}
        stream = await client.get("/board/stream", headers=as_unit(caller, "unit-1", Role.AUDITOR))
    denied = {Role.AUDITOR, Role.ADMINISTRATOR, Role.AGENCY_SYSTEM}
    assert answers == {role: 403 if role in denied else 200 for role in Role}
    assert stream.status_code == 403 and "may not read the live board" in stream.json()["detail"]


async def test_the_board_stream_pushes_a_new_board_after_a_new_report(make_service, caller) -> None:
    hotline = as_unit(caller, "hotline-1300")
    async with running(make_service("intake")) as url, httpx.AsyncClient(base_url=url, headers=hotline) as client:
        first_case = await reported(client, hotline, received_at=at(datetime.now(UTC)))
        async with client.stream("GET", "/board/stream") as stream:
            lines = stream.aiter_lines()
            first = await asyncio.wait_for(next_board(lines), timeout=10)
            new_case = await reported(client, hotline, problem_types=["begging"], client={"estimated_age_years": 40},
                                      received_at=at(datetime.now(UTC)))
            pushed = await asyncio.wait_for(next_board(lines), timeout=10)
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert [item["case_id"] for item in first["items"]] == [first_case]
    assert [item["case_id"] for item in pushed["items"]] == [new_case, first_case]
    assert pushed["counts"] == {"crisis": 0, "urgent": 1, "normal": 1}


async def next_board(lines: Any) -> Any:
    """Return the data of the next server-sent event, which must be named "board" (keep-alives are skipped)."""
    name = None
    async for line in lines:
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            assert name == "board", name
            return json.loads(line.removeprefix("data: "))
    raise AssertionError("the stream ended")
