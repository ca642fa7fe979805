"""Referral's webhook use cases: subscribe a unit's system, replay from a position. Each owns its transaction."""

import secrets
import uuid
from collections.abc import Callable
from datetime import datetime

from contracts.agencies import WebhookReplayRequested, WebhookSubscribed
from contracts.registry import BY_TYPE
from saphan_runtime.errors import DomainError, NotFound
from saphan_runtime.eventstore import UnitOfWork
from services.referral import queries
from services.referral.commands import ReplayWebhook, SubscribeWebhook


async def subscribe_webhook(command: SubscribeWebhook, uow: UnitOfWork, *, clock: Callable[[], datetime]) -> dict[
        str, object]:
    """Register a webhook; return its id and secret (the only time the secret is shown)."""
    unknown = [t for t in command.event_types if t not in BY_TYPE or BY_TYPE[t].topic is None]
    if unknown:
        raise DomainError(f"unknown or internal event types: {', '.join(unknown)} / ไม่รู้จักประเภทเหตุการณ์",
                          field="body.event_types")
    webhook_id, secret = str(uuid.uuid4()), command.secret or secrets.token_urlsafe(32)
    async with uow:
        if await queries.find_unit(uow.session, command.unit_id) is None:
            raise NotFound(f"unit {command.unit_id} not found / ไม่พบหน่วยงานนี้")
        event = WebhookSubscribed(webhook_id=webhook_id, unit_id=command.unit_id, url=command.url,
                                  event_types=command.event_types, secret=secret, subscribed_at=clock())
        await uow.append(f"webhook-{webhook_id}", case_id=command.unit_id, expected_version=0, events=[event])
        if command.from_position is not None:
            replay = WebhookReplayRequested(webhook_id=webhook_id, from_position=command.from_position,
                                            requested_at=clock())
            await uow.append(f"webhook-{webhook_id}", case_id=command.unit_id, expected_version=1, events=[replay])
        await uow.commit()
    return {"webhook_id": webhook_id, "secret": secret}


async def replay_webhook(command: ReplayWebhook, uow: UnitOfWork, *, clock: Callable[[], datetime]) -> None:
    """Start a webhook's deliveries again from a position."""
    stream = f"webhook-{command.webhook_id}"
    async with uow:
        found = await queries.find_webhook(uow.session, command.webhook_id)
        if found is None or found["unit_id"] != command.unit_id:
            raise NotFound("no such webhook / ไม่พบ webhook นี้")
        event = WebhookReplayRequested(webhook_id=command.webhook_id, from_position=command.from_position,
                                       requested_at=clock())
        await uow.append(stream, case_id=command.unit_id, expected_version=await uow.version(stream), events=[event])
        await uow.commit()
