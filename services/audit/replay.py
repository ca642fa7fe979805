"""A case's state as it stood at a moment or at a ledger sequence number: the case's events, read from the ledger
by case, folded through each service's own case view (`saphan_runtime.replay`). The cost depends on the size of the
case, not of the ledger."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from saphan_runtime.cloudevents import decode
from saphan_runtime.eventstore import StoredEvent, decode_data
from saphan_runtime.replay import CaseView, replay_view
from services.audit import projections
from services.intake.case_view import CASE_VIEW as INTAKE_VIEW
from services.referral.case_view import CASE_VIEW as REFERRAL_VIEW

VIEWS: tuple[CaseView, ...] = (INTAKE_VIEW, REFERRAL_VIEW)


@dataclass(frozen=True)
class CaseState:
    """What each service showed of a case after the last event replayed."""

    case_id: str
    sequence: int  # the ledger sequence of the last event replayed
    time: datetime  # that event's time
    events: int
    skipped: int  # events this version cannot read (a newer contract); named so a reader knows
    views: dict[str, dict[str, Any] | None]


async def case_state(session: AsyncSession, case_id: str, *, at: datetime | None = None,
                     sequence: int | None = None) -> CaseState | None:
    """Return the case as it stood at a moment (event time) and/or a ledger sequence, or None before its first event."""
    events, skipped = _readable(await projections.case_events(session, case_id, up_to=sequence))
    if at is not None:
        events = [event for event in events if event.envelope.time <= at]
    if not events:
        return None
    views = {view.name: await replay_view(view, case_id, events) for view in VIEWS}
    last = events[-1]
    return CaseState(case_id=case_id, sequence=last.position, time=last.envelope.time, events=len(events),
                     skipped=skipped, views=views)


def _readable(rows: list[tuple[int, str]]) -> tuple[list[StoredEvent], int]:
    events, skipped = [], 0
    for sequence, text in rows:
        try:
            envelope = decode(text)
            events.append(StoredEvent(position=sequence, envelope=envelope, data=decode_data(envelope)))
        except ValueError:  # pydantic's ValidationError included
            skipped += 1
    return events, skipped
