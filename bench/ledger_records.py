"""The bytes of each planned event, fast: the event as its producer published it (CloudEvents JSON) and the ledger
entry audit stores for it, with its RFC 6962 leaf hash. Each kind of event is built once with the contract models
and audit's own envelope code, with marker values in the places that change; every further event of that kind is
that canonical text with the markers filled in. `check` proves a sample equal to what the models themselves give."""

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from bench.ledger_events import BUILDERS, Values
from bench.ledger_plan import LedgerPlan, Step
from contracts.audit import EventRecorded
from saphan_runtime import cloudevents
from saphan_runtime.eventstore import decode_data
from saphan_runtime.settings import service_source
from services.audit import merkle
from services.audit.domain import LEDGER_STREAM

BASE = datetime(2026, 1, 5, tzinfo=UTC)
TICK_US = 97_000  # ledger time between two sequence numbers (µs); an event was published half a tick before
DAY_US, HOUR_US = 86_400_000_000, 3_600_000_000
AT_EVENT, AT_RECORD = datetime(2001, 2, 3, 4, 5, 6, 7, UTC), datetime(2002, 3, 4, 5, 6, 7, 8, UTC)
DAY = date(2005, 6, 7)
MARKERS = {  # marker text in the canonical JSON -> the field that replaces it
    "SNTLCASE": "case", "SNTLREF": "referral", "SNTLEVENT": "event_id", "SNTLCAUSE": "cause", "SNTLRECORD": "record_id",
    '"0913579135"': '"{seqv}"', "824682468": "{seq}", '"0735735735"': '"{iver}"', "602602602": "{partition}",
    "513513513": "{offset}", "2005-06-07": "day",
}
AUDIT_SOURCE = service_source("audit")


class Row(NamedTuple):
    """One ledger entry as the fill writes it: the stored record, the received event and what indexes them."""

    sequence: int
    record_id: str
    case_id: str
    event_id: str
    cause_id: str | None
    type: str
    source: str
    topic: str
    partition: int
    offset: int
    event: str
    record: str
    leaf: bytes
    time_us: int  # the event's time, µs after BASE
    recorded_us: int  # when audit recorded it, µs after BASE


class Text:
    """Canonical text with named fields, filled by %-formatting (several times faster than str.format_map)."""

    def __init__(self, text: str) -> None:
        """Compile a text whose fields are written {name} (JSON never has a brace before a bare word)."""
        parts = re.split(r"{([a-z_]+)}", text)
        self.names = parts[1::2]
        self.format = "%s".join(part.replace("%", "%%").replace("{{", "{").replace("}}", "}") for part in parts[::2])

    def fill(self, values: dict[str, Any]) -> str:
        """Return the text with its fields filled in."""
        return self.format % tuple(map(values.__getitem__, self.names))


@dataclass(frozen=True)
class Template:
    """The canonical text of one kind of event with its changing values as fields."""

    type: str
    source: str
    event: Text
    head: Text  # the ledger entry's text before the event it holds
    tail: Text  # and after it
    dated: bool  # the event names a day or a deadline besides its time


def iso(at: datetime) -> str:
    """Return a UTC time as pydantic writes it in JSON."""
    text = f"{at:%Y-%m-%dT%H:%M:%S}"
    return f"{text}.{at.microsecond:06d}Z" if at.microsecond else f"{text}Z"


@lru_cache(maxsize=4096)
def _day(days: int) -> str:
    return f"{BASE + timedelta(days=days):%Y-%m-%d}"


HMS = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)]


def clock(us: int) -> tuple[str, str, int]:
    """Return a time given in µs after BASE as its day, its time of day (to the second) and its microsecond."""
    days, rest = divmod(us, DAY_US)
    seconds, micro = divmod(rest, 1_000_000)
    return _day(days), HMS[seconds], micro


def iso_us(us: int) -> str:
    """Return a time given in µs after BASE as pydantic writes it in JSON (what iso() gives, faster)."""
    day, time, micro = clock(us)
    return f"{day}T{time}.{micro:06d}Z" if micro else f"{day}T{time}Z"


def moment(us: int) -> datetime:
    """Return a time given in µs after BASE as an aware datetime."""
    return BASE + timedelta(microseconds=us)


def _fields(text: str) -> str:
    text = text.replace("{", "{{").replace("}", "}}")
    for marker, name in {**MARKERS, iso(AT_EVENT): "at", iso(AT_EVENT + timedelta(hours=24)): "due_receipt",
                         iso(AT_EVENT + timedelta(hours=72)): "due_acceptance", iso(AT_RECORD): "recorded"}.items():
        text = text.replace(marker, name if name.startswith(('"', "{")) else "{" + name + "}")
    if "SNTL" in text:
        raise AssertionError(f"a marker was left in a template: {text}")
    return text


def build_template(step: Step) -> Template:
    """Build one kind of event with markers through the contract models and the envelope code; return its text."""
    data = BUILDERS[step.kind](Values("SNTLCASE", "SNTLREF", AT_EVENT, DAY), step.slot > 0)
    source = service_source("intake" if step.topic.startswith("saphan.intake") else "referral")
    stream = step.stream_id.replace(step.referral_id or step.case_id, "SNTLREF" if step.referral_id else "SNTLCASE")
    event = cloudevents.build(data=data, source=source, subject="SNTLCASE", stream_id=stream, version=735735735,
                              causation_id="SNTLCAUSE" if step.cause_id else None)
    event = event.model_copy(update={"id": "SNTLEVENT", "time": AT_EVENT})
    event_text = cloudevents.encode(event)
    recorded = EventRecorded(sequence=824682468, case_id="SNTLCASE", topic_name=step.topic, partition=602602602,
                             offset=513513513, recorded_at=AT_RECORD, event=json.loads(event_text))
    record = cloudevents.build(data=recorded, source=AUDIT_SOURCE, subject="SNTLCASE", stream_id=LEDGER_STREAM,
                               version=913579135, causation_id="SNTLEVENT")
    record = record.model_copy(update={"id": "SNTLRECORD", "time": AT_RECORD})
    text = _fields(event_text)
    head, found, tail = _fields(cloudevents.encode(record)).partition(text)
    if not found:
        raise AssertionError("the ledger entry does not hold the event's canonical text")
    return Template(event.type, source, Text(text), Text(head), Text(tail), "{day}" in text or "{due_receipt}" in text)


class RecordMaker:
    """Turns the plan's steps into ledger rows, one kind's template at a time."""

    def __init__(self, plan: LedgerPlan) -> None:
        """Follow a plan from its first sequence number."""
        self.plan = plan
        self._templates: dict[tuple[str, bool, bool], Template] = {}
        self._ids = plan.ids()

    def row(self) -> Row:
        """Return the row of the next sequence number."""
        return self.row_for(self.plan.step())

    def row_for(self, step: Step) -> Row:
        """Return the row of a step of the plan."""
        key = (step.kind, step.slot > 0, step.cause_id is not None)
        template = self._templates.get(key) or self._templates.setdefault(key, build_template(step))
        recorded_us = step.sequence * TICK_US
        at_us = recorded_us - TICK_US // 2
        record_id = next(self._ids)
        values = {"case": step.case_id, "referral": step.referral_id, "event_id": step.event_id,
                  "cause": step.cause_id, "record_id": record_id, "seqv": f"{step.sequence:010d}",
                  "seq": step.sequence, "iver": f"{step.stream_version:010d}", "partition": step.partition,
                  "offset": step.offset, "at": iso_us(at_us), "recorded": iso_us(recorded_us)}
        if template.dated:
            values |= {"day": clock(at_us)[0], "due_receipt": iso_us(at_us + 24 * HOUR_US),
                       "due_acceptance": iso_us(at_us + 72 * HOUR_US)}
        event = template.event.fill(values)
        record = template.head.fill(values) + event + template.tail.fill(values)
        return Row(step.sequence, record_id, step.case_id, step.event_id, step.cause_id, template.type,
                   template.source, step.topic, step.partition, step.offset, event, record,
                   merkle.leaf_hash(record.encode()), at_us, recorded_us)


def check(row: Row) -> None:
    """Fail unless a row's texts are exactly what the contract models and the envelope code make of them."""
    stored = cloudevents.decode(row.record)
    recorded = EventRecorded.model_validate(stored.data)
    received = cloudevents.decode(row.event)
    decode_data(received)
    problems: list[Any] = [
        cloudevents.encode(stored) != row.record, cloudevents.encode(received) != row.event,
        cloudevents.canonical_json(recorded.event) != row.event, recorded.sequence != row.sequence,
        int(stored.sequence) != row.sequence, received.id != row.event_id, stored.subject != row.case_id,
    ]
    if any(problems):
        raise AssertionError(f"sequence {row.sequence}: the generated texts differ from the models' ({problems})")
