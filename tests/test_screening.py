"""Screening over the wire: reports submitted over HTTP produce screening events on Kafka and in the audit
timeline, and the bytes on Kafka carry none of the personal data that went in."""

from typing import Any

import httpx

from contracts.topics import INTAKE_EVENTS
from saphan_runtime.testing import eventually, read_topic, running
from tests.helpers import UsualCallers, report

PERSONAL = {"name": "เด็กหญิงแพรวา รักดี", "national_id": "1103702071811", "birth_date": "2015-03-03"}
SECRETS = ["แพรวา", "รักดี", "1103702071811", "089-765-4321", "99/1 ซอยลับ", "ป้าข้างบ้าน", "ถูกขังไว้ในห้อง"]


def crisis(n: int) -> dict[str, Any]:
    return report(n, client={**PERSONAL, "sex": "female"}, immediate_danger=True,
                  informant={"name": "ป้าข้างบ้าน", "callback_phone": "089-765-4321"},
                  location={"province_code": "10", "district_code": "1001", "subdistrict_code": "100101",
                            "address": "99/1 ซอยลับ"}, description="ถูกขังไว้ในห้อง")


async def test_screening_events_reach_kafka_and_the_audit_timeline_without_personal_data(
    make_service, broker, tmp_path
) -> None:
    async with running(make_service("intake")) as intake, running(make_service("audit")) as audit, \
            httpx.AsyncClient(auth=UsualCallers(tmp_path, {"intake": intake, "audit": audit})) as client:
        first = (await client.post(f"{intake}/cases", json=crisis(0))).json()
        again = (await client.post(f"{intake}/cases", json=crisis(1))).json()
        info = (await client.post(f"{intake}/cases", json=report(2, request_kind="information_only"))).json()

        async def timeline(case_id: str, length: int) -> list[str] | None:
            response = await client.get(f"{audit}/cases/{case_id}/timeline", params={"include_reads": "false"})
            types = [e["type"].split(".")[2] for e in response.json()["events"]] if response.status_code == 200 else []
            return types if len(types) >= length else None

        assert await eventually(lambda: timeline(first["case_id"], 3)) == [
            "report-received", "case-reported", "case-triaged"]
        assert await eventually(lambda: timeline(again["case_id"], 4)) == [
            "report-received", "case-reported", "case-triaged", "possible-duplicate-flagged"]
        assert await eventually(lambda: timeline(info["case_id"], 3)) == [
            "report-received", "case-reported", "case-closed-at-intake"]
    assert first["urgency"] == "crisis" and first["decided_by"][0]["rule_id"] == "crisis.immediate-danger"
    assert again["possible_duplicates"] == [{"case_id": first["case_id"], "rule_id": "duplicate.same-national-id"}]
    assert info["status"] == "closed_at_intake" and info["closure_reason"] == "information_only"
    records = await read_topic(broker, INTAKE_EVENTS, at_least=10)
    assert len(records) == 10
    raw = b"".join(r.value for r in records).decode()
    assert not [secret for secret in SECRETS if secret in raw]
