"""Watch the audit ledger's mirror topic (`saphan.audit.ledger`) and note when each intake event's entry appears.

One partitionless reader (no consumer group, nothing committed) follows the topic from where it ended when the
watch began. An entry is the event exactly as audit recorded it, so intake's events are known by their stream
version: a report is in the ledger when the entry of the last event its POST produced (the version the 201
answered) has appeared. Two times are kept per entry: when this reader received it (an upper bound: audit's commit,
its outbox relay and one fetch later) and the `recorded_at` audit stamped in it (a lower bound: before its commit).
Polling audit's API per case instead would add a request per report to the process being measured."""

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.load import Accepted
from contracts.topics import AUDIT_LEDGER

INTAKE_SOURCE = "/saphan/intake"
# The embedded broker answers a fetch after up to about this long even when records are waiting: a short wait keeps
# the reader's own delay to a few milliseconds, for about a hundred small fetches a second while idle.
FETCH_MAX_WAIT_MS = 10


@dataclass(frozen=True)
class Seen:
    """When an entry reached this reader, and when audit says it recorded it (both wall clock, seconds)."""

    received: float
    recorded: float


@dataclass
class LedgerWatcher:
    """Follow the ledger topic in the background; look up entries by (case id, intake stream version)."""

    bootstrap_servers: str
    seen: dict[tuple[str, int], Seen] = field(default_factory=dict)
    entries: int = 0
    entry_bytes: int = 0
    _task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start following the topic from its current end."""
        reader = AIOKafkaConsumer(bootstrap_servers=self.bootstrap_servers, group_id=None, enable_auto_commit=False,
                                  fetch_max_wait_ms=FETCH_MAX_WAIT_MS, auto_offset_reset="latest")
        await reader.start()
        partition = TopicPartition(AUDIT_LEDGER, 0)
        reader.assign([partition])
        await reader.seek_to_end(partition)
        await reader.position(partition)
        self._task = asyncio.create_task(self._follow(reader))

    async def _follow(self, reader: AIOKafkaConsumer) -> None:
        try:
            while True:
                batch = await reader.getmany(timeout_ms=1000, max_records=2000)
                received = time.time()
                for records in batch.values():
                    for record in records:
                        self._note(record.value, received)
        finally:
            await reader.stop()

    def _note(self, value: bytes, received: float) -> None:
        self.entries += 1
        self.entry_bytes += len(value)
        data = json.loads(value)["data"]
        event = data["event"]
        if event.get("source") == INTAKE_SOURCE:
            recorded = datetime.fromisoformat(data["recorded_at"]).timestamp()
            self.seen[data["case_id"], int(event["sequence"])] = Seen(received, recorded)

    def latency(self, report: Accepted) -> tuple[float, float] | None:
        """Return (to received, to recorded) in seconds after the 201, or None while its entry has not appeared."""
        seen = self.seen.get((report.case_id, report.version))
        return None if seen is None else (seen.received - report.at, seen.recorded - report.at)

    async def drain(self, reports: list[Accepted], patience: float) -> int:
        """Wait until every report is in the ledger, or `patience` seconds; return how many are still missing."""
        deadline = time.monotonic() + patience
        while True:
            self.check()
            missing = sum(1 for r in reports if (r.case_id, r.version) not in self.seen)
            if not missing or time.monotonic() >= deadline:
                return missing
            await asyncio.sleep(0.25)

    def check(self) -> None:
        """Raise what stopped the reader, if it stopped."""
        if self._task is not None and self._task.done():
            self._task.result()
            raise RuntimeError("the ledger watcher stopped")

    async def stop(self) -> None:
        """Stop following the topic."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
