"""The legal trail of one case as an A4 PDF, Thai first and English beside it: checkpoint, timeline, documents,
proofs. The page layout is in `pdf_layout`."""

from contextlib import suppress
from datetime import datetime
from typing import Any

from services.audit.labels import actor, bangkok_time, summary, title
from services.audit.pdf_layout import BODY, HEX, SANS, Style, TrailPDF, fields, paragraph, section_heading, table

BANGKOK_NOTE = "(เวลาประเทศไทย / Bangkok time)"

VERIFY_TH = (
    "วิธีตรวจสอบโดยไม่ต้องเชื่อมต่อระบบ: ไฟล์ JSON ที่มากับเอกสารนี้เก็บบันทึกของแต่ละเหตุการณ์ตามที่จัดเก็บไว้ในบัญชีบันทึก "
    "(record) หลักฐานการอยู่ในต้นไม้ตาม RFC 6962 (audit_path) ภายในต้นไม้ของจุดตรวจสอบที่ลงนามแล้ว "
    "ข้อความของจุดตรวจสอบ (note) และลายมือชื่อ Ed25519 ของข้อความนั้น ให้คำนวณค่าแฮชใบใหม่ว่า "
    "SHA-256(0x00 || record) ซึ่งต้องตรงกับค่าแฮชใบในตารางด้านล่าง ไล่ตามเส้นทางพิสูจน์ขึ้นไปจนถึงราก "
    "แล้วเทียบกับค่าแฮชรากของจุดตรวจสอบ และตรวจลายมือชื่อของข้อความจุดตรวจสอบด้วยกุญแจสาธารณะข้างต้น "
    "หากบันทึกใดถูกแก้ไขแม้เพียงไบต์เดียว ค่าแฮชจะไม่ตรงกัน โปรแกรม verify_trail.py ที่มากับชุดข้อมูลทำขั้นตอนทั้งหมดนี้ให้"
)
VERIFY_EN = (
    "How to verify offline: the JSON file that comes with this document holds each event's stored ledger record "
    "(record), its RFC 6962 inclusion proof (audit_path) in the tree of the signed checkpoint, the checkpoint note "
    "and its Ed25519 signature. Recompute the leaf hash SHA-256(0x00 || record), which must equal the leaf hash in "
    "the table below; walk the audit path up to the root and compare it with the checkpoint's root hash; then check "
    "the note's signature with the public key above. A record changed by a single byte no longer matches. The "
    "bundle's verify_trail.py does all of this."
)


def render(bundle: dict[str, Any]) -> bytes:
    """Return the PDF of a legal-trail bundle: title and checkpoint, timeline, document hashes, proofs."""
    layout = _build(bundle, 0, {})  # a first pass, that measures but does not draw, counts the pages for the footers
    return bytes(_build(bundle, layout.pages_count, layout.widths).output())


def _build(bundle: dict[str, Any], total_pages: int, widths: dict[tuple[Style, str], float]) -> TrailPDF:
    """Lay out every section of the trail."""
    entries = [entry for entry in bundle.get("entries") or [] if isinstance(entry, dict)]
    pdf = TrailPDF(str(bundle.get("case_id", "?")), total_pages, widths)
    _describe(pdf, bundle)
    pdf.add_page()
    _title_block(pdf, bundle, len(entries))
    _timeline(pdf, entries)
    _pending(pdf, [item for item in bundle.get("pending") or [] if isinstance(item, dict)])
    _documents(pdf, [doc for doc in bundle.get("documents") or [] if isinstance(doc, dict)])
    _proofs(pdf, entries)
    return pdf


def _describe(pdf: TrailPDF, bundle: dict[str, Any]) -> None:
    """Set the document's metadata; its date is the export time, so one bundle always gives the same bytes."""
    pdf.set_title(f"บันทึกเส้นทางคดีตามกฎหมาย / Legal trail of case {pdf.case_id}")
    pdf.set_author("Saphan audit")
    pdf.set_creator("Saphan audit (saphan-legal-trail)")
    pdf.set_lang("th")
    with suppress(ValueError):
        pdf.set_creation_date(datetime.fromisoformat(str(bundle.get("exported_at"))))


def _title_block(pdf: TrailPDF, bundle: dict[str, Any], count: int) -> None:
    """Print the title, the export time, the signed checkpoint and the public key."""
    paragraph(pdf, f"บันทึกเส้นทางคดีตามกฎหมาย / Legal trail of case {pdf.case_id}", (SANS, "B", 18.0), 8.5)
    checkpoint, key = bundle.get("checkpoint") or {}, bundle.get("public_key") or {}
    fields(pdf, [
        ("เลขที่รายกรณี / Case id", pdf.case_id, BODY),
        ("ส่งออกเมื่อ / Exported at", f"{bangkok_time(bundle.get('exported_at'))} {BANGKOK_NOTE}", BODY),
        ("รูปแบบ / Format", str(bundle.get("format", "")), BODY),
        ("จำนวนเหตุการณ์ / Events", str(count), BODY),
    ])
    section_heading(pdf, "จุดตรวจสอบที่ลงนามแล้ว", "Signed checkpoint")
    if checkpoint:
        fields(pdf, [
            ("ขนาดต้นไม้ (จำนวนรายการในบัญชีบันทึก) / Tree size (ledger entries)", str(checkpoint.get("tree_size")), BODY),
            ("ค่าแฮชราก / Root hash", str(checkpoint.get("root_hash")), HEX),
            ("ลงนามเมื่อ / Signed at", f"{bangkok_time(checkpoint.get('signed_at'))} {BANGKOK_NOTE}", BODY),
            ("รหัสกุญแจ / Key id", str(checkpoint.get("key_id")), HEX),
            ("ลายมือชื่อ / Signature (Ed25519, base64)", str(checkpoint.get("signature")), HEX),
        ])
    else:
        paragraph(pdf, "ยังไม่มีจุดตรวจสอบที่ลงนามแล้ว / no signed checkpoint yet")
    section_heading(pdf, "กุญแจสาธารณะ", "Public key")
    fields(pdf, [
        ("อัลกอริทึม / Algorithm", str(key.get("algorithm")), BODY),
        ("กุญแจสาธารณะ / Public key (base64)", str(key.get("public_key")), HEX),
        ("รหัสกุญแจ / Key id", str(key.get("key_id")), HEX),
    ])


def _timeline(pdf: TrailPDF, entries: list[dict[str, Any]]) -> None:
    """Print one row per ledger entry, in order."""
    section_heading(pdf, "ลำดับเหตุการณ์", "Timeline")
    if not entries:
        paragraph(pdf, "ไม่มีเหตุการณ์ / no events")
        return
    header = ["ลำดับ\nSeq.", "เวลา (ไทย)\nTime (Bangkok)", "เหตุการณ์\nWhat happened", "ผู้ดำเนินการ\nWho",
              "สาระสำคัญ\nSummary (times: Bangkok)"]
    rows = []
    for entry in entries:
        raw = entry.get("event")
        event: dict[str, Any] = raw if isinstance(raw, dict) else {}
        thai, english = title(str(event.get("type", "")))
        rows.append([(str(entry.get("sequence", "")), BODY), (bangkok_time(event.get("time")), BODY),
                     (f"{thai}\n{english}", BODY), (actor(event), BODY), (summary(event), BODY)])
    table(pdf, (13, 24, 50, 37, 62), header, rows)


def _pending(pdf: TrailPDF, pending: list[dict[str, Any]]) -> None:
    """Print the events recorded after the checkpoint: in the ledger, but not provable from this checkpoint yet."""
    if not pending:
        return
    section_heading(pdf, "เหตุการณ์ที่บันทึกหลังจุดตรวจสอบ", "Recorded after the checkpoint")
    paragraph(pdf, "ยังพิสูจน์จากจุดตรวจสอบนี้ไม่ได้ จุดตรวจสอบถัดไปจะครอบคลุม / "
                    "not provable from this checkpoint yet: the next signed checkpoint covers them")
    rows = [[(str(item.get("sequence", "")), BODY), ("\n".join(title(str(item.get("type", "")))), BODY),
             (str(item.get("event_id", "")), HEX)] for item in pending]
    table(pdf, (13, 87, 86), ["ลำดับ\nSeq.", "เหตุการณ์\nWhat happened", "รหัสเหตุการณ์\nEvent id"], rows)


def _documents(pdf: TrailPDF, documents: list[dict[str, Any]]) -> None:
    """Print the case documents' titles, versions, SHA-256 hashes and times, or say there are none."""
    section_heading(pdf, "ค่าแฮชของเอกสาร", "Document hashes")
    if not documents:
        paragraph(pdf, "ไม่มีเอกสาร / no documents")
        return
    header = ["ชื่อเอกสาร\nTitle", "ฉบับ\nVersion", "SHA-256", "เวลา (ไทย)\nTime (Bangkok)"]
    rows = [[(str(doc.get("title") or doc.get("document_id") or "-"), BODY), (str(doc.get("version") or ""), BODY),
             (str(doc.get("sha256", "")), HEX), (bangkok_time(doc.get("time")), BODY)] for doc in documents]
    table(pdf, (46, 16, 100, 24), header, rows)


def _proofs(pdf: TrailPDF, entries: list[dict[str, Any]]) -> None:
    """Print how to verify the trail offline, and each entry's leaf hash to match with the JSON file."""
    section_heading(pdf, "หลักฐานและวิธีตรวจสอบ", "Proof and how to verify")
    paragraph(pdf, VERIFY_TH)
    pdf.ln(2)
    paragraph(pdf, VERIFY_EN)
    pdf.ln(2)
    if entries:
        header = ["ลำดับ\nSeq.", "ตำแหน่งใบ\nLeaf index", "ค่าแฮชใบ\nLeaf hash, SHA-256(0x00 || record)",
                  "เส้นทางพิสูจน์\nAudit path"]
        rows = [[(str(entry.get("sequence", "")), BODY), (str(entry.get("leaf_index", "")), BODY),
                 (str(entry.get("leaf_hash", "")), HEX), (f"{len(entry.get('audit_path') or [])} hashes", BODY)]
                for entry in entries]
        table(pdf, (14, 20, 122, 30), header, rows)


