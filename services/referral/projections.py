"""Referral's views, written in the same transaction as the events."""

from typing import Any

from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.agencies import AgencyUnitRecorded, WebhookReplayRequested, WebhookSubscribed
from contracts.casework import (
    CaseManagerAssigned,
    CaseWorkEvent,
    OwnershipTransferAnswered,
    OwnershipTransferRequested,
)
from contracts.common import DeadlineKind, ReferralRole
from contracts.envelope import EventData
from contracts.referral import ReferralOverdue, ReferralRequested, ReferralStatusChanged, RoutingDecided
from contracts.registry import EVENT_MODELS
from saphan_runtime import direct
from saphan_runtime.eventstore import Projection, StoredEvent, projector
from services.referral.db import (
    agency_areas,
    agency_units,
    deadlines,
    escalations,
    referrals,
    routings,
    webhooks,
)
from services.referral.deadlines import still_pending

CASE_WORK_EVENTS = [model for model in EVENT_MODELS if issubclass(model, CaseWorkEvent)]


def _data(event: StoredEvent, kind: type[EventData]) -> Any:
    assert isinstance(event.data, kind)
    return event.data


UPDATE_ROUTING = update(routings).where(routings.c.case_id == bindparam("case_key"))  # sets what its parameters name


async def routing_recorded(session: AsyncSession, event: StoredEvent) -> None:
    """Add a case's routing decision to the `routings` view."""
    data: RoutingDecided = _data(event, RoutingDecided)
    lead = next(a for a in data.assignments if a.role is ReferralRole.LEAD)
    values = {"urgency": data.urgency.value, "lead": data.lead.value, "lead_unit": lead.unit_id,
              "assignments": [a.model_dump(mode="json") for a in data.assignments],
              "rules_fired": [r.model_dump(mode="json") for r in data.rules_fired], "needs_review": data.needs_review,
              "decided_at": data.decided_at, "version": event.version}
    if not await direct.change(session, UPDATE_ROUTING, {"case_key": data.case_id, **values}):
        await direct.insert_rows(session, routings, [{"case_id": data.case_id, "stage": "screening_and_referral",
                                                      **values}])


async def unit_recorded(session: AsyncSession, event: StoredEvent) -> None:
    """Keep a unit and the areas it serves."""
    unit = _data(event, AgencyUnitRecorded).unit
    await session.execute(delete(agency_units).where(agency_units.c.unit_id == unit.unit_id))
    await session.execute(delete(agency_areas).where(agency_areas.c.unit_id == unit.unit_id))
    await session.execute(insert(agency_units), {"unit_id": unit.unit_id, "kind": unit.kind.value,
                                                 "unit": unit.model_dump(mode="json"), "version": event.version})
    areas = [*unit.serves.provinces, *unit.serves.subdistricts]
    if areas:
        await session.execute(insert(agency_areas), [{"area_code": a, "unit_id": unit.unit_id} for a in areas])


async def referral_requested(session: AsyncSession, event: StoredEvent) -> None:
    """Add a referral to the inboxes, with its two deadlines."""
    data: ReferralRequested = _data(event, ReferralRequested)
    await direct.insert_rows(session, referrals, [{
        "referral_id": data.referral_id, "case_id": data.case_id, "from_unit": data.from_unit,
        "to_unit": data.to_unit, "to_kind": data.to_kind.value, "role": data.role.value, "urgency": data.urgency.value,
        "status": "requested", "receipt_due": data.receipt_due, "acceptance_due": data.acceptance_due,
        "overdue": False, "escalate_to": data.escalate_to, "requested_at": data.requested_at,
        "updated_at": data.requested_at, "version": event.version,
    }])
    await direct.insert_rows(session, deadlines, [
        {"referral_id": data.referral_id, "kind": "receipt", "due_at": data.receipt_due, "state": "pending"},
        {"referral_id": data.referral_id, "kind": "acceptance", "due_at": data.acceptance_due, "state": "pending"},
    ])


async def status_changed(session: AsyncSession, event: StoredEvent) -> None:
    """Show a referral's new status; deadlines it no longer owes are met."""
    data: ReferralStatusChanged = _data(event, ReferralStatusChanged)
    await session.execute(update(referrals).where(referrals.c.referral_id == data.referral_id).values(
        status=data.status.value, reason=data.reason.value if data.reason else None,
        outcome=data.outcome.value if data.outcome else None, updated_at=data.changed_at, version=event.version))
    for kind in ("receipt", "acceptance"):
        if not still_pending(DeadlineKind(kind), data.status):
            await session.execute(update(deadlines).where(
                deadlines.c.referral_id == data.referral_id, deadlines.c.kind == kind,
                deadlines.c.state == "pending").values(state="met"))


async def overdue_recorded(session: AsyncSession, event: StoredEvent) -> None:
    """Mark a missed deadline and put the referral in the provincial office's escalations."""
    data: ReferralOverdue = _data(event, ReferralOverdue)
    await session.execute(update(referrals).where(referrals.c.referral_id == data.referral_id)
                          .values(overdue=True, version=event.version))
    await session.execute(update(deadlines).where(deadlines.c.referral_id == data.referral_id,
                                                  deadlines.c.kind == data.deadline.value).values(state="overdue"))
    await session.execute(insert(escalations), {
        "referral_id": data.referral_id, "deadline": data.deadline.value, "case_id": data.case_id,
        "to_unit": data.to_unit, "escalated_to": data.escalated_to, "due_at": data.due_at,
        "detected_at": data.detected_at})


async def case_worked(session: AsyncSession, event: StoredEvent) -> None:
    """Show a case's stage, case manager, pending transfer and lead after a piece of case work."""
    data: CaseWorkEvent = _data(event, CaseWorkEvent)
    values: dict[str, Any] = {"stage": data.stage.value, "version": event.version}
    if isinstance(data, CaseManagerAssigned):
        values["manager"] = data.manager
    if isinstance(data, OwnershipTransferRequested):
        values["pending_transfer"] = data.to_unit
    if isinstance(data, OwnershipTransferAnswered):
        values |= {"pending_transfer": None} | ({"lead_unit": data.by_unit, "manager": None} if data.accepted else {})
    await session.execute(update(routings).where(routings.c.case_id == data.case_id).values(**values))


async def webhook_subscribed(session: AsyncSession, event: StoredEvent) -> None:
    """Add a webhook; it starts after the newest event unless a replay says otherwise."""
    data: WebhookSubscribed = _data(event, WebhookSubscribed)
    await session.execute(insert(webhooks), {
        "webhook_id": data.webhook_id, "unit_id": data.unit_id, "url": data.url, "event_types": data.event_types,
        "secret": data.secret, "position": event.position, "failures": 0, "created_at": data.subscribed_at})


async def webhook_replayed(session: AsyncSession, event: StoredEvent) -> None:
    """Move a webhook's cursor back so deliveries start again at a position."""
    data: WebhookReplayRequested = _data(event, WebhookReplayRequested)
    await session.execute(update(webhooks).where(webhooks.c.webhook_id == data.webhook_id).values(
        position=data.from_position - 1, failures=0, next_attempt_at=None, last_error=None))


PROJECTIONS: dict[type[EventData], Projection] = {
    RoutingDecided: routing_recorded,
    AgencyUnitRecorded: unit_recorded,
    ReferralRequested: referral_requested,
    ReferralStatusChanged: status_changed,
    ReferralOverdue: overdue_recorded,
    WebhookSubscribed: webhook_subscribed,
    WebhookReplayRequested: webhook_replayed,
    **{work: case_worked for work in CASE_WORK_EVENTS},
}

project = projector(PROJECTIONS)
