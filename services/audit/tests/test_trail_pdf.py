"""The legal trail as a PDF: every published event type has a Thai and English title, the PDF carries the case,
the checkpoint, the timeline, the document hashes and the leaf hashes, embeds its Thai font, and flows over pages."""

import io
import json
import unicodedata
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pypdf
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts.audit import EventRecorded
from contracts.casework import AssessmentRecorded, CaseManagerAssigned, HomeVisitLogged, OwnershipTransferRequested
from contracts.common import (
    AgencyKind,
    CaseStage,
    Channel,
    ConsentState,
    DutyShift,
    Location,
    ProblemType,
    ReferralRole,
    ReferralStatus,
    Response,
    RuleFired,
    Urgency,
)
from contracts.envelope import EventData
from contracts.intake import CaseReported, CaseTriaged
from contracts.referral import AgencyAssignment, ReferralRequested, ReferralStatusChanged, RoutingDecided
from contracts.registry import EVENT_MODELS
from saphan_runtime import cloudevents
from services.audit import checkpoints, merkle
from services.audit.labels import EVENT_TITLES, actor, bangkok_time, summary, title
from services.audit.pdf_layout import BODY, HEX, TrailPDF, _wrap, text_width
from services.audit.trail_pdf import render

CASE = "c-7f3a9e"
T0 = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
SIGNER = checkpoints.Signer(Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
OTHER_CASES = 3  # the ledger holds other cases' entries too: this case's leaves do not start at index 0
DOCUMENTS: list[dict[str, Any]] = [{"document_id": "d-1", "title": "คำร้องขอคุ้มครองสวัสดิภาพ (คส.1)", "version": 2,
              "sha256": "9f" * 32, "time": "2026-11-22T02:30:00+00:00"}]


def case_events(case_id: str) -> list[tuple[EventData, str]]:
    """Return a case's history as intake and referral would publish it, each with its producer."""
    at = T0
    rule = RuleFired(rule_id="intake.crisis.immediate-danger", reason="เด็กอยู่ในอันตราย / child in danger")
    referral: dict[str, Any] = {"referral_id": "r-1", "case_id": case_id, "from_unit": "msdhs-10",
                                "to_unit": "shelter-10"}
    return [
        (CaseReported(case_id=case_id, channel=Channel.HOTLINE_1300, received_at=at, duty_shift=DutyShift.OFFICE_HOURS,
                      problem_types=[ProblemType.DOMESTIC_VIOLENCE], client_age_years=9,
                      location=Location(province_code="10", district_code="1001", subdistrict_code="100101"),
                      consent=ConsentState.GIVEN, informant_anonymous=False), "intake"),
        (CaseTriaged(case_id=case_id, urgency=Urgency.CRISIS, response=Response.RAPID_RESPONSE, decided_by=rule,
                     triaged_at=at), "intake"),
        (RoutingDecided(case_id=case_id, urgency=Urgency.CRISIS, lead=AgencyKind.CHILDREN_FAMILY_SHELTER,
                        assignments=[AgencyAssignment(agency_kind=AgencyKind.CHILDREN_FAMILY_SHELTER,
                                                      unit_id="shelter-10", role=ReferralRole.LEAD),
                                     AgencyAssignment(agency_kind=AgencyKind.JUVENILE_FAMILY_PROSECUTOR,
                                                      unit_id="prosecutor-10",
                                                      role=ReferralRole.WELFARE_PROTECTION_PETITION)],
                        rules_fired=[RuleFired(rule_id="route.child-violence", reason="เด็ก / child")], decided_at=at),
         "referral"),
        (ReferralRequested(**referral, to_kind=AgencyKind.CHILDREN_FAMILY_SHELTER, role=ReferralRole.LEAD,
                           urgency=Urgency.CRISIS, receipt_due=at + timedelta(hours=1),
                           acceptance_due=at + timedelta(hours=4), escalate_to="msdhs-10", requested_at=at),
         "referral"),
        (ReferralStatusChanged(**referral, previous=ReferralStatus.REQUESTED, status=ReferralStatus.ACCEPTED,
                               by_unit="shelter-10", changed_at=at), "referral"),
        (CaseManagerAssigned(case_id=case_id, by_unit="shelter-10", stage=CaseStage.ASSESSMENT, at=at,
                             manager="staff-0042"), "referral"),
        (AssessmentRecorded(case_id=case_id, by_unit="shelter-10", stage=CaseStage.CARE_PLANNING, at=at,
                            risk_level=3), "referral"),
        (OwnershipTransferRequested(case_id=case_id, by_unit="shelter-10", stage=CaseStage.IMPLEMENTATION, at=at,
                                    to_unit="msdhs-10", reason="ครอบครัวย้ายไปอยู่กับญาติที่ต่างอำเภอ"), "referral"),
    ]


def long_history(case_id: str, visits: int) -> list[tuple[EventData, str]]:
    """Return a case's history followed by many home visits."""
    visit = [(HomeVisitLogged(case_id=case_id, by_unit="shelter-10", stage=CaseStage.MONITORING, at=T0,
                              visited_on=date(2026, 12, 1) + timedelta(days=n)), "referral") for n in range(visits)]
    return case_events(case_id) + visit


def envelope(data: EventData, producer: str, case_id: str, n: int) -> dict[str, Any]:
    """Return the CloudEvent a producer published, as JSON."""
    event = cloudevents.build(data=data, source=f"/saphan/{producer}", subject=case_id, stream_id=f"case-{case_id}",
                              version=n).model_copy(update={"time": T0 + timedelta(minutes=n)})
    return dict(json.loads(cloudevents.encode(event)))


def make_bundle(history: list[tuple[EventData, str]], case_id: str = CASE,
                documents: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Return an export bundle as audit would make it: stored records, leaves, proofs, a signed checkpoint."""
    events = [envelope(data, producer, case_id, n) for n, (data, producer) in enumerate(history, start=1)]
    stored = [f"other-case-entry-{n}" for n in range(OTHER_CASES)]
    for n, event in enumerate(events, start=OTHER_CASES + 1):
        entry = EventRecorded(sequence=n, case_id=case_id, topic_name=f"saphan.{event['source'][8:]}.events",
                              partition=0, offset=n, recorded_at=T0 + timedelta(minutes=n, seconds=1), event=event)
        stored.append(cloudevents.encode(cloudevents.build(data=entry, source="/saphan/audit", subject=case_id,
                                                           stream_id="ledger", version=n)))
    leaves = [merkle.leaf_hash(record.encode()) for record in stored]
    root, signed_at = merkle.root(leaves).hex(), T0 + timedelta(days=1)
    note = checkpoints.note(len(leaves), root, signed_at)
    entries = [{"sequence": i + 1, "leaf_index": i, "leaf_hash": leaves[i].hex(),
                "audit_path": [h.hex() for h in merkle.inclusion_proof(i, leaves)],
                "recorded_at": json.loads(stored[i])["data"]["recorded_at"],
                "topic": json.loads(stored[i])["data"]["topic_name"], "record": stored[i], "event": event}
               for i, event in enumerate(events, start=OTHER_CASES)]
    return {"format": "saphan-legal-trail/1", "case_id": case_id, "exported_at": "2026-11-23T03:00:00+00:00",
            "checkpoint": {"tree_size": len(leaves), "root_hash": root, "signed_at": signed_at.isoformat(),
                           "key_id": SIGNER.key_id, "note": note, "signature": SIGNER.sign(note)},
            "public_key": {"algorithm": "Ed25519", "public_key": SIGNER.public_key, "key_id": SIGNER.key_id},
            "entries": entries, "documents": DOCUMENTS if documents is None else documents}


def pages_text(pdf: bytes) -> list[str]:
    """Return the text of each page, without the zero-width spaces that mark Thai word breaks."""
    return [page.extract_text().replace("\u200b", "") for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def bundle() -> dict[str, Any]:
    return make_bundle(case_events(CASE))


@pytest.fixture(scope="module")
def pdf(bundle) -> bytes:
    return render(bundle)


def test_every_published_event_type_has_a_thai_and_english_title() -> None:
    published = {model.type_name() for model in EVENT_MODELS if model.topic is not None}
    assert published <= EVENT_TITLES.keys()
    assert EVENT_TITLES.keys() <= {model.type_name() for model in EVENT_MODELS}, "a title of an unknown event type"
    for thai, english in EVENT_TITLES.values():
        assert any("\u0e00" <= char <= "\u0e7f" for char in thai) and english.isascii()


def test_an_unknown_type_still_gets_a_title() -> None:
    assert title("saphan.intake.case-reported.v2") == ("รับแจ้งเรื่อง", "Case reported (v2)")
    assert title("saphan.documents.document-stored.v1") == ("เหตุการณ์ประเภทอื่น", "saphan.documents.document-stored.v1")


def test_who_acted_is_the_unit_in_the_data_else_the_producing_service(bundle) -> None:
    who = [actor(entry["event"]) for entry in bundle["entries"]]
    assert who[:5] == ["ระบบรับแจ้งเหตุ (intake)", "ระบบรับแจ้งเหตุ (intake)", "ระบบส่งต่อ (referral)",
                       "msdhs-10 -> shelter-10", "shelter-10"]
    assert who[-1] == "shelter-10 -> msdhs-10"


def test_the_summary_names_the_key_data_as_short_codes(bundle) -> None:
    said = [summary(entry["event"]) for entry in bundle["entries"]]
    assert "problem_types: domestic_violence" in said[0] and "province: 10" in said[0]
    assert "urgency: crisis" in said[1] and "rule: intake.crisis.immediate-danger" in said[1]
    assert "lead: children_family_shelter" in said[2] and "units: shelter-10, prosecutor-10" in said[2]
    assert "acceptance_due: 2026-11-22 13:00:00" in said[3]  # 06:00 UTC, in Bangkok time
    assert "status: requested -> accepted" in said[4]
    assert "stage: care_planning" in said[6] and "risk_level: 3" in said[6]
    assert summary({"data": {"reason": "ย" * 500}}).endswith("…") and len(summary({"data": {"reason": "ย" * 500}})) < 80


def test_times_are_shown_in_bangkok_time() -> None:
    assert bangkok_time("2026-11-22T20:30:00+00:00") == "2026-11-23 03:30:00"
    assert bangkok_time("not a time") == "not a time"


def test_the_pdf_carries_the_case_checkpoint_timeline_documents_and_leaf_hashes(bundle, pdf) -> None:
    assert pdf.startswith(b"%PDF-")
    text = "\n".join(pages_text(pdf))
    assert f"Legal trail of case {CASE}" in text and "Bangkok time" in text
    for english in ("Case reported", "Case triaged, urgency set", "Routing decided", "Referral requested",
                    "Referral status changed", "Assessment recorded", "Case manager assigned"):
        assert english in text
    assert bundle["checkpoint"]["root_hash"] in text and bundle["public_key"]["public_key"] in text
    assert all(entry["leaf_hash"] in text for entry in bundle["entries"])
    assert DOCUMENTS[0]["sha256"] in text and "verify_trail.py" in text
    assert "2026-11-23 10:00:00" in text  # exported at 03:00 UTC


def test_every_page_has_its_number_in_thai_and_english(pdf) -> None:
    pages = pages_text(pdf)
    for n, text in enumerate(pages, start=1):
        assert f"page {n} of {len(pages)}" in text and f"หน้า {n} / {len(pages)}" in text


def test_the_thai_font_is_embedded_and_thai_text_is_there(pdf) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    fonts: dict[str, Any] = {}
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for reference in resources["/Font"].values():
            font = reference.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"]).split("+")[-1]] = descriptor
    assert {"Laksaman", "LaksamanBold", "TlwgMono"} <= fonts.keys()
    assert all("/FontFile2" in descriptor for descriptor in fonts.values())  # embedded, not only named
    text = "\n".join(pages_text(pdf))
    assert "บันทึกเส้นทางคดีตามกฎหมาย" in text and "ไม่มีเอกสาร" not in text
    assert "ประสานส่งต่อไปยังหน่วยงาน" in text


def test_a_long_timeline_flows_over_pages_repeating_its_header(pdf) -> None:
    long_bundle = make_bundle(long_history(CASE, 120))
    long_pdf = render(long_bundle)
    pages = pages_text(long_pdf)
    assert len(pages) > len(pages_text(pdf)) + 2
    with_header = [text for text in pages if "What happened" in text]
    assert len(with_header) >= 3  # the timeline's header row is printed again on each page it runs onto
    assert all(f"page {n} of {len(pages)}" in text for n, text in enumerate(pages, start=1))
    assert all(entry["leaf_hash"] in "\n".join(pages) for entry in long_bundle["entries"])


def test_a_case_without_documents_says_so() -> None:
    text = "\n".join(pages_text(render(make_bundle(case_events(CASE)[:2], documents=[]))))
    assert "ไม่มีเอกสาร / no documents" in text


def test_the_same_bundle_gives_the_same_bytes(bundle, pdf) -> None:
    assert render(bundle) == pdf


def test_an_odd_bundle_still_renders() -> None:
    odd = {"case_id": "c-odd", "entries": [{"sequence": 1, "event": {"type": "saphan.other.thing.v1", "data": None}},
                                          {"sequence": 2, "event": {"type": "x", "time": "yesterday",
                                                                    "data": {"reason": "ก" * 300}}},
                                          {"sequence": 3, "event": {"type": "y", "data": "junk"}}, "junk"]}
    text = "\n".join(pages_text(render(odd)))
    assert "c-odd" in text and "saphan.other.thing.v1" in text and "no documents" in text


def test_lines_fit_their_column_and_never_break_inside_a_thai_cluster() -> None:
    pdf = TrailPDF("c", 1, {})
    text = "ผู้ปกครองที่ไม่ประสงค์ออกนามขอให้โอนความรับผิดชอบเนื่องจากย้ายที่อยู่ไปแล้ว " + "9f" * 40
    for style, width in ((BODY, 30.0), (HEX, 30.0), (BODY, 9.0)):
        lines = _wrap(pdf, style, text, width)
        assert len(lines) > 3 and all(text_width(pdf, style, line) <= width for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert not any(unicodedata.category(line[0]) == "Mn" or line[-1] in "เแโใไ" for line in lines)


def test_events_after_the_checkpoint_are_listed_as_not_yet_provable() -> None:
    pending = [{"sequence": 12, "event_id": "e-12", "type": "saphan.referral.home-visit-logged.v1"}]
    text = "\n".join(pages_text(render({**make_bundle(case_events(CASE)[:2]), "pending": pending})))
    assert "Recorded after the checkpoint" in text and "e-12" in text and "Home visit logged" in text
    unsigned = "\n".join(pages_text(render({**make_bundle([]), "checkpoint": None, "pending": pending})))
    assert "no signed checkpoint yet" in unsigned and "no events" in unsigned and "e-12" in unsigned
