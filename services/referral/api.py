"""Referral's HTTP entry point for cases and referrals: translate requests into commands, views into responses."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from contracts.common import ReferralOutcome, RuleFired, StatusReason
from contracts.referral import AgencyAssignment
from saphan_runtime.access import Reads, reads
from saphan_runtime.auth import Principal
from saphan_runtime.authorisation import allowed
from saphan_runtime.http import BusDep, SessionDep, etag, event_stream, optional_version, sse
from services.referral import queries
from services.referral.case_view import CaseStatus, ReferralView, case_status_view, referral_view
from services.referral.commands import ChangeReferralStatus
from services.referral.lifecycle import Action

router = APIRouter(tags=["cases and referrals"])
CaseReads = Annotated[Reads, reads("referral.case.read")]
Actor = Annotated[Principal, Depends(allowed("referral.referral.act"))]
ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "this unit may not do that"}, 404: {"description": "not found"},
    409: {"description": "not allowed in the current status (the allowed actions are named)"},
    422: {"description": "a field is missing or invalid"}}


class RoutingView(BaseModel):
    """Which units a case was routed to, which one leads, and the rules that decided it."""

    case_id: str
    urgency: str
    lead: str
    lead_unit: str
    assignments: list[AgencyAssignment]
    rules_fired: list[RuleFired]
    needs_review: bool
    decided_at: datetime
    version: int


class StatusChange(BaseModel):
    """What the move must carry (the acting unit is the caller's)."""

    reason: StatusReason | None = None
    outcome: ReferralOutcome | None = None
    note: str | None = Field(default=None, max_length=1000)


@router.get("/cases/{case_id}/routing", response_model=RoutingView, responses=ERRORS)
async def get_routing(case_id: str, session: SessionDep, seen: CaseReads) -> Any:
    """Return a case's routing decision and why it was made."""
    status = await queries.case_status(session, case_id)
    if status is None:
        raise HTTPException(404, f"no routing for case {case_id} / ยังไม่มีการส่งต่อรายการนี้")
    await seen.record([case_id])
    return status["routing"]


@router.get("/cases/{case_id}/status", response_model=CaseStatus, responses=ERRORS)
async def get_case_status(case_id: str, session: SessionDep, seen: CaseReads) -> Any:
    """Return a case's lead unit and each referral's state and deadlines."""
    status = await case_status_view(session, case_id)
    if status is None:
        raise HTTPException(404, f"case {case_id} has not been routed / ยังไม่มีการส่งต่อรายการนี้")
    await seen.record([case_id])
    return status


@router.get("/cases/{case_id}/status/stream", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}, 404: ERRORS[404]})
async def stream_case_status(case_id: str, request: Request, seen: CaseReads) -> StreamingResponse:
    """Push the case's status (server-sent events) now and after every change; the read is recorded at the start."""
    await seen.record([case_id])

    async def snapshot() -> Any:
        async with request.app.state.service.read_sessions() as session:
            return await case_status_view(session, case_id)

    return sse(event_stream(request, snapshot))


@router.get("/referrals/{referral_id}", response_model=ReferralView, responses=ERRORS)
async def get_referral(referral_id: str, session: SessionDep, response: Response, seen: CaseReads) -> Any:
    """Return one referral; its ETag is the version to send in If-Match."""
    row = await queries.find_referral(session, referral_id)
    if row is None:
        raise HTTPException(404, f"referral {referral_id} not found / ไม่พบการส่งต่อนี้")
    await seen.record([row["case_id"]])
    response.headers["ETag"] = etag(row["version"])
    return referral_view(row)


@router.post("/referrals/{referral_id}/{action}", response_model=ReferralView, responses=ERRORS)
async def act_on_referral(
    referral_id: str, action: Action, change: StatusChange, bus: BusDep, session: SessionDep, response: Response,
    caller: Actor, if_match: Annotated[str | None, Header()] = None,
) -> Any:
    """Receive, accept, reject, start, hold, resume, complete, fail or cancel a referral."""
    expected = optional_version(if_match)
    version = await bus.handle(ChangeReferralStatus(referral_id=referral_id, action=action, by_unit=caller.unit_id,
                                                    reason=change.reason, outcome=change.outcome, note=change.note,
                                                    expected_version=expected))
    response.headers["ETag"] = etag(version)
    row = await queries.find_referral(session, referral_id)
    assert row is not None
    return referral_view(row)
