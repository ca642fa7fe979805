"""Point in time: a case's state replayed by audit at several past moments equals what intake and referral showed
at those moments."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from contracts.access import Role
from saphan_runtime.testing import bearer, eventually
from services.intake.case_view import CASE_VIEW as INTAKE_VIEW
from tests.helpers import UsualCallers, report
from tests.system import saphan_up

pytestmark = pytest.mark.system
CHANGES = {"include_reads": "false"}  # the timeline's changes only: reading it is itself recorded


class Moments:
    """What the services showed of one case, and when."""

    def __init__(self, client: httpx.AsyncClient, urls: dict[str, str], case_id: str) -> None:
        self.client, self.urls, self.case_id = client, urls, case_id
        self.seen: list[tuple[datetime, dict[str, Any]]] = []

    async def settled(self, ledger_events: int) -> None:
        """Wait until audit holds `ledger_events` events of the case, then note what the services show now."""

        async def recorded() -> bool:
            audit = self.urls["audit"]
            response = await self.client.get(f"{audit}/cases/{self.case_id}/timeline", params=CHANGES)
            return response.status_code == 200 and len(response.json()["events"]) == ledger_events

        await eventually(recorded, within=30)
        intake = (await self.client.get(f"{self.urls['intake']}/cases/{self.case_id}")).json()
        status = await self.client.get(f"{self.urls['referral']}/cases/{self.case_id}/status")
        self.seen.append((datetime.now(UTC), {"intake": intake, "referral": status.json()}))
        await asyncio.sleep(0.05)  # the next change is strictly later than this moment

    async def replayed(self, **query: Any) -> httpx.Response:
        """Ask audit for the case's state at a moment or a sequence."""
        return await self.client.get(f"{self.urls['audit']}/cases/{self.case_id}/state", params=query)


def without_private_fields(intake: dict[str, Any]) -> dict[str, Any]:
    """Return intake's record with the fields that never leave intake emptied, as a replay shows them."""
    return {**intake, **dict.fromkeys(INTAKE_VIEW.private_fields)}


async def test_a_cases_state_at_past_moments_equals_what_the_services_showed(
    tmp_path, system_databases, system_broker
) -> None:
    with saphan_up(tmp_path / "var", system_databases, system_broker) as system:
        urls = system.urls
        async with httpx.AsyncClient(timeout=10, auth=UsualCallers(system.var_dir, urls)) as client:
            before = datetime.now(UTC)
            created = await client.post(f"{urls['intake']}/cases", json=report(0, client={
                "name": "เด็กหญิง ทดสอบ", "estimated_age_years": 9}))
            case = Moments(client, urls, created.json()["case_id"])
            await case.settled(ledger_events=7)  # received, reported, triaged, routed, three referrals requested

            lead = next(r for r in case.seen[0][1]["referral"]["referrals"] if r["role"] == "lead")
            lead_unit = bearer(system.var_dir, lead["to_unit"], Role.SHELTER_SOCIAL_WORKER)
            for action in ("receive", "accept"):
                moved = await client.post(f"{urls['referral']}/referrals/{lead['referral_id']}/{action}",
                                          json={}, headers=lead_unit)
                assert moved.status_code == 200, moved.text
            await case.settled(ledger_events=9)

            for work in ({"kind": "case_manager", "manager": "staff-0042"}, {"kind": "assessment", "risk_level": 3}):
                done = await client.post(f"{urls['referral']}/cases/{case.case_id}/work", json={"work": work},
                                         headers=lead_unit)
                assert done.status_code == 200, done.text
            await case.settled(ledger_events=11)

            for moment, shown in case.seen:
                state = await case.replayed(at=moment.isoformat())
                assert state.status_code == 200, state.text
                assert state.json()["views"] == {"intake": without_private_fields(shown["intake"]),
                                                 "referral": shown["referral"]}
            assert (await case.replayed(at=before.isoformat())).status_code == 404

            timeline = (await client.get(f"{urls['audit']}/cases/{case.case_id}/timeline", params=CHANGES)).json()
            triaged = next(e for e in timeline["events"] if e["type"] == "saphan.intake.case-triaged.v1")
            at_triage = (await case.replayed(sequence=triaged["sequence"])).json()
            assert at_triage["views"]["referral"] is None
            assert at_triage["views"]["intake"]["urgency"] == case.seen[0][1]["intake"]["urgency"]
            assert case.seen[0][1]["intake"]["client_name"] == "เด็กหญิง ทดสอบ"
