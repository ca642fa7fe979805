"""Referral's queries over its views: units by area, referrals, inboxes, a case's status, deadlines due."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.agencies import AgencyUnit
from contracts.common import Location
from services.referral.db import (
    agency_areas,
    agency_units,
    deadlines,
    escalations,
    metadata,
    referrals,
    routings,
    webhooks,
)
from services.referral.deadlines import PENDING_WHILE

ACTIVE = ("requested", "received", "accepted", "in_progress", "on_hold")


async def units_for_area(session: AsyncSession, location: Location) -> list[AgencyUnit]:
    """Return the units serving a case's province or subdistrict."""
    areas = [code for code in (location.province_code, location.subdistrict_code) if code]
    rows = await session.execute(UNITS_FOR_AREAS, {"areas": areas})
    return [AgencyUnit.model_validate(unit) for unit in rows.scalars()]


UNITS_FOR_AREAS = select(agency_units.c.unit).where(agency_units.c.unit_id.in_(  # built once: routing runs it a case
    select(agency_areas.c.unit_id).where(agency_areas.c.area_code.in_(bindparam("areas", expanding=True)))))


async def unit_ids(session: AsyncSession) -> set[str]:
    """Return the ids of the registered units."""
    return set((await session.execute(select(agency_units.c.unit_id))).scalars())


async def find_unit(session: AsyncSession, unit_id: str) -> tuple[AgencyUnit, int] | None:
    """Return one unit and its version, or None."""
    row = (await session.execute(select(agency_units).where(agency_units.c.unit_id == unit_id))).first()
    return (AgencyUnit.model_validate(row.unit), row.version) if row else None


async def list_units(session: AsyncSession, *, kind: str | None, area: str | None) -> list[dict[str, Any]]:
    """Return the units, optionally of one kind or serving one area."""
    query = select(agency_units.c.unit, agency_units.c.version).order_by(agency_units.c.unit_id)
    if kind:
        query = query.where(agency_units.c.kind == kind)
    if area:
        query = query.where(agency_units.c.unit_id.in_(
            select(agency_areas.c.unit_id).where(agency_areas.c.area_code == area)))
    return [{**row.unit, "version": row.version} for row in await session.execute(query)]


async def find_referral(session: AsyncSession, referral_id: str) -> dict[str, Any] | None:
    """Return one referral's view, or None."""
    row = (await session.execute(select(referrals).where(referrals.c.referral_id == referral_id))).mappings().first()
    return dict(row) if row else None


@dataclass(frozen=True)
class InboxFilter:
    """Which referrals of a unit to show."""

    status: str | None = None
    urgency: str | None = None
    overdue: bool | None = None
    active_only: bool = False


async def referrals_of_unit(
    session: AsyncSession, unit_id: str, *, sent: bool, only: InboxFilter, page: int, size: int
) -> tuple[int, list[dict[str, Any]]]:
    """Return a unit's received (inbox) or sent referrals, the most urgent deadline first."""
    conditions = [(referrals.c.from_unit if sent else referrals.c.to_unit) == unit_id]
    if only.status:
        conditions.append(referrals.c.status == only.status)
    if only.urgency:
        conditions.append(referrals.c.urgency == only.urgency)
    if only.overdue is not None:
        conditions.append(referrals.c.overdue == only.overdue)
    if only.active_only:
        conditions.append(referrals.c.status.in_(ACTIVE))
    total = await session.scalar(select(func.count()).select_from(referrals).where(and_(*conditions)))
    rows = await session.execute(select(referrals).where(and_(*conditions))
                                 .order_by(referrals.c.acceptance_due, referrals.c.referral_id)
                                 .offset((page - 1) * size).limit(size))
    return int(total or 0), [dict(row) for row in rows.mappings()]


async def escalations_to(session: AsyncSession, unit_id: str) -> list[dict[str, Any]]:
    """Return the missed deadlines escalated to a provincial office."""
    rows = await session.execute(select(escalations).where(escalations.c.escalated_to == unit_id)
                                 .order_by(escalations.c.detected_at))
    return [dict(row) for row in rows.mappings()]


async def case_status(session: AsyncSession, case_id: str) -> dict[str, Any] | None:
    """Return a case's current routing and referrals, or None when referral has not routed it."""
    routing = (await session.execute(select(routings).where(routings.c.case_id == case_id))).mappings().first()
    if routing is None:
        return None
    rows = await session.execute(select(referrals).where(referrals.c.case_id == case_id)
                                 .order_by(referrals.c.requested_at, referrals.c.referral_id))
    return {"routing": dict(routing), "referrals": [dict(row) for row in rows.mappings()]}


async def open_referral_ids(session: AsyncSession, case_id: str) -> list[str]:
    """Return the ids of a case's referrals that have not reached an end."""
    rows = await session.execute(select(referrals.c.referral_id)
                                 .where(referrals.c.case_id == case_id, referrals.c.status.in_(ACTIVE)))
    return list(rows.scalars())


async def deadlines_due(session: AsyncSession, now: datetime, limit: int = 200) -> list[tuple[str, str]]:
    """Return the pending deadlines that have passed: (referral id, deadline kind)."""
    rows = await session.execute(select(deadlines.c.referral_id, deadlines.c.kind)
                                 .where(deadlines.c.state == "pending", deadlines.c.due_at <= now)
                                 .order_by(deadlines.c.due_at).limit(limit))
    return [(row.referral_id, row.kind) for row in rows]


async def unanswered_deadlines(session: AsyncSession, now: datetime, soon: datetime) -> dict[str, tuple[int, int]]:
    """Count by deadline kind the referrals that still owe it: (due at or before `now`, due after `now` but by
    `soon`). An overdue deadline counts until the referral answers, as a met one never does."""
    counts: dict[str, tuple[int, int]] = {}
    owing = deadlines.join(referrals, deadlines.c.referral_id == referrals.c.referral_id)
    for kind, statuses in PENDING_WHILE.items():
        passed = func.coalesce(func.sum(case((deadlines.c.due_at <= now, 1), else_=0)), 0)
        row = (await session.execute(
            select(passed, func.count()).select_from(owing)
            .where(deadlines.c.kind == kind.value, deadlines.c.state != "met", deadlines.c.due_at <= soon,
                   referrals.c.status.in_([status.value for status in statuses])))).one()
        counts[kind.value] = (int(row[0]), int(row[1]) - int(row[0]))
    return counts




async def find_webhook(session: AsyncSession, webhook_id: str) -> dict[str, Any] | None:
    """Return one webhook (with its secret: for the dispatcher only), or None."""
    row = (await session.execute(select(webhooks).where(webhooks.c.webhook_id == webhook_id))).mappings().first()
    return dict(row) if row else None


async def webhooks_of_unit(session: AsyncSession, unit_id: str) -> list[dict[str, Any]]:
    """Return a unit's webhooks and their delivery state, without their secrets."""
    rows = await session.execute(select(*[c for c in webhooks.c if c.name != "secret"])
                                 .where(webhooks.c.unit_id == unit_id).order_by(webhooks.c.created_at))
    return [dict(row) for row in rows.mappings()]


async def webhooks_due(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    """Return the webhooks whose next delivery may be tried now."""
    rows = await session.execute(select(webhooks).where(
        (webhooks.c.next_attempt_at.is_(None)) | (webhooks.c.next_attempt_at <= now)))
    return [dict(row) for row in rows.mappings()]


async def published_after(session: AsyncSession, position: int, limit: int = 100) -> list[tuple[int, str]]:
    """Return the published events after a position of the event log: (position, CloudEvent JSON)."""
    events = metadata.tables["events"]
    rows = await session.execute(select(events.c.position, events.c.payload)
                                 .where(events.c.position > position, events.c.topic.is_not(None))
                                 .order_by(events.c.position).limit(limit))
    return [(row.position, row.payload) for row in rows]


async def case_of_path(session: AsyncSession, path: Mapping[str, str]) -> str | None:
    """Return the case a request's path is about: its `{case_id}`, or the case of its `{referral_id}`."""
    if "case_id" in path:
        return path["case_id"]
    if "referral_id" in path:
        found: str | None = await session.scalar(select(referrals.c.case_id)
                                                 .where(referrals.c.referral_id == path["referral_id"]))
        return found
    return None
