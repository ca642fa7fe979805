"""Reads are in the legal trail: each read of a case's data through any service reaches the audit ledger as an
access event naming who read it, for which unit and action, and why."""

from urllib.parse import quote

import httpx

from contracts.access import Role
from saphan_runtime.testing import bearer, eventually, running
from tests.helpers import UsualCallers, report

ACCESS = "saphan.access.case-data-accessed.v1"


async def test_a_read_of_case_data_reaches_the_audit_ledger_as_an_access_event(make_service, tmp_path) -> None:
    intake, audit = make_service("intake"), make_service("audit")
    async with running(intake) as intake_url, running(audit) as audit_url, \
            httpx.AsyncClient(auth=UsualCallers(tmp_path, {"intake": intake_url, "audit": audit_url})) as client:
        case_id = (await client.post(f"{intake_url}/cases", json=report())).json()["case_id"]
        purpose = "home visit planning / วางแผนเยี่ยมบ้าน"
        why = {"X-Saphan-Purpose": quote(purpose)}
        read = await client.get(f"{intake_url}/cases/{case_id}", headers=why)
        missing = await client.get(f"{intake_url}/cases/no-such-case")
        refused = await client.get(f"{intake_url}/cases/{case_id}", headers=bearer(tmp_path, "x-1", Role.AUDITOR))

        async def reads() -> list[dict] | None:
            response = await client.get(f"{audit_url}/cases/{case_id}/timeline")
            if response.status_code != 200:
                return None
            events = response.json()["events"]
            by_intake = [e for e in events if e["type"] == ACCESS and e["source"] == "/saphan/intake"]
            return [e["event"]["data"] for e in by_intake] or None

        found = await eventually(reads)
    assert read.status_code == 200 and missing.status_code == 404 and refused.status_code == 403
    assert len(found) == 1  # the refused and the missing reads showed nothing, so recorded nothing
    assert {k: found[0][k] for k in ("case_id", "service", "action", "user", "unit_id", "roles", "purpose")} == {
        "case_id": case_id, "service": "intake", "action": "intake.case.read", "user": "tester",
        "unit_id": "hotline-1300", "roles": ["hotline_operator"], "purpose": purpose}
    assert found[0]["resource"] == f"/cases/{case_id}"
