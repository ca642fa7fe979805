"""What a person reads in a legal trail: Thai and English titles of event types, who acted, and a short summary."""

import re
from datetime import datetime, timedelta, timezone
from typing import Any

# Asia/Bangkok has been UTC+7 without daylight saving since 1920: a fixed offset needs no time-zone database.
BANGKOK = timezone(timedelta(hours=7))

EVENT_TITLES: dict[str, tuple[str, str]] = {
    "saphan.access.case-data-accessed.v1": ("เข้าถึงข้อมูลรายกรณี", "Case data read"),
    "saphan.intake.report-received.v1": ("รับรายงาน (ข้อมูลส่วนบุคคลเข้ารหัสด้วยกุญแจของรายกรณี)",
                                         "Report received (personal data sealed with the case's key)"),
    "saphan.intake.case-reported.v1": ("รับแจ้งเรื่อง", "Case reported"),
    "saphan.intake.case-triaged.v1": ("คัดกรองและกำหนดความเร่งด่วน", "Case triaged, urgency set"),
    "saphan.intake.case-closed-at-intake.v1": ("ยุติเรื่องตั้งแต่ขั้นรับแจ้ง", "Closed at intake"),
    "saphan.intake.possible-duplicate-flagged.v1": ("พบเรื่องที่อาจซ้ำกับรายกรณีเดิม", "Possible duplicate flagged"),
    "saphan.intake.duplicate-resolved.v1": ("พิจารณาเรื่องที่อาจซ้ำซ้อนแล้ว", "Duplicate resolved"),
    "saphan.intake.personal-data-erased.v1": ("ทำลายข้อมูลส่วนบุคคล (ทำลายกุญแจของรายกรณี)",
                                              "Personal data erased (the case's key destroyed)"),
    "saphan.referral.routing-decided.v1": ("กำหนดหน่วยงานรับการส่งต่อและหน่วยงานหลัก", "Routing decided"),
    "saphan.referral.referral-requested.v1": ("ประสานส่งต่อไปยังหน่วยงาน", "Referral requested"),
    "saphan.referral.referral-status-changed.v1": ("เปลี่ยนสถานะการส่งต่อ", "Referral status changed"),
    "saphan.referral.referral-overdue.v1": ("การส่งต่อเกินกำหนดเวลา แจ้ง พมจ.", "Referral overdue, escalated"),
    "saphan.referral.agency-unit-recorded.v1": ("บันทึกข้อมูลหน่วยงาน", "Agency unit recorded"),
    "saphan.referral.assessment-recorded.v1": ("ประเมินสภาวะของผู้ประสบปัญหา", "Assessment recorded"),
    "saphan.referral.care-plan-agreed.v1": ("จัดทำแผนการช่วยเหลือ", "Care plan agreed"),
    "saphan.referral.implementation-started.v1": ("เริ่มดำเนินการตามแผน", "Implementation started"),
    "saphan.referral.home-visit-logged.v1": ("บันทึกการเยี่ยมบ้าน", "Home visit logged"),
    "saphan.referral.reassessment-recorded.v1": ("ทบทวนและประเมินสภาวะซ้ำ", "Reassessment recorded"),
    "saphan.referral.case-disengaged.v1": ("ยุติการบริการ", "Service ended (disengaged)"),
    "saphan.referral.surveillance-started.v1": ("เริ่มการเฝ้าระวัง", "Surveillance started"),
    "saphan.referral.case-manager-assigned.v1": ("มอบหมายผู้จัดการรายกรณี", "Case manager assigned"),
    "saphan.referral.ownership-transfer-requested.v1": ("ขอโอนความรับผิดชอบรายกรณี", "Ownership transfer requested"),
    "saphan.referral.ownership-transfer-answered.v1": ("ตอบคำขอโอนความรับผิดชอบ", "Ownership transfer answered"),
    "saphan.documents.document-uploaded.v1": ("จัดเก็บเอกสาร (เข้ารหัสด้วยกุญแจของรายกรณี)",
                                              "Document stored (encrypted with the case's key)"),
    "saphan.documents.consent-given.v1": ("บันทึกความยินยอม (พม.1)", "Consent given (PM.1)"),
    "saphan.documents.consent-withdrawn.v1": ("ถอนความยินยอม", "Consent withdrawn"),
    "saphan.documents.document-shared.v1": ("เปิดเผยเอกสารแก่หน่วยงาน", "Document shared with a unit"),
    "saphan.audit.event-recorded.v1": ("บันทึกเหตุการณ์ลงบัญชีบันทึก", "Event recorded in the ledger"),
    "saphan.audit.checkpoint-signed.v1": ("ลงนามรับรองจุดตรวจสอบ", "Checkpoint signed"),
}

SERVICES: dict[str, str] = {
    "intake": "ระบบรับแจ้งเหตุ (intake)",
    "referral": "ระบบส่งต่อ (referral)",
    "documents": "ระบบเอกสาร (documents)",
    "audit": "ระบบตรวจสอบ (audit)",
}
UNKNOWN_EVENT = "เหตุการณ์ประเภทอื่น"
HANDOFFS = {"saphan.referral.referral-requested.v1", "saphan.referral.ownership-transfer-requested.v1",
            "saphan.documents.document-shared.v1"}
# The data fields a summary shows, in order; each value is shown as its code.
SUMMARY_FIELDS = ("urgency", "response", "lead", "stage", "risk_level", "decision", "reason", "outcome", "role",
                  "to_kind", "acceptance_due", "channel", "problem_types", "goals", "review_on", "visited_on",
                  "ends_on", "manager", "accepted", "confirmed", "existing_case_id", "deadline", "due_at",
                  "escalated_to", "overrides_with_reason", "tree_size", "action", "resource", "purpose",
                  "document_type", "document_version", "sha256", "basis", "legal_basis", "given_by")
VALUE_LIMIT, SUMMARY_LIMIT = 60, 240
_VERSION = re.compile(r"\.v(\d+)$")


def title(type_name: str) -> tuple[str, str]:
    """Return the Thai and English title of an event type; another version of a known type keeps its title."""
    if type_name in EVENT_TITLES:
        return EVENT_TITLES[type_name]
    match = _VERSION.search(type_name)
    if match:
        for known, (thai, english) in EVENT_TITLES.items():
            if _VERSION.sub("", known) == type_name[: match.start()]:
                return thai, f"{english} (v{match.group(1)})"
    return UNKNOWN_EVENT, type_name


def service(source: str) -> str:
    """Return the name of the service a CloudEvents `source` (/saphan/<service>) names."""
    name = source.rstrip("/").rpartition("/")[2]
    return SERVICES.get(name, source or "?")


def actor(event: dict[str, Any]) -> str:
    """Return who acted: the unit named by the event's data, else the service that produced it."""
    data = _data(event)
    unit = data.get("by_unit") or data.get("from_unit") or data.get("recorded_by") or data.get("uploaded_by_unit")
    unit = unit or data.get("shared_by_unit") or data.get("recorded_by_unit")
    if event.get("type", "").startswith("saphan.access.") and data.get("unit_id"):
        return f"{data.get('user')} @ {data['unit_id']}"
    if not unit:
        return service(str(event.get("source", "")))
    if event.get("type") in HANDOFFS and data.get("to_unit"):
        return f"{unit} -> {data['to_unit']}"
    return str(unit)


def summary(event: dict[str, Any]) -> str:
    """Return the key data of an event in one short line of codes (times in Bangkok time)."""
    data = _data(event)
    parts = []
    if "status" in data:
        parts.append(f"status: {data.get('previous', '?')} -> {data['status']}")
    if isinstance(data.get("unit"), dict):
        parts.append(f"unit: {data['unit'].get('unit_id')} ({data['unit'].get('kind')})")
    if isinstance(data.get("location"), dict):
        parts.append(f"province: {data['location'].get('province_code')}")
    parts += [f"{name}: {_short(data[name])}" for name in SUMMARY_FIELDS if data.get(name) not in (None, "", [])]
    if isinstance(data.get("assignments"), list):
        parts.append("units: " + ", ".join(str(a.get("unit_id")) for a in data["assignments"] if isinstance(a, dict)))
    if isinstance(data.get("decided_by"), dict):
        parts.append(f"rule: {data['decided_by'].get('rule_id')}")
    if isinstance(data.get("rules_fired"), list):
        parts.append("rules: " + ", ".join(str(r.get("rule_id")) for r in data["rules_fired"] if isinstance(r, dict)))
    if data.get("needs_review"):
        parts.append("needs_review")
    return _clip("; ".join(parts), SUMMARY_LIMIT)


def bangkok_time(value: object) -> str:
    """Return an ISO 8601 time as Bangkok wall-clock time (YYYY-MM-DD HH:MM:SS), or the value as given."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        return str(value)
    return moment.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M:%S")


def _data(event: dict[str, Any]) -> dict[str, Any]:
    """Return an event's data, or nothing when it has none that can be read."""
    data = event.get("data")
    return data if isinstance(data, dict) else {}


def _short(value: object) -> str:
    """Return a data value as a short code: lists joined, times in Bangkok time, long text clipped."""
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    elif isinstance(value, str) and "T" in value[10:11]:
        value = bangkok_time(value)
    return _clip(str(value), VALUE_LIMIT)


def _clip(text: str, limit: int) -> str:
    """Return text cut to a limit, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
