"""Referral's HTTP entry point for the agency registry and each unit's inbox: translate, nothing else."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, StrictInt

from contracts.agencies import AgencyUnit
from contracts.common import AgencyKind, ReferralStatus, Urgency
from saphan_runtime.access import Reads, reads
from saphan_runtime.auth import Principal
from saphan_runtime.authorisation import allowed, allowed_for_unit
from saphan_runtime.db import MAX_BIG_INTEGER
from saphan_runtime.http import BusDep, SessionDep, etag, event_stream, optional_version, sse
from services.referral import queries
from services.referral.api import ERRORS
from services.referral.case_view import ReferralView, referral_view
from services.referral.commands import RecordAgencyUnit, ReplayWebhook, SubscribeWebhook

router = APIRouter(tags=["agencies"])
RegistryReader = Annotated[Principal, Depends(allowed("referral.agency.read"))]
RegistryKeeper = Annotated[Principal, Depends(allowed("referral.agency.write"))]
InboxReader = Annotated[Principal, Depends(allowed_for_unit("referral.inbox.read"))]
InboxReads = Annotated[Reads, reads("referral.inbox.read")]
WebhookManager = Annotated[Principal, Depends(allowed_for_unit("referral.webhook.manage"))]
PAGE = Annotated[int, Query(ge=1, le=10_000)]
PAGE_SIZE = Annotated[int, Query(ge=1, le=200)]


class UnitView(AgencyUnit):
    """A unit with its version (send it back in If-Match to change the unit)."""

    version: int


class Inbox(BaseModel):
    """One page of a unit's referrals, the nearest deadline first."""

    unit_id: str
    total: int
    page: int
    page_size: int
    items: list[ReferralView]


@router.get("/agencies", response_model=list[UnitView])
async def list_units(session: SessionDep, caller: RegistryReader, kind: AgencyKind | None = None,
                     area: Annotated[str | None, Query(pattern=r"^([0-9]{2}|[0-9]{6})$")] = None) -> Any:
    """List the units, optionally of one kind or serving one province or subdistrict."""
    return await queries.list_units(session, kind=kind.value if kind else None, area=area)


@router.get("/agencies/{unit_id}", response_model=UnitView, responses=ERRORS)
async def get_unit(unit_id: str, session: SessionDep, response: Response, caller: RegistryReader) -> Any:
    """Return one unit."""
    found = await queries.find_unit(session, unit_id)
    if found is None:
        raise HTTPException(404, f"unit {unit_id} not found / ไม่พบหน่วยงานนี้")
    response.headers["ETag"] = etag(found[1])
    return {**found[0].model_dump(), "version": found[1]}


@router.put("/agencies/{unit_id}", response_model=UnitView, responses=ERRORS)
async def put_unit(
    unit_id: str, unit: AgencyUnit, bus: BusDep, response: Response, caller: RegistryKeeper,
    if_match: Annotated[str | None, Header()] = None,
) -> Any:
    """Register a unit or change it (send If-Match with the unit's ETag to change an existing one)."""
    if unit.unit_id != unit_id:
        raise HTTPException(422, "the body's unit_id must match the path / unit_id ไม่ตรงกับที่อยู่")
    expected = optional_version(if_match) or 0
    version = await bus.handle(RecordAgencyUnit(unit=unit, recorded_by=caller.user, expected_version=expected))
    response.headers["ETag"] = etag(version)
    return {**unit.model_dump(), "version": version}


async def _inbox(session: Any, unit_id: str, *, sent: bool, only: queries.InboxFilter, page: int, size: int,
                 seen: Reads | None = None) -> Any:
    total, rows = await queries.referrals_of_unit(session, unit_id, sent=sent, only=only, page=page, size=size)
    if seen is not None:
        await seen.record(row["case_id"] for row in rows)
    return {"unit_id": unit_id, "total": total, "page": page, "page_size": size,
            "items": [referral_view(row) for row in rows]}


@router.get("/agencies/{unit_id}/inbox", response_model=Inbox)
async def get_inbox(
    unit_id: str, session: SessionDep, caller: InboxReader, seen: InboxReads, status: ReferralStatus | None = None,
    urgency: Urgency | None = None, overdue: bool | None = None, page: PAGE = 1, page_size: PAGE_SIZE = 50,
) -> Any:
    """Return the referrals addressed to a unit, filtered by status, urgency and overdue."""
    only = queries.InboxFilter(status=status.value if status else None, urgency=urgency.value if urgency else None,
                               overdue=overdue)
    return await _inbox(session, unit_id, sent=False, only=only, page=page, size=page_size, seen=seen)


@router.get("/agencies/{unit_id}/inbox/stream", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def stream_inbox(unit_id: str, request: Request, caller: InboxReader, seen: InboxReads) -> StreamingResponse:
    """Push a unit's open referrals (server-sent events) now and after every change; each case is recorded as read
    the first time this stream shows it."""
    shown: set[str] = set()

    async def snapshot() -> Any:
        async with request.app.state.service.read_sessions() as session:
            inbox = await _inbox(session, unit_id, sent=False, only=queries.InboxFilter(active_only=True),
                                 page=1, size=200)
        new = {item["case_id"] for item in inbox["items"]} - shown
        await seen.record(sorted(new))
        shown.update(new)
        return inbox

    return sse(event_stream(request, snapshot, event="inbox"))


@router.get("/agencies/{unit_id}/sent", response_model=Inbox)
async def get_sent(unit_id: str, session: SessionDep, caller: InboxReader, seen: InboxReads,
                   status: ReferralStatus | None = None, page: PAGE = 1, page_size: PAGE_SIZE = 50) -> Any:
    """Return the referrals a unit sent, with every status change the receivers made (the closed loop)."""
    only = queries.InboxFilter(status=status.value if status else None)
    return await _inbox(session, unit_id, sent=True, only=only, page=page, size=page_size, seen=seen)


@router.get("/agencies/{unit_id}/escalations")
async def get_escalations(unit_id: str, session: SessionDep, caller: InboxReader,
                          seen: InboxReads) -> list[dict[str, Any]]:
    """Return the missed deadlines escalated to a provincial office."""
    found = await queries.escalations_to(session, unit_id)
    await seen.record(row["case_id"] for row in found)
    return found


class WebhookRequest(BaseModel):
    """Where to send a unit's events, which types, and (optionally) the secret to sign them with."""

    url: str = Field(pattern=r"^https?://", max_length=2000)
    event_types: list[str] = Field(min_length=1, max_length=50)
    secret: str | None = Field(default=None, min_length=16, max_length=200)
    from_position: StrictInt | None = Field(default=None, ge=1, le=MAX_BIG_INTEGER,
                                      description="replay from here; default: new events only")


class WebhookCreated(BaseModel):
    """The new webhook and its signing secret (shown this once)."""

    webhook_id: str
    secret: str


class Replay(BaseModel):
    from_position: StrictInt = Field(ge=1, le=MAX_BIG_INTEGER)


@router.post("/agencies/{unit_id}/webhooks", status_code=201, response_model=WebhookCreated, responses=ERRORS)
async def subscribe(unit_id: str, body: WebhookRequest, bus: BusDep, caller: WebhookManager) -> Any:
    """Send a unit's system the events that concern it, signed with HMAC-SHA256 (X-Saphan-Signature)."""
    return await bus.handle(SubscribeWebhook(unit_id=unit_id, **body.model_dump()))


@router.get("/agencies/{unit_id}/webhooks")
async def list_webhooks(unit_id: str, session: SessionDep, caller: WebhookManager) -> list[dict[str, Any]]:
    """Return a unit's webhooks with their delivery state (position, failures, next attempt, last error)."""
    return await queries.webhooks_of_unit(session, unit_id)


@router.post("/agencies/{unit_id}/webhooks/{webhook_id}/replay", status_code=202, responses=ERRORS)
async def replay(unit_id: str, webhook_id: str, body: Replay, bus: BusDep, caller: WebhookManager) -> dict[str, Any]:
    """Deliver the webhook's events again, starting at a position of referral's event log."""
    await bus.handle(ReplayWebhook(unit_id=unit_id, webhook_id=webhook_id, from_position=body.from_position))
    return {"webhook_id": webhook_id, "from_position": body.from_position}
