"""Documents' read side: the case files it knows of, each document version, and the queries."""

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.documents import DocumentUploaded
from contracts.envelope import EventData
from saphan_runtime.eventstore import Projection, StoredEvent, projector
from services.documents import domain
from services.documents.db import case_files, document_versions
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


PROJECTIONS: dict[type[EventData], Projection] = {DocumentUploaded: document_uploaded}

project = projector(PROJECTIONS)


async def add_case_file(session: AsyncSession, case_file: CaseFile, *, opened_at: datetime) -> None:
    """Record a newly opened case file."""
    await session.execute(insert(case_files), {"case_id": case_file.case_id,
                                               "document_count": case_file.document_count,
                                               "opened_at": opened_at})


async def find_case_file(session: AsyncSession, case_id: str) -> CaseFile | None:
    """Return one case's document file, or None."""
    row = (await session.execute(select(case_files).where(case_files.c.case_id == case_id))).mappings().first()
    return CaseFile(case_id=row["case_id"], document_count=row["document_count"]) if row else None


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


async def blob_names(session: AsyncSession) -> set[str]:
    """Return the name of every stored version's content."""
    return set((await session.scalars(select(document_versions.c.blob_name))).all())
