"""Documents' HTTP entry point: translate requests into commands and queries, views into responses, nothing else."""

import base64
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field

from contracts.documents import ConsentGiver, LegalBasis, ShareBasis, catalogue
from saphan_runtime.access import Reads, reads
from saphan_runtime.auth import Principal
from saphan_runtime.authorisation import allowed
from saphan_runtime.db import MAX_INTEGER
from saphan_runtime.http import BusDep, SessionDep
from services.documents import custody, projections
from services.documents.commands import GiveConsent, ShareDocument, UploadDocument, WithdrawConsent

router = APIRouter(tags=["documents"])
CaseReads = Annotated[Reads, reads("documents.case.read")]
Downloads = Annotated[Reads, reads("documents.document.download")]
Uploader = Annotated[Principal, Depends(allowed("documents.document.upload"))]
CatalogueReader = Annotated[Principal, Depends(allowed("documents.catalogue.read"))]
ConsentRecorder = Annotated[Principal, Depends(allowed("documents.consent.record"))]
Sharer = Annotated[Principal, Depends(allowed("documents.document.share"))]
SHA256_FIELD = Form(pattern=r"^[0-9a-fA-F]{64}$", description="the SHA-256 you expect, hex")
ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "not party to the case, or not the unit holding the document"},
    404: {"description": "no such case or document"}, 409: {"description": "changed meanwhile; retry"},
    422: {"description": "empty, too large, a type not accepted, an unknown document type, a hash mismatch"}}


class VersionView(BaseModel):
    """One stored version of a document."""

    document_id: str
    version: int
    document_type: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by_unit: str
    uploaded_at: datetime


class CaseFileView(BaseModel):
    """A case's document file: every version of every document, oldest first."""

    case_id: str
    document_count: int
    documents: list[VersionView]


@router.get("/document-types")
async def document_types(caller: CatalogueReader) -> dict[str, Any]:
    """Return the catalogue of document types, with the agency kinds that may hold each."""
    return catalogue()


@router.get("/cases/{case_id}/documents", response_model=CaseFileView, responses=ERRORS)
async def get_case_documents(case_id: str, session: SessionDep, seen: CaseReads) -> Any:
    """Return the documents attached to a case (their records, not their content)."""
    case_file = await projections.find_case_file(session, case_id)
    if case_file is None:
        raise HTTPException(404, f"case {case_id} not found / ไม่พบรายการนี้")
    await seen.record([case_id])
    return {"case_id": case_id, "document_count": case_file.document_count,
            "documents": await projections.versions_of_case(session, case_id)}


@router.post("/cases/{case_id}/documents", status_code=201, response_model=VersionView, responses=ERRORS)
async def upload(case_id: str, request: Request, bus: BusDep, caller: Uploader,
                 document_type: Annotated[str, Form(max_length=64)], file: Annotated[UploadFile, File()],
                 sha256: Annotated[str | None, SHA256_FIELD] = None) -> Any:
    """Store a new document of a case (multipart: document_type, file, optionally sha256)."""
    return await _store(request, bus, caller, case_id, str(uuid.uuid4()), document_type, file, sha256)


@router.post("/cases/{case_id}/documents/{document_id}/versions", status_code=201, response_model=VersionView,
             responses=ERRORS)
async def upload_version(case_id: str, document_id: str, request: Request, bus: BusDep, caller: Uploader,
                         document_type: Annotated[str, Form(max_length=64)], file: Annotated[UploadFile, File()],
                         sha256: Annotated[str | None, SHA256_FIELD] = None) -> Any:
    """Store a new version of a document; the earlier ones stay."""
    return await _store(request, bus, caller, case_id, document_id, document_type, file, sha256)


async def _store(request: Request, bus: BusDep, caller: Principal, case_id: str, document_id: str,
                 document_type: str, file: UploadFile, sha256: str | None) -> dict[str, Any]:
    limit = request.app.state.custody.max_bytes
    content = await file.read(limit + 1)  # one byte over is enough to refuse it
    event = await bus.handle(UploadDocument(
        case_id=case_id, document_id=document_id, document_type=document_type, content=content,
        declared_sha256=sha256.lower() if sha256 else None, file_name=(file.filename or None) and file.filename[:255],
        by_unit=caller.unit_id, by_user=caller.user))
    return {"document_id": event.document_id, "version": event.document_version, **event.model_dump(
        include={"document_type", "content_type", "size_bytes", "sha256", "uploaded_by_unit", "uploaded_at"})}


class ConsentBody(BaseModel):
    form_document_id: str = Field(min_length=1, max_length=64, description="the signed พม.1, uploaded first")
    given_by: ConsentGiver


class ShareBody(BaseModel):
    to_unit: str = Field(min_length=1, max_length=64)
    basis: ShareBasis
    legal_basis: LegalBasis | None = None
    note: str | None = Field(default=None, max_length=500)


@router.get("/cases/{case_id}/sharing", responses=ERRORS)
async def get_sharing(case_id: str, session: SessionDep, seen: CaseReads) -> dict[str, Any]:
    """Return the case's consents (standing or withdrawn) and the shares of its documents."""
    await seen.record([case_id])
    return await projections.sharing_of_case(session, case_id)


@router.post("/cases/{case_id}/consents", status_code=201, responses=ERRORS)
async def give_consent(case_id: str, body: ConsentBody, bus: BusDep, caller: ConsentRecorder) -> Any:
    """Record the client's consent to share the case's documents with the agencies it is referred to."""
    event = await bus.handle(GiveConsent(case_id=case_id, form_document_id=body.form_document_id,
                                         given_by=body.given_by, by_unit=caller.unit_id))
    return event.model_dump(mode="json")


@router.post("/cases/{case_id}/consents/{consent_id}/withdrawal", responses=ERRORS)
async def withdraw_consent(case_id: str, consent_id: str, bus: BusDep, caller: ConsentRecorder) -> Any:
    """Record that the client withdrew a consent; reads that rested on it are refused from now on."""
    event = await bus.handle(WithdrawConsent(case_id=case_id, consent_id=consent_id, by_unit=caller.unit_id))
    return event.model_dump(mode="json")


@router.post("/cases/{case_id}/documents/{document_id}/shares", status_code=201, responses=ERRORS)
async def share_document(case_id: str, document_id: str, body: ShareBody, bus: BusDep,
                         caller: Sharer) -> Any:
    """Share a document with another unit, on the client's standing consent or a named basis in law."""
    event = await bus.handle(ShareDocument(case_id=case_id, document_id=document_id, to_unit=body.to_unit,
                                           basis=body.basis, legal_basis=body.legal_basis, note=body.note,
                                           by_unit=caller.unit_id))
    return event.model_dump(mode="json")


@router.get("/cases/{case_id}/documents/{document_id}/content", response_class=Response, responses={
    **ERRORS, 200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}, "image/tiff": {}}}})
async def download(case_id: str, document_id: str, request: Request, session: SessionDep, seen: Downloads,
                   version: Annotated[int | None, Query(ge=1, le=MAX_INTEGER)] = None) -> Response:
    """Return a document's content (the newest version unless one is named); the read is recorded."""
    found, content = await custody.read_content(session, request.app.state.custody, case_id, document_id, version,
                                                seen.principal.unit_id)
    await seen.record([case_id])
    digest = base64.b64encode(bytes.fromhex(found["sha256"])).decode()
    return Response(content, media_type=found["content_type"], headers={
        "ETag": f'"{found["sha256"]}"', "Repr-Digest": f"sha-256=:{digest}:",
        "X-Document-Version": str(found["version"]), "Cache-Control": "no-store"})
