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


def latency_ms(seconds: list[float]) -> dict[str, float]:
    """Return the count, p50, p95, p99 and max of durations given in seconds, in milliseconds (zeros for none)."""
    ordered = sorted(seconds)
    figures = {f"p{q}_ms": round(percentile(ordered, q) * 1000, 1) for q in (50, 95, 99)}
    return {"count": len(ordered), **figures, "max_ms": round((ordered[-1] if ordered else 0.0) * 1000, 1)}


def linear_fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Return the least-squares slope and intercept of ys over xs (slope 0 when xs do not vary)."""
    if not xs:
        return 0.0, 0.0
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return 0.0, mean_y
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return slope, mean_y - slope * mean_x


def halves_slopes(times: list[float], values: list[float]) -> tuple[float, float]:
    """Return the fitted slopes of values over times in the first and the second half of the time span."""
    if len(times) < 2:
        return 0.0, 0.0
    middle = (times[0] + times[-1]) / 2
    first = [(t, v) for t, v in zip(times, values, strict=True) if t < middle]
    second = [(t, v) for t, v in zip(times, values, strict=True) if t >= middle]
    return (linear_fit([t for t, _ in first], [v for _, v in first])[0],
            linear_fit([t for t, _ in second], [v for _, v in second])[0])
