"""Documents' read side: the case files it knows of, each document version, and the queries."""

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.documents import ConsentGiven, ConsentWithdrawn, DocumentShared, DocumentUploaded, ShareBasis
from contracts.envelope import EventData
from saphan_runtime import direct
from saphan_runtime.eventstore import Projection, StoredEvent, projector
from services.documents import domain
from services.documents.db import agency_units, case_files, consents, document_shares, document_versions
from services.documents.domain import CaseFile


async def document_uploaded(session: AsyncSession, event: StoredEvent) -> None:
    """Add a stored version to the `document_versions` view, and count a new document in its case file."""
    data = event.data
    assert isinstance(data, DocumentUploaded)
    await session.execute(insert(document_versions), {
        "document_id": data.document_id, "version": data.document_version, "case_id": data.case_id,
        "document_type": data.document_type, "content_type": data.content_type, "size_bytes": data.size_bytes,
        "sha256": data.sha256, "file_name": data.file_name.model_dump() if data.file_name else None,
        "blob_name": domain.blob_name(data), "uploaded_by_unit": data.uploaded_by_unit,
        "uploaded_by_user": data.uploaded_by_user, "uploaded_at": data.uploaded_at})
    if data.document_version == 1:
        await session.execute(update(case_files).where(case_files.c.case_id == data.case_id)
                              .values(document_count=case_files.c.document_count + 1))


async def consent_given(session: AsyncSession, event: StoredEvent) -> None:
    """Add a standing consent."""
    data = event.data
    assert isinstance(data, ConsentGiven)
    await session.execute(insert(consents), {
        "consent_id": data.consent_id, "case_id": data.case_id, "form_document_id": data.form_document_id,
        "given_by": data.given_by, "stands": True, "recorded_by_unit": data.recorded_by_unit,
        "given_at": data.given_at})


async def consent_withdrawn(session: AsyncSession, event: StoredEvent) -> None:
    """Mark a consent withdrawn."""
    data = event.data
    assert isinstance(data, ConsentWithdrawn)
    await session.execute(update(consents).where(consents.c.consent_id == data.consent_id)
                          .values(stands=False, withdrawn_at=data.withdrawn_at))


async def document_shared(session: AsyncSession, event: StoredEvent) -> None:
    """Add (or renew) a share of a document with a unit."""
    data = event.data
    assert isinstance(data, DocumentShared)
    table = document_shares
    await session.execute(delete(table).where(table.c.document_id == data.document_id,
                                              table.c.to_unit == data.to_unit, table.c.basis == data.basis))
    await session.execute(insert(table), {
        "document_id": data.document_id, "to_unit": data.to_unit, "basis": data.basis, "case_id": data.case_id,
        "legal_basis": data.legal_basis, "note": data.note, "shared_by_unit": data.shared_by_unit,
        "shared_at": data.shared_at})


PROJECTIONS: dict[type[EventData], Projection] = {
    DocumentUploaded: document_uploaded,
    ConsentGiven: consent_given,
    ConsentWithdrawn: consent_withdrawn,
    DocumentShared: document_shared,
}

project = projector(PROJECTIONS)


async def add_case_file(session: AsyncSession, case_file: CaseFile, *, opened_at: datetime) -> None:
    """Record a newly opened case file."""
    await direct.insert_rows(session, case_files, [{"case_id": case_file.case_id,
                                                    "document_count": case_file.document_count,
                                                    "opened_at": opened_at}])


CASE_FILE = select(case_files.c.case_id, case_files.c.document_count).where(  # built once: run for each event
    case_files.c.case_id == bindparam("case_id"))


async def find_case_file(session: AsyncSession, case_id: str) -> CaseFile | None:
    """Return one case's document file, or None."""
    rows = await direct.select_rows(session, CASE_FILE, {"case_id": case_id})
    return CaseFile(case_id=rows[0][0], document_count=rows[0][1]) if rows else None


async def versions_of_case(session: AsyncSession, case_id: str) -> list[dict[str, Any]]:
    """Return every stored version of a case's documents, oldest first."""
    rows = await session.execute(select(document_versions).where(document_versions.c.case_id == case_id)
                                 .order_by(document_versions.c.uploaded_at, document_versions.c.version))
    return [dict(row) for row in rows.mappings()]


async def find_version(session: AsyncSession, document_id: str, version: int | None) -> dict[str, Any] | None:
    """Return one version of a document (the newest when no version is named), or None."""
    table = document_versions
    wanted = version if version is not None else select(func.max(table.c.version)).where(
        table.c.document_id == document_id).scalar_subquery()
    row = (await session.execute(select(table).where(table.c.document_id == document_id,
                                                     table.c.version == wanted))).mappings().first()
    return dict(row) if row else None


async def consent_stands(session: AsyncSession, case_id: str) -> bool:
    """Return whether the client has a standing consent for the case."""
    found = await session.scalar(select(func.count()).select_from(consents)
                                 .where(consents.c.case_id == case_id, consents.c.stands.is_(True)))
    return bool(found)


async def shares_of(session: AsyncSession, document_id: str) -> frozenset[tuple[str, ShareBasis]]:
    """Return the (unit, basis) a document is shared with."""
    rows = await session.execute(select(document_shares.c.to_unit, document_shares.c.basis)
                                 .where(document_shares.c.document_id == document_id))
    return frozenset((unit, ShareBasis(basis)) for unit, basis in rows)


async def sharing_of_case(session: AsyncSession, case_id: str) -> dict[str, list[dict[str, Any]]]:
    """Return a case's consents and shares, oldest first."""
    found = await session.execute(select(consents).where(consents.c.case_id == case_id)
                                  .order_by(consents.c.given_at))
    shared = await session.execute(select(document_shares).where(document_shares.c.case_id == case_id)
                                   .order_by(document_shares.c.shared_at))
    return {"consents": [dict(r) for r in found.mappings()], "shares": [dict(r) for r in shared.mappings()]}


async def note_unit(session: AsyncSession, unit_id: str, kind: str) -> None:
    """Keep (or change) a unit's agency kind."""
    await session.execute(delete(agency_units).where(agency_units.c.unit_id == unit_id))
    await session.execute(insert(agency_units), {"unit_id": unit_id, "kind": kind})


async def unit_kind(session: AsyncSession, unit_id: str) -> str | None:
    """Return a registered unit's agency kind, or None for a unit outside the registry (the 1300 hotline)."""
    kind: str | None = await session.scalar(select(agency_units.c.kind).where(agency_units.c.unit_id == unit_id))
    return kind


async def blob_names(session: AsyncSession) -> set[str]:
    """Return the name of every stored version's content."""
    return set((await session.scalars(select(document_versions.c.blob_name))).all())
