"""Audit ledger benchmark: what audit's tamper-evident ledger costs, beside pymerkle and the eventsourcing library,
all measured in the same run on the same machine, with the ratios Saphan / baseline.

Run: python -m bench.audit_ledger [--backends sqlite,postgresql] [--sizes 10000,1000000,10000000]
                                  [--max-size sqlite=1000000] [--ingest 2000] [--replay-runs 5] [--proof-seconds 5]
                                  [--verify-max-size 1000000] [--inmemory-max-size 1000000]
                                  [--baselines eventsourcing,pymerkle] [--postgres-url URL] [--work-dir DIR]
                                  [--out bench/results/audit_ledger.json]
The default run takes about half an hour on two cores and up to ~45 GB of disk at a time (the 10-million-event
PostgreSQL ledger); every database it makes (temp SQLite files, PostgreSQL databases) is deleted at the end.

Every system follows one plan of events (bench/ledger_plan.py): CloudEvents built with the contract models, as intake
and referral publish them. Most cases have five events (reported, triaged, routed, referred, received); for each
ledger size one case has 1,000 events (referrals and their status changes, case-manager assignment, assessments,
reassessments, transfers, hundreds of home visits) spread evenly through the ledger.

The figures, per backend (SQLite in a temp file; PostgreSQL in a fresh database):
- ingest (events/s): `RecordEvent` handled by audit's own bus and unit of work (built by `services.audit.bootstrap`,
  no Kafka), one event per transaction under its inbox key, as the Kafka consumer does it; on an empty ledger, and
  again after the largest size. p50/p99 per event are in the JSON.
- full verification (events/s): `services.audit.verify.verify_ledger` (what `saphan audit verify` runs) over the
  whole ledger, after a checkpoint was signed with the `SignCheckpoint` handler: every entry decoded and re-hashed,
  every stored subtree and checkpoint checked; over the ingested ledger, and at each size up to --verify-max-size.
- replay of the 1,000-event case (ms, median of --replay-runs): `services.audit.replay.case_state`, the case's events
  read by case and folded through intake's and referral's own projections in a scratch in-memory SQLite; and
  reading that case's events (`projections.case_timeline`). At each ledger size: the point is that it stays flat.
- inclusion proofs (/s): `services.audit.proofs.inclusion_proof` (the function the API uses: O(log² n) stored
  nodes), one read session per proof as the API has, random entries of the tree of that size, for --proof-seconds.
The ledgers are grown to each size by a bulk fill of the very rows audit's projection writes (bench/ledger_fill.py),
fast because it is a fixture, not the measured path; the grown ledger still verifies.

Baselines: eventsourcing (SQLite and PostgreSQL stores): ingest = one aggregate event saved per transaction; replay =
`repository.get` of the 1,000-event aggregate (no snapshots, no cache); reading = `recorder.select_events`.
pymerkle (SqliteTree; InmemoryTree up to --inmemory-max-size): ingest = `append_entry` per record; bulk =
`append_entries`; proofs = `prove_inclusion` of random leaves from a cold start (its subroot cache fills as proofs
touch the tree); verification = `get_root` from the stored leaf hashes on a cold start plus re-hashing every stored
entry (pymerkle has no events, checkpoints or per-entry checks to verify: this is its nearest honest equivalent; the
JSON also has the root alone). On SQLite every system commits as audit does: WAL, synchronous=NORMAL.
"""

import argparse
import asyncio
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import ledger_report, ledger_runs
from bench.ledger_plan import CASE_EVENTS
from bench.processes import interrupt, machine
from bench.stats import write_results

DEFAULT_OUT = Path("bench/results/audit_ledger.json")
ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--sizes", default="10000,1000000,10000000", help="ledger sizes, comma-separated")
    parser.add_argument("--max-size", default="sqlite=1000000",
                        help="per-backend caps, e.g. sqlite=1000000,postgresql=10000000 (default: SQLite to 1M)")
    parser.add_argument("--ingest", type=int, default=2000, help="events recorded through the real write path")
    parser.add_argument("--replay-runs", type=int, default=5, help="replays per size (the median is reported)")
    parser.add_argument("--proof-seconds", type=float, default=5.0, help="seconds of proofs per size and system")
    parser.add_argument("--verify-max-size", type=int, default=1_000_000, help="largest size verified in full")
    parser.add_argument("--inmemory-max-size", type=int, default=1_000_000, help="largest pymerkle InmemoryTree")
    parser.add_argument("--baselines", default="eventsourcing,pymerkle", help="comma-separated, or empty for none")
    parser.add_argument("--postgres-url", default=ADMIN_URL, help="a PostgreSQL database to create and drop from")
    parser.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()), help="where temp files go")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the JSON figures")
    args = parser.parse_args(argv)
    args.backends = [name for name in args.backends.split(",") if name]
    args.sizes = sorted({int(size) for size in args.sizes.split(",") if size})
    args.baselines = {name for name in args.baselines.split(",") if name}
    caps = dict(item.split("=", 1) for item in args.max_size.split(",") if item)
    args.caps = {name: int(cap) for name, cap in caps.items()}
    if unknown := set(args.backends) - {"sqlite", "postgresql"}:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))}")
    if args.sizes and (args.sizes[0] <= args.ingest or args.sizes[0] < CASE_EVENTS):
        parser.error(f"the smallest size must exceed --ingest and hold the {CASE_EVENTS}-event case")
    return args


def sizes_for(backend: str, args: argparse.Namespace) -> list[int]:
    """Return the sizes a backend runs to (its cap applied)."""
    return [size for size in args.sizes if size <= args.caps.get(backend, size)]


async def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Run every system on every backend, one after the other; return the results document."""
    backends: dict[str, Any] = {}
    for backend in args.backends:
        sizes = sizes_for(backend, args)
        backends[backend] = {"sizes": sizes, "saphan": await ledger_runs.saphan_run(backend, sizes, args, work)}
        reached = [int(size) for size in backends[backend]["saphan"]["sizes"]]
        if "eventsourcing" in args.baselines:
            backends[backend]["eventsourcing"] = await ledger_runs.eventsourcing_run(backend, reached, args, work)
    reached_anywhere = sorted({int(s) for b in backends.values() for s in b["saphan"]["sizes"]})
    pymerkle = ledger_runs.pymerkle_run(reached_anywhere, args, work) if "pymerkle" in args.baselines else {}
    return {"backends": backends, "pymerkle": pymerkle}


def describe(args: argparse.Namespace, found: dict[str, Any], wall: float) -> dict[str, Any]:
    """Return the results document: settings, machine, figures and ratios."""
    from importlib.metadata import version

    tables = {name: ledger_report.lines(backend, found["pymerkle"]) for name, backend in found["backends"].items()}
    return {
        "benchmark": "audit_ledger", "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(wall, 1), "machine": machine(),
        "settings": {"backends": args.backends, "sizes": args.sizes, "caps": args.caps, "ingest": args.ingest,
                     "replay_runs": args.replay_runs, "proof_seconds": args.proof_seconds,
                     "verify_max_size": args.verify_max_size, "inmemory_max_size": args.inmemory_max_size,
                     "long_case_events": CASE_EVENTS, "baselines": sorted(args.baselines),
                     "proofs_through": "services.audit.proofs.inclusion_proof",
                     "versions": {name: version(name) for name in ("eventsourcing", "pymerkle", "sqlalchemy",
                                                                   "asyncpg", "aiosqlite", "psycopg")}},
        **found,
        "ratios": {name: ledger_report.ratios(lines) for name, lines in tables.items()},
        "ratio_meaning": "Saphan / baseline: for rates (/s) above 1 means Saphan is faster; for times (ms) above 1 "
                         "means Saphan is slower",
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the tables and write the JSON file."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, interrupt)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="saphan-bench-ledger-", dir=args.work_dir) as tmp:
        try:
            found = asyncio.run(run(args, Path(tmp)))
        except KeyboardInterrupt:
            print("interrupted; the databases were dropped", file=sys.stderr)
            return 130
    document = describe(args, found, time.perf_counter() - started)
    print(f"Audit ledger vs pymerkle and eventsourcing ({machine()['cpu_count']} CPUs, "
          f"{document['wall_seconds']:.0f} s in all). Ratios: Saphan / baseline; for rates above 1 is faster, "
          "for times above 1 is slower.\n")
    for name, backend in found["backends"].items():
        print(ledger_report.markdown(name, ledger_report.lines(backend, found["pymerkle"])) + "\n")
    print(ledger_report.fills_markdown(document))
    write_results(args.out, document)
    print(f"\nfigures written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
