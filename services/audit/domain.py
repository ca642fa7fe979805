"""The ledger: one stream whose versions are the dense sequence numbers of the recorded events."""

import json
from datetime import datetime

from contracts.audit import EventRecorded
from contracts.envelope import EventData
from services.audit.commands import RecordEvent

LEDGER_STREAM = "ledger"


def record(command: RecordEvent, *, size: int, now: datetime) -> list[EventData]:
    """Decide the ledger entry for one received event, at the next sequence number."""
    return [EventRecorded(
        sequence=size + 1, case_id=command.case_id, topic_name=command.topic, partition=command.partition,
        offset=command.offset, recorded_at=now, event=json.loads(command.raw),
    )]
