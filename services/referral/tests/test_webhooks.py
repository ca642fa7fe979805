"""Outbound webhooks against a real HTTP receiver that fails the first two deliveries: the delivery is retried
with backoff, arrives signed, in order, and can be replayed from a position."""

import json
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response

from contracts.access import Role
from saphan_runtime.broker import free_port
from saphan_runtime.testing import eventually, running, serving
from services.referral import webhooks
from services.referral.tests.test_api import routed, screened

SECRET = "a-shared-secret-of-the-shelter-system"
TYPES = ["saphan.referral.referral-requested.v1", "saphan.referral.referral-status-changed.v1"]


def receiver(received: list[dict[str, Any]], fail_first: int) -> FastAPI:
    """A unit's system: it refuses the first deliveries, then keeps what arrives with its headers."""
    app, attempts = FastAPI(), []

    @app.post("/saphan")
    async def deliver(request: Request) -> Response:
        attempts.append(1)
        if len(attempts) <= fail_first:
            return Response(status_code=503)
        body = await request.body()
        received.append({"event": json.loads(body), "body": body, "headers": dict(request.headers)})
        return Response(status_code=204)

    return app


async def test_a_webhook_retries_failed_deliveries_signs_them_and_replays(make_service, broker, caller) -> None:
    received: list[dict[str, Any]] = []
    async with (
        running(make_service("referral", webhook_dispatch_seconds=0.1)) as url,
        httpx.AsyncClient(base_url=url, headers=caller("shelter-10", Role.AGENCY_SYSTEM)) as client,
        serving(receiver(received, fail_first=2), free_port()) as sink,
    ):
        created = await client.post(
            "/agencies/shelter-10/webhooks", json={"url": f"{sink}/saphan", "event_types": TYPES, "secret": SECRET}
        )
        bad = await client.post(
            "/agencies/shelter-10/webhooks",
            json={"url": f"{sink}/saphan", "event_types": ["saphan.referral.webhook-subscribed.v1"]},
        )
        await screened(broker, "case-w")
        status = await routed(client, "case-w")
        lead = next(r for r in status["referrals"] if r["role"] == "lead")
        await eventually(lambda: _some(received, 1), within=30)
        await client.post(
            f"/referrals/{lead['referral_id']}/accept",
            json={},
            headers=caller("shelter-10", Role.SHELTER_SOCIAL_WORKER),
        )
        await eventually(lambda: _some(received, 2), within=30)
        first_position = int(received[0]["headers"]["x-saphan-position"])
        hooks = (await client.get("/agencies/shelter-10/webhooks")).json()
        replayed = await client.post(
            f"/agencies/shelter-10/webhooks/{created.json()['webhook_id']}/replay",
            json={"from_position": first_position},
        )
        await eventually(lambda: _some(received, 4), within=30)
    assert created.status_code == 201 and bad.status_code == 422
    types = [r["event"]["type"].split(".")[2] for r in received]
    assert types == ["referral-requested", "referral-status-changed", "referral-requested", "referral-status-changed"]
    assert received[0]["event"]["data"]["to_unit"] == "shelter-10"  # only the shelter's own referral was sent
    assert received[2]["event"] == received[0]["event"]
    assert all(webhooks.verify(SECRET, r["body"], r["headers"]["x-saphan-signature"]) for r in received)
    signature = received[0]["headers"]["x-saphan-signature"]
    assert not webhooks.verify("another-secret-entirely", received[0]["body"], signature)
    assert hooks[0]["failures"] == 0 and "secret" not in hooks[0]
    assert replayed.status_code == 202


async def _some(received: list[Any], count: int) -> bool:
    return len(received) >= count
