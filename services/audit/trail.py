"""The legal trail of one case as a bundle a court or an auditor checks offline: every ledger entry of the case
with its RFC 6962 inclusion proof in the newest signed checkpoint, the checkpoint and the key that signed it, the
document hashes, a PDF in Thai and English, and a verifier that needs nothing of Saphan."""

import io
import json
import zipfile
from datetime import datetime
from importlib import resources
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.audit import checkpoints, projections, proofs

FORMAT = "saphan-legal-trail/1"
VERIFIER = "verify_trail.py"


async def legal_trail(session: AsyncSession, case_id: str, *, public_key: str, now: datetime) -> dict[str, Any] | None:
    """Return a case's trail up to the newest checkpoint (entries after it are listed as pending), or None."""
    entries = await projections.case_timeline(session, case_id)
    if not entries:
        return None
    signed = await projections.list_checkpoints(session)
    checkpoint = signed[-1] if signed else None
    size = checkpoint["tree_size"] if checkpoint else 0
    proven = [e for e in entries if e["sequence"] <= size]
    return {
        "format": FORMAT, "case_id": case_id, "exported_at": now.isoformat(),
        "checkpoint": _checkpoint(checkpoint) if checkpoint else None,
        "public_key": {"algorithm": "Ed25519", "public_key": public_key, "key_id": checkpoints.key_id(public_key)},
        "entries": [await _entry(session, e, size) for e in proven],
        "pending": [{"sequence": e["sequence"], "event_id": e["event_id"], "type": e["type"]}
                    for e in entries if e["sequence"] > size],
        "documents": _documents(entries),
    }


async def _entry(session: AsyncSession, entry: dict[str, Any], size: int) -> dict[str, Any]:
    path = await proofs.inclusion_proof(session, entry["sequence"] - 1, size)
    return {"sequence": entry["sequence"], "leaf_index": entry["sequence"] - 1, "leaf_hash": entry["leaf_hash"],
            "audit_path": [node.hex() for node in path], "recorded_at": entry["recorded_at"].isoformat(),
            "topic": entry["topic"], "record": entry["record"], "event": entry["event"]}


def _checkpoint(row: dict[str, Any]) -> dict[str, Any]:
    return {"tree_size": row["tree_size"], "root_hash": row["root_hash"], "signed_at": row["signed_at"].isoformat(),
            "key_id": row["key_id"], "note": row["note"], "signature": row["signature"]}


def _documents(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the documents the case's events name with a content hash, oldest first."""
    found = []
    for entry in entries:
        data = entry["event"].get("data", {})
        if isinstance(data, dict) and "sha256" in data:
            found.append({"document_id": data.get("document_id"), "title": data.get("title") or data.get("kind"),
                          "version": data.get("version"), "sha256": data["sha256"], "time": entry["event"]["time"]})
    return found


def bundle_zip(trail: dict[str, Any], pdf: bytes) -> bytes:
    """Return the trail as a zip: the JSON, the PDF, the offline verifier and how to use it."""
    verifier = resources.files("services.audit").joinpath(VERIFIER).read_text(encoding="utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("trail.json", json.dumps(trail, ensure_ascii=False, indent=2))
        archive.writestr("trail.pdf", pdf)
        archive.writestr(VERIFIER, verifier)
        archive.writestr("README.txt", README.format(case_id=trail["case_id"]))
    return buffer.getvalue()


README = """Legal trail of case {case_id} / บันทึกเส้นทางคดี {case_id}

trail.pdf        the timeline in Thai and English / ลำดับเหตุการณ์ ภาษาไทยและภาษาอังกฤษ
trail.json       every event as the ledger stored it, its inclusion proof (RFC 6962) and the signed checkpoint
                 ทุกเหตุการณ์ตามที่บันทึกไว้ พร้อมหลักฐานการรวมอยู่ในต้นไม้ Merkle และจุดตรวจที่ลงนามแล้ว
verify_trail.py  checks all of it offline / ตรวจสอบทั้งหมดได้โดยไม่ต้องเชื่อมต่อระบบ

    python3 verify_trail.py trail.json        (needs: pip install cryptography)

It recomputes each leaf hash SHA-256(0x00 || record), walks each audit path to the root, compares the root with
the checkpoint and checks the checkpoint's Ed25519 signature. Compare the public key with the one the audit
service publishes (GET /ledger/public-key) or the one given to the court.
"""
