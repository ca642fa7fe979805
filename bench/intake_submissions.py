"""Intake submissions per second and p50/p99 latency on one process, beside a FastAPI endpoint that does nothing.

Both targets run in the same run, one after the other, under the same closed-loop load: `--concurrency` workers
on one httpx client, each POSTing a fresh report as soon as its previous one is answered. The figures are printed
as a Markdown table and written to a JSON file.

Run: python -m bench.intake_submissions [--seconds 15] [--concurrency 8] [--warmup 2]
                                        [--out bench/results/intake_submissions.json] [--database-url URL]
"""

import argparse
import asyncio
import itertools
import os
import random
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.processes import (
    Target,
    check_alive,
    interrupt,
    machine,
    start_process,
    stop,
    wait_listening,
    wait_ready,
)
from bench.stats import fmt_ratio, percentile, ratio, write_results
from contracts.access import Role
from saphan_runtime.broker import EmbeddedBroker, free_port
from saphan_runtime.testing import bearer
from services.intake import geography
from tests.helpers import report

REQUEST_TIMEOUT_SECONDS = 30.0
# Half the reports name their client, from these given names and surnames (400 people): with the reports spread
# over Bangkok's 180 subdistricts and ages 0-89, duplicate screening finds a candidate now and then, as the hotline's
# reports do, rather than for every named report (which a single subdistrict and six names made it do).
GIVEN_NAMES = ["สมชาย", "สมหญิง", "Somchai", "มาลี", "Nok", "วิชัย", "ประเสริฐ", "Anong", "ศิริพร", "Kittisak",
               "บุญมี", "Pranee", "อรุณ", "Wanida", "สุดา", "Chaiwat", "นงลักษณ์", "Thongchai", "พิมพ์", "Somsak"]
SURNAMES = ["ใจดี", "รักไทย", "Jaidee", "ศรีสุข", "Srisuk", "มั่นคง", "Wongsawat", "แก้วมณี", "Boonmee", "สุขสวัสดิ์",
            "Chaiyaporn", "ทองดี", "Saetang", "พึ่งบุญ", "Rattanakosin", "บุญเรือง", "Phromma", "ศรีวงศ์", "Kaewkla", "ปัญญา"]
DEFAULT_OUT = Path("bench/results/intake_submissions.json")


@dataclass
class Run:
    """What one measured phase saw: every request's latency (seconds) and how many failed or were flagged."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    flagged: int = 0
    elapsed: float = 0.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per target")
    parser.add_argument("--concurrency", type=int, default=8, help="closed-loop workers per target")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load discarded before measuring")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the JSON figures")
    parser.add_argument("--database-url", default="", help="intake's database (INTAKE_DATABASE_URL); default SQLite")
    return parser.parse_args(argv)


def submission(n: int) -> dict[str, Any]:
    """Return report n: a valid body whose client's age and subdistrict, and for even n name, vary from report to
    report."""
    rng = random.Random(n)
    client: dict[str, Any] = {"estimated_age_years": rng.randrange(0, 90)}
    if n % 2 == 0:
        client["name"] = f"{rng.choice(GIVEN_NAMES)} {rng.choice(SURNAMES)}"
    district, subdistrict = rng.choice(BANGKOK_SUBDISTRICTS)
    return report(n, client=client, location={"province_code": "10", "district_code": district,
                                              "subdistrict_code": subdistrict})


BANGKOK_SUBDISTRICTS = [(district.code, subdistrict.code) for district in geography.districts_of("10")
                        for subdistrict in geography.subdistricts_of(district.code)]


def start_intake(bootstrap_servers: str, var_dir: Path, database_url: str) -> Target:
    """Start the intake service on a free port, on SQLite under var_dir unless a database URL is given."""
    port = free_port()
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers, "INTAKE_PORT": str(port),
           "SAPHAN_VAR_DIR": str(var_dir), "SAPHAN_LOG_LEVEL": "WARNING"}
    env.pop("INTAKE_DATABASE_URL", None)
    if database_url:
        env["INTAKE_DATABASE_URL"] = database_url
    log_path = var_dir / "intake.log"
    return Target("intake", "intake", port, start_process(["services.intake"], env, log_path), log_path)


def start_baseline(var_dir: Path) -> Target:
    """Start the do-nothing FastAPI app on a free port."""
    port = free_port()
    log_path = var_dir / "baseline.log"
    process = start_process(["bench.noop_app", "--port", str(port)], dict(os.environ), log_path)
    return Target("baseline", "no-op FastAPI", port, process, log_path)


async def worker(client: httpx.AsyncClient, url: str, deadline: float, numbers: Iterator[int], run: Run) -> None:
    """POST reports one after another until the deadline, recording each latency and outcome."""
    while time.perf_counter() < deadline:
        body = submission(next(numbers))
        started = time.perf_counter()
        try:
            response = await client.post(url, json=body)
        except httpx.HTTPError:
            run.latencies.append(time.perf_counter() - started)
            run.errors += 1
            continue
        run.latencies.append(time.perf_counter() - started)
        if response.status_code != 201:
            run.errors += 1
        elif response.json().get("possible_duplicates"):
            run.flagged += 1


async def drive(client: httpx.AsyncClient, url: str, concurrency: int, seconds: float, numbers: Iterator[int]) -> Run:
    """Run the closed-loop load for some seconds and return what it saw."""
    run = Run()
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(worker(client, url, deadline, numbers, run) for _ in range(concurrency)))
    run.elapsed = time.perf_counter() - started
    return run


async def measure(target: Target, args: argparse.Namespace, numbers: Iterator[int], var_dir: Path) -> Run:
    """Warm the target up (discarded), then measure it, with one client sized to the concurrency, calling as an
    operator of the 1300 hotline (the same token for both targets: the baseline ignores it)."""
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    operator = bearer(var_dir, "hotline-1300", Role.HOTLINE_OPERATOR)
    async with httpx.AsyncClient(limits=limits, timeout=REQUEST_TIMEOUT_SECONDS, headers=operator) as client:
        url = f"{target.url}/cases"
        if args.warmup > 0:
            await drive(client, url, args.concurrency, args.warmup, numbers)
        return await drive(client, url, args.concurrency, args.seconds, numbers)


def summarize(target: Target, run: Run) -> dict[str, Any]:
    """Return a target's figures: counts, throughput of 201 answers per second, latencies in ms."""
    ordered = sorted(run.latencies)
    ok = len(ordered) - run.errors
    return {
        "target": target.label, "requests": len(ordered), "errors": run.errors, "flagged_duplicates": run.flagged,
        "elapsed_s": round(run.elapsed, 3), "throughput_rps": round(ok / run.elapsed, 1) if run.elapsed else 0.0,
        "p50_ms": round(percentile(ordered, 50) * 1000, 2), "p95_ms": round(percentile(ordered, 95) * 1000, 2),
        "p99_ms": round(percentile(ordered, 99) * 1000, 2), "max_ms": round((ordered[-1] if ordered else 0) * 1000, 2),
    }


def ratios(intake: dict[str, Any], baseline: dict[str, Any]) -> dict[str, float | None]:
    """Return intake's figures over the baseline's: throughput, p50 and p99."""
    return {key: ratio(intake[key], baseline[key]) for key in ("throughput_rps", "p50_ms", "p99_ms")}


def markdown(figures: dict[str, dict[str, Any]], ratio_row: dict[str, float | None]) -> str:
    """Return the figures as a Markdown table, with a last row of intake/baseline ratios."""
    lines = ["| target | requests | errors | throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in figures.values():
        lines.append(f"| {row['target']} | {row['requests']} | {row['errors']} | {row['throughput_rps']:.1f} | "
                     f"{row['p50_ms']:.2f} | {row['p95_ms']:.2f} | {row['p99_ms']:.2f} | {row['max_ms']:.2f} |")
    lines.append(f"| intake / no-op | | | {fmt_ratio(ratio_row['throughput_rps'])} | {fmt_ratio(ratio_row['p50_ms'])} "
                 f"| | {fmt_ratio(ratio_row['p99_ms'])} | |")
    return "\n".join(lines)


def database_kind(url: str) -> str:
    """Return which database intake ran on: sqlite or postgresql."""
    return "postgresql" if url.startswith("postgresql") else "sqlite"



def benchmark(args: argparse.Namespace, var_dir: Path) -> dict[str, Any]:
    """Start the broker, intake and the baseline, load each in turn, and return the results document."""
    broker = EmbeddedBroker(log_file=var_dir / "broker.log")
    targets: list[Target] = []
    try:
        broker.start()
        targets.append(start_intake(broker.bootstrap_servers, var_dir, args.database_url))
        targets.append(start_baseline(var_dir))
        wait_ready(targets[0])
        wait_listening(targets[1])
        numbers = itertools.count()
        figures: dict[str, dict[str, Any]] = {}
        for target in reversed(targets):  # the baseline first, then intake
            print(f"loading {target.label} for {args.warmup:g}s + {args.seconds:g}s ...", file=sys.stderr, flush=True)
            figures[target.name] = summarize(target, asyncio.run(measure(target, args, numbers, var_dir)))
            check_alive(target)
    finally:
        for target in targets:
            stop(target.process)
        broker.stop()
    return {
        "benchmark": "intake_submissions", "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameters": {"seconds": args.seconds, "concurrency": args.concurrency, "warmup": args.warmup,
                       "client": f"httpx {httpx.__version__}, one AsyncClient, closed loop"},
        "database": database_kind(args.database_url), "machine": machine(),
        "throughput_counts": "201 answers per second", "targets": figures,
        "ratios_intake_over_baseline": ratios(figures["intake"], figures["baseline"]),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table and write the JSON file."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, interrupt)
    with tempfile.TemporaryDirectory(prefix="saphan-bench-") as tmp:
        try:
            document = benchmark(args, Path(tmp))
        except KeyboardInterrupt:
            print("interrupted; all processes stopped", file=sys.stderr)
            return 130
    print(f"Intake submissions on one process vs a no-op FastAPI endpoint ({document['database']}, "
          f"concurrency {args.concurrency}, {args.seconds:g}s measured after {args.warmup:g}s warm-up, "
          f"{machine()['cpu_count']} CPUs)\n")
    print(markdown(document["targets"], document["ratios_intake_over_baseline"]))
    intake = document["targets"]["intake"]
    print(f"\nintake answers that flagged a possible duplicate: {intake['flagged_duplicates']} of {intake['requests']}")
    write_results(args.out, document)
    print(f"figures written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
