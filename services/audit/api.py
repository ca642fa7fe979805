"""Audit's HTTP entry point: translate requests into queries and views into responses, nothing else."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel

from contracts.common import IsoDateTime
from saphan_runtime.access import Reads, reads
from saphan_runtime.auth import Principal
from saphan_runtime.authorisation import allowed
from saphan_runtime.db import MAX_BIG_INTEGER
from saphan_runtime.http import SessionDep
from services.audit import projections, replay

router = APIRouter(tags=["ledger"])
Auditor = Annotated[Principal, Depends(allowed("audit.history.read"))]
HistoryReads = Annotated[Reads, reads("audit.history.read")]


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
async def get_timeline(
    case_id: str, session: SessionDep, seen: HistoryReads,
    include_reads: Annotated[bool, Query(description="also the access events (who read the case)")] = True,
) -> Timeline:
    """Return a case's events in the order the ledger recorded them: its changes and who read it."""
    entries = await projections.case_timeline(session, case_id, include_reads=include_reads)
    if not entries:
        raise HTTPException(404, f"no events for case {case_id} / ไม่พบเหตุการณ์ของรายการนี้")
    await seen.record([case_id])
    return Timeline(case_id=case_id, events=[TimelineEntry.model_validate(e) for e in entries])


class CaseStateView(BaseModel):
    """A case as each service showed it after the last event replayed (a service not yet involved shows null)."""

    case_id: str
    sequence: int
    time: datetime
    events: int
    skipped: int
    views: dict[str, dict[str, Any] | None]


@router.get("/cases/{case_id}/state", response_model=CaseStateView,
            responses={404: {"description": "the ledger holds no event of this case by then"}})
async def get_state(
    case_id: str, session: SessionDep, seen: HistoryReads,
    at: Annotated[IsoDateTime | None, Query(description="the moment (ISO 8601 with a zone); default now")] = None,
    sequence: Annotated[int | None, Query(ge=1, le=MAX_BIG_INTEGER,
                                         description="the last ledger sequence to replay")] = None,
) -> Any:
    """Return a case's state as it stood at a moment or a ledger sequence, replayed from the ledger."""
    state = await replay.case_state(session, case_id, at=at, sequence=sequence)
    if state is None:
        raise HTTPException(404, f"no events for case {case_id} by then / ไม่พบเหตุการณ์ของรายการนี้ ณ เวลานั้น")
    await seen.record([case_id])
    return state
