"""HTTP pieces every service shares: health, readiness and errors as RFC 9457 problem details."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException as StarletteHTTPException

from saphan_runtime.bus import MessageBus
from saphan_runtime.errors import DomainError
from saphan_runtime.eventstore import ConcurrencyConflict

PROBLEM_JSON = "application/problem+json"

TITLES = {
    400: "Bad request / คำขอไม่ถูกต้อง",
    404: "Not found / ไม่พบข้อมูล",
    405: "Method not allowed / ไม่รองรับวิธีนี้",
    409: "Conflict / ข้อมูลขัดแย้ง",
    422: "Invalid request / ข้อมูลไม่ถูกต้อง",
    503: "Service unavailable / บริการยังไม่พร้อม",
}


def problem(status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """Return an RFC 9457 problem response with a Thai and English title."""
    body = {"type": "about:blank", "title": TITLES.get(status, "Error / ข้อผิดพลาด"), "status": status,
            "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Answer validation errors with 422 naming each field at fault, and HTTP errors as problems."""

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(part) for part in e["loc"]), "message": e["msg"], "type": e["type"]}
            for e in error.errors()
        ]
        fields = ", ".join(e["field"] for e in errors)
        return problem(422, f"invalid fields: {fields}", errors=errors)

    @app.exception_handler(DomainError)
    async def on_refused(_: Request, error: DomainError) -> JSONResponse:
        errors = [{"field": error.field, "message": str(error), "type": "domain"}] if error.field else []
        return problem(422, str(error), errors=errors)

    @app.exception_handler(ConcurrencyConflict)
    async def on_conflict(_: Request, error: ConcurrencyConflict) -> JSONResponse:
        return problem(409, "the record changed meanwhile; read it again and retry")

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def on_database_away(_: Request, error: Exception) -> JSONResponse:
        return problem(503, "the database is not available; retry later", headers={"Retry-After": "5"})

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem(error.status_code, str(error.detail))


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


def get_bus(request: Request) -> MessageBus:
    """Return the service's message bus."""
    return request.app.state.service.bus  # type: ignore[no-any-return]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Yield a read-only session for queries (no transaction is committed)."""
    async with request.app.state.service.sessions() as session:
        yield session


BusDep = Annotated[MessageBus, Depends(get_bus)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
