"""Kill -9 a consumer while reports flow; after its restart nothing is lost and nothing is applied twice."""

import asyncio
import os
import signal

import httpx
import pytest
from sqlalchemy import func, select

from saphan_runtime import db
from saphan_runtime.testing import sqlite_url
from tests.helpers import UsualCallers
from tests.system import saphan_up
from tests.test_end_to_end import (
    REGISTRY_UNITS,
    assert_trail_exactly_once_in_order,
    post_reports,
    referrals_for,
    timelines,
    trails_in_ledger,
)

pytestmark = pytest.mark.system

BEFORE, DURING, AFTER = 15, 20, 15


@pytest.mark.parametrize("victim", ["referral", "audit"])
async def test_a_consumer_killed_mid_stream_loses_nothing_and_applies_nothing_twice(
    tmp_path, system_databases, system_broker, victim
) -> None:
    var_dir = tmp_path / "var"
    with saphan_up(var_dir, system_databases, system_broker) as system:
        async with httpx.AsyncClient(timeout=10, auth=UsualCallers(system.var_dir, system.urls)) as client:
            intake = system.urls["intake"]
            case_ids = await post_reports(client, intake, BEFORE)
            during = asyncio.create_task(post_reports(client, intake, DURING, start=BEFORE))
            await asyncio.sleep(0.3)
            old_pid = system.pid(victim)
            os.kill(old_pid, signal.SIGKILL)
            case_ids |= await during
            await asyncio.to_thread(system.wait_restarted, victim, old_pid)
            case_ids |= await post_reports(client, intake, AFTER, start=BEFORE + DURING)
            await trails_in_ledger(system, client, case_ids, within=120)
            await asyncio.sleep(1.0)
            final = await timelines(client, system.urls["audit"], case_ids)
        assert final is not None
        assert_trail_exactly_once_in_order(final, case_ids)
        assert any(f"{victim} exited" in line for line in system.output)
        await assert_applied_once(system_databases.get(victim) or sqlite_url(var_dir, victim), victim, case_ids)


async def assert_applied_once(url: str, service: str, case_ids: dict[str, int]) -> None:
    """The service's own store: one inbox row per upstream event, and the events it derived, once each."""
    metadata = __import__(f"services.{service}.db", fromlist=["metadata"]).metadata
    inbox, events = metadata.tables["inbox"], metadata.tables["events"]
    engine = db.create_engine(url)
    try:
        async with engine.connect() as connection:
            applied = await connection.scalar(select(func.count()).select_from(inbox))
            own = events.c.stream_id.not_like("access-%")  # not the records of who read what
            derived = await connection.scalar(select(func.count()).select_from(events).where(own))
            if service == "audit":  # the ledger only (audit's store also holds its signed checkpoints)
                ledger = events.c.stream_id == "ledger"
                entries = metadata.tables["ledger_entries"]
                counts = select(  # one statement, one snapshot: reads keep arriving while this runs
                    select(func.count()).select_from(inbox).scalar_subquery(),
                    select(func.count()).select_from(events).where(ledger).scalar_subquery(),
                    select(func.max(events.c.version)).where(ledger).scalar_subquery(),
                    select(func.count()).select_from(entries)
                    .where(entries.c.type.like("saphan.access.%")).scalar_subquery())
                applied, derived, top, reads = (await connection.execute(counts)).one()
                assert top == derived  # the ledger's sequence is dense: 1..n, no gap, no repeat
                assert applied == derived  # one inbox row per recorded event, reads included
                applied, derived = applied - reads, derived - reads  # the writes
    finally:
        await engine.dispose()
    referrals = sum(referrals_for(n) for n in case_ids.values())
    if service == "referral":  # it applies each report and triage; it derives facts, a routing, the referrals
        assert applied == 2 * len(case_ids)
        assert derived == REGISTRY_UNITS + 2 * len(case_ids) + referrals
    else:  # audit records intake's three events per case and everything referral published
        assert applied == derived == REGISTRY_UNITS + 4 * len(case_ids) + referrals
