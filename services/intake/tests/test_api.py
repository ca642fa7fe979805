"""Intake over HTTP, on a real database and broker."""

import httpx

from saphan_runtime.testing import running
from tests.helpers import report


async def test_a_reported_case_can_be_read_back(make_service) -> None:
    async with running(make_service("intake")) as url, httpx.AsyncClient(base_url=url) as client:
        created = await client.post("/cases", json=report(summary="เด็กถูกทำร้าย"))
        case = await client.get(created.headers["location"])
        missing = await client.get("/cases/no-such-case")
    assert created.status_code == 201
    assert case.status_code == 200
    assert case.json()["status"] == "reported" and case.json()["subdistrict_code"] == "100101"
    assert case.json()["received_at"] == "2026-11-21T03:00:00Z"
    assert missing.status_code == 404 and "ไม่พบ" in missing.json()["title"]
