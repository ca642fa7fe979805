"""The soak run's figures: one row per interval, the memory-growth verdict per process, Markdown and a PNG."""

from pathlib import Path
from typing import Any

from bench.charts import pyplot
from bench.ledger_watch import LedgerWatcher
from bench.load import Phase
from bench.memory import MemorySampler, Sample
from bench.stats import halves_slopes, latency_ms

SERVICES = ("intake", "referral", "documents", "audit", "console")
DATABASES = ("intake", "referral", "documents", "audit")  # the services with a database (SQLite: a write-ahead log)
BROKER_NOTE = ("The broker is the embedded one (Tansu, memory storage): it holds every record it was sent, for good, "
               "since its build honours neither `retention.ms` nor DeleteRecords; its memory grows with the load by "
               "design. Apache Kafka keeps its log on disk and drops it by retention.")


def interval(phase: Phase, watcher: LedgerWatcher, sampler: MemorySampler, start: float, end: float) -> dict[str, Any]:
    """Return one interval's figures: reports due in it that were accepted, their accepted → ledger latency (those
    whose entry has appeared so far), errors and shed reports in it, each process's RSS at its end and its CPU use
    over the interval (% of one core), and the longest each SQLite write-ahead log got in it (MB)."""
    accepted = [report for report in phase.accepted if start <= report.due < end]
    seen = [found[0] for report in accepted if (found := watcher.latency(report)) is not None]
    samples = [s for s in sampler.samples if start <= s.at <= end]
    return {"start_s": round(start - phase.measured_from, 1), "end_s": round(end - phase.measured_from, 1),
            "accepted": len(accepted), "achieved_rps": round(len(accepted) / (end - start), 1),
            "errors": sum(1 for at, _ in phase.errors if start <= at < end),
            "shed": sum(1 for at in phase.shed_at if start <= at < end),
            "not_in_ledger": len(accepted) - len(seen), "accepted_to_ledger": latency_ms([max(s, 0.0) for s in seen]),
            "rss_mb": samples[-1].rss_mb if samples else {},
            "cpu_percent": {name: figures["cpu_percent"] for name, figures in sampler.window(start, end).items()},
            "log_peak_mb": longest_logs(samples)}


def longest_logs(samples: list[Sample]) -> dict[str, float]:
    """Return the longest each write-ahead log got over some samples (MB)."""
    return {name: max(s.log_mb.get(name, 0.0) for s in samples) for name in (samples[-1].log_mb if samples else {})}


def logs_sentence(peaks: dict[str, float]) -> str:
    """Return the whole run's sentence on how long each SQLite write-ahead log got ("" on PostgreSQL)."""
    if not peaks:
        return ""
    return " Longest SQLite write-ahead log: " + ", ".join(f"{name} {mb:,.0f} MB" for name, mb in peaks.items()) + "."


def row(found: dict[str, Any], names: list[str]) -> str:
    """Return an interval as a Markdown table row."""
    ledger = found["accepted_to_ledger"]
    rss = " | ".join(f"{found['rss_mb'].get(name, 0):.0f}" for name in names)
    cpu = found.get("cpu_percent", {})
    busy = " / ".join("?" if cpu.get(name) is None else f"{cpu[name]:.0f}" for name in names)
    logs = found.get("log_peak_mb", {})
    longest = " / ".join(f"{logs[name]:.0f}" for name in DATABASES if name in logs) or "–"
    return (f"| {found['start_s']:.0f}–{found['end_s']:.0f} | {found['achieved_rps']:.1f} | {found['errors']} | "
            f"{found['shed']} | {ledger['p50_ms']:.0f} | {ledger['p95_ms']:.0f} | {ledger['p99_ms']:.0f} | "
            f"{found['not_in_ledger']} | {rss} | {busy} | {longest} |")


def header(names: list[str]) -> str:
    """Return the head of the interval table."""
    return ("| seconds | accepted (/s) | errors | shed | ledger p50 (ms) | p95 (ms) | p99 (ms) | not in ledger | "
            + " | ".join(f"{name} RSS (MB)" for name in names)
            + f" | CPU % of a core ({' / '.join(names)}) "
            + f"| SQLite write-ahead log, longest (MB: {' / '.join(DATABASES)}) |"
            + "\n|---|" + "---:|" * (9 + len(names)))


def growth(sampler: MemorySampler, start: float, end: float, limit_mb_per_hour: float) -> dict[str, dict[str, Any]]:
    """Return each process's RSS growth: fitted slopes over the first and second half of the run (MB per hour), and
    a verdict: flat when the second half grows by no more than the limit."""
    verdicts: dict[str, dict[str, Any]] = {}
    samples = [s for s in sampler.samples if start <= s.at <= end]
    for name in samples[0].rss_mb if samples else {}:
        mine = [s for s in samples if name in s.rss_mb]
        first, second = halves_slopes([s.at for s in mine], [s.rss_mb[name] for s in mine])
        verdicts[name] = {"rss_start_mb": mine[0].rss_mb[name], "rss_end_mb": mine[-1].rss_mb[name],
                          "rss_peak_mb": max(s.rss_mb[name] for s in mine),
                          "first_half_mb_per_hour": round(first * 3600, 1),
                          "second_half_mb_per_hour": round(second * 3600, 1),
                          "verdict": "flat" if second * 3600 <= limit_mb_per_hour else "growing"}
    return verdicts


def growth_table(verdicts: dict[str, dict[str, Any]], limit: float) -> str:
    """Return the memory verdicts as a Markdown table."""
    out = [f"Memory growth (RSS fitted over each half of the run; flat when the second half grows ≤ {limit:g} MB/h):",
           "", "| process | RSS start (MB) | RSS end (MB) | peak (MB) | 1st half (MB/h) | 2nd half (MB/h) | verdict |",
           "|---|---:|---:|---:|---:|---:|:---:|"]
    for name, v in verdicts.items():
        verdict = v["verdict"] if v["verdict"] == "flat" else f"**{v['verdict']}**"
        out.append(f"| {name} | {v['rss_start_mb']:.0f} | {v['rss_end_mb']:.0f} | {v['rss_peak_mb']:.0f} | "
                   f"{v['first_half_mb_per_hour']:+.1f} | {v['second_half_mb_per_hour']:+.1f} | {verdict} |")
    return "\n".join(out)


def chart(document: dict[str, Any], path: Path) -> None:
    """Draw each process's RSS over time and the accepted → ledger p50/p99 per interval into a PNG."""
    plt = pyplot()
    figure, (memory, latency) = plt.subplots(2, 1, figsize=(11, 8), sharex=True)
    start = document["started_at"]
    for name, series in document["rss_series"].items():
        memory.plot([(at - start) / 60 for at, _ in series], [mb for _, mb in series], label=name)
    memory.set(title="Resident memory (RSS)", ylabel="MB")
    memory.legend(fontsize=8, ncols=4)
    middle = [(i["start_s"] + i["end_s"]) / 120 for i in document["intervals"]]
    for q in ("p50", "p99"):
        latency.plot(middle, [i["accepted_to_ledger"][f"{q}_ms"] for i in document["intervals"]], "o-", label=q)
    latency.set(title="Accepted → in the audit ledger, per interval", xlabel="minutes", ylabel="ms", yscale="log")
    latency.legend(fontsize=8)
    figure.suptitle(document["title"], fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
