"""Signing in and out of the console: the user's token is checked, then kept in an HttpOnly, SameSite=Strict cookie
the page's script cannot read; every call the page makes through the gateway carries it on as a bearer token."""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.security import APIKeyCookie
from pydantic import BaseModel, Field

from contracts.access import Role, policy, roles_allowed
from saphan_runtime import dev_issuer
from saphan_runtime.auth import NoAgency, Principal, TokenVerifier, Unauthenticated
from services.console.settings import Settings

COOKIE = "saphan_session"
LIFETIME = timedelta(hours=8)
router = APIRouter(prefix="/session", tags=["session"])
# Reads the cookie and documents it in the OpenAPI document; the refusal is ours (401 with the reason).
SESSION = APIKeyCookie(name=COOKIE, auto_error=False, description="the session cookie signing in sets")
REFUSED: dict[int | str, dict[str, Any]] = {401: {"description": "the token is not valid"},
                                            403: {"description": "the token names no agency unit"}}


class TokenSignIn(BaseModel):
    """A token the agency's identity provider issued the user."""

    token: str = Field(min_length=16, max_length=8192)


class DevelopmentSignIn(BaseModel):
    """A unit and a role to sign in as (development only; the console signs the token itself)."""

    unit: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")
    role: Role
    user: str = Field(default="developer", min_length=1, max_length=100)


def settings_of(request: Request) -> Settings:
    """Return the console's settings."""
    return request.app.state.settings  # type: ignore[no-any-return]


async def principal_of(request: Request, token: str) -> Principal:
    """Return who a token names, or refuse it (401, or 403 when it names no agency unit)."""
    verifier: TokenVerifier = request.app.state.verifier
    try:
        return await verifier.principal(token)
    except Unauthenticated as error:
        raise HTTPException(401, f"{error} / กรุณาเข้าสู่ระบบใหม่") from error
    except NoAgency as error:
        raise HTTPException(403, str(error)) from error


async def session_token(token: Annotated[str | None, Depends(SESSION)]) -> str:
    """Return the signed-in user's token, or refuse with 401."""
    if not token:
        raise HTTPException(401, "sign in first / กรุณาเข้าสู่ระบบ")
    return token


Token = Annotated[str, Depends(session_token)]


def described(principal: Principal, settings: Settings) -> dict[str, Any]:
    """Return who is signed in and what their roles allow (the page shows only what they may do)."""
    actions = sorted(a for a in policy()["actions"] if principal.has_any(roles_allowed(a)))
    return {"user": principal.user, "unit_id": principal.unit_id, "roles": sorted(principal.roles),
            "actions": actions, "development": settings.signs_development_tokens()}


def keep(response: Response, token: str, settings: Settings) -> None:
    """Set the session cookie."""
    response.set_cookie(COOKIE, token, max_age=int(LIFETIME.total_seconds()), httponly=True, samesite="strict",
                        secure=settings.secure_cookie, path="/")


@router.get("/methods")
async def sign_in_methods(request: Request) -> dict[str, bool]:
    """Return how one may sign in here (the page offers the development sign-in only where it works)."""
    return {"token": True, "development": settings_of(request).signs_development_tokens()}


@router.get("")
async def who_is_signed_in(request: Request, token: Token) -> dict[str, Any]:
    """Return the signed-in user, their unit, roles and allowed actions."""
    return described(await principal_of(request, token), settings_of(request))


@router.post("", responses=REFUSED)
async def sign_in(body: TokenSignIn, request: Request, response: Response) -> dict[str, Any]:
    """Sign in with a token of the trusted issuer."""
    principal = await principal_of(request, body.token)
    keep(response, body.token, settings_of(request))
    return described(principal, settings_of(request))


@router.post("/development", responses={404: {"description": "not available outside development"}, **REFUSED})
async def sign_in_for_development(body: DevelopmentSignIn, request: Request, response: Response) -> dict[str, Any]:
    """Sign in as any unit and role, with a token the development issuer signs (404 outside development)."""
    settings = settings_of(request)
    if not settings.signs_development_tokens():
        raise HTTPException(404, "not available outside development / ใช้ได้เฉพาะสภาพแวดล้อมพัฒนา")
    token = dev_issuer.mint(settings.var_dir, user=body.user, unit=body.unit, roles=[body.role],
                            settings=settings.auth, lifetime=LIFETIME)
    principal = await principal_of(request, token)
    keep(response, token, settings)
    return described(principal, settings)


@router.delete("", status_code=204)
async def sign_out(response: Response) -> None:
    """Forget the session."""
    response.delete_cookie(COOKIE, path="/")
