"""The audit figures of a pipeline run: the ledger the run itself wrote, verified and one of its cases replayed
(after the system stopped), and bench/audit_ledger.py's comparison with pymerkle and eventsourcing at a modest
size (SQLite), reused as it is."""

import time
from pathlib import Path
from typing import Any

from bench import audit_ledger, ledger_report, ledger_saphan
from services.audit.bootstrap import bootstrap, signer_for
from services.audit.settings import Settings
from services.audit.verify import verify_ledger

REPLAY_RUNS = 5


async def run_ledger(url: str, var_dir: Path, case_id: str | None) -> dict[str, Any]:
    """Verify the ledger the run wrote, as `saphan audit verify` does, and replay one of its cases."""
    settings = Settings(database_url=url, var_dir=var_dir)
    public_key = signer_for(settings).public_key
    started = time.perf_counter()
    found = await verify_ledger(url, public_key)
    elapsed = time.perf_counter() - started
    figures: dict[str, Any] = {
        "entries": found.entries, "checkpoints": found.checkpoints, "intact": found.intact,
        "problem": found.problem, "verify_seconds": round(elapsed, 3),
        "verify_events_per_s": round(found.entries / elapsed, 1) if elapsed else 0.0}
    if case_id is not None:
        service = bootstrap(settings)
        try:
            audit = ledger_saphan.Audit(url, service, public_key)
            figures["replay"] = {"case_id": case_id, **await ledger_saphan.replay_case(audit, case_id, REPLAY_RUNS)}
        finally:
            await service.stop()
    return figures


async def compare(sizes: list[int], ingest: int, work: Path) -> dict[str, Any]:
    """Run bench/audit_ledger.py on SQLite at the given sizes, beside pymerkle and eventsourcing; return its document
    (figures, ratios) and its table."""
    args = audit_ledger.parse_args([
        "--backends", "sqlite", "--sizes", ",".join(map(str, sizes)), "--ingest", str(ingest),
        "--replay-runs", "3", "--proof-seconds", "2", "--verify-max-size", str(max(sizes)),
        "--inmemory-max-size", str(max(sizes))])
    started = time.perf_counter()
    found = await audit_ledger.run(args, work)
    document = audit_ledger.describe(args, found, time.perf_counter() - started)
    document["markdown"] = ledger_report.markdown("sqlite", ledger_report.lines(found["backends"]["sqlite"],
                                                                                found["pymerkle"]))
    return document
