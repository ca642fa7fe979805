"""The console's session and gateway, in front of a real intake service: signing in keeps the token in an HttpOnly,
SameSite=Strict cookie; calls go on with it as a bearer and come back as the service answered (its 4xx included);
changes need the console's own header; outside development only a real issuer's tokens sign anyone in."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from saphan_runtime.broker import free_port
from saphan_runtime.service import Service
from saphan_runtime.testing import running, serving
from services.console.bootstrap import bootstrap
from services.console.settings import Settings


@asynccontextmanager
async def console(tmp_path: Path, **settings: object) -> AsyncIterator[httpx.AsyncClient]:
    """Serve the console on a free port; yield a client of it (which keeps cookies, as a browser does)."""
    app = bootstrap(Settings(port=free_port(), var_dir=tmp_path, **settings))  # type: ignore[arg-type]
    async with serving(app, app.state.settings.port) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


async def test_signing_in_keeps_the_token_in_a_cookie_the_page_cannot_read(tmp_path) -> None:
    async with console(tmp_path) as client:
        before = await client.get("/session")
        signed = await client.post("/session/development", json={"unit": "msdhs-10", "role": "social_worker"})
        after = await client.get("/session")
        await client.delete("/session")
        gone = await client.get("/session")
    assert before.status_code == 401
    assert signed.status_code == 200, signed.text
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert after.json()["unit_id"] == "msdhs-10" and after.json()["roles"] == ["social_worker"]
    assert "referral.inbox.read" in after.json()["actions"] and "audit.history.read" not in after.json()["actions"]
    assert gone.status_code == 401


async def test_bad_sign_ins_are_refused_naming_the_field(tmp_path) -> None:
    async with console(tmp_path) as client:
        unknown_role = await client.post("/session/development", json={"unit": "msdhs-10", "role": "king"})
        forged = await client.post("/session", json={"token": "eyJhbGciOiJFZERTQSJ9.e30.c2lnbmF0dXJl"})
    assert unknown_role.status_code == 422 and unknown_role.json()["errors"][0]["field"] == "body.role"
    assert forged.status_code == 401 and "set-cookie" not in forged.headers


async def test_outside_development_the_console_signs_no_token_itself(tmp_path, caller) -> None:
    with pytest.raises(SystemExit, match="AUTH_JWKS_URL"):
        bootstrap(Settings(var_dir=tmp_path, environment="production"))
    async with console(tmp_path, auth={"jwks_url": "http://127.0.0.1:1/jwks"}) as client:
        methods = (await client.get("/session/methods")).json()
        refused = await client.post("/session/development", json={"unit": "msdhs-10", "role": "social_worker"})
    assert methods == {"token": True, "development": False}
    assert refused.status_code == 404


async def test_calls_go_on_with_the_token_and_answers_come_back_as_they_were(
    make_service: Callable[..., Service], tmp_path, caller
) -> None:
    intake = make_service("intake")
    async with running(intake) as intake_url, console(tmp_path, intake_url=intake_url) as client:
        anonymous = await client.get("/api/intake/cases")
        await client.post("/session/development", json={"unit": "hotline-1300", "role": "hotline_operator"})
        listed = await client.get("/api/intake/cases", params={"page_size": 5})
        without_header = await client.post("/api/intake/cases/validation", json={})
        invalid = await client.post("/api/intake/cases/validation", json={"channel": "pigeon"},
                                    headers={"X-Saphan-Console": "1"})
        unknown = await client.get("/api/ledger/cases")
    assert anonymous.status_code == 401
    assert listed.status_code == 200 and listed.json()["total"] == 0
    assert without_header.status_code == 403
    assert invalid.status_code == 422 and invalid.headers["content-type"] == "application/problem+json"
    assert "body.channel" in [e["field"] for e in invalid.json()["errors"]]
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "path.service"


async def test_a_service_that_does_not_answer_is_a_503(tmp_path) -> None:
    async with console(tmp_path, audit_url=f"http://127.0.0.1:{free_port()}") as client:
        await client.post("/session/development", json={"unit": "oversight-1", "role": "auditor"})
        away = await client.get("/api/audit/checkpoints")
    assert away.status_code == 503 and away.headers["retry-after"] == "5"


async def test_the_page_and_its_fonts_are_served_under_a_strict_content_policy(tmp_path) -> None:
    async with console(tmp_path) as client:
        page = await client.get("/")
        script = await client.get("/static/js/app.js")
        font = await client.get("/static/fonts/sarabun-thai-400-normal.woff2")
    assert page.status_code == 200 and '<html lang="th">' in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe" not in policy
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert font.status_code == 200 and font.content[:4] == b"wOF2"


async def test_the_report_forms_pickers_and_dry_run_come_through_as_intake_answers_them(
    make_service: Callable[..., Service], tmp_path, caller
) -> None:
    intake = make_service("intake")
    async with running(intake) as intake_url, console(tmp_path, intake_url=intake_url) as client:
        await client.post("/session/development", json={"unit": "hotline-1300", "role": "hotline_operator"})
        provinces = await client.get("/api/intake/geography/provinces")
        districts = await client.get("/api/intake/geography/provinces/10/districts")
        unknown = await client.get("/api/intake/geography/districts/1099/subdistricts")
        checked = await client.post("/api/intake/cases/validation", headers={"X-Saphan-Console": "1"}, json={
            "channel": "hotline_1300", "received_at": "2026-11-21T10:00:00+07:00", "problem_types": [],
            "client": {"national_id": "1103702071812"}, "location": {"province_code": "10"}})
    assert provinces.status_code == 200 and provinces.json()["provinces"][0]["name_en"] == "Bangkok"
    assert "max-age" in provinces.headers["cache-control"]  # the list is kept by the browser a while
    assert {"code": "1001", "name_th": "เขตพระนคร", "name_en": "Phra Nakhon"} in districts.json()["districts"]
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["field"] == "path.district_code"
    assert checked.status_code == 422
    assert [(e["field"], e["type"]) for e in checked.json()["errors"]] == [
        ("body.problem_types", "too_short"), ("body.client.national_id", "domain")]
