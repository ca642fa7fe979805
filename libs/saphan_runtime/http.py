"""HTTP pieces every service shares: health, readiness and errors as RFC 9457 problem details."""

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from saphan_runtime.auth import NoAgency, Unauthenticated
from saphan_runtime.bus import MessageBus
from saphan_runtime.errors import Conflict, DomainError, Forbidden, NotFound, Unavailable
from saphan_runtime.problems import PROBLEM_JSON, documenting_problems
from saphan_runtime.transactions import ConcurrencyConflict

TITLES = {
    400: "Bad request / คำขอไม่ถูกต้อง",
    401: "Unauthenticated / ยังไม่ได้ยืนยันตัวตน",
    403: "Forbidden / ไม่มีสิทธิ์",
    404: "Not found / ไม่พบข้อมูล",
    405: "Method not allowed / ไม่รองรับวิธีนี้",
    409: "Conflict / ข้อมูลขัดแย้ง",
    422: "Invalid request / ข้อมูลไม่ถูกต้อง",
    428: "Precondition required / ต้องระบุเงื่อนไขก่อนแก้ไข",
    503: "Service unavailable / บริการยังไม่พร้อม",
}


# Thai for the validation errors clients meet most; the English message comes from pydantic.
THAI_MESSAGES = {
    "missing": "ต้องระบุข้อมูลนี้",
    "extra_forbidden": "ไม่รู้จักช่องข้อมูลนี้",
    "json_invalid": "รูปแบบ JSON ไม่ถูกต้อง",
    "enum": "ค่าที่ระบุไม่อยู่ในรายการที่รับได้",
    "literal_error": "ค่าที่ระบุไม่อยู่ในรายการที่รับได้",
    "string_type": "ต้องเป็นข้อความ",
    "string_too_short": "ข้อความสั้นเกินไป",
    "string_too_long": "ข้อความยาวเกินไป",
    "string_pattern_mismatch": "รูปแบบไม่ถูกต้อง",
    "int_type": "ต้องเป็นจำนวนเต็ม",
    "int_parsing": "ต้องเป็นจำนวนเต็ม",
    "bool_type": "ต้องเป็นจริงหรือเท็จ",
    "bool_parsing": "ต้องเป็นจริงหรือเท็จ",
    "greater_than_equal": "ค่าน้อยเกินไป",
    "less_than_equal": "ค่ามากเกินไป",
    "too_short": "จำนวนรายการน้อยเกินไป",
    "too_long": "จำนวนรายการมากเกินไป",
    "list_type": "ต้องเป็นรายการ",
    "model_type": "ต้องเป็นออบเจ็กต์",
    "model_attributes_type": "ต้องเป็นออบเจ็กต์",
    "dict_type": "ต้องเป็นออบเจ็กต์",
    "date_parsing": "วันที่ไม่ถูกต้อง (ใช้รูปแบบ YYYY-MM-DD)",
    "date_from_datetime_parsing": "วันที่ไม่ถูกต้อง (ใช้รูปแบบ YYYY-MM-DD)",
    "datetime_parsing": "วันเวลาไม่ถูกต้อง (ใช้รูปแบบ ISO 8601)",
    "datetime_from_date_parsing": "วันเวลาไม่ถูกต้อง (ใช้รูปแบบ ISO 8601)",
    "timezone_aware": "ต้องระบุเขตเวลา เช่น +07:00",
    "value_error": "ค่าไม่ถูกต้อง",
    "domain": "ค่าไม่ถูกต้อง",
}


def field_error(field: str, message: str, kind: str) -> dict[str, str]:
    """Return one error naming its field, in English and Thai."""
    thai = message.split(" / ", 1)[1] if " / " in message else THAI_MESSAGES.get(kind, "ข้อมูลไม่ถูกต้อง")
    english = message.split(" / ", 1)[0]
    return {"field": field, "message": f"{english} / {thai}", "message_en": english, "message_th": thai, "type": kind}


def _field_of(error: Any) -> str:
    location = error["loc"][:1] if error["type"] == "json_invalid" else error["loc"]  # [1] is a byte offset
    return ".".join(str(part) for part in location)


def problem(
    status: int, detail: str, headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None, **more: Any
) -> JSONResponse:
    """Return an RFC 9457 problem response with a Thai and English title; extension members (`errors`, what is
    allowed instead) never replace the standard ones."""
    standard = {"type": "about:blank", "title": TITLES.get(status, "Error / ข้อผิดพลาด"), "status": status,
                "detail": detail}
    body = {**standard, **(extra or {}), **more, **standard}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Answer validation errors with 422 naming each field at fault, and HTTP errors as problems; the app's OpenAPI
    document says so."""

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = [field_error(_field_of(e), e["msg"].removeprefix("Value error, "), e["type"]) for e in error.errors()]
        fields = ", ".join(e["field"] for e in errors)
        return problem(422, f"invalid fields: {fields}", errors=errors)

    @app.exception_handler(NotFound)
    async def on_missing(_: Request, error: NotFound) -> JSONResponse:
        return problem(404, str(error))

    @app.exception_handler(Unauthenticated)
    async def on_unauthenticated(_: Request, error: Unauthenticated) -> JSONResponse:
        reason = str(error).split(" / ")[0].replace('"', "'")
        return problem(401, str(error), headers={"WWW-Authenticate": f'Bearer error="invalid_token", '
                                                                     f'error_description="{reason}"'})

    @app.exception_handler(NoAgency)
    async def on_no_agency(_: Request, error: NoAgency) -> JSONResponse:
        return problem(403, str(error))

    @app.exception_handler(Forbidden)
    async def on_forbidden(_: Request, error: Forbidden) -> JSONResponse:
        return problem(403, str(error))

    @app.exception_handler(Conflict)
    async def on_contradiction(_: Request, error: Conflict) -> JSONResponse:
        return problem(409, str(error), extra=dict(error.details))

    @app.exception_handler(DomainError)
    async def on_refused(_: Request, error: DomainError) -> JSONResponse:
        errors = [field_error(error.field, str(error), "domain")] if error.field else []
        return problem(422, str(error), errors=errors)

    @app.exception_handler(ConcurrencyConflict)
    async def on_conflict(_: Request, error: ConcurrencyConflict) -> JSONResponse:
        return problem(409, "the record changed meanwhile; read it again and retry")

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def on_database_away(_: Request, error: Exception) -> JSONResponse:
        return problem(503, "the database is not available; retry later", headers={"Retry-After": "5"})

    @app.exception_handler(Unavailable)
    async def on_part_away(_: Request, error: Unavailable) -> JSONResponse:
        return problem(503, f"{error}; retry later", headers={"Retry-After": "5"})

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        if unreadable := unreadable_body(error):
            return problem(422, "invalid fields: body", errors=[field_error("body", *unreadable)])
        return problem(error.status_code, str(error.detail))

    app.openapi = documenting_problems(app)  # type: ignore[method-assign]


def unreadable_body(error: StarletteHTTPException) -> tuple[str, str] | None:
    """Return why a body could not be read and the error type, for the 400s FastAPI and Starlette answer a body
    they cannot parse with (a refused body is a 422 naming it, like malformed JSON); None for any other error."""
    if isinstance(error.__cause__, UnicodeDecodeError):
        return "JSON must be encoded in UTF-8 / JSON ต้องเข้ารหัสแบบ UTF-8", "json_invalid"
    if isinstance(error.__context__, MultiPartException):
        return f"the form cannot be read ({error.detail}) / อ่านข้อมูลแบบฟอร์มไม่ได้", "form_invalid"
    return None


def health_router() -> APIRouter:
    """Return /healthz (the process answers) and /readyz (its database and broker answer)."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz(request: Request) -> dict[str, Any]:
        return dict(request.app.state.service.health())

    @router.get("/readyz", responses={503: {"description": "not ready"}})
    async def readyz(request: Request) -> Any:
        checks = await request.app.state.service.readiness()
        if all(checks.values()):
            return {"status": "ready", "checks": checks}
        return problem(503, "not ready", checks=checks)

    return router


async def get_bus(request: Request) -> MessageBus:
    """Return the service's message bus (async: a plain function would be run on a worker thread)."""
    return request.app.state.service.bus  # type: ignore[no-any-return]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Yield a read-only session for queries (no transaction is committed)."""
    async with request.app.state.service.read_sessions() as session:
        yield session


async def admitted(request: Request) -> None:
    """Refuse the request (503) while the service is behind publishing what it accepted (Service.refuse_when_behind)."""
    request.app.state.service.refuse_when_behind()


BusDep = Annotated[MessageBus, Depends(get_bus)]
Admitted = Depends(admitted)
BEHIND: dict[int | str, dict[str, Any]] = {503: {
    "description": "behind publishing what it accepted, or the database is away: retry after Retry-After"}}
SessionDep = Annotated[AsyncSession, Depends(get_session)]


def etag(version: int) -> str:
    """Return the ETag of a record at a version."""
    return f'"{version}"'


def optional_version(if_match: str | None) -> int | None:
    """Return the version an optional If-Match header names, or None when there is none."""
    return None if if_match is None else expected_version(if_match)


def expected_version(if_match: str | None) -> int:
    """Return the version an If-Match header names; editing without one is refused (428)."""
    if if_match is None:
        raise HTTPException(428, "send If-Match with the ETag you read / ต้องส่ง If-Match ตาม ETag ที่อ่านได้")
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise RequestValidationError([{"loc": ("header", "if-match"), "msg": "If-Match must be an ETag like \"3\"",
                                       "type": "value_error"}])
    return int(value)


async def event_stream(
    request: Request, snapshot: Callable[[], Awaitable[Any]], *, event: str = "status", poll_seconds: float = 1.0
) -> AsyncIterator[str]:
    """Yield a server-sent event with the snapshot now and after every change, until the client goes away.

    A commit in this process wakes the stream at once; the poll catches changes made by other replicas."""
    changes = request.app.state.service.changes
    last: Any = object()
    while not await request.is_disconnected():
        current = await snapshot()
        if current != last:
            yield f"event: {event}\ndata: {json.dumps(current, default=str, ensure_ascii=False)}\n\n"
            last = current
        else:
            yield ": keep-alive\n\n"
        await changes.wait(at_most=poll_seconds)


def sse(stream: AsyncIterator[str]) -> StreamingResponse:
    """Return a server-sent events response."""
    return StreamingResponse(stream, media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
