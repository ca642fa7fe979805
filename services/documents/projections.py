"""Documents' read side: the case files it knows of, and the queries."""

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.envelope import EventData
from saphan_runtime.eventstore import Projection, projector
from services.documents.db import case_files
from services.documents.domain import CaseFile

PROJECTIONS: dict[type[EventData], Projection] = {}

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
