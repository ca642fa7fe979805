"""Intake's HTTP entry point: translate requests into commands and views into responses, nothing else."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, HTTPException, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, StrictBool

from contracts.common import ClosureReason, IsoDateTime, ProblemType, Urgency
from contracts.intake import ErasureReason, IntakeReport
from saphan_runtime import parties
from saphan_runtime.access import Reads, reads
from saphan_runtime.auth import Principal
from saphan_runtime.authorisation import allowed
from saphan_runtime.cloudevents import now
from saphan_runtime.http import (
    BEHIND,
    Admitted,
    BusDep,
    SessionDep,
    etag,
    event_stream,
    expected_version,
    field_error,
    problem,
    sse,
)
from saphan_runtime.transactions import ConcurrencyConflict
from services.intake import board, facts, queries
from services.intake.case_view import CaseRecord
from services.intake.commands import CloseAtIntake, ErasePersonalData, ReportCase, ResolveDuplicate

router = APIRouter(tags=["cases"])
Reporter = Annotated[Principal, Depends(allowed("intake.case.report"))]
CaseReads = Annotated[Reads, reads("intake.case.read")]
SearchReads = Annotated[Reads, reads("intake.case.search")]
Closer = Annotated[Principal, Depends(allowed("intake.case.close"))]
DuplicateResolver = Annotated[Principal, Depends(allowed("intake.duplicate.resolve"))]
Eraser = Annotated[Principal, Depends(allowed("intake.personal-data.erase"))]
BoardReader = Annotated[Principal, Depends(allowed("intake.board.read"))]
IF_MATCH = Annotated[str | None, Header(description='the ETag read with the case, e.g. "3"')]
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such case"}, 409: {"description": "changed meanwhile, or not allowed now"},
    422: {"description": "a field is missing or invalid"}, 428: {"description": "If-Match is required"}}
INVALID: dict[int | str, dict[str, Any]] = {422: ERRORS[422]}
STREAM: dict[int | str, dict[str, Any]] = {200: {"content": {"text/event-stream": {}}}, **INVALID}
# The dry run reads its body itself (to report every fault at once); its schema is still the report's.
REPORT_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/IntakeReport"}}}}}


class RuleView(BaseModel):
    rule_id: str
    reason: str


class DuplicateView(BaseModel):
    case_id: str
    rule_id: str


class Screening(BaseModel):
    """The answer to a report: the case and what screening decided."""

    case_id: str
    version: int
    status: str
    urgency: str | None
    response: str | None
    closure_reason: str | None
    decided_by: list[RuleView]
    possible_duplicates: list[DuplicateView]


class Validity(BaseModel):
    """The answer to a dry run: the report would be accepted as it is."""

    valid: bool


class CasePage(BaseModel):
    """One page of a search."""

    total: int
    page: int
    page_size: int
    items: list[CaseRecord]


class Closure(BaseModel):
    reason: ClosureReason


class DuplicateAnswer(BaseModel):
    confirmed: StrictBool


class Erasure(BaseModel):
    reason: ErasureReason
    note: str | None = Field(default=None, max_length=500, description="the order or request behind it")


class Edited(BaseModel):
    case_id: str
    version: int


@router.post("/cases", status_code=201, response_model=Screening, responses={**ERRORS, **BEHIND},
             dependencies=[Admitted])
async def post_case(
    report: IntakeReport, bus: BusDep, response: Response, caller: Reporter,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=200)] = None,
) -> Any:
    """Open and screen a case for a report; retry safely with the same Idempotency-Key."""
    command = ReportCase(report=report, reported_by_unit=caller.unit_id, reported_by_user=caller.user,
                         idempotency_key=idempotency_key)
    try:
        outcome = await bus.handle(command)
    except ConcurrencyConflict:
        if not idempotency_key:
            raise
        outcome = await bus.handle(command)  # the same key was being used concurrently: answer as it did
    response.headers["Location"] = f"/cases/{outcome.case_id}"
    response.headers["ETag"] = etag(outcome.version)
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return outcome.answer


@router.post("/cases/validation", response_model=Validity, responses=INVALID, openapi_extra=REPORT_BODY)
async def validate_case(body: Annotated[Any, Body()], caller: Reporter) -> Any:
    """Check a report as `POST /cases` would before storing it (a dry run, e.g. as the operator types): 200 when it
    would be accepted, else 422 naming every field at fault at once (what the schema refuses, and the facts that
    cannot be true among the parts it accepts), where `POST /cases` stops at the first kind. With one fault the
    answer is the one `POST /cases` gives. Nothing is stored, no event emitted, no access recorded."""
    schema, faults = facts.faults_of_body(body, now())
    errors = [field_error(".".join(str(part) for part in ("body", *e["loc"])), e["msg"].removeprefix("Value error, "),
                          e["type"]) for e in schema]
    errors += [field_error(fault.field, str(fault), "domain") for fault in faults if fault.field]
    if not errors:
        return {"valid": True}
    only = str(faults[0]) if not schema and len(faults) == 1 else None
    return problem(422, only or f"invalid fields: {', '.join(e['field'] for e in errors)}", errors=errors)


@router.get("/board", response_model=board.Board, responses=INVALID)
async def get_board(session: SessionDep, caller: BoardReader, since: IsoDateTime | None = None) -> Any:
    """Return the cases the caller's unit is party to received since `since` (default: midnight Bangkok time),
    newest first. It shows no personal data, so unlike a read or a search it records no access event."""
    return await board.read_board(session, party=caller.unit_id, since=since)


@router.get("/board/stream", response_class=StreamingResponse, responses=STREAM)
async def stream_board(request: Request, caller: BoardReader, since: IsoDateTime | None = None) -> StreamingResponse:
    """Push the board (server-sent events named "board") now and after every change. It shows no personal data,
    so it records no access event."""

    async def snapshot() -> Any:
        async with request.app.state.service.read_sessions() as session:
            return await board.read_board(session, party=caller.unit_id, since=since)

    return sse(event_stream(request, snapshot, event="board"))


@router.get("/cases/{case_id}", response_model=CaseRecord, responses=ERRORS)
async def get_case(case_id: str, session: SessionDep, response: Response, seen: CaseReads) -> Any:
    """Return one case's intake record; its ETag is the version to send back in If-Match."""
    case = await queries.find_case(session, case_id)
    if case is None:
        raise HTTPException(404, f"case {case_id} not found / ไม่พบรายการนี้")
    await seen.record([case_id])
    response.headers["ETag"] = etag(case["version"])
    return seen.shown(case)


@router.get("/cases", response_model=CasePage, responses=ERRORS)
async def search_cases(
    session: SessionDep, seen: SearchReads,
    national_id: Annotated[str | None, Query(pattern=r"^[0-9]{13}$")] = None,
    name: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    province_code: Annotated[str | None, Query(pattern=r"^[0-9]{2}$")] = None,
    district_code: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
    subdistrict_code: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    problem_type: ProblemType | None = None,
    urgency: Urgency | None = None,
    status: Annotated[str | None, Query(pattern=r"^(open|closed_at_intake)$")] = None,
    received_from: IsoDateTime | None = None,
    received_to: IsoDateTime | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    """Search the cases the caller's unit is party to by national ID, name, area, category, urgency, status and date,
    newest first."""
    search = queries.Search(national_id, name, province_code, district_code, subdistrict_code,
                            problem_type.value if problem_type else None, urgency.value if urgency else None, status,
                            received_from, received_to, party=seen.principal.unit_id)
    total, items = await queries.search_cases(session, search, page=page, size=page_size)
    relations = await parties.relations_of_cases(session, [item["case_id"] for item in items], seen.principal.unit_id)
    await seen.record(item["case_id"] for item in items)
    return {"total": total, "page": page, "page_size": page_size,
            "items": [seen.shown(item, relations.get(item["case_id"], frozenset())) for item in items]}


@router.post("/cases/{case_id}/closure", response_model=Edited, responses=ERRORS)
async def close_case(case_id: str, closure: Closure, bus: BusDep, response: Response, caller: Closer,
                     if_match: IF_MATCH = None) -> Any:
    """Close an open case at intake (information or counselling only, prank, false report, duplicate)."""
    outcome = await bus.handle(CloseAtIntake(case_id=case_id, reason=closure.reason,
                                             expected_version=expected_version(if_match)))
    response.headers["ETag"] = etag(outcome.version)
    return outcome.answer


@router.post("/cases/{case_id}/erasure", response_model=Edited, responses=ERRORS)
async def erase_personal_data(case_id: str, erasure: Erasure, bus: BusDep, response: Response, caller: Eraser) -> Any:
    """Destroy the case's key: its personal data becomes unreadable everywhere (intake's store, Kafka, the audit
    ledger) while its history and proofs stay. This cannot be undone."""
    outcome = await bus.handle(ErasePersonalData(case_id=case_id, reason=erasure.reason, note=erasure.note,
                                                 by_unit=caller.unit_id))
    response.headers["ETag"] = etag(outcome.version)
    return outcome.answer


@router.post("/cases/{case_id}/duplicates/{existing_case_id}", response_model=Edited, responses=ERRORS)
async def resolve_duplicate(
    case_id: str, existing_case_id: str, answer: DuplicateAnswer, bus: BusDep, response: Response,
    caller: DuplicateResolver, if_match: IF_MATCH = None,
) -> Any:
    """Confirm or dismiss a possible duplicate flagged by screening."""
    command = ResolveDuplicate(case_id=case_id, existing_case_id=existing_case_id, confirmed=answer.confirmed,
                               expected_version=expected_version(if_match))
    outcome = await bus.handle(command)
    response.headers["ETag"] = etag(outcome.version)
    return outcome.answer
