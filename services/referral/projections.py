"""Referral's read side: projections written in the same transaction as the events, and the queries."""

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.envelope import EventData
from contracts.referral import RoutingDecided
from saphan_runtime.eventstore import Projection, StoredEvent, projector
from services.referral.db import routings


async def routing_recorded(session: AsyncSession, event: StoredEvent) -> None:
    """Add a case's routing decision to the `routings` view."""
    data = event.data
    assert isinstance(data, RoutingDecided)
    await session.execute(insert(routings), {
        "case_id": data.case_id, "urgency": data.urgency.value, "lead": data.lead.value,
        "assignments": [a.model_dump(mode="json") for a in data.assignments],
        "rules_fired": [r.model_dump(mode="json") for r in data.rules_fired],
        "decided_at": data.decided_at, "version": event.version,
    })


PROJECTIONS: dict[type[EventData], Projection] = {
    RoutingDecided: routing_recorded,
}

project = projector(PROJECTIONS)


async def find_routing(session: AsyncSession, case_id: str) -> dict[str, Any] | None:
    """Return one case's routing view, or None."""
    row = (await session.execute(select(routings).where(routings.c.case_id == case_id))).mappings().first()
    return dict(row) if row else None
