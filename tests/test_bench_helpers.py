"""The benchmarks' pure helpers: percentiles, line fits, topic counts and the soak's memory verdict (nothing timed)."""

import json
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from bench.ledger_watch import INTAKE_SOURCE, LedgerWatcher
from bench.load import Accepted
from bench.memory import MemorySampler, Sample, sqlite_logs
from bench.soak_report import growth, header, logs_sentence, longest_logs, row
from bench.stats import halves_slopes, latency_ms, linear_fit, percentile
from bench.topics import published, weighted_mean_size
from saphan_runtime import db
from saphan_runtime.testing import eventually, sqlite_url
from services.audit import db as audit_db


def test_percentile_is_the_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert [percentile(values, q) for q in (50, 95, 99, 100)] == [50.0, 95.0, 99.0, 100.0]
    assert percentile([], 99) == 0.0


def test_latencies_are_summed_up_in_milliseconds_whatever_their_order():
    found = latency_ms([0.3, 0.1, 0.2])
    assert found == {"count": 3, "p50_ms": 200.0, "p95_ms": 300.0, "p99_ms": 300.0, "max_ms": 300.0}
    assert latency_ms([])["count"] == 0


def test_a_line_fit_finds_slope_and_intercept():
    assert linear_fit([0, 1, 2, 3], [1, 3, 5, 7]) == pytest.approx((2.0, 1.0))
    assert linear_fit([5, 5], [1, 3]) == (0.0, 2.0)
    assert linear_fit([], []) == (0.0, 0.0)


def test_each_half_of_a_series_gets_its_own_slope():
    times = [float(t) for t in range(10)]
    values = [t * 4 if t < 5 else 20.0 for t in times]  # grows, then levels off
    first, second = halves_slopes(times, values)
    assert first == pytest.approx(4.0)
    assert second == pytest.approx(0.0)


def test_published_records_are_counted_across_topics_leaving_some_out():
    before, after = {"a": 10, "b": 5}, {"a": 15, "b": 5, "c": 3, "bench": 100}
    assert published(before, after, frozenset({"bench"})) == 8


def test_the_mean_record_size_is_weighted_by_each_topics_records():
    assert weighted_mean_size({"a": 3, "b": 1}, {"a": 100.0, "b": 500.0}) == 200.0
    assert weighted_mean_size({"a": 3}, {}) == 0.0


def test_a_process_that_levels_off_is_flat_and_one_that_keeps_growing_is_not():
    sampler = MemorySampler(find=dict)
    for minute in range(20):
        at = minute * 60.0
        levels = {"levels": 100.0 + min(minute, 5) * 10, "grows": 100.0 + minute * 2}
        sampler.samples.append(Sample(at, levels, {}, {}, 0.0))
    verdicts = growth(sampler, 0.0, 20 * 60.0, limit_mb_per_hour=30.0)
    assert verdicts["levels"]["verdict"] == "flat"
    assert verdicts["grows"]["verdict"] == "growing"
    assert verdicts["grows"]["second_half_mb_per_hour"] == pytest.approx(120.0)


def test_a_soak_row_gives_each_process_its_cpu_over_the_interval_beside_the_header():
    sampler = MemorySampler(find=dict)
    sampler._processes = {"broker": None, "intake": None}  # only their names are read
    for at, busy in ((0.0, 0.0), (60.0, 30.0)):
        sampler.samples.append(Sample(at, {"broker": 90.0, "intake": 200.0}, {"broker": busy, "intake": busy * 2},
                                      {"broker": 1, "intake": 2}, 0.0))
    window = sampler.window(0.0, 60.0)
    assert {name: figures["cpu_percent"] for name, figures in window.items()} == {"broker": 50.0, "intake": 100.0}
    found = {"start_s": 0, "end_s": 60, "achieved_rps": 40.0, "errors": 0, "shed": 0, "not_in_ledger": 0,
             "accepted_to_ledger": {"p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 3.0},
             "rss_mb": {"broker": 90.0, "intake": 200.0}, "cpu_percent": {"broker": 50.0, "intake": None}}
    line = row(found, ["broker", "intake"])
    assert line.endswith("| 90 | 200 | 50 / ? | – |")
    head, rule = header(["broker", "intake"]).splitlines()
    assert head.count("|") == line.count("|") == rule.count("|")


def test_the_sampler_reads_each_write_ahead_log_and_a_soak_row_shows_the_longest(tmp_path):
    log = tmp_path / "intake.db-wal"
    logs = sqlite_logs(lambda name: sqlite_url(tmp_path, name), ["intake", "referral"])
    assert logs == {"intake": log, "referral": tmp_path / "referral.db-wal"}
    assert sqlite_logs(lambda name: "postgresql+asyncpg://postgres@127.0.0.1/x", ["intake"]) == {}
    sampler = MemorySampler(find=dict, logs=logs)
    for size in (3, 5, 2):
        log.write_bytes(b"w" * size * 2**20)
        sampler.sample()
    assert [s.log_mb for s in sampler.samples][-1] == {"intake": 2.0, "referral": 0.0}  # no file yet: 0
    peaks = longest_logs(sampler.samples)
    assert peaks == {"intake": 5.0, "referral": 0.0}
    found = {"start_s": 0, "end_s": 60, "achieved_rps": 40.0, "errors": 0, "shed": 0, "not_in_ledger": 0,
             "accepted_to_ledger": {"p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 3.0}, "rss_mb": {}, "cpu_percent": {},
             "log_peak_mb": peaks}
    assert row(found, []).endswith("| 5 / 0 |")
    assert logs_sentence(peaks) == " Longest SQLite write-ahead log: intake 5 MB, referral 0 MB."
    assert logs_sentence({}) == ""  # PostgreSQL: no log to speak of


async def _entries(watcher: LedgerWatcher, count: int) -> bool | None:
    return True if watcher.entries == count else None


async def test_the_ledger_watcher_sees_intake_entries_committed_after_it_started(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}"
    engine = db.create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(audit_db.metadata.create_all)
    at = datetime.now(UTC)

    async def record(sequence: int, case_id: str, source: str, version: int) -> None:
        event = json.dumps({"source": source, "sequence": str(version), "id": f"e{sequence}"})
        async with engine.begin() as connection:
            await connection.execute(insert(audit_db.ledger_entries), {
                "sequence": sequence, "event_id": f"e{sequence}", "case_id": case_id, "type": "t", "source": source,
                "time": at, "topic": "t", "partition": 0, "offset": sequence, "event": event, "record": "{}",
                "leaf_hash": "0" * 64, "recorded_at": at})

    await record(1, "before", INTAKE_SOURCE, 3)  # already there: the watch starts after it
    watcher = LedgerWatcher(url)
    await watcher.start()
    try:
        asked = time.time()  # the 201, before the entries are written (a poll may see them at once)
        await record(2, "case-1", INTAKE_SOURCE, 3)
        await record(3, "case-1", "/saphan/referral", 1)
        missing = await watcher.drain([Accepted("case-1", 3, asked, asked)], patience=5)
        assert missing == 0
        # (the drain ends once intake's entry is seen; referral's may come with the next poll)
        assert await eventually(lambda: _entries(watcher, 2), within=5)
        received, recorded = watcher.latency(Accepted("case-1", 3, asked, asked)) or (None, None)
        assert received is not None and received >= 0 and recorded == pytest.approx(at.timestamp() - asked)
        assert watcher.latency(Accepted("before", 3, asked, asked)) is None
        assert watcher.latency(Accepted("case-1", 1, asked, asked)) is None  # referral's version 1 is not intake's
    finally:
        await watcher.stop()
        await engine.dispose()
