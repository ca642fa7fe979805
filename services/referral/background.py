"""Referral's background work: seed the registry from its file at start, find deadlines that passed."""

import contextlib
import json
from typing import Any

import httpx
from sqlalchemy import insert, update

from contracts.common import DeadlineKind
from saphan_runtime.background import Ticker
from services.referral import db, queries, webhooks
from services.referral.commands import MarkOverdue, SeedRegistry
from services.referral.registry import RegistryFile

DELIVERY_TIMEOUT_SECONDS = 5.0


def seed_registry(registry: RegistryFile) -> Any:
    """Return a start-up hook that registers the file's units that the store does not hold yet."""

    async def seed(service: Any) -> None:
        await service.bus.handle(SeedRegistry(units=registry.units))

    return seed


def deadline_watch(every_seconds: float, clock: Any) -> Ticker:
    """Return the ticker that flags every pending deadline that has passed (it survives restarts: the deadlines
    are in the database)."""

    async def check(service: Any) -> None:
        async with service.read_sessions() as session:
            due = await queries.deadlines_due(session, clock())
        for referral_id, kind in due:
            await service.bus.handle(MarkOverdue(referral_id=referral_id, deadline=DeadlineKind(kind)))

    return Ticker("deadline-watch", every_seconds, check)


def webhook_dispatch(every_seconds: float, clock: Any) -> Ticker:
    """Return the ticker that delivers each webhook's events in order, signed, retrying with backoff."""

    async def dispatch(service: Any) -> None:
        async with service.read_sessions() as session:
            due = await queries.webhooks_due(session, clock())
        if due:
            async with httpx.AsyncClient(timeout=DELIVERY_TIMEOUT_SECONDS) as client:
                for hook in due:
                    await _deliver(service, client, hook, clock)

    return Ticker("webhook-dispatch", every_seconds, dispatch)


async def _deliver(service: Any, client: httpx.AsyncClient, hook: dict[str, Any], clock: Any) -> None:
    """Deliver a webhook's next events until one fails; events that do not concern its unit are skipped."""
    async with service.read_sessions() as session:
        batch = await queries.published_after(session, hook["position"])
    position = hook["position"]
    for event_position, payload in batch:
        event = json.loads(payload)
        if not webhooks.concerns(event, unit_id=hook["unit_id"], event_types=hook["event_types"]):
            position = event_position
            continue
        status, error = await _post(client, hook, event_position, payload.encode())
        ok = status is not None and 200 <= status < 300
        await _record(service, hook, position=event_position if ok else position, event=(event_position, event),
                      status=status, error=None if ok else error or f"HTTP {status}", now=clock())
        if not ok:
            return
        hook = {**hook, "failures": 0}
        position = event_position
    if position != hook["position"]:
        await _record(service, hook, position=position, event=None, status=None, error=None, now=clock())


async def _post(client: httpx.AsyncClient, hook: dict[str, Any], position: int, body: bytes) -> tuple[int | None, str]:
    headers = {"Content-Type": "application/cloudevents+json; charset=UTF-8",
               webhooks.SIGNATURE_HEADER: webhooks.sign(hook["secret"], body),
               "X-Saphan-Webhook": hook["webhook_id"], "X-Saphan-Position": str(position)}
    try:
        response = await client.post(hook["url"], content=body, headers=headers)
        return response.status_code, ""
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"


async def _record(
    service: Any, hook: dict[str, Any], *, position: int, event: tuple[int, dict[str, Any]] | None,
    status: int | None, error: str | None, now: Any,
) -> None:
    """Save a webhook's progress and log the attempt (operational state, like the relay's cursor)."""
    failures = hook["failures"] + 1 if error else 0
    async with service.write_gate or contextlib.nullcontext(), service.sessions() as session, session.begin():
        await session.execute(update(db.webhooks).where(db.webhooks.c.webhook_id == hook["webhook_id"]).values(
            position=position, failures=failures, last_error=error,
            next_attempt_at=webhooks.next_attempt(failures, now) if error else None))
        if event is not None:
            await session.execute(insert(db.webhook_deliveries), {
                "webhook_id": hook["webhook_id"], "position": event[0], "event_id": event[1]["id"],
                "status_code": status, "error": error, "attempted_at": now})
