"""Intake's read side: projections written in the same transaction as the events, and the queries."""

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.envelope import EventData
from contracts.intake import CaseReported
from saphan_runtime.eventstore import Projection, StoredEvent, projector
from services.intake.db import cases


async def case_opened(session: AsyncSession, event: StoredEvent) -> None:
    """Add a reported case to the `cases` view."""
    data = event.data
    assert isinstance(data, CaseReported)
    await session.execute(insert(cases), {
        "case_id": data.case_id, "status": "reported", "channel": data.channel,
        "received_at": data.received_at, "problem_types": [p.value for p in data.problem_types],
        "client_age_years": data.client_age_years, "province_code": data.location.province_code,
        "district_code": data.location.district_code, "subdistrict_code": data.location.subdistrict_code,
        "version": event.version, "updated_at": event.envelope.time,
    })


PROJECTIONS: dict[type[EventData], Projection] = {
    CaseReported: case_opened,
}

project = projector(PROJECTIONS)


async def find_case(session: AsyncSession, case_id: str) -> dict[str, Any] | None:
    """Return one case's current view, or None."""
    row = (await session.execute(select(cases).where(cases.c.case_id == case_id))).mappings().first()
    return dict(row) if row else None
