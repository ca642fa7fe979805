"""End-to-end pipeline benchmark: reports per second, and how long from "report accepted" to "in the audit ledger",
at several offered loads, on the whole system started as a user starts it (`saphan up`, embedded broker), beside
baselines measured in the same run.

- Load: open loop (bench/load.py): POST /cases at a fixed rate for --warmup seconds (discarded) then --seconds
  (measured), each load after the previous one has drained. Achieved rate = 201 answers per second.
- Accepted → ledger (bench/ledger_watch.py): from the 201 to the moment the ledger entry of the last event that
  report produced is seen committed in audit's ledger (its database, polled every 20 ms); the JSON also has the time
  to the entry's own `recorded_at`. A load is kept up when ≥ 95% of the offered rate was
  accepted, nothing failed or was shed, and the ledger held every report within 10% of the measured seconds (at
  least 2 s) after the load: a backlog that grows while the load lasts is not kept up.
- Pipeline events/s: every record the services published on every `saphan.*` topic during the load (end offsets).
- Baselines: the broker's raw produce-to-consume ceiling through aiokafka with the services' client settings
  (bench/broker_ceiling.py; same broker process, after the loads), and a no-op FastAPI app under the top load.
- Each process's RSS and CPU (psutil, every --sample-every seconds); the run's own ledger verified and a case
  replayed once the system stopped; bench/audit_ledger.py beside pymerkle and eventsourcing at --ledger-sizes.

Run: python -m bench.pipeline [--rates 25,50,100,200,300] [--seconds 30] [--warmup 5] [--drain 30]
                              [--ceiling-seconds 10] [--ledger-sizes 10000,100000] [--postgres-url URL]
                              [--out bench/results/pipeline.json]   (writes .json, .md and .png)
"""

import argparse
import asyncio
import itertools
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import broker_ceiling, pipeline_ledger, pipeline_report
from bench.intake_submissions import start_baseline
from bench.ledger_watch import LedgerWatcher
from bench.load import OpenLoop
from bench.memory import MemorySampler
from bench.pipeline_loads import Instruments, noop_baseline, progress, quiet, run_load
from bench.processes import interrupt, machine, stop, wait_listening
from bench.stats import write_results
from bench.system import System, add_work_dir_argument, databases, operator_headers, saphan_up, work_dir
from bench.topics import TopicCounter, weighted_mean_size

DEFAULT_OUT = Path("bench/results/pipeline.json")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="25,50,100,200,300", help="offered loads, reports/s, comma-separated")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds per load")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of each load discarded before measuring")
    parser.add_argument("--drain", type=float, default=30.0, help="seconds to wait for the ledger after each load")
    parser.add_argument("--max-in-flight", type=int, default=256, help="reports awaiting an answer before shedding")
    parser.add_argument("--ceiling-seconds", type=float, default=10.0, help="seconds of raw produce-to-consume")
    parser.add_argument("--ledger-sizes", default="10000,100000", help="audit_ledger sizes (empty: skip)")
    parser.add_argument("--ledger-ingest", type=int, default=1000, help="audit_ledger events through RecordEvent")
    parser.add_argument("--sample-every", type=float, default=1.0, help="seconds between memory samples")
    parser.add_argument("--postgres-url", default="", help="a PostgreSQL server to give each service a fresh "
                        "database on, e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres (default: SQLite)")
    add_work_dir_argument(parser)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the JSON file (.md and .png beside it)")
    args = parser.parse_args(argv)
    args.rates = sorted(float(rate) for rate in args.rates.split(",") if rate)
    args.ledger_sizes = [int(size) for size in args.ledger_sizes.split(",") if size]
    if not args.rates:
        parser.error("give at least one rate")
    return args


def say(text: str) -> None:
    """Tell the operator what the run is doing (stderr, so stdout keeps the tables)."""
    print(text, file=sys.stderr, flush=True)


async def drive(system: System, args: argparse.Namespace) -> dict[str, Any]:
    """Offer each load in turn, then measure the raw broker ceiling; return the figures."""
    servers = system.bootstrap_servers
    hours = len(args.rates) * (args.seconds + args.warmup + 2 * args.drain) / 3600 + 1
    watcher, sampler = LedgerWatcher(system.database_url("audit")), MemorySampler(system.processes, args.sample_every)
    load = OpenLoop(system.urls["intake"], operator_headers(system.var_dir, hours), itertools.count(),
                    args.max_in_flight)
    await watcher.start()
    sampler.start()
    try:
        async with TopicCounter(servers) as counter:
            tools = Instruments(load, watcher, sampler, counter)
            await quiet(counter)
            loads = []
            for rate in args.rates:
                say(f"load {rate:g}/s: {args.warmup:g}s warm-up + {args.seconds:g}s measured ...")
                loads.append(await run_load(tools, rate, args.seconds, args.warmup, args.drain))
                say(progress(loads[-1]))
            sizes = await counter.mean_sizes()
        size = round(weighted_mean_size(loads[-1]["events_by_topic"], sizes)) or 1000
        say(f"raw broker ceiling: {args.ceiling_seconds:g}s of {size}-byte records ...")
        ceiling = await broker_ceiling.measure(servers, args.ceiling_seconds, size)
    finally:
        await load.close()
        await sampler.stop()
        await watcher.stop()
    return {"loads": loads, "record_bytes_by_topic": sizes, "raw_ceiling": ceiling,
            "process_restarts": sampler.restarts()}


def benchmark(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Measure the no-op baseline, then the system under each load, then the ledgers; return the figures."""
    say(f"no-op FastAPI baseline at {args.rates[-1]:g}/s ...")
    noop = start_baseline(work)
    try:
        wait_listening(noop)
        found: dict[str, Any] = {"noop_baseline": asyncio.run(
            noop_baseline(noop.url, args.rates[-1], args.seconds, args.warmup, args.max_in_flight))}
    finally:
        stop(noop.process)
    var_dir = work / "system"
    with databases(args.postgres_url) as urls:
        with saphan_up(var_dir, urls) as system:
            say(f"saphan up: embedded broker on {system.bootstrap_servers}, logs in {var_dir / 'logs'}")
            found |= asyncio.run(drive(system, args))
        say("verifying the run's ledger ...")
        case_id = found["loads"][-1]["sample_case_id"]
        found["run_ledger"] = asyncio.run(pipeline_ledger.run_ledger(system.database_url("audit"), var_dir, case_id))
    if args.ledger_sizes:
        found["audit_ledger"] = asyncio.run(pipeline_ledger.compare(args.ledger_sizes, args.ledger_ingest, work))
    return found


def describe(args: argparse.Namespace, found: dict[str, Any], wall: float) -> dict[str, Any]:
    """Return the results document: settings, machine, figures, targets."""
    database = "postgresql" if args.postgres_url else "sqlite"
    title = (f"Saphan pipeline, report accepted → in the audit ledger ({database}, {machine()['cpu_count']} CPUs, "
             f"open loop, {args.seconds:g}s per load after {args.warmup:g}s warm-up)")
    document = {"benchmark": "pipeline", "title": title, "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
                "wall_seconds": round(wall, 1), "machine": machine(), "database": database,
                "settings": {name: value for name, value in vars(args).items() if name != "out"}, **found}
    document["settings"] |= {"postgres_url": bool(args.postgres_url), "work_dir": str(args.work_dir or "")}
    document["targets"] = pipeline_report.targets(document)
    return document


def markdown(document: dict[str, Any]) -> str:
    """Return the whole report: targets, loads, processes, baselines, ledgers."""
    parts = [f"{document['title']}\n", "Targets (compared, not asserted):",
             pipeline_report.targets_lines(document["targets"]), "", pipeline_report.loads_table(document), "",
             pipeline_report.processes_table(document), "", pipeline_report.baselines_table(document), "",
             pipeline_report.ledger_lines(document)]
    if comparison := document.get("audit_ledger"):
        parts += ["", f"Audit ledger beside pymerkle and eventsourcing (bench/audit_ledger.py, "
                      f"{comparison['wall_seconds']:.0f} s):", "", comparison["markdown"]]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the report and write the JSON, Markdown and PNG files."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, interrupt)
    started = time.perf_counter()
    with work_dir(args.work_dir, "saphan-bench-pipeline-") as work:
        try:
            found = benchmark(args, work)
        except KeyboardInterrupt:
            say("interrupted; all processes stopped")
            return 130
    document = describe(args, found, time.perf_counter() - started)
    text = markdown(document)
    print(text)
    write_results(args.out, document)
    args.out.with_suffix(".md").write_text(text + "\n", encoding="utf-8")
    pipeline_report.chart(document, args.out.with_suffix(".png"))
    say(f"figures written to {args.out} (.md, .png beside it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
