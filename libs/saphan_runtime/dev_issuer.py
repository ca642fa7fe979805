"""The development token issuer: an Ed25519 key kept under SAPHAN_VAR_DIR, its JWKS, and tokens signed with it
(`saphan token`). Services trust it only in development; elsewhere they refuse to start without AUTH_JWKS_URL."""

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from contracts.access import Role
from saphan_runtime.auth import AuthSettings
from saphan_runtime.dev_secrets import development_secret

KEY_FILE = "dev-issuer.key"


def private_key(var_dir: Path) -> Ed25519PrivateKey:
    """Return the development issuer's key, made on first use (readable by the owner only)."""
    seed = development_secret(var_dir / KEY_FILE, lambda: Ed25519PrivateKey.generate().private_bytes_raw())
    return Ed25519PrivateKey.from_private_bytes(seed)


def jwks(var_dir: Path) -> dict[str, Any]:
    """Return the development issuer's public keys as a JWKS."""
    raw = private_key(var_dir).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {"keys": [{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": _kid(raw),
                      "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode()}]}


def mint(var_dir: Path, *, user: str, unit: str | None, roles: list[Role], settings: AuthSettings | None = None,
         lifetime: timedelta = timedelta(hours=8), now: datetime | None = None, **claims: Any) -> str:
    """Return a token of the development issuer for a user of a unit with roles (extra claims override)."""
    settings = settings or AuthSettings()
    key = private_key(var_dir)
    issued = now or datetime.now(UTC)
    body: dict[str, Any] = {"iss": settings.issuer, "aud": settings.audience, "sub": user, "iat": issued,
                            "exp": issued + lifetime, settings.roles_claim: [role.value for role in roles]}
    if unit is not None:
        body[settings.unit_claim] = unit
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return jwt.encode({**body, **claims}, key, algorithm="EdDSA", headers={"kid": _kid(raw)})


def _kid(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()[:16]
