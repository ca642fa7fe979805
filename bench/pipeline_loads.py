"""One offered load through the running system: warm up, measure, wait for the ledger, and sum up what was seen."""

import asyncio
import itertools
import time
from dataclasses import dataclass
from typing import Any

from bench.ledger_watch import LedgerWatcher
from bench.load import OpenLoop, Phase
from bench.memory import MemorySampler
from bench.stats import latency_ms
from bench.topics import TopicCounter, published

KEPT_UP_SHARE = 0.95  # of the offered rate, answered 201
CAUGHT_UP_SHARE = 0.1  # of the measured seconds: how long after the load the ledger may still be catching up
CAUGHT_UP_FLOOR_SECONDS = 2.0
STARTUP_PATIENCE_SECONDS = 180.0  # for the ledger to take in what the services publish as they start (the agencies)


@dataclass
class Instruments:
    """What a load is driven and watched with."""

    load: OpenLoop
    watcher: LedgerWatcher
    sampler: MemorySampler
    counter: TopicCounter


async def settle(counter: TopicCounter, patience: float, every: float = 0.5) -> dict[str, int]:
    """Return the topics' counts once two looks `every` seconds apart agree (or after `patience` seconds)."""
    deadline = time.monotonic() + patience
    before = await counter.totals()
    while time.monotonic() < deadline:
        await asyncio.sleep(every)
        if (now := await counter.totals()) == before:
            return now
        before = now
    return before


async def run_load(tools: Instruments, rate: float, seconds: float, warmup: float, drain: float) -> dict[str, Any]:
    """Offer `rate` reports/s for `warmup` then `seconds` (measured), wait for the ledger to hold every measured
    report and the topics to settle, and return the load's figures. The load was kept up when at least 95% of the
    offered rate was accepted, nothing failed or was shed, and the ledger held every report within 10% of the
    measured seconds (at least 2 s) after the window closed: a backlog that grows during the load is not kept up."""
    start = await tools.counter.totals()
    phase = Phase(rate, seconds, warmup)
    running = asyncio.create_task(tools.load.run(phase))
    await asyncio.sleep(warmup)
    before, opened = await tools.counter.totals(), time.monotonic()
    await asyncio.sleep(seconds)
    after, closed = await tools.counter.totals(), time.monotonic()
    await running
    missing = await tools.watcher.drain(phase.accepted, drain)
    caught_up = time.time() - (phase.measured_from + seconds)
    await tools.watcher.drain(phase.warm, 1.0)
    settled = await settle(tools.counter, drain)
    found = summarize(phase, tools, published(before, after) / (closed - opened), missing,
                      published(start, settled) / max(len(phase.warm) + len(phase.accepted), 1),
                      {t: after[t] - before.get(t, 0) for t in after if after[t] != before.get(t, 0)})
    found["ledger_caught_up_after_s"] = None if missing else round(max(caught_up, 0.0), 2)
    found["kept_up"] = found["kept_up"] and caught_up <= max(CAUGHT_UP_FLOOR_SECONDS, CAUGHT_UP_SHARE * seconds)
    return found


async def quiet(counter: TopicCounter) -> None:
    """Wait until the system has done what it does as it starts, so the first load does not queue behind it."""
    await settle(counter, STARTUP_PATIENCE_SECONDS, every=2.0)


def summarize(phase: Phase, tools: Instruments, events_per_s: float, missing: int, per_report: float,
              by_topic: dict[str, int]) -> dict[str, Any]:
    """Return a measured load's figures: rates, errors, both latencies, events published and each process's use."""
    seen = [found for report in phase.accepted if (found := tools.watcher.latency(report)) is not None]
    errors = sum(phase.error_counts().values())
    return {
        "offered_rps": phase.rate, "seconds": phase.seconds, "due": phase.due, "shed": phase.shed,
        "accepted": len(phase.accepted), "errors": errors, "error_kinds": phase.error_counts(),
        "achieved_rps": round(phase.achieved_rps, 1), "in_ledger": len(seen), "missing_from_ledger": missing,
        "kept_up": phase.achieved_rps >= KEPT_UP_SHARE * phase.rate and not errors and not phase.shed
        and not missing,
        "http_due_to_201": latency_ms(phase.http_latencies),
        "accepted_to_ledger": latency_ms([max(received, 0.0) for received, _ in seen]),
        "accepted_to_recorded_at": latency_ms([max(recorded, 0.0) for _, recorded in seen]),
        "events_by_topic": by_topic, "pipeline_events_per_s": round(events_per_s, 1),
        "events_per_report": round(per_report, 2),
        "processes": tools.sampler.window(phase.measured_from, phase.ended),
        "machine_cpu": tools.sampler.machine(phase.measured_from, phase.ended),
        "sample_case_id": phase.accepted[0].case_id if phase.accepted else None,
    }


async def noop_baseline(url: str, rate: float, seconds: float, warmup: float, max_in_flight: int) -> dict[str, Any]:
    """Offer a load to the no-op FastAPI app (the same warm-up, window and client) and return what it answered."""
    load = OpenLoop(url, {}, itertools.count(), max_in_flight)
    try:
        phase = await load.run(Phase(rate, seconds, warmup))
    finally:
        await load.close()
    return {"offered_rps": phase.rate, "accepted": len(phase.accepted), "errors": sum(phase.error_counts().values()),
            "shed": phase.shed, "achieved_rps": round(phase.achieved_rps, 1),
            "http_due_to_201": latency_ms(phase.http_latencies)}


def progress(found: dict[str, Any]) -> str:
    """Return one line saying how a load went (for stderr while the run goes on)."""
    ledger = found["accepted_to_ledger"]
    return (f"  {found['offered_rps']:g}/s offered: {found['achieved_rps']:.1f}/s accepted, {found['errors']} errors, "
            f"{found['shed']} shed, ledger p50 {ledger['p50_ms']:.0f} ms p99 {ledger['p99_ms']:.0f} ms, "
            f"{found['missing_from_ledger']} missing, {found['pipeline_events_per_s']:.0f} events/s")
