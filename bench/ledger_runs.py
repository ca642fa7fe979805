"""One run of each system on one backend: ingest, then for each ledger size a fill, verification, replay and proofs.
Every system follows the same plan (same cases, same events, same order), so the figures compare like with like."""

import asyncio
import shutil
import sys
from argparse import Namespace
from pathlib import Path
from typing import Any

import asyncpg

from bench import ledger_eventsourcing as es
from bench import ledger_fill, ledger_pymerkle, ledger_saphan
from bench.ledger_plan import LedgerPlan
from bench.ledger_records import RecordMaker
from saphan_runtime.testing import create_postgres_database, drop_postgres_database

FIRST_GUESS_BYTES_PER_EVENT = 8_000  # before a first fill has shown the real figure
DISK_MARGIN = 5 * 2**30  # never fill the disk closer than this


def say(text: str) -> None:
    """Tell the operator what the run is doing (stderr, so stdout keeps the table)."""
    print(text, file=sys.stderr, flush=True)


def room_for(where: Path, events: int, bytes_per_event: float) -> bool:
    """Return whether the disk holding `where` has room for `events` more events (and a margin)."""
    return shutil.disk_usage(where).free - DISK_MARGIN > events * bytes_per_event


def asyncpg_dsn(url: str) -> str:
    """Return a SQLAlchemy asyncpg URL in asyncpg's own form."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


def sqlite_file(url: str) -> str:
    """Return the file path of a SQLite URL."""
    return url.removeprefix("sqlite+aiosqlite:///")


def remove_sqlite(path: str) -> None:
    """Delete a SQLite database and its side files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(path + suffix).unlink(missing_ok=True)


def sqlite_bytes(path: str) -> int:
    """Return the size of a SQLite database and its write-ahead log on disk."""
    return sum(file.stat().st_size for file in (Path(path), Path(path + "-wal")) if file.exists())


async def database_bytes(backend: str, url: str) -> int:
    """Return the size of a database on disk."""
    if backend == "sqlite":
        return sqlite_bytes(sqlite_file(url))
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return int(await connection.fetchval("SELECT pg_database_size(current_database())"))
    finally:
        await connection.close()


class Database:
    """A fresh database for one system on one backend (a temp SQLite file, or a PostgreSQL database), dropped after."""

    def __init__(self, backend: str, name: str, args: Namespace, work: Path) -> None:
        """Name the database; nothing is created yet."""
        self.backend, self.name, self.args, self.work = backend, name, args, work
        self.url = ""

    async def __aenter__(self) -> str:
        if self.backend == "sqlite":
            self.url = f"sqlite+aiosqlite:///{self.work / f'{self.name}.db'}"
        else:
            self.url = await create_postgres_database(self.args.postgres_url, self.name)
        return self.url

    async def __aexit__(self, *exc: object) -> None:
        if self.backend == "sqlite":
            remove_sqlite(sqlite_file(self.url))
        elif self.url:
            await drop_postgres_database(self.args.postgres_url, self.url)


async def saphan_run(backend: str, sizes: list[int], args: Namespace, work: Path) -> dict[str, Any]:
    """Measure Saphan's ledger on one backend at each size."""
    plan = LedgerPlan(sizes)
    maker = RecordMaker(plan)
    async with Database(backend, "bench_audit", args, work) as url:
        audit = await ledger_saphan.open_audit(url, work)
        try:
            say(f"[{backend}] saphan: ingest {args.ingest} events through RecordEvent")
            result: dict[str, Any] = {"ingest": await ledger_saphan.ingest(audit, maker, args.ingest)}
            await ledger_saphan.sign_checkpoint(audit)
            result["verify_ingested"] = await ledger_saphan.verify(audit, args.ingest)
            result["sizes"] = {}
            for size in sizes:
                if not await _grow(audit, backend, maker, size, result):
                    break
                result["sizes"][str(size)] = await _measure_size(audit, backend, plan, size, args, result)
            say(f"[{backend}] saphan: ingest {args.ingest // 4} more events at {plan.done:,}")
            result["ingest_at_largest"] = await ledger_saphan.ingest(audit, maker, args.ingest // 4)
        finally:
            await audit.service.stop()
    return result


async def _grow(audit: ledger_saphan.Audit, backend: str, maker: RecordMaker, size: int,
                result: dict[str, Any]) -> bool:
    before = maker.plan.done
    per_event = result.get("bytes_per_event", FIRST_GUESS_BYTES_PER_EVENT)
    if not room_for(audit.service.settings.var_dir, size - before, per_event):
        say(f"[{backend}] saphan: no room on disk for {size:,} events ({per_event:.0f} bytes each); stopping here")
        result["stopped_before"] = {"size": size, "reason": f"not enough disk for ~{per_event:.0f} bytes/event"}
        return False
    say(f"[{backend}] saphan: fill {before:,} -> {size:,}")
    await ledger_saphan.close_engines(audit)
    if backend == "sqlite":
        seconds = await asyncio.to_thread(ledger_fill.fill_sqlite, sqlite_file(audit.url), maker, size)
    else:
        seconds = await ledger_fill.fill_postgres(asyncpg_dsn(audit.url), maker, size)
    result.setdefault("fills", {})[str(size)] = {"events": size - before, "seconds": round(seconds, 1),
                                                 "events_per_s": round((size - before) / seconds, 1)}
    result["bytes_per_event"] = round(await database_bytes(backend, audit.url) / size, 1)
    return True


async def _measure_size(audit: ledger_saphan.Audit, backend: str, plan: LedgerPlan, size: int, args: Namespace,
                        result: dict[str, Any]) -> dict[str, Any]:
    checkpoint = await ledger_saphan.sign_checkpoint(audit)
    figures: dict[str, Any] = {"bytes_per_event": result["bytes_per_event"]}
    if size <= args.verify_max_size:
        say(f"[{backend}] saphan: verify {size:,}")
        figures["verify"] = await ledger_saphan.verify(audit, size)
    say(f"[{backend}] saphan: replay the long case at {size:,}, and proofs")
    figures["replay"] = await ledger_saphan.replay_case(audit, plan.long_cases[size].case_id, args.replay_runs)
    figures["proofs"] = await ledger_saphan.prove(audit, size, checkpoint["root_hash"], args.proof_seconds)
    return figures


async def eventsourcing_run(backend: str, sizes: list[int], args: Namespace, work: Path) -> dict[str, Any]:
    """Measure the eventsourcing library's store on one backend at each size."""
    maker, live = RecordMaker(LedgerPlan(sizes)), dict[str, es.RecordedCase]()
    async with Database(backend, "bench_es", args, work) as url:
        path = sqlite_file(url)
        store = es.sqlite_store(path) if backend == "sqlite" else es.postgres_store(url)
        try:
            say(f"[{backend}] eventsourcing: ingest {args.ingest} events")
            result: dict[str, Any] = {"ingest": es.ingest(store, maker, args.ingest, live), "sizes": {}}
            rows, table = es.StoredRows(store, maker, live), store.recorder.events_table_name  # type: ignore[attr-defined]
            for size in sizes:
                say(f"[{backend}] eventsourcing: fill -> {size:,}, replay")
                before = maker.plan.done
                if backend == "sqlite":
                    store.close()
                    seconds = await asyncio.to_thread(es.fill_sqlite, path, rows, size)
                    store = rows.store = es.sqlite_store(path)
                else:
                    seconds = await es.fill_postgres(asyncpg_dsn(url), table, rows, size)
                result["sizes"][str(size)] = {
                    "fill_events_per_s": round((size - before) / seconds, 1),
                    "bytes_per_event": round(await database_bytes(backend, url) / size, 1),
                    "replay": es.replay_case(store, maker.plan.long_cases[size].case_id, args.replay_runs)}
            rows.resume()
            result["ingest_at_largest"] = es.ingest(store, maker, args.ingest // 4, live)
        finally:
            store.close()
    return result


def pymerkle_run(sizes: list[int], args: Namespace, work: Path) -> dict[str, Any]:
    """Measure pymerkle's SqliteTree and InmemoryTree at each size."""
    maker = RecordMaker(LedgerPlan(sizes))
    path = str(work / "pymerkle.db")
    tree = ledger_pymerkle.open_sqlite_tree(path)
    try:
        say(f"pymerkle: ingest {args.ingest} entries one by one")
        result: dict[str, Any] = {"ingest": ledger_pymerkle.ingest(tree, maker, args.ingest), "sizes": {}}
        pool = ledger_pymerkle.record_pool(maker)
        for size in sizes:
            say(f"pymerkle: bulk append -> {size:,}, proofs, root")
            figures = {"bulk_append": ledger_pymerkle.fill(tree, pool, size, bulk=True)}
            tree.close()
            tree = ledger_pymerkle.open_sqlite_tree(path)  # a cold start: its subroot cache is empty
            figures["proofs"] = ledger_pymerkle.prove(tree, size, args.proof_seconds,
                                                      check=size <= args.verify_max_size)
            if size <= args.verify_max_size:
                figures["verify"] = ledger_pymerkle.verify(path, size)
            result["sizes"][str(size)] = figures
    finally:
        tree.close()
        remove_sqlite(path)
    result["inmemory"] = _inmemory_run([s for s in sizes if s <= args.inmemory_max_size], args, maker)
    return result


def _inmemory_run(sizes: list[int], args: Namespace, maker: RecordMaker) -> dict[str, Any]:
    tree = ledger_pymerkle.new_inmemory_tree()
    say(f"pymerkle in memory: ingest {args.ingest} entries")
    result: dict[str, Any] = {"ingest": ledger_pymerkle.ingest(tree, maker, args.ingest), "sizes": {}}
    pool = ledger_pymerkle.record_pool(maker)
    for size in sizes:
        say(f"pymerkle in memory: append -> {size:,}, proofs")
        result["sizes"][str(size)] = {"append": ledger_pymerkle.fill(tree, pool, size, bulk=False),
                                      "proofs": ledger_pymerkle.prove(tree, size, args.proof_seconds)}
    return result
