"""Reading content back: find the version, check who may read it, decrypt it and check its hash."""

import hashlib
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from saphan_runtime import sealing
from saphan_runtime.errors import Forbidden, NotFound
from services.documents import domain, projections
from services.documents.handlers import Custody


async def read_content(session: AsyncSession, custody: Custody, case_id: str, document_id: str,
                       version: int | None, unit_id: str) -> tuple[dict[str, Any], bytes]:
    """Return a version's record and its content, for the unit holding the document or one it was shared with on
    a basis in law, or on the client's consent while it stands."""
    found = await projections.find_version(session, document_id, version)
    if found is None or found["case_id"] != case_id:
        raise NotFound(f"document {document_id} not found / ไม่พบเอกสารนี้")
    shares = await projections.shares_of(session, document_id)
    consent = await projections.consent_stands(session, case_id)
    if not domain.may_read(found["uploaded_by_unit"], unit_id, shares, consent):
        raise Forbidden("no consent or legal basis shares this document with your unit / "
                        "ไม่มีความยินยอมหรือฐานทางกฎหมายให้เปิดเผยเอกสารนี้แก่หน่วยงานของท่าน")
    key = await custody.keyring.existing_key(session, case_id)
    if key is None:
        raise NotFound("the case's key was destroyed: the content can no longer be read / "
                       "กุญแจของรายการนี้ถูกทำลายแล้ว ไม่สามารถเปิดอ่านเนื้อหาได้")
    content = sealing.decrypt_blob(key, found["blob_name"], await custody.store.get(found["blob_name"]))
    if hashlib.sha256(content).hexdigest() != found["sha256"]:
        raise sealing.Unreadable(f"document {document_id} v{found['version']} does not match its recorded hash")
    return found, content
