"""Tokens: every way a token can be wrong gets 401 (or 403 without an agency) with the reason; a provider's JWKS
is fetched and its RS256 tokens accepted; a service refuses to start outside development on development defaults."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from contracts.access import Role
from saphan_runtime import dev_issuer
from saphan_runtime.auth import AuthSettings
from saphan_runtime.broker import free_port
from saphan_runtime.testing import running, serving

OPERATOR = [Role.HOTLINE_OPERATOR]


async def test_each_bad_token_is_refused_with_its_reason(make_service, tmp_path) -> None:
    def token(**changes: Any) -> dict[str, str]:
        values: dict[str, Any] = {"user": "u1", "unit": "hotline-1300", "roles": OPERATOR} | changes
        return {"Authorization": f"Bearer {dev_issuer.mint(tmp_path, **values)}"}

    stranger = dev_issuer.mint(tmp_path / "elsewhere", user="u1", unit="hotline-1300", roles=OPERATOR)
    async with running(make_service("intake")) as url, httpx.AsyncClient(base_url=url) as client:
        async def get(headers: dict[str, str]) -> httpx.Response:
            return await client.get("/cases/no-such-case", headers=headers)

        answers = {
            "none": await get({}),
            "not a jwt": await get({"Authorization": "Bearer abc.def"}),
            "basic": await get({"Authorization": "Basic dXNlcjpwYXNz"}),
            "expired": await get(token(now=datetime.now(UTC) - timedelta(hours=9))),
            "issuer": await get(token(iss="someone-else")),
            "audience": await get(token(aud="another-system")),
            "signature": await get({"Authorization": f"Bearer {stranger}"}),
            "no agency": await get(token(unit=None)),
            "long unit": await get(token(unit="u" * 65)),
            "long user": await get(token(user="x" * 201)),
            "wrong role": await get(token(roles=[Role.AUDITOR])),
            "good": await get(token()),
        }
    reasons = {name: (r.status_code, r.json()["detail"]) for name, r in answers.items()}
    assert {name: status for name, (status, _) in reasons.items()} == {
        "none": 401, "not a jwt": 401, "basic": 401, "expired": 401, "issuer": 401, "audience": 401,
        "signature": 401, "no agency": 403, "long unit": 403, "long user": 401, "wrong role": 403, "good": 404}
    assert "bearer token is required" in reasons["none"][1]
    assert "expired" in reasons["expired"][1] and "issued by saphan-development" in reasons["issuer"][1]
    assert "not meant for saphan" in reasons["audience"][1]
    assert "signing key" in reasons["signature"][1] or "signature" in reasons["signature"][1]
    assert "names no agency unit" in reasons["no agency"][1]
    assert "longer than 64 characters" in reasons["long unit"][1] and "1 to 200" in reasons["long user"][1]
    assert "auditor may not read a case" in reasons["wrong role"][1]
    assert answers["expired"].headers["www-authenticate"].startswith('Bearer error="invalid_token"')


async def test_a_providers_jwks_is_fetched_and_its_rs256_tokens_accepted(make_service) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())) | {"kid": "provider-1", "alg": "RS256"}
    provider = FastAPI()

    @provider.get("/jwks")
    async def jwks() -> dict[str, Any]:
        return {"keys": [jwk]}

    claims = {"iss": "https://id.example.go.th", "aud": "saphan", "sub": "somchai", "unit": "msdhs-10",
              "roles": ["social_worker", "offline_access"], "exp": datetime.now(UTC) + timedelta(minutes=5)}
    good = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "provider-1"})
    unknown_kid = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "rotated-away"})
    async with serving(provider, free_port()) as issuer:
        settings = AuthSettings(issuer="https://id.example.go.th", jwks_url=f"{issuer}/jwks")
        async with running(make_service("referral", auth=settings)) as url, httpx.AsyncClient(base_url=url) as client:
            accepted = await client.get("/agencies/msdhs-10", headers={"Authorization": f"Bearer {good}"})
            refused = await client.get("/agencies/msdhs-10", headers={"Authorization": f"Bearer {unknown_kid}"})
    assert accepted.status_code == 200, accepted.text
    assert refused.status_code == 401 and "rotated-away" in refused.json()["detail"]


@pytest.mark.parametrize("service", ["intake", "referral", "documents", "audit"])
def test_a_service_refuses_to_start_outside_development_on_development_defaults(service, make_service) -> None:
    with pytest.raises(SystemExit, match="AUTH_JWKS_URL"):
        make_service(service, environment="production")
    if service == "audit":
        with pytest.raises(SystemExit, match="AUDIT_SIGNING_KEY"):
            make_service(service, environment="production", auth=AuthSettings(jwks_url="https://id.example/jwks"))
