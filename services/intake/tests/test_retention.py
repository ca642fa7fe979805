"""The retention policy: a case received longer ago than the retention period has its personal data erased (its
key destroyed) by the policy itself; a newer case keeps it."""

from datetime import UTC, datetime, timedelta

import httpx

from contracts.access import Role
from saphan_runtime.testing import eventually, running
from tests.helpers import report

CLIENT = {"name": "ด.ญ. มานี ใจดี", "estimated_age_years": 9}


async def test_cases_past_retention_lose_their_personal_data_and_newer_ones_keep_it(make_service, caller) -> None:
    intake = make_service("intake", retention_days=1, retention_check_seconds=0.2)
    now = datetime.now(UTC)
    async with running(intake) as url, httpx.AsyncClient(
            base_url=url, headers=caller("hotline-1300", Role.HOTLINE_OPERATOR)) as client:
        old = await client.post("/cases", json=report(client=CLIENT, received_at=(now - timedelta(days=2)).isoformat()))
        new = await client.post("/cases", json=report(client=CLIENT, received_at=now.isoformat()))

        async def erased() -> dict | None:
            case = (await client.get(f"/cases/{old.json()['case_id']}")).json()
            return case if case["personal_data_erased_at"] else None

        old_case = await eventually(erased)
        new_case = (await client.get(f"/cases/{new.json()['case_id']}")).json()
    assert old_case["client_name"] is None and old_case["version"] == 4  # received, reported, triaged, erased
    assert new_case["client_name"] == "ด.ญ. มานี ใจดี" and new_case["personal_data_erased_at"] is None
