"""Audit's read side: the ledger entries by case, written in the same transaction as the ledger events."""

import json
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.audit import EventRecorded
from contracts.envelope import EventData
from saphan_runtime.cloudevents import canonical_json
from saphan_runtime.eventstore import Projection, StoredEvent, projector
from services.audit.db import ledger_entries


async def entry_appended(session: AsyncSession, event: StoredEvent) -> None:
    """Index a ledger entry by its case."""
    data = event.data
    assert isinstance(data, EventRecorded)
    recorded = data.event
    await session.execute(insert(ledger_entries), {
        "sequence": data.sequence, "event_id": recorded["id"], "case_id": data.case_id,
        "type": recorded["type"], "source": recorded["source"], "time": datetime.fromisoformat(recorded["time"]),
        "topic": data.topic_name, "partition": data.partition, "offset": data.offset,
        "event": canonical_json(recorded), "recorded_at": data.recorded_at,
    })


PROJECTIONS: dict[type[EventData], Projection] = {
    EventRecorded: entry_appended,
}

project = projector(PROJECTIONS)


async def is_recorded(session: AsyncSession, event_id: str) -> bool:
    """Return whether the ledger already holds an event."""
    found = await session.scalar(select(ledger_entries.c.sequence).where(ledger_entries.c.event_id == event_id))
    return found is not None


async def case_timeline(session: AsyncSession, case_id: str) -> list[dict[str, Any]]:
    """Return a case's ledger entries in ledger order."""
    rows = await session.execute(
        select(ledger_entries).where(ledger_entries.c.case_id == case_id).order_by(ledger_entries.c.sequence)
    )
    return [{**row, "event": json.loads(row["event"])} for row in rows.mappings()]
