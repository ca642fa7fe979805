"""The console in a real headless Chromium (Debian's, driven by Playwright), against `saphan up`: an operator fills
a report from the keyboard (the place from the pickers, errors of the schema and of the facts shown together as they
type, family rows added and removed) and sees it on the board; the agency it was routed to finds it in its inbox and
accepts it; the case page, open meanwhile, updates live; an auditor replays the case, verifies its proofs and opens
timeline rows on their events. Screenshots are kept under artifacts/console/."""

import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, FilePayload, Locator, Page, expect, sync_playwright

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
GOOD_ID, BAD_ID = "1103702071811", "1103702071812"  # a national ID, and one whose check digit is wrong


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


def report_from_the_keyboard(operator: Page, shots: Path) -> tuple[str, dict[str, Any]]:
    """Fill a report as an operator would: the place from the pickers, a schema error and a fact at fault shown
    together as they type, guardians and household rows added and removed; submit with Ctrl+Enter. Return the new
    case's id and the report the page sent."""
    error = partial(error_of, operator)
    expect(operator.get_by_test_id("channel")).to_be_focused()
    expect(operator.get_by_test_id("location.province_code").locator("option[value='10']")).to_have_count(1)
    operator.keyboard.press("Control+Enter")  # nothing picked yet: the first field at fault takes the focus
    expect(operator.get_by_test_id("location.province_code")).to_be_focused()
    expect(error("location.province_code")).to_contain_text("ต้องระบุข้อมูลนี้")
    operator.get_by_test_id("client.name").fill("ด.ญ. มานี ใจดี")
    expect(operator.get_by_test_id("client.sex")).to_have_value("unknown")  # until the operator says
    operator.get_by_test_id("client.sex").select_option("female")
    pick(operator, "location.province_code", "10", "กรุงเทพมหานคร")
    pick(operator, "location.district_code", "1001", "เขตพระนคร")
    pick(operator, "location.subdistrict_code", "100101", "พระบรมมหาราชวัง")
    operator.get_by_test_id("problem-domestic_violence").check()
    operator.get_by_test_id("client.estimated_age_years").fill("200")  # the schema's: at most 130
    operator.get_by_test_id("more-client_more").locator("summary").focus()
    operator.keyboard.press("Enter")  # unfolds the client's other fields
    operator.get_by_test_id("client.national_id").fill(BAD_ID)  # a fact: its check digit is wrong
    expect(error("client.estimated_age_years")).to_contain_text("ค่ามากเกินไป")
    expect(error("client.national_id")).to_contain_text("เลขประจำตัวประชาชนไม่ถูกต้อง")  # both at once
    expect(operator.get_by_test_id("more-client_more").locator("summary")).to_contain_text("⚠")
    operator.screenshot(path=shots / "1-intake-checked-as-you-type.png", full_page=True)
    operator.get_by_test_id("client.estimated_age_years").fill("9")
    operator.get_by_test_id("client.national_id").fill(GOOD_ID)
    expect(error("client.estimated_age_years")).to_be_empty()
    expect(error("client.national_id")).to_be_empty()

    operator.get_by_test_id("more-family").locator("summary").click()
    operator.get_by_test_id("add-guardians").press("Enter")
    expect(operator.get_by_test_id("guardians.0.name")).to_be_focused()  # the new row's first field
    operator.keyboard.type("นางมาลี ใจดี")
    operator.get_by_test_id("guardians.0.relationship_to_client").select_option("mother")
    for _ in range(2):
        operator.get_by_test_id("add-household_members").click()
    operator.get_by_test_id("household_members.0.name").fill("นายชั่วคราว")
    operator.get_by_test_id("household_members.1.name").fill("ด.ช. มานะ ใจดี")
    operator.get_by_test_id("household_members.1.relationship_to_client").select_option("sibling")
    operator.get_by_test_id("household_members.1.age_years").fill("12")
    operator.get_by_test_id("household_members.1.national_id").fill(BAD_ID)
    expect(error("household_members.1.national_id")).not_to_be_empty()
    operator.get_by_test_id("remove-household_members.0").press("Enter")  # the row below moves up, its error too
    expect(operator.get_by_test_id("household_members.0.name")).to_have_value("ด.ช. มานะ ใจดี")
    expect(operator.get_by_test_id("household_members.1.name")).to_have_count(0)
    expect(error("household_members.0.national_id")).not_to_be_empty()
    operator.get_by_test_id("household_members.0.national_id").fill(GOOD_ID)
    expect(error("household_members.0.national_id")).to_be_empty()
    operator.get_by_test_id("description").fill("เด็กถูกตีทุกวัน")
    operator.screenshot(path=shots / "1b-intake-family-rows.png", full_page=True)
    with operator.expect_request(lambda r: r.method == "POST" and r.url.endswith("/api/intake/cases")) as posted:
        operator.keyboard.press("Control+Enter")
    case_id = operator.get_by_test_id("new-case").inner_text()
    operator.screenshot(path=shots / "2-intake-submitted.png", full_page=True)
    expect(operator.get_by_test_id("household_members.0.name")).to_have_count(0)  # a clean form for the next call
    operator.get_by_test_id("language").click()
    pick(operator, "location.province_code", "50", "Chiang Mai")  # the pickers speak the page's language
    expect(operator.get_by_test_id("location.district_code").locator("option[value='5001']")).to_have_text(
        "Mueang Chiang Mai")
    operator.get_by_test_id("language").click()
    sent = posted.value.post_data_json
    assert isinstance(sent, dict)
    return case_id, sent


def error_of(page: Page, name: str) -> Locator:
    """Return the error box beside a field of the report form."""
    return page.locator(f"#intake-form [data-field='{name}'] > .error")


def pick(page: Page, name: str, code: str, thai_name: str) -> None:
    """Choose an area from a picker once its list has come (named in Thai, the page's language)."""
    picker = page.get_by_test_id(name)
    expect(picker.locator(f"option[value='{code}']")).to_have_text(thai_name)
    picker.select_option(code)


def open_timeline_rows(auditor: Page) -> None:
    """Open the case's first event in the timeline with a click and its second from the keyboard: each shows the
    event's JSON and its proof."""
    rows = auditor.get_by_test_id("timeline").locator("details")
    first, second = rows.nth(0), rows.nth(1)
    first.locator("summary").click()
    expect(first.locator("pre")).to_be_visible()
    expect(first.locator("pre")).to_contain_text('"type": "saphan.intake.report-received.v1"')
    expect(first.locator("[data-testid^='event-proof-']")).to_contain_text("ยืนยันแล้ว")
    expect(first.locator("[data-testid^='event-proof-']")).to_contain_text("ค่าแฮชราก")
    expect(second.locator("pre")).not_to_be_visible()
    second.locator("summary").focus()
    auditor.keyboard.press("Enter")
    expect(second.locator("pre")).to_contain_text('"type": "saphan.')
    auditor.keyboard.press("Enter")  # and closes it again
    expect(second.locator("pre")).not_to_be_visible()


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
        expect(operator.get_by_test_id("nav-inbox")).to_have_count(0)  # the menu follows the role
        expect(operator.get_by_test_id("nav-audit")).to_have_count(0)
        case_id, sent = report_from_the_keyboard(operator, shots)
        assert [p["name"] for p in sent["guardians"]] == ["นางมาลี ใจดี"]
        assert sent["household_members"] == [{"name": "ด.ช. มานะ ใจดี", "relationship_to_client": "sibling",
                                              "national_id": GOOD_ID, "age_years": 12}]
        assert sent["location"] == {"province_code": "10", "district_code": "1001", "subdistrict_code": "100101"}

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
        open_timeline_rows(auditor)
        auditor.screenshot(path=shots / "6b-audit-event-opened.png", full_page=True)
        auditor.get_by_test_id("as-of").fill("1")
        expect(auditor.get_by_test_id("as-of-label")).to_contain_text("1 จาก")
        expect(auditor.get_by_test_id("view-referral")).to_contain_text("—")  # not routed yet at the first event
        auditor.get_by_test_id("language").click()
        expect(auditor.get_by_test_id("verify")).to_have_text("Verify the proofs")
        auditor.screenshot(path=shots / "7-audit-first-event-english.png", full_page=True)
        pdf = auditor.request.get(f"{console}/api/audit/cases/{case_id}/trail.pdf")
        assert pdf.status == 200 and pdf.body()[:4] == b"%PDF"
    assert errors == []
