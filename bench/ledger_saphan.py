"""Saphan's audit ledger under measurement, through the service's own composition root (bootstrap) without Kafka:
the bus and units of work it builds, its projections, its replay, its proofs module and `saphan audit verify`."""

import base64
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.ledger_records import RecordMaker
from bench.stats import median_ms, percentile
from saphan_runtime import db, migrations
from saphan_runtime.service import Service
from saphan_runtime.transactions import InboxKey
from services.audit import checkpoints, merkle, projections, proofs, replay
from services.audit.bootstrap import bootstrap
from services.audit.commands import RecordEvent, SignCheckpoint
from services.audit.settings import Settings
from services.audit.verify import verify_ledger

CONSUMER = "audit"  # the inbox key the Kafka consumer records each event under


@dataclass
class Audit:
    """The audit service's parts on one database (nothing started: no broker, no HTTP)."""

    url: str
    service: Service
    public_key: str


async def open_audit(url: str, var_dir: Path) -> Audit:
    """Migrate a fresh audit database and build the service on it, with a fresh signing key."""
    seed = base64.b64encode(os.urandom(32)).decode()
    await migrations.upgrade_async(url, "services.audit:migrations")
    service = bootstrap(Settings(database_url=url, signing_key=seed, var_dir=var_dir))
    return Audit(url, service, checkpoints.Signer(checkpoints.load_key(seed)).public_key)


async def close_engines(audit: Audit) -> None:
    """Close the pooled connections (a fill needs the SQLite file to itself); they reopen when next used."""
    await db.dispose(audit.service.engine)
    await audit.service.read_engine.dispose()


async def ingest(audit: Audit, maker: RecordMaker, count: int) -> dict[str, Any]:
    """Record `count` events through `RecordEvent`, each in its own transaction as the Kafka consumer does."""
    latencies = []
    started = time.perf_counter()
    for _ in range(count):
        row = maker.row()
        command = RecordEvent(case_id=row.case_id, topic=row.topic, partition=row.partition, offset=row.offset,
                              raw=row.event, causation_id=row.cause_id, wait_for_cause=False)
        begun = time.perf_counter()
        await audit.service.bus.handle(command, inbox=InboxKey(CONSUMER, row.event_id))
        latencies.append(time.perf_counter() - begun)
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"events": count, "seconds": round(elapsed, 3), "events_per_s": round(count / elapsed, 1),
            "p50_ms": round(percentile(ordered, 50) * 1000, 3), "p99_ms": round(percentile(ordered, 99) * 1000, 3)}


async def sign_checkpoint(audit: Audit) -> dict[str, Any]:
    """Sign a checkpoint of the ledger as it stands, through the `SignCheckpoint` handler."""
    signed = await audit.service.bus.handle(SignCheckpoint())
    if signed is None:
        raise RuntimeError("no checkpoint was signed")
    return dict(signed)


async def verify(audit: Audit, size: int) -> dict[str, Any]:
    """Verify the whole ledger (entries, nodes, every checkpoint) as `saphan audit verify` does; return its rate."""
    started = time.perf_counter()
    found = await verify_ledger(audit.url, audit.public_key)
    elapsed = time.perf_counter() - started
    if not found.intact or found.entries != size:
        raise RuntimeError(f"the ledger does not verify at {size}: {found}")
    return {"events": found.entries, "checkpoints": found.checkpoints, "seconds": round(elapsed, 3),
            "events_per_s": round(found.entries / elapsed, 1)}


async def replay_case(audit: Audit, case_id: str, runs: int) -> dict[str, Any]:
    """Replay one case's state from the ledger (`replay.case_state`) and read its timeline, each `runs` times."""
    replays, reads, events = [], [], 0
    for _ in range(runs):
        async with audit.service.read_sessions() as session:
            started = time.perf_counter()
            state = await replay.case_state(session, case_id)
            replays.append(time.perf_counter() - started)
            started = time.perf_counter()
            timeline = await projections.case_timeline(session, case_id)
            reads.append(time.perf_counter() - started)
        if state is None or state.skipped or None in state.views.values() or len(timeline) != state.events:
            raise RuntimeError(f"case {case_id} did not replay: {state}")
        events = state.events
    return {"case_events": events, "runs": runs, "replay_ms": median_ms(replays), "timeline_ms": median_ms(reads)}


async def prove(audit: Audit, size: int, root_hex: str, seconds: float, seed: int = 9162) -> dict[str, Any]:
    """Check three inclusion proofs against the signed root, then make proofs of random entries in the tree of
    `size` (`proofs.inclusion_proof`, one read session each, as the API does) for some seconds."""
    rng, count = random.Random(seed), 0
    for _ in range(3):
        index = rng.randrange(size)
        async with audit.service.read_sessions() as session:
            path = await proofs.inclusion_proof(session, index, size)
            await _check_proof(session, index, size, path, bytes.fromhex(root_hex))
    started = time.perf_counter()
    while count < 3 or time.perf_counter() - started < seconds:
        async with audit.service.read_sessions() as session:
            await proofs.inclusion_proof(session, rng.randrange(size), size)
        count += 1
    elapsed = time.perf_counter() - started
    return {"tree_size": size, "proofs": count, "seconds": round(elapsed, 3), "proofs_per_s": round(count / elapsed, 1),
            "path_length": len(path)}


async def _check_proof(session: Any, index: int, size: int, path: list[bytes], root: bytes) -> None:
    entry = await projections.entry(session, index + 1)
    assert entry is not None
    if not merkle.verify_inclusion(bytes.fromhex(entry["leaf_hash"]), index, size, path, root):
        raise RuntimeError(f"the inclusion proof of {index} in {size} does not verify")
