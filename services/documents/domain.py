"""A case's documents: plain rules deciding what an upload records, and how a document's versions fold."""

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

from contracts.documents import (
    ConsentGiven,
    ConsentGiver,
    ConsentWithdrawn,
    DocumentShared,
    DocumentUploaded,
    LegalBasis,
    ShareBasis,
    catalogue,
)
from contracts.envelope import EventData
from saphan_runtime.errors import Conflict, DomainError, Forbidden, NotFound


@dataclass(frozen=True)
class CaseFile:
    """The document file of one case."""

    case_id: str
    document_count: int = 0


@dataclass(frozen=True)
class Document:
    """One document of a case, folded from its versions."""

    document_id: str
    case_id: str
    document_type: str
    versions: int
    uploaded_by_unit: str
    latest_sha256: str
    shares: frozenset[tuple[str, ShareBasis]] = frozenset()  # (unit, basis)
    stream_version: int = 0  # of the document's stream: its versions and its shares


@dataclass(frozen=True)
class Upload:
    """What a caller sends: the bytes, what they are, and optionally the hash they expect."""

    case_id: str
    document_id: str
    document_type: str
    content: bytes
    content_type: str | None  # sniffed from the bytes
    declared_sha256: str | None
    by_unit: str
    by_user: str
    blob_id: str  # a new name for the content, so concurrent uploads never share one


def open_file(existing: CaseFile | None, case_id: str) -> CaseFile | None:
    """Decide whether a case file must be opened: only once per case."""
    if existing is not None:
        return None
    return CaseFile(case_id=case_id)


def stream_id(document_id: str) -> str:
    """Return the event stream of one document."""
    return f"document-{document_id}"


def blob_name(event: DocumentUploaded) -> str:
    """Return where a version's content rests."""
    return f"{event.case_id}/{event.document_id}/{event.blob_id}"


def upload(upload: Upload, *, case_file: CaseFile | None, existing: Document | None, unit_kind: str | None,
           max_bytes: int, now: datetime) -> DocumentUploaded:
    """Decide the record of an upload, or refuse it naming the field at fault. The record's file name is left to
    the caller, which seals it with the case's key once the upload is accepted."""
    check_content(upload, max_bytes)
    check_holder(upload.document_type, unit_kind)
    if case_file is None:
        raise NotFound(f"case {upload.case_id} not found / ไม่พบรายการนี้")
    sha256 = hashlib.sha256(upload.content).hexdigest()
    if upload.declared_sha256 is not None and upload.declared_sha256.lower() != sha256:
        raise DomainError(f"the content's SHA-256 is {sha256}, not the one declared / ค่าแฮชไม่ตรงกับเนื้อหา",
                          field="body.sha256")
    version = 1
    if existing is not None:
        if existing.case_id != upload.case_id:
            raise NotFound(f"document {upload.document_id} not found / ไม่พบเอกสารนี้")
        if existing.uploaded_by_unit != upload.by_unit:
            raise Forbidden("only the unit that holds the document may add a version / "
                            "เฉพาะหน่วยงานที่ถือเอกสารนี้เท่านั้นที่เพิ่มฉบับใหม่ได้")
        if existing.document_type != upload.document_type:
            raise DomainError(f"this document is a {existing.document_type} / เอกสารนี้เป็นประเภทอื่น",
                              field="body.document_type")
        version = existing.versions + 1
    assert upload.content_type is not None
    return DocumentUploaded(
        case_id=upload.case_id, document_id=upload.document_id, document_version=version,
        document_type=upload.document_type, content_type=upload.content_type, size_bytes=len(upload.content),
        sha256=sha256, blob_id=upload.blob_id, uploaded_by_unit=upload.by_unit,
        uploaded_by_user=upload.by_user, uploaded_at=now)


def check_content(upload: Upload, max_bytes: int) -> None:
    """Refuse an empty file, one over the limit, one of a type the catalogue does not accept."""
    types = catalogue()
    if upload.document_type not in types["types"]:
        raise DomainError(f"unknown document type {upload.document_type!r} / ไม่รู้จักประเภทเอกสารนี้",
                          field="body.document_type")
    if not upload.content:
        raise DomainError("the file is empty / ไฟล์ว่างเปล่า", field="body.file")
    if len(upload.content) > max_bytes:
        raise DomainError(f"the file is over {max_bytes} bytes / ไฟล์ใหญ่เกินกำหนด", field="body.file")
    if upload.content_type not in types["content_types"]:
        accepted = ", ".join(types["content_types"])
        raise DomainError(f"the file is not one of {accepted} / ไม่รับไฟล์ประเภทนี้", field="body.file")


def check_holder(document_type: str, unit_kind: str | None) -> None:
    """Refuse a document type the uploader's kind of agency may not hold (units outside the registry, such as the
    1300 hotline, are not limited by kind)."""
    holders = catalogue()["types"].get(document_type, {}).get("holders", [])
    if unit_kind is not None and unit_kind not in holders:
        raise DomainError(f"a {unit_kind} does not hold a {document_type} / หน่วยงานประเภทนี้ไม่ถือเอกสารประเภทนี้",
                          field="body.document_type")


def evolve(state: Document | None, event: EventData, version: int) -> Document | None:
    """Fold one event into a document."""
    if isinstance(event, DocumentShared) and state is not None:
        return replace(state, shares=state.shares | {(event.to_unit, event.basis)}, stream_version=version)
    if not isinstance(event, DocumentUploaded):
        return state
    return Document(document_id=event.document_id, case_id=event.case_id, document_type=event.document_type,
                    versions=event.document_version, uploaded_by_unit=event.uploaded_by_unit,
                    latest_sha256=event.sha256, shares=state.shares if state else frozenset(), stream_version=version)


CONSENT_FORM = "consent_and_power_of_attorney"


def consents_stream(case_id: str) -> str:
    """Return the event stream of a case's consents."""
    return f"consents-{case_id}"


def evolve_consents(state: dict[str, bool] | None, event: EventData, version: int) -> dict[str, bool] | None:
    """Fold one event into a case's consents: consent id -> whether it stands."""
    consents = dict(state or {})
    if isinstance(event, ConsentGiven):
        consents[event.consent_id] = True
    elif isinstance(event, ConsentWithdrawn):
        consents[event.consent_id] = False
    return consents


def give_consent(form: Document | None, *, case_id: str, consent_id: str, given_by: ConsentGiver, by_unit: str,
                 now: datetime) -> ConsentGiven:
    """Decide the record of a consent: its signed form must be a พม.1 of this case."""
    if form is None or form.case_id != case_id:
        raise DomainError("no such consent form in this case / ไม่พบแบบฟอร์มความยินยอมในรายการนี้",
                          field="body.form_document_id")
    if form.document_type != CONSENT_FORM:
        raise DomainError(f"the consent form must be a {CONSENT_FORM} (พม.1) / ต้องเป็นแบบ พม.1",
                          field="body.form_document_id")
    return ConsentGiven(case_id=case_id, consent_id=consent_id, form_document_id=form.document_id,
                        given_by=given_by, recorded_by_unit=by_unit, given_at=now)


def withdraw_consent(consents: dict[str, bool] | None, *, case_id: str, consent_id: str, by_unit: str,
                     now: datetime) -> ConsentWithdrawn:
    """Decide the withdrawal of a standing consent."""
    if consent_id not in (consents or {}):
        raise NotFound(f"consent {consent_id} not found / ไม่พบความยินยอมนี้")
    if not (consents or {})[consent_id]:
        raise Conflict("the consent was already withdrawn / ความยินยอมนี้ถูกถอนแล้ว")
    return ConsentWithdrawn(case_id=case_id, consent_id=consent_id, recorded_by_unit=by_unit, withdrawn_at=now)


def share(document: Document | None, *, case_id: str, to_unit: str, basis: ShareBasis,
          legal_basis: LegalBasis | None, note: str | None, by_unit: str, consent_stands: bool,
          now: datetime) -> DocumentShared:
    """Decide a share: only the holding unit shares, on a standing consent or a named basis in law."""
    if document is None or document.case_id != case_id:
        raise NotFound("document not found / ไม่พบเอกสารนี้")
    if document.uploaded_by_unit != by_unit:
        raise Forbidden("only the unit holding the document may share it / เฉพาะหน่วยงานที่ถือเอกสารเท่านั้นที่เปิดเผยได้")
    if to_unit == by_unit:
        raise DomainError("a unit does not share with itself / ไม่ต้องเปิดเผยแก่หน่วยงานของตนเอง", field="body.to_unit")
    if basis is ShareBasis.LEGAL_BASIS and legal_basis is None:
        raise DomainError("name the basis in law / ต้องระบุฐานทางกฎหมาย", field="body.legal_basis")
    if basis is ShareBasis.CONSENT and not consent_stands:
        raise Conflict("the client has no standing consent for this case / ไม่มีความยินยอมของผู้รับบริการที่มีผลอยู่")
    return DocumentShared(case_id=case_id, document_id=document.document_id, to_unit=to_unit, basis=basis,
                          legal_basis=legal_basis if basis is ShareBasis.LEGAL_BASIS else None, note=note,
                          shared_by_unit=by_unit, shared_at=now)


def may_read(holder: str, unit: str, shares: frozenset[tuple[str, ShareBasis]], consent_stands: bool) -> bool:
    """Return whether a unit may read a document: it holds it, or it was shared with it on a basis in law, or on
    the client's consent while that consent stands."""
    return unit == holder or (unit, ShareBasis.LEGAL_BASIS) in shares or (
        consent_stands and (unit, ShareBasis.CONSENT) in shares)
