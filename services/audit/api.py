"""Audit's HTTP entry point: translate requests into queries and views into responses, nothing else."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from saphan_runtime.http import SessionDep
from services.audit import projections

router = APIRouter(tags=["ledger"])


class TimelineEntry(BaseModel):
    """One event of a case as the ledger holds it."""

    sequence: int
    event_id: str
    type: str
    source: str
    time: datetime
    topic: str
    partition: int
    offset: int
    recorded_at: datetime
    event: dict[str, Any]


class Timeline(BaseModel):
    """A case's events in ledger order."""

    case_id: str
    events: list[TimelineEntry]


@router.get("/cases/{case_id}/timeline", response_model=Timeline,
            responses={404: {"description": "the ledger holds no event of this case"}})
async def get_timeline(case_id: str, session: SessionDep) -> Timeline:
    """Return a case's events in the order the ledger recorded them."""
    entries = await projections.case_timeline(session, case_id)
    if not entries:
        raise HTTPException(404, f"no events for case {case_id} / ไม่พบเหตุการณ์ของรายการนี้")
    return Timeline(case_id=case_id, events=[TimelineEntry.model_validate(e) for e in entries])
