"""Referral over HTTP and Kafka, on a real database and broker: routing to units, the closed loop, deadlines
that survive a restart, the registry, and status pushed as server-sent events."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from contracts.access import Role
from contracts.common import Location, ProblemType, Urgency
from contracts.topics import INTAKE_EVENTS
from saphan_runtime.testing import eventually, running
from services.referral.bootstrap import bootstrap
from tests.helpers import case_reported_event, case_triaged_event, publish

CHILD_IN_BANGKOK = {
    "problem_types": [ProblemType.DOMESTIC_VIOLENCE],
    "client_age_years": 8,
    "location": Location(province_code="10", district_code="1001", subdistrict_code="100101"),
}
FAST = {
    "crisis": {"receipt_seconds": 1, "acceptance_seconds": 2},
    "urgent": {"receipt_seconds": 1, "acceptance_seconds": 2},
    "normal": {"receipt_seconds": 1, "acceptance_seconds": 2},
}


def as_unit(caller: Any, unit: str, role: Role = Role.SOCIAL_WORKER) -> dict[str, str]:
    """Return the headers of a user of a unit (a social worker unless said otherwise)."""
    return caller(unit, role)


def supervisor_client(url: str, caller: Any) -> httpx.AsyncClient:
    """Return a client calling as a supervisor at the 1300 hotline, who reads cases and may override routing."""
    return httpx.AsyncClient(base_url=url, timeout=10, headers=caller("hotline-1300", Role.SUPERVISOR))


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def screened(broker: Any, case_id: str, urgency: Urgency = Urgency.URGENT, **facts: Any) -> None:
    """Publish a case's report and triage as intake would."""
    await publish(
        broker, INTAKE_EVENTS, case_reported_event(case_id, **(facts or CHILD_IN_BANGKOK)), key=case_id.encode()
    )
    await publish(broker, INTAKE_EVENTS, case_triaged_event(case_id, urgency), key=case_id.encode())


async def routed(client: httpx.AsyncClient, case_id: str) -> dict[str, Any]:
    async def status() -> dict[str, Any] | None:
        response = await client.get(f"/cases/{case_id}/status")
        return response.json() if response.status_code == 200 else None

    return await eventually(status)


async def test_a_screened_child_case_is_referred_to_the_units_serving_its_area(make_service, broker, caller) -> None:
    async with running(make_service("referral")) as url, supervisor_client(url, caller) as client:
        await screened(broker, "case-1")
        status = await routed(client, "case-1")
        routing = (await client.get("/cases/case-1/routing")).json()
        inbox = (await client.get("/agencies/shelter-10/inbox", headers=as_unit(caller, "shelter-10"))).json()
        sent = (await client.get("/agencies/hotline-1300/sent", headers=as_unit(caller, "hotline-1300"))).json()
    assert status["lead_unit"] == "shelter-10" and routing["needs_review"] is False
    assert {(r["to_unit"], r["role"], r["status"]) for r in status["referrals"]} == {
        ("shelter-10", "lead", "requested"),
        ("prosecutor-10", "welfare_protection_petition", "requested"),
        ("tambon-100101", "surveillance", "requested"),
    }
    assert [r["case_id"] for r in inbox["items"]] == ["case-1"] and sent["total"] == 3
    assert inbox["items"][0]["allowed_actions"] == ["receive", "accept", "reject", "cancel"]


async def test_an_adult_case_nobody_else_covers_goes_to_the_provincial_office_for_review(
    make_service, broker, caller
) -> None:
    async with running(make_service("referral")) as url, supervisor_client(url, caller) as client:
        await screened(
            broker,
            "case-2",
            problem_types=[ProblemType.BEGGING],
            client_age_years=50,
            location=Location(province_code="50"),
        )
        status = await routed(client, "case-2")
        routing = (await client.get("/cases/case-2/routing")).json()
    assert status["lead_unit"] == "msdhs-50" and routing["needs_review"] is True


async def test_the_sender_sees_every_step_and_illegal_moves_name_the_allowed_ones(make_service, broker, caller) -> None:
    async with running(make_service("referral")) as url, supervisor_client(url, caller) as client:
        await screened(broker, "case-3")
        status = await routed(client, "case-3")
        lead = next(r for r in status["referrals"] if r["role"] == "lead")
        path = f"/referrals/{lead['referral_id']}"
        early = await client.post(
            f"{path}/complete", headers=as_unit(caller, "shelter-10"), json={"outcome": "client_safe"}
        )
        stranger = await client.post(f"{path}/accept", headers=as_unit(caller, "shelter-50"), json={})
        no_reason = await client.post(f"{path}/reject", headers=as_unit(caller, "shelter-10"), json={})
        steps = [
            ("receive", {}),
            ("accept", {}),
            ("start", {}),
            ("hold", {"reason": "client_hospitalised"}),
            ("resume", {}),
            ("complete", {"outcome": "shelter_placement"}),
        ]
        for action, body in steps:
            moved = await client.post(f"{path}/{action}", headers=as_unit(caller, "shelter-10"), json={**body})
            assert moved.status_code == 200, moved.text
        stale = await client.post(
            f"{path}/cancel", json={"reason": "other"}, headers={**as_unit(caller, "hotline-1300"), "If-Match": '"2"'}
        )
        sent = (
            await client.get(
                "/agencies/hotline-1300/sent", params={"status": "completed"}, headers=as_unit(caller, "hotline-1300")
            )
        ).json()
    assert early.status_code == 409 and early.json()["allowed_actions"] == ["receive", "accept", "reject", "cancel"]
    assert stranger.status_code == 403
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "body.reason"
    assert stale.status_code == 409
    assert [(r["referral_id"], r["outcome"]) for r in sent["items"]] == [(lead["referral_id"], "shelter_placement")]


async def test_a_missed_deadline_is_flagged_and_escalated_by_the_controllable_clock(
    make_service, broker, caller
) -> None:
    clock = Clock()
    service = bootstrap(make_service("referral", deadline_check_seconds=0.1).settings, clock=clock)
    async with running(service) as url, supervisor_client(url, caller) as client:
        await screened(broker, "case-4", Urgency.CRISIS)
        await routed(client, "case-4")
        await asyncio.sleep(0.5)
        assert (await client.get("/agencies/msdhs-10/escalations", headers=as_unit(caller, "msdhs-10"))).json() == []
        clock.now += timedelta(minutes=16)  # crisis: receipt is due in 15 minutes

        async def escalated() -> list[Any] | None:
            return (
                await client.get("/agencies/msdhs-10/escalations", headers=as_unit(caller, "msdhs-10"))
            ).json() or None

        found = await eventually(escalated)
        overdue = (
            await client.get(
                "/agencies/shelter-10/inbox", params={"overdue": "true"}, headers=as_unit(caller, "shelter-10")
            )
        ).json()
    assert {(e["case_id"], e["deadline"]) for e in found} >= {("case-4", "receipt")}
    assert all(e["deadline"] == "receipt" for e in found)
    assert overdue["total"] >= 1


async def test_deadlines_survive_a_restart_of_the_service(make_service, broker, caller) -> None:
    first = make_service("referral", deadline_limits=FAST, deadline_check_seconds=0.2)
    async with running(first) as url, supervisor_client(url, caller) as client:
        await screened(broker, "case-5")
        await routed(client, "case-5")
    await asyncio.sleep(2.5)  # both deadlines pass while the service is down
    again = bootstrap(first.settings)
    async with running(again) as url, supervisor_client(url, caller) as client:

        async def both_escalated() -> list[Any] | None:
            found = (await client.get("/agencies/msdhs-10/escalations", headers=as_unit(caller, "msdhs-10"))).json()
            return found if len(found) == 6 else None  # 3 referrals x (receipt, acceptance)

        found = await eventually(both_escalated, within=15)
    assert {e["deadline"] for e in found} == {"receipt", "acceptance"}


async def test_an_administrator_changes_a_unit_with_its_version(make_service, caller) -> None:
    async with running(make_service("referral")) as url, supervisor_client(url, caller) as client:
        shelters = (await client.get("/agencies", params={"kind": "children_family_shelter"})).json()
        unit = (await client.get("/agencies/shelter-10")).json()
        changed = {**{k: v for k, v in unit.items() if k != "version"}, "beds": 45}
        admin = caller("msdhs-central", Role.ADMINISTRATOR, user="registry-admin")
        refused = await client.put("/agencies/shelter-10", json=changed, headers={"If-Match": '"1"'})
        ok = await client.put("/agencies/shelter-10", json=changed, headers={**admin, "If-Match": '"1"'})
        stale = await client.put(
            "/agencies/shelter-10", json={**changed, "beds": 50}, headers={**admin, "If-Match": '"1"'}
        )
        created = await client.put(
            "/agencies/tambon-500601",
            headers=admin,
            json={
                "unit_id": "tambon-500601",
                "kind": "tambon_coordination_centre",
                "name_th": "ศูนย์ฯ ตำบลสันมหาพน",
                "name_en": "Coordination Centre, San Maha Phon",
                "serves": {"subdistricts": ["500601"]},
            },
        )
        serving = (await client.get("/agencies", params={"area": "500601"})).json()
    assert len(shelters) == 77
    assert refused.status_code == 403 and "may not change the agency registry" in refused.json()["detail"]
    assert ok.status_code == 200 and ok.json()["beds"] == 45 and ok.headers["etag"] == '"2"'
    assert stale.status_code == 409
    assert created.status_code == 200 and [u["unit_id"] for u in serving] == ["tambon-500601"]


async def test_a_status_change_is_pushed_to_the_case_stream(make_service, broker, caller) -> None:
    async with running(make_service("referral")) as url, supervisor_client(url, caller) as client:
        await screened(broker, "case-6")
        status = await routed(client, "case-6")
        lead = next(r for r in status["referrals"] if r["role"] == "lead")
        async with client.stream("GET", "/cases/case-6/status/stream") as stream:
            lines = stream.aiter_lines()
            first = await _next_event(lines)
            await client.post(
                f"/referrals/{lead['referral_id']}/accept", headers=as_unit(caller, "shelter-10"), json={}
            )
            pushed = await asyncio.wait_for(_next_event(lines), timeout=5)
    assert {r["status"] for r in first["referrals"]} == {"requested"}
    assert {r["to_unit"]: r["status"] for r in pushed["referrals"]}["shelter-10"] == "accepted"


async def _next_event(lines: Any) -> Any:
    async for line in lines:
        if line.startswith("data: "):
            return json.loads(line.removeprefix("data: "))
    raise AssertionError("the stream ended")


async def test_the_lead_walks_the_case_through_its_steps_and_hands_it_over(make_service, broker, caller) -> None:
    async with running(make_service("referral")) as url, supervisor_client(url, caller) as client:
        await screened(broker, "case-7")
        await routed(client, "case-7")

        async def work(by_unit: str, **work: Any) -> httpx.Response:
            return await client.post("/cases/case-7/work", json={"work": work}, headers=as_unit(caller, by_unit))

        assert (await work("shelter-10", kind="case_manager", manager="staff-0042")).status_code == 200
        assert (await work("shelter-10", kind="assessment", risk_level=3)).json()["stage"] == "assessment"
        early = await work("shelter-10", kind="surveillance", ends_on="2030-01-01")
        wrong_unit = await work("prosecutor-10", kind="care_plan", goals=2, review_on="2027-01-01")
        planned = await work("shelter-10", kind="care_plan", goals=2, review_on="2027-01-01")
        asked = await work("shelter-10", kind="ownership_transfer", to_unit="msdhs-10", reason="the family moved")
        answered = await work("msdhs-10", kind="transfer_answer", accepted=True)
        bad = await work("msdhs-10", kind="teleport")
    assert early.status_code == 409 and early.json()["allowed_steps"] == ["assessment", "care_plan"]
    assert wrong_unit.status_code == 403
    assert planned.json()["stage"] == "care_planning" and planned.headers["etag"] == '"5"'
    assert asked.json()["pending_transfer"] == "msdhs-10"
    assert answered.json()["lead_unit"] == "msdhs-10" and answered.json()["manager"] is None
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].startswith("body.work")


async def test_an_operator_override_cancels_dropped_referrals_and_sends_new_ones(make_service, broker, caller) -> None:
    async with running(make_service("referral")) as url, supervisor_client(url, caller) as client:
        await screened(broker, "case-8")
        await routed(client, "case-8")
        override = {
            "reason": "the child is already in the provincial office's care",
            "assignments": [
                {"unit_id": "msdhs-10", "role": "lead"},
                {"unit_id": "prosecutor-10", "role": "welfare_protection_petition"},
            ],
        }
        overridden = await client.post("/cases/case-8/routing/override", json=override)
        unknown = await client.post(
            "/cases/case-8/routing/override",
            json={**override, "assignments": [{"unit_id": "nowhere-99", "role": "lead"}]},
        )
        no_lead = await client.post(
            "/cases/case-8/routing/override",
            json={**override, "assignments": [{"unit_id": "msdhs-10", "role": "support"}]},
        )
        status = (await client.get("/cases/case-8/status")).json()
    assert overridden.status_code == 200, overridden.text
    assert overridden.json()["rules_fired"][0]["rule_id"] == "operator.override"
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "body.assignments.0.unit_id"
    assert no_lead.status_code == 422
    states = {(r["to_unit"], r["status"], r["reason"]) for r in status["referrals"]}
    assert states == {
        ("shelter-10", "cancelled", "rerouted"),
        ("tambon-100101", "cancelled", "rerouted"),
        ("prosecutor-10", "requested", None),
        ("msdhs-10", "requested", None),
    }
    assert status["lead_unit"] == "msdhs-10"


async def test_a_new_referral_is_pushed_to_the_agency_inbox_stream(make_service, broker, caller) -> None:
    async with (
        running(make_service("referral")) as url,
        supervisor_client(url, caller) as client,
        client.stream(
            "GET", "/agencies/prosecutor-10/inbox/stream", headers=as_unit(caller, "prosecutor-10", Role.PROSECUTOR)
        ) as stream,
    ):
        lines = stream.aiter_lines()
        empty = await _next_event(lines)
        await screened(broker, "case-9")
        pushed = await asyncio.wait_for(_next_event(lines), timeout=15)
    assert empty["total"] == 0
    assert [(r["case_id"], r["role"], r["status"]) for r in pushed["items"]] == [
        ("case-9", "welfare_protection_petition", "requested")
    ]
