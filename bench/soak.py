"""Soak run: a steady open-loop load of reports on the whole system (`saphan up`, embedded broker) for minutes or
hours, reported every --interval seconds, then a verdict on each process's memory growth.

Each interval row: reports accepted per second, errors, shed reports, the accepted → in-the-ledger latency of the
reports accepted in it (as bench/pipeline.py measures it: to the ledger entry reaching a reader of
`saphan.audit.ledger`) and each process's RSS. Rows are printed as the run goes (latencies of entries seen so far)
and written once more, complete, after the ledger has drained. The verdict fits each process's RSS over the first
and the second half of the run: a process is "flat" when its second half grows by at most --growth-limit MB/h. It is
a figure to read, not an assertion.

Run: python -m bench.soak --minutes 10 [--rate 100] [--interval 30] [--warmup 10] [--growth-limit 30]
                          [--postgres-url URL] [--work-dir DIR] [--out bench/results/soak.json]
                          (writes .json, .md and .png)
"""

import argparse
import asyncio
import itertools
import math
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import soak_report
from bench.ledger_watch import LedgerWatcher
from bench.load import OpenLoop, Phase
from bench.memory import MemorySampler, sqlite_logs
from bench.pipeline_loads import quiet
from bench.processes import interrupt, machine
from bench.stats import write_results
from bench.system import System, add_work_dir_argument, databases, operator_headers, saphan_up, work_dir
from bench.topics import TopicCounter, published

DEFAULT_OUT = Path("bench/results/soak.json")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, required=True, help="how long the measured load lasts")
    parser.add_argument("--rate", type=float, default=100.0, help="offered reports per second")
    parser.add_argument("--interval", type=float, default=30.0, help="seconds per reported interval")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of load before measuring")
    parser.add_argument("--drain", type=float, default=60.0, help="seconds to wait for the ledger at the end")
    parser.add_argument("--sample-every", type=float, default=5.0, help="seconds between memory samples")
    parser.add_argument("--growth-limit", type=float, default=30.0, help="MB per hour a flat process may grow")
    parser.add_argument("--max-in-flight", type=int, default=256, help="reports awaiting an answer before shedding")
    parser.add_argument("--postgres-url", default="", help="a PostgreSQL server to give each service a fresh "
                        "database on (default: SQLite)")
    add_work_dir_argument(parser)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the JSON file (.md and .png beside it)")
    return parser.parse_args(argv)


async def report_intervals(phase: Phase, run: "asyncio.Task[Phase]", watcher: LedgerWatcher, sampler: MemorySampler,
                           args: argparse.Namespace, names: list[str]) -> None:
    """Print a row for each interval as it ends, until the load is over."""
    print(soak_report.header(names), flush=True)
    start, last = phase.measured_from, phase.measured_from + phase.seconds
    while start < last:
        end = min(start + args.interval, last)
        await asyncio.wait([run], timeout=max(end - time.time(), 0))
        if run.done() and time.time() < end - 0.5:  # the load stopped early: it failed
            break
        watcher.check()
        print(soak_report.row(soak_report.interval(phase, watcher, sampler, start, end), names), flush=True)
        start = end
    await run


async def soak(system: System, args: argparse.Namespace) -> dict[str, Any]:
    """Warm up, offer the load for the duration while reporting, drain, and return the figures."""
    seconds = args.minutes * 60
    watcher = LedgerWatcher(system.database_url("audit"))
    logs = sqlite_logs(system.database_url, soak_report.DATABASES)
    sampler = MemorySampler(system.processes, args.sample_every, logs)
    headers = operator_headers(system.var_dir, (seconds + args.warmup + args.drain) / 3600 + 1)
    load = OpenLoop(system.urls["intake"], headers, itertools.count(), args.max_in_flight)
    await watcher.start()
    sampler.start()
    try:
        async with TopicCounter(system.bootstrap_servers) as counter:
            await quiet(counter)
            phase = Phase(args.rate, seconds, args.warmup)
            run = asyncio.create_task(load.run(phase))
            await asyncio.sleep(args.warmup)
            before, opened = await counter.totals(), time.monotonic()
            names = [name for name in system.processes() if name in soak_report.SERVICES or name == "broker"]
            await report_intervals(phase, run, watcher, sampler, args, names)
            events_per_s = published(before, await counter.totals()) / (time.monotonic() - opened)
        missing = await watcher.drain(phase.accepted, args.drain)
    finally:
        await load.close()
        await sampler.stop()
        await watcher.stop()
    return summarize(phase, watcher, sampler, args, events_per_s, missing)


def summarize(phase: Phase, watcher: LedgerWatcher, sampler: MemorySampler, args: argparse.Namespace,
              events_per_s: float, missing: int) -> dict[str, Any]:
    """Return the whole run's figures: complete interval rows, totals, RSS series and the growth verdicts."""
    start, end = phase.measured_from, phase.measured_from + phase.seconds
    edges = [*(start + i * args.interval for i in range(math.ceil(phase.seconds / args.interval))), end]
    intervals = [soak_report.interval(phase, watcher, sampler, a, b) for a, b in itertools.pairwise(edges)]
    whole = soak_report.interval(phase, watcher, sampler, start, end) | {
        "errors": sum(phase.error_counts().values()), "shed": phase.shed}  # answers after the window included
    series: dict[str, list[list[float]]] = {}
    for sample in sampler.samples:
        if start <= sample.at <= end:
            for name, mb in sample.rss_mb.items():
                series.setdefault(name, []).append([round(sample.at, 1), mb])
    return {"started_at": start, "intervals": intervals, "whole_run": whole, "missing_from_ledger": missing,
            "error_kinds": phase.error_counts(), "pipeline_events_per_s": round(events_per_s, 1),
            "rss_series": series, "machine_cpu": sampler.machine(start, end), "process_restarts": sampler.restarts(),
            "memory_growth": soak_report.growth(sampler, start, end, args.growth_limit)}


def markdown(document: dict[str, Any]) -> str:
    """Return the report: the totals, the complete interval table and the memory verdicts."""
    whole, cpu = document["whole_run"], document["machine_cpu"]
    names = list(document["intervals"][0]["rss_mb"]) if document["intervals"] else []
    names = [name for name in names if name in soak_report.SERVICES or name == "broker"]
    return "\n".join([
        f"{document['title']}\n",
        f"Whole run: {whole['accepted']} reports accepted ({whole['achieved_rps']:.1f}/s), "
        f"{whole['errors']} errors{' ' + str(document['error_kinds']) if document['error_kinds'] else ''}, "
        f"{whole['shed']} shed, "
        f"{document['missing_from_ledger']} not in the ledger after the drain; accepted → ledger p50 "
        f"{whole['accepted_to_ledger']['p50_ms']:.0f} ms, p99 {whole['accepted_to_ledger']['p99_ms']:.0f} ms; "
        f"{document['pipeline_events_per_s']:,.0f} events/s published; the machine kept {cpu.get('busy_cores', '?')} "
        f"of {cpu.get('cores', '?')} cores busy, {cpu.get('others_cores', '?')} of them with other work."
        + soak_report.logs_sentence(whole.get("log_peak_mb", {})), "",
        soak_report.header(names), *(soak_report.row(i, names) for i in document["intervals"]), "",
        soak_report.growth_table(document["memory_growth"], document["settings"]["growth_limit"]), "",
        soak_report.BROKER_NOTE])


def main(argv: list[str] | None = None) -> int:
    """Run the soak; print the rows as they come, then the report; write the JSON, Markdown and PNG files."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, interrupt)
    database = "postgresql" if args.postgres_url else "sqlite"
    title = (f"Saphan soak: {args.rate:g} reports/s offered for {args.minutes:g} min ({database}, "
             f"{machine()['cpu_count']} CPUs, rows every {args.interval:g}s)")
    print(f"{title}\n", flush=True)
    started = time.perf_counter()
    with work_dir(args.work_dir, "saphan-bench-soak-") as work:
        try:
            with databases(args.postgres_url) as urls, saphan_up(work / "system", urls) as system:
                found = asyncio.run(soak(system, args))
        except KeyboardInterrupt:
            print("interrupted; all processes stopped", file=sys.stderr)
            return 130
    document = {"benchmark": "soak", "title": title, "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
                "wall_seconds": round(time.perf_counter() - started, 1), "machine": machine(), "database": database,
                "settings": {**{k: v for k, v in vars(args).items() if k != "out"},
                             "postgres_url": bool(args.postgres_url), "work_dir": str(args.work_dir or "")}, **found}
    text = markdown(document)
    print(f"\n{text}")
    write_results(args.out, document)
    args.out.with_suffix(".md").write_text(text + "\n", encoding="utf-8")
    soak_report.chart(document, args.out.with_suffix(".png"))
    print(f"figures written to {args.out} (.md, .png beside it)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
