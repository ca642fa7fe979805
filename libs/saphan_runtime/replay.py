"""Replay: rebuild a service's view of one case from that case's events alone, with the service's own projections.

Each service names its case view (`CaseView`): its tables, its projector and the query its API answers with.
Audit folds the events the ledger holds for one case through it, in a scratch in-memory database, so the state it
shows as of a moment is computed by the very code that computed what the service showed at that moment."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import StaticPool

from saphan_runtime import sqlite_inline
from saphan_runtime.eventstore import Projector, StoredEvent
from saphan_runtime.transactions import finish

ViewQuery = Callable[[AsyncSession, str], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True)
class CaseView:
    """How a service shows one case: the events it owns (by source), its tables, its projector and its query."""

    name: str
    source: str
    metadata: MetaData
    project: Projector
    read: ViewQuery
    private_fields: frozenset[str] = frozenset()  # fields only the service's own store holds (never published)


async def replay_view(view: CaseView, case_id: str, events: Sequence[StoredEvent]) -> dict[str, Any] | None:
    """Return the view of a case after folding its events (those from the view's service) into empty tables."""
    own = [event for event in events if event.envelope.source == view.source]
    if not own:
        return None
    # One private in-memory database, run inline: its statements are the replay's own work, with no thread to hop to.
    engine = create_async_engine("sqlite+aiosqlite://", poolclass=StaticPool,
                                 async_creator=sqlite_inline.creator(":memory:", timeout=1))
    try:
        async with engine.begin() as connection:
            await connection.run_sync(view.metadata.create_all)
        async with AsyncSession(engine, expire_on_commit=False, autoflush=False) as session:
            for event in own:
                await view.project(session, event)
            await finish(session)  # what the projections keep for the commit (a new case's row)
            return await view.read(session, case_id)
    finally:
        await engine.dispose()
