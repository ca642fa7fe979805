"""Audit's use cases; each owns its transaction. The routing table is at the bottom."""

import logging

from saphan_runtime.bus import Handler
from saphan_runtime.cloudevents import now
from saphan_runtime.errors import Deferred
from saphan_runtime.eventstore import UnitOfWork
from services.audit import domain, projections
from services.audit.commands import RecordEvent

log = logging.getLogger(__name__)


async def record_event(command: RecordEvent, uow: UnitOfWork) -> None:
    """Append a received event to the ledger at the next dense sequence number."""
    async with uow:
        await check_cause_recorded(command, uow)
        size = await uow.version(domain.LEDGER_STREAM)
        events = domain.record(command, size=size, now=now())
        await uow.append(domain.LEDGER_STREAM, case_id=command.case_id, expected_version=size, events=events)
        await uow.commit()


async def check_cause_recorded(command: RecordEvent, uow: UnitOfWork) -> None:
    """Defer an event whose cause the ledger has not recorded yet, so a case's history stays in causal order."""
    if command.causation_id is None or await projections.is_recorded(uow.session, command.causation_id):
        return
    if command.wait_for_cause:
        raise Deferred(f"waiting for cause {command.causation_id}")
    log.warning("recording %s/%s@%s before its cause %s", command.topic, command.partition, command.offset,
                command.causation_id)


HANDLERS: dict[type, Handler] = {
    RecordEvent: record_event,
}
