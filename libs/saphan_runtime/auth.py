"""Who is calling: OAuth2 bearer tokens (JWT signed with EdDSA or RS256) verified against the issuer's JWKS, so any
OIDC provider works; in development, against the development issuer's key (`saphan token`)."""

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts.access import Role

ALGORITHMS = ["EdDSA", "RS256"]
REFETCH_SECONDS = 30.0
# The longest unit id and user name the contracts carry (`unit_id`, `*_by_user`): a token naming a longer one could
# not be recorded in any event, so it is refused at the door rather than failing deep inside a request.
MAX_UNIT_LENGTH = 64
MAX_USER_LENGTH = 200
VERIFIED_CACHE_SIZE = 10_000  # an unknown key id refetches the JWKS at most this often (keys rotate; tokens are forged)


class AuthSettings(BaseSettings):
    """The token issuer the services trust (AUTH_*)."""

    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    issuer: str = "saphan-development"
    audience: str = "saphan"
    jwks_url: str = ""  # the provider's JWKS; unset: the development issuer's key under SAPHAN_VAR_DIR
    unit_claim: str = "unit"
    roles_claim: str = "roles"
    leeway_seconds: int = Field(default=30, ge=0, le=300)


class Unauthenticated(Exception):
    """The request carries no valid token: 401 with the reason."""


class NoAgency(Exception):
    """The token is valid but names no agency unit: 403 with the reason."""


@dataclass(frozen=True)
class Principal:
    """The caller: a user (or machine client) of one agency unit, with roles."""

    user: str
    unit_id: str
    roles: frozenset[Role]

    def has_any(self, roles: frozenset[Role]) -> bool:
        """Return whether the caller holds one of the roles."""
        return bool(self.roles & roles)


class KeySet:
    """The issuer's public keys by key id: fixed (development) or fetched from a JWKS URL and refreshed."""

    def __init__(self, *, jwks: dict[str, Any] | None = None, url: str = "") -> None:
        """Keep a fixed JWKS, or the URL to fetch one from."""
        self._url, self._keys, self._fetched_at = url, _keys_of(jwks or {"keys": []}), 0.0
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None) -> Any:
        """Return the key a token names (the only key when the token names none)."""
        if self._url and (kid not in self._keys or not self._keys):
            await self._refresh()
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        if kid not in self._keys:
            raise Unauthenticated(f"the token's signing key {kid!r} is not the issuer's / กุญแจลงนามไม่ใช่ของผู้ออกโทเค็น")
        return self._keys[kid]

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched_at < REFETCH_SECONDS and self._keys:
                return
            try:
                async with httpx.AsyncClient(timeout=5) as client:
                    response = await client.get(self._url)
                    response.raise_for_status()
                self._keys, self._fetched_at = _keys_of(response.json()), time.monotonic()
            except (httpx.HTTPError, ValueError) as error:
                raise Unauthenticated(f"the issuer's keys cannot be fetched ({error}) / ดึงกุญแจผู้ออกโทเค็นไม่ได้") \
                    from error


def _keys_of(jwks: dict[str, Any]) -> dict[str | None, Any]:
    return {key.get("kid"): jwt.PyJWK(key).key for key in jwks.get("keys", [])}


class TokenVerifier:
    """Turns a bearer token into a Principal, or says precisely why it cannot."""

    def __init__(self, settings: AuthSettings, keys: KeySet) -> None:
        """Verify tokens of the configured issuer and audience with its keys."""
        self.settings, self.keys = settings, keys
        self._verified: dict[str, tuple[Principal, float]] = {}  # a token is checked once, then until it expires

    async def principal(self, token: str) -> Principal:
        """Return the caller a token names; raises Unauthenticated (401) or NoAgency (403)."""
        known = self._verified.get(token)
        if known and known[1] > time.time():
            return known[0]
        principal, expires = await self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (principal, expires)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError as error:
            raise Unauthenticated("the bearer token is not a JWT / โทเค็นไม่ใช่ JWT") from error
        if header.get("alg") not in ALGORITHMS:
            raise Unauthenticated(f"tokens must be signed with {' or '.join(ALGORITHMS)} / อัลกอริทึมลงนามไม่รองรับ")
        claims = self._decode(token, await self.keys.key(header.get("kid")))
        unit = claims.get(self.settings.unit_claim)
        if not isinstance(unit, str) or not unit:
            raise NoAgency("the token names no agency unit / โทเค็นไม่ระบุหน่วยงาน")
        if len(unit) > MAX_UNIT_LENGTH:
            raise NoAgency(f"the token's agency unit is longer than {MAX_UNIT_LENGTH} characters / "
                           f"รหัสหน่วยงานในโทเค็นยาวเกิน {MAX_UNIT_LENGTH} ตัวอักษร")
        user = str(claims["sub"])
        if not user or len(user) > MAX_USER_LENGTH:
            raise Unauthenticated(f"the token's subject must be 1 to {MAX_USER_LENGTH} characters / "
                                  f"ผู้ใช้ในโทเค็นต้องยาว 1 ถึง {MAX_USER_LENGTH} ตัวอักษร")
        roles = _roles(claims.get(self.settings.roles_claim))
        principal = Principal(user=user, unit_id=unit, roles=roles)
        return principal, float(claims["exp"])

    def _decode(self, token: str, key: Any) -> dict[str, Any]:
        settings = self.settings
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key, algorithms=ALGORITHMS, audience=settings.audience, issuer=settings.issuer,
                leeway=settings.leeway_seconds, options={"require": ["exp", "iss", "aud", "sub"]})
            return claims
        except jwt.ExpiredSignatureError as error:
            raise Unauthenticated("the token has expired / โทเค็นหมดอายุ") from error
        except jwt.InvalidIssuerError as error:
            raise Unauthenticated(f"the token was not issued by {settings.issuer} / ผู้ออกโทเค็นไม่ถูกต้อง") from error
        except jwt.InvalidAudienceError as error:
            raise Unauthenticated(f"the token is not meant for {settings.audience} / โทเค็นไม่ได้ออกให้ระบบนี้") \
                from error
        except jwt.InvalidSignatureError as error:
            raise Unauthenticated("the token's signature is not valid / ลายมือชื่อของโทเค็นไม่ถูกต้อง") from error
        except jwt.MissingRequiredClaimError as error:
            raise Unauthenticated(f"the token lacks the claim {error.claim} / โทเค็นขาดข้อมูล {error.claim}") from error
        except jwt.InvalidTokenError as error:
            raise Unauthenticated(f"the token is not valid ({error}) / โทเค็นไม่ถูกต้อง") from error


def _roles(value: object) -> frozenset[Role]:
    """Return the Saphan roles among a token's roles (others, such as a provider's own, are ignored)."""
    names = value.split() if isinstance(value, str) else value if isinstance(value, list) else []
    known = {role.value for role in Role}
    return frozenset(Role(name) for name in names if name in known)
