"""Watch the audit ledger and note when each intake event's entry appears in it.

One reader polls audit's own database (read-only, nothing locked: a SQLite snapshot or a PostgreSQL query) for the
entries after the last one it saw, every POLL_SECONDS. An entry is the event exactly as audit recorded it, so
intake's events are known by their stream version: a report is in the ledger when the entry of the last event its
POST produced (the version the 201 answered) is committed. Two times are kept per entry: when this reader saw it
committed (an upper bound, by at most a poll) and the `recorded_at` audit stamped in it (a lower bound: before its
commit).

Why not the ledger's Kafka mirror (`saphan.audit.ledger`): the embedded broker's fetch costs grow with the size of
the partition fetched (measured: 1 ms of broker CPU a fetch on an empty partition, 13 ms at 120,000 records), and
the mirror has one partition holding every entry, so a reader following it closely slows the very broker the run
measures, more the longer it runs. Polling audit's API per case would add a request per report to the process
being measured."""

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.load import Accepted
from saphan_runtime import db
from services.audit.db import ledger_entries

INTAKE_SOURCE = "/saphan/intake"
POLL_SECONDS = 0.02  # the reader's own delay, at most
PAGE = 5000  # entries read a query, at most


@dataclass(frozen=True)
class Seen:
    """When an entry was seen committed by this reader, and when audit says it recorded it (wall clock, seconds)."""

    received: float
    recorded: float


@dataclass
class LedgerWatcher:
    """Follow audit's ledger in the background; look up entries by (case id, intake stream version)."""

    database_url: str
    seen: dict[tuple[str, int], Seen] = field(default_factory=dict)
    entries: int = 0
    _task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start following the ledger from where it stands."""
        engine = db.create_engine(self.database_url, read_only=True)
        async with engine.connect() as connection:
            last = await connection.scalar(select(ledger_entries.c.sequence)
                                           .order_by(ledger_entries.c.sequence.desc()).limit(1))
        self._task = asyncio.create_task(self._follow(engine, int(last or 0)))

    async def _follow(self, engine: AsyncEngine, last: int) -> None:
        table = ledger_entries
        query = (select(table.c.sequence, table.c.case_id, table.c.source, table.c.event, table.c.recorded_at)
                 .order_by(table.c.sequence).limit(PAGE))
        try:
            while True:
                async with engine.connect() as connection:
                    rows = (await connection.execute(query.where(table.c.sequence > last))).all()
                received = time.time()
                for sequence, case_id, source, event, recorded_at in rows:
                    self.entries, last = self.entries + 1, sequence
                    if source == INTAKE_SOURCE:
                        version = int(json.loads(event)["sequence"])
                        self.seen[case_id, version] = Seen(received, recorded_at.timestamp())
                if len(rows) < PAGE:
                    await asyncio.sleep(POLL_SECONDS)
        finally:
            await engine.dispose()

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
        """Stop following the ledger."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
