"""Figures of a measured run: percentiles, ratios, and the JSON file they are written to."""

import json
import math
import statistics
from pathlib import Path
from typing import Any


def percentile(ordered: list[float], q: float) -> float:
    """Return the nearest-rank q-th percentile of sorted values (0 for none)."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def median_ms(seconds: list[float]) -> float:
    """Return the median of durations given in seconds, in milliseconds (0 for none)."""
    return round(statistics.median(seconds) * 1000, 3) if seconds else 0.0


def ratio(a: float, b: float) -> float | None:
    """Return a / b rounded, or None when b is zero."""
    return round(a / b, 3) if b else None


def fmt_ratio(value: float | None) -> str:
    """Format a ratio for the table."""
    return "n/a" if value is None else f"{value:.3f}×"


def write_results(path: Path, document: dict[str, Any]) -> None:
    """Write the figures as JSON, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
