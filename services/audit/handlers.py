"""Audit's use cases; each owns its transaction. The routing table is at the bottom."""

import logging
from functools import partial
from typing import Any

from contracts.audit import CheckpointSigned
from saphan_runtime.bus import Handler
from saphan_runtime.cloudevents import now
from saphan_runtime.errors import Deferred
from saphan_runtime.eventstore import UnitOfWork
from services.audit import checkpoints, domain, projections
from services.audit.checkpoints import Signer
from services.audit.commands import RecordEvent, SignCheckpoint

log = logging.getLogger(__name__)
CHECKPOINT_STREAM = "checkpoints"


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


async def sign_checkpoint(command: SignCheckpoint, uow: UnitOfWork, *, signer: Signer) -> dict[str, Any] | None:
    """Sign a checkpoint of the ledger as it stands (nothing when the newest one already covers it)."""
    async with uow:
        size, root = await projections.ledger_head(uow.session)
        if size == 0 or size == await projections.newest_checkpoint_size(uow.session):
            return None
        at = now()
        text = checkpoints.note(size, root.hex(), at)
        event = CheckpointSigned(tree_size=size, root_hash=root.hex(), signed_at=at, key_id=signer.key_id,
                                 note=text, signature=signer.sign(text))
        await uow.append(CHECKPOINT_STREAM, case_id="ledger", expected_version=await uow.version(CHECKPOINT_STREAM),
                         events=[event])
        await uow.commit()
    return event.model_dump(mode="json")


def handlers(*, signer: Signer) -> dict[type, Handler]:
    """Return the table routing each command to its handler, with the handlers' dependencies bound."""
    return {
        RecordEvent: record_event,
        SignCheckpoint: partial(sign_checkpoint, signer=signer),
    }
