"""The pipeline run's figures for people: the targets beside what was measured, Markdown tables and a PNG chart."""

from pathlib import Path
from typing import Any

from bench.charts import pyplot
from bench.stats import fmt_ratio, ratio

TARGET_RATE = 200.0  # reports/s sustained end to end
TARGET_P99_MS = 250.0  # accepted -> in the ledger
TARGET_CEILING_SHARE = 0.25  # pipeline events/s over the raw broker ceiling
TARGET_RSS_MB = 250.0  # each service process at the target load
SERVICES = ("intake", "referral", "documents", "audit", "console")


def top(document: dict[str, Any]) -> dict[str, Any]:
    """Return the figures of the highest offered load."""
    return max(document["loads"], key=lambda load: load["offered_rps"])


def targets(document: dict[str, Any]) -> dict[str, Any]:
    """Return each target, the measured figure it is compared with, and whether it was met (nothing is asserted)."""
    sustained = [load for load in document["loads"] if load["kept_up"]]
    best = max(sustained, key=lambda load: load["offered_rps"], default=None)
    fast = [load for load in sustained if load["offered_rps"] >= TARGET_RATE
            and load["accepted_to_ledger"]["p99_ms"] < TARGET_P99_MS]
    peak_events = max(load["pipeline_events_per_s"] for load in document["loads"])
    share = ratio(peak_events, document["raw_ceiling"]["produce_to_consume_per_s"])
    rss = {name: figures["rss_peak_mb"] for name, figures in top(document)["processes"].items() if name in SERVICES}
    return {
        "sustained_rate": {"target": f">= {TARGET_RATE:g} reports/s kept up with p99 < {TARGET_P99_MS:g} ms",
                           "best_kept_up_rps": best["offered_rps"] if best else None,
                           "p99_ms_at_best": best["accepted_to_ledger"]["p99_ms"] if best else None, "met": bool(fast)},
        "ceiling_share": {"target": f">= {TARGET_CEILING_SHARE:g} of the raw broker ceiling",
                          "peak_pipeline_events_per_s": peak_events, "share": share,
                          "met": share is not None and share >= TARGET_CEILING_SHARE},
        "service_rss": {"target": f"each service < {TARGET_RSS_MB:g} MB RSS at the top load", "peak_mb": rss,
                        "met": bool(rss) and max(rss.values()) < TARGET_RSS_MB},
    }


def _yes(flag: bool) -> str:
    return "yes" if flag else "**no**"


def _caught_up(load: dict[str, Any]) -> str:
    seconds = load["ledger_caught_up_after_s"]
    return f"{load['missing_from_ledger']} never" if seconds is None else f"{seconds:.1f} s"


def loads_table(document: dict[str, Any]) -> str:
    """Return one row per offered load."""
    ceiling = document["raw_ceiling"]["produce_to_consume_per_s"]
    out = ["| offered (/s) | accepted (/s) | errors | shed | kept up | HTTP p99 (ms) | ledger p50 (ms) | p95 (ms) "
           "| p99 (ms) | max (ms) | ledger caught up | events/s | events/report | ÷ raw ceiling | other work (cores) |",
           "|---:|---:|---:|---:|:---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for load in document["loads"]:
        ledger = load["accepted_to_ledger"]
        out.append(f"| {load['offered_rps']:g} | {load['achieved_rps']:.1f} | {load['errors']} | {load['shed']} | "
                   f"{_yes(load['kept_up'])} | {load['http_due_to_201']['p99_ms']:.0f} | {ledger['p50_ms']:.0f} | "
                   f"{ledger['p95_ms']:.0f} | {ledger['p99_ms']:.0f} | {ledger['max_ms']:.0f} | "
                   f"{_caught_up(load)} | {load['pipeline_events_per_s']:,.0f} | "
                   f"{load['events_per_report']:.1f} | {fmt_ratio(ratio(load['pipeline_events_per_s'], ceiling))} | "
                   f"{load['machine_cpu'].get('others_cores', '—')} |")
    return "\n".join(out)


def processes_table(document: dict[str, Any]) -> str:
    """Return each process's memory and CPU at the top load."""
    load = top(document)
    cpu = load["machine_cpu"]
    out = [f"Processes at the top load ({load['offered_rps']:g}/s offered; the machine kept "
           f"{cpu.get('busy_cores', '?')} of {cpu.get('cores', '?')} cores busy, "
           f"{cpu.get('others_cores', '?')} of them with work not of this run):", "",
           "| process | RSS peak (MB) | RSS last (MB) | CPU (% of one core) | under 250 MB |",
           "|---|---:|---:|---:|:---:|"]
    for name, figures in load["processes"].items():
        cpu = "—" if figures["cpu_percent"] is None else f"{figures['cpu_percent']:.0f}"
        under = _yes(figures["rss_peak_mb"] < TARGET_RSS_MB) if name in SERVICES else ""
        out.append(f"| {name} | {figures['rss_peak_mb']:.0f} | {figures['rss_last_mb']:.0f} | {cpu} | {under} |")
    return "\n".join(out)


def baselines_table(document: dict[str, Any]) -> str:
    """Return the baselines measured in the same run, with Saphan's figure and the ratio Saphan / baseline."""
    ceiling, noop, load = document["raw_ceiling"], document["noop_baseline"], top(document)
    rows = [("raw broker ceiling: aiokafka produce→consume (records/s)", ceiling["produce_to_consume_per_s"],
             "pipeline events/s at the top load", load["pipeline_events_per_s"]),
            (f"no-op FastAPI at {noop['offered_rps']:g}/s: accepted (/s)", noop["achieved_rps"],
             "intake accepted (/s)", load["achieved_rps"]),
            ("no-op FastAPI: HTTP p99 (ms)", noop["http_due_to_201"]["p99_ms"], "intake HTTP p99 (ms)",
             load["http_due_to_201"]["p99_ms"])]
    out = ["| baseline | baseline figure | Saphan figure | Saphan | Saphan ÷ baseline |", "|---|---:|---|---:|---:|"]
    out += [f"| {name} | {base:,.1f} | {what} | {ours:,.1f} | {fmt_ratio(ratio(ours, base))} |"
            for name, base, what, ours in rows]
    return "\n".join(out)


def targets_lines(found: dict[str, Any]) -> str:
    """Return the targets beside the figures, one line each."""
    rate, share, rss = found["sustained_rate"], found["ceiling_share"], found["service_rss"]
    peak = max(rss["peak_mb"].items(), key=lambda item: item[1], default=("—", 0.0))
    best = "none" if rate["best_kept_up_rps"] is None else \
        f"{rate['best_kept_up_rps']:g}/s (p99 {rate['p99_ms_at_best']:.0f} ms)"
    return "\n".join([
        f"- {rate['target']}: met {_yes(rate['met'])}; highest load kept up: {best}",
        f"- pipeline events/s {share['target']}: met {_yes(share['met'])}; "
        f"{share['peak_pipeline_events_per_s']:,.0f}/s = {fmt_ratio(share['share'])} of the ceiling",
        f"- {rss['target']}: met {_yes(rss['met'])}; largest {peak[0]} {peak[1]:.0f} MB"])


def ledger_lines(document: dict[str, Any]) -> str:
    """Return what verifying and replaying the run's own ledger gave."""
    run = document["run_ledger"]
    text = (f"The run's own ledger: {run['entries']:,} entries, {run['checkpoints']} checkpoints, verified in "
            f"{run['verify_seconds']:.2f} s ({run['verify_events_per_s']:,.0f} entries/s), intact: {run['intact']}")
    if replay := run.get("replay"):
        text += f"; one case ({replay['case_events']} events) replayed in {replay['replay_ms']:.1f} ms"
    return text + "."


def chart(document: dict[str, Any], path: Path) -> None:
    """Draw throughput, latency, event rate against the ceiling, and memory at the top load, into a PNG."""
    plt = pyplot()
    loads = document["loads"]
    offered = [load["offered_rps"] for load in loads]
    figure, ((rate, latency), (events, memory)) = plt.subplots(2, 2, figsize=(12, 8.5))
    rate.plot(offered, [load["achieved_rps"] for load in loads], "o-", label="accepted")
    rate.plot(offered, offered, ":", color="grey", label="offered")
    rate.axhline(TARGET_RATE, color="red", ls="--", lw=1, label=f"target {TARGET_RATE:g}/s")
    rate.set(title="Reports accepted (HTTP 201) per second", xlabel="offered (/s)", ylabel="/s")
    for q in ("p50", "p95", "p99"):
        latency.plot(offered, [load["accepted_to_ledger"][f"{q}_ms"] for load in loads], "o-", label=q)
    latency.axhline(TARGET_P99_MS, color="red", ls="--", lw=1, label=f"p99 target {TARGET_P99_MS:g} ms")
    latency.set(title="Accepted → in the audit ledger", xlabel="offered (/s)", ylabel="ms", yscale="log")
    ceiling = document["raw_ceiling"]["produce_to_consume_per_s"]
    events.bar([f"{o:g}" for o in offered], [load["pipeline_events_per_s"] for load in loads], label="pipeline")
    events.axhline(ceiling, color="black", lw=1, label=f"raw ceiling {ceiling:,.0f}/s")
    events.axhline(ceiling * TARGET_CEILING_SHARE, color="red", ls="--", lw=1, label="target: 1/4 of it")
    events.set(title="Events published per second, all topics", xlabel="offered (/s)", ylabel="events/s")
    names = list(top(document)["processes"])
    memory.bar(names, [top(document)["processes"][n]["rss_peak_mb"] for n in names])
    memory.axhline(TARGET_RSS_MB, color="red", ls="--", lw=1, label=f"target {TARGET_RSS_MB:g} MB (services)")
    memory.set(title=f"Peak RSS at {top(document)['offered_rps']:g}/s offered", ylabel="MB")
    memory.tick_params(axis="x", rotation=30)
    for axes in (rate, latency, events, memory):
        axes.legend(fontsize=8)
    figure.suptitle(document["title"], fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
