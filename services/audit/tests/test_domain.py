"""The ledger's rules, in plain Python."""

import json
from datetime import UTC, datetime

from contracts.audit import EventRecorded
from services.audit import domain
from services.audit.commands import RecordEvent


def test_a_received_event_becomes_the_next_ledger_entry_unchanged() -> None:
    raw = json.dumps({"id": "e-1", "subject": "c-1", "data": {"x": "ข้อมูล"}}, ensure_ascii=False)
    command = RecordEvent(case_id="c-1", topic="saphan.intake.events", partition=2, offset=41, raw=raw)
    [entry] = domain.record(command, size=9, now=datetime(2026, 11, 21, tzinfo=UTC))
    assert isinstance(entry, EventRecorded)
    assert entry.sequence == 10
    assert entry.event == json.loads(raw)
    assert (entry.topic_name, entry.partition, entry.offset) == ("saphan.intake.events", 2, 41)
