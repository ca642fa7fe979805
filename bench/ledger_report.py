"""The audit ledger benchmark's figures side by side: one line per operation and size, Saphan beside each baseline,
and the ratios Saphan / baseline (for rates, above 1 means Saphan is faster; for times, above 1 means slower)."""

from collections.abc import Callable
from typing import Any, NamedTuple

from bench.stats import fmt_ratio, ratio

Pick = Callable[[dict[str, Any]], float | None]


class Line(NamedTuple):
    """One operation at one size: Saphan's figure and each baseline's (None where it does not apply)."""

    operation: str
    size: str
    unit: str  # "/s" (a rate: more is better) or "ms" (a time: less is better)
    saphan: float | None
    eventsourcing: float | None
    pymerkle_sqlite: float | None
    pymerkle_memory: float | None


def _get(document: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(document, dict) or key not in document:
            return None
        document = document[key]
    return document


def lines(backend: dict[str, Any], pymerkle: dict[str, Any]) -> list[Line]:
    """Return the lines of one backend's table."""
    ours, es, memory = backend.get("saphan", {}), backend.get("eventsourcing", {}), pymerkle.get("inmemory", {})
    found = [Line("ingest (events/s), empty ledger", "", "/s", _get(ours, "ingest", "events_per_s"),
                  _get(es, "ingest", "events_per_s"), _get(pymerkle, "ingest", "events_per_s"),
                  _get(memory, "ingest", "events_per_s")),
             Line("ingest (events/s), after the largest size", _largest(ours), "/s",
                  _get(ours, "ingest_at_largest", "events_per_s"), _get(es, "ingest_at_largest", "events_per_s"),
                  None, None),
             Line("full verification (events/s)", str(_get(ours, "verify_ingested", "events")), "/s",
                  _get(ours, "verify_ingested", "events_per_s"), None, None, None)]
    for size in ours.get("sizes", {}):
        at = ("sizes", size)
        found += [
            Line("full verification (events/s)", size, "/s", _get(ours, *at, "verify", "events_per_s"), None,
                 _get(pymerkle, *at, "verify", "root_and_rehash_events_per_s"), None),
            Line("replay of the 1,000-event case (ms)", size, "ms", _get(ours, *at, "replay", "replay_ms"),
                 _get(es, *at, "replay", "replay_ms"), None, None),
            Line("reading that case's events (ms)", size, "ms", _get(ours, *at, "replay", "timeline_ms"),
                 _get(es, *at, "replay", "read_ms"), None, None),
            Line("inclusion proofs (/s)", size, "/s", _get(ours, *at, "proofs", "proofs_per_s"), None,
                 _get(pymerkle, *at, "proofs", "proofs_per_s"), _get(memory, *at, "proofs", "proofs_per_s"))]
    return [line for line in found if line.saphan is not None]


def _largest(ours: dict[str, Any]) -> str:
    sizes = list(ours.get("sizes", {}))
    return sizes[-1] if sizes else ""


def ratios(found: list[Line]) -> dict[str, dict[str, float | None]]:
    """Return Saphan / baseline for every line that has a baseline, keyed by operation and size."""
    table: dict[str, dict[str, float | None]] = {}
    for line in found:
        pairs = {"saphan_over_eventsourcing": line.eventsourcing, "saphan_over_pymerkle_sqlite": line.pymerkle_sqlite,
                 "saphan_over_pymerkle_inmemory": line.pymerkle_memory}
        values = {name: ratio(line.saphan or 0.0, base) for name, base in pairs.items() if base is not None}
        if values:
            table[f"{line.operation} @ {line.size or '-'}"] = values
    return table


def _cell(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"


def _size(size: str) -> str:
    return f"{int(size):,}" if size.isdigit() else size


def markdown(backend_name: str, found: list[Line]) -> str:
    """Return one backend's lines as a Markdown table with the ratios."""
    out = [f"**{backend_name}**", "",
           "| operation | ledger size | Saphan | eventsourcing | pymerkle SqliteTree | pymerkle InmemoryTree | "
           "÷ eventsourcing | ÷ pymerkle SQLite | ÷ pymerkle memory |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for line in found:
        bases = (line.eventsourcing, line.pymerkle_sqlite, line.pymerkle_memory)
        shown = [fmt_ratio(ratio(line.saphan or 0.0, base)) if base else "" for base in bases]
        out.append(f"| {line.operation} | {_size(line.size)} | {_cell(line.saphan)} | {_cell(line.eventsourcing)} | "
                   f"{_cell(line.pymerkle_sqlite)} | {_cell(line.pymerkle_memory)} | {' | '.join(shown)} |")
    return "\n".join(out)


def fills_markdown(document: dict[str, Any]) -> str:
    """Return how fast each store was filled (fixtures, not measured paths) and how big it grew per event."""
    out = ["| store | backend | up to | filled at (events/s) | bytes per event |", "|---|---|---:|---:|---:|"]
    for name, backend in document.get("backends", {}).items():
        for size, fill in backend.get("saphan", {}).get("fills", {}).items():
            per_event = _get(backend, "saphan", "sizes", size, "bytes_per_event")
            out.append(f"| Saphan ledger (bulk fixture) | {name} | {_size(size)} | {_cell(fill['events_per_s'])} | "
                       f"{_cell(per_event)} |")
        for size, figures in backend.get("eventsourcing", {}).get("sizes", {}).items():
            out.append(f"| eventsourcing stored_events (bulk fixture) | {name} | {_size(size)} | "
                       f"{_cell(figures['fill_events_per_s'])} | {_cell(figures['bytes_per_event'])} |")
    for size, figures in document.get("pymerkle", {}).get("sizes", {}).items():
        out.append(f"| pymerkle SqliteTree `append_entries` | sqlite | {_size(size)} | "
                   f"{_cell(figures['bulk_append']['events_per_s'])} | |")
    return "\n".join(out)
