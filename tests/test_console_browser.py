"""The console in a real headless Chromium (Debian's, driven by Playwright), against `saphan up`: an operator submits
a report from the keyboard and sees it on the board; the agency it was routed to finds it in its inbox and accepts
it; the case page, open meanwhile, updates live; an auditor replays the case and verifies its proofs. Screenshots are
kept under artifacts/console/."""

import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect, sync_playwright

from contracts.access import Role
from saphan_runtime.testing import BrokerUnderTest, bearer
from tests.system import saphan_up

pytestmark = pytest.mark.system

CHROMIUM = os.environ.get("SAPHAN_CHROMIUM", "/usr/bin/chromium")
# As the machine's notes say: without these flags Chromium reaches for Google's hosts, which a closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "console"
STATEMENT = "%PDF-1.7\nบันทึกถ้อยคำ\n%%EOF\n".encode()


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Start Debian's Chromium through Playwright (no browser download: its executable path is given)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("SAPHAN_REQUIRE_BROWSER"):
            pytest.fail(f"no Chromium at {CHROMIUM} (make test installs Debian's chromium package)")
        pytest.skip(f"no Chromium at {CHROMIUM}; `apt-get install chromium` or set SAPHAN_CHROMIUM")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def signed_in(browser: Browser, url: str, unit: str, role: str, errors: list[str]) -> Page:
    """Open the console in a browser context of its own and sign in (development sign-in) as a unit and role; the
    page's script errors go to `errors`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH", timezone_id="Asia/Bangkok")
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(f"{unit}: {error}"))
    page.goto(url)
    page.get_by_test_id("unit").fill(unit)
    page.get_by_test_id("role").select_option(role)
    page.get_by_test_id("sign-in").click()
    page.locator("nav a").first.wait_for()
    return page


def routed_lead(referral: str, var_dir: Path, case_id: str) -> str:
    """Return the unit referral made the case's lead (routing rules are data; the test does not guess them)."""
    headers = bearer(var_dir, "hotline-1300", Role.HOTLINE_OPERATOR)
    for _ in range(300):
        answer = httpx.get(f"{referral}/cases/{case_id}/status", headers=headers, timeout=5)
        if answer.status_code == 200:
            return str(answer.json()["lead_unit"])
        time.sleep(0.1)
    raise AssertionError(f"case {case_id} was not routed")


def test_report_board_inbox_live_case_page_and_replay_in_a_real_browser(
    tmp_path: Path, system_databases: dict[str, str], system_broker: BrokerUnderTest | None, browser: Browser,
    backend: str,
) -> None:
    errors: list[str] = []
    shots = ARTIFACTS / backend
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    with saphan_up(tmp_path / "var", system_databases, system_broker) as system:
        console = system.urls["console"]
        operator = signed_in(browser, console, "hotline-1300", "hotline_operator", errors)
        form = operator.locator("#intake-form")
        expect(operator.get_by_test_id("nav-inbox")).to_have_count(0)  # the menu follows the role
        expect(operator.get_by_test_id("nav-audit")).to_have_count(0)
        expect(operator.get_by_test_id("channel")).to_be_focused()
        operator.get_by_test_id("client.name").fill("ด.ญ. มานี ใจดี")
        operator.get_by_test_id("location.province_code").fill("10")
        operator.get_by_test_id("location.district_code").fill("1001")
        operator.get_by_test_id("location.subdistrict_code").fill("1001")  # one digit short: refused as you type
        operator.get_by_test_id("problem-domestic_violence").check()
        expect(form.locator("[data-field='location.subdistrict_code'] .error")).not_to_be_empty()
        operator.screenshot(path=shots / "1-intake-checked-as-you-type.png", full_page=True)
        operator.get_by_test_id("location.subdistrict_code").fill("100101")
        expect(form.locator("[data-field='location.subdistrict_code'] .error")).to_be_empty()
        operator.get_by_test_id("description").fill("เด็กถูกตีทุกวัน")
        operator.keyboard.press("Control+Enter")
        case_id = operator.get_by_test_id("new-case").inner_text()
        operator.screenshot(path=shots / "2-intake-submitted.png", full_page=True)

        operator.get_by_test_id("nav-board").click()
        expect(operator.get_by_test_id(f"board-{case_id}")).to_be_visible()
        expect(operator.get_by_test_id("column-urgent")).to_contain_text(case_id)
        operator.screenshot(path=shots / "3-board.png", full_page=True)

        lead = routed_lead(system.urls["referral"], system.var_dir, case_id)
        operator.get_by_test_id(f"board-{case_id}").click()
        status_cell = operator.get_by_test_id(f"case-referral-status-{lead}")
        expect(status_cell).to_contain_text("รอรับเรื่อง")
        operator.get_by_test_id("document-type").select_option("statement_record")
        operator.get_by_test_id("document-file").set_input_files(
            files=FilePayload(name="statement.pdf", mimeType="application/pdf", buffer=STATEMENT))
        operator.get_by_test_id("upload").click()
        expect(operator.get_by_test_id("documents")).to_contain_text(hashlib.sha256(STATEMENT).hexdigest()[:16])
        expect(operator.get_by_test_id("documents")).to_contain_text("บันทึกถ้อยคำ")
        link = operator.get_by_test_id("documents").locator("a").first.get_attribute("href")
        assert operator.request.get(f"{console}{link}").body() == STATEMENT  # decrypted, as uploaded

        agency = signed_in(browser, console, lead, "social_worker", errors)
        agency.get_by_test_id("nav-inbox").click()
        card = agency.locator(f"[data-case='{case_id}']")
        expect(card.locator(".countdown")).to_contain_text("ครบกำหนดใน")
        agency.screenshot(path=shots / "4-inbox.png", full_page=True)
        card.locator("button[data-testid^='accept-']").click()
        expect(card).to_contain_text("ตอบรับแล้ว")

        expect(status_cell).to_contain_text("ตอบรับแล้ว")  # pushed to the open case page; it was not reloaded
        operator.screenshot(path=shots / "5-case-page-updated-live.png", full_page=True)

        auditor = signed_in(browser, console, "oversight-1", "auditor", errors)
        expect(auditor.get_by_test_id("nav-intake")).to_have_count(0)
        auditor.goto(f"{console}/#/audit/{case_id}")
        expect(auditor.get_by_test_id("view-referral")).to_be_visible()
        auditor.get_by_test_id("sign-checkpoint").click()
        expect(auditor.get_by_test_id("signature")).to_contain_text("ถูกต้อง")
        proofs = auditor.locator("[data-testid^='proof-']")
        expect(proofs.first).to_contain_text("ยืนยันแล้ว")
        assert all(text == "ยืนยันแล้ว" for text in proofs.all_inner_texts())
        auditor.screenshot(path=shots / "6-audit-verified.png", full_page=True)
        auditor.get_by_test_id("as-of").fill("1")
        expect(auditor.get_by_test_id("as-of-label")).to_contain_text("1 จาก")
        expect(auditor.get_by_test_id("view-referral")).to_contain_text("—")  # not routed yet at the first event
        auditor.get_by_test_id("language").click()
        expect(auditor.get_by_test_id("verify")).to_have_text("Verify the proofs")
        auditor.screenshot(path=shots / "7-audit-first-event-english.png", full_page=True)
        pdf = auditor.request.get(f"{console}/api/audit/cases/{case_id}/trail.pdf")
        assert pdf.status == 200 and pdf.body()[:4] == b"%PDF"
    assert errors == []
