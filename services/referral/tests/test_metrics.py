"""Referral's /metrics on a real database and broker: the deadlines referrals still owe, passed or due within the
hour, as the hand-moved clock and the units' answers change them."""

from datetime import timedelta

from contracts.common import Urgency
from saphan_runtime.testing import running, sample_value, scrape
from services.referral.bootstrap import bootstrap
from services.referral.tests.test_api import Clock, as_unit, routed, screened, supervisor_client


async def deadlines_due(url: str) -> dict[tuple[str, str], float | None]:
    """Return the gauge by (deadline, window)."""
    samples = await scrape(url)
    return {(deadline, window): sample_value(samples, "saphan_referral_deadlines_due", service="referral",
                                             deadline=deadline, window=window)
            for deadline in ("receipt", "acceptance") for window in ("passed", "next_hour")}


async def test_deadlines_due_count_the_unanswered_ones_passed_and_within_the_hour(
    make_service, broker, caller
) -> None:
    clock = Clock()
    service = bootstrap(make_service("referral", deadline_check_seconds=0.1).settings, clock=clock)
    async with running(service) as url, supervisor_client(url, caller) as client:
        await screened(broker, "case-m", Urgency.CRISIS)  # three referrals: receipt in 15 minutes, acceptance in 60
        lead = next(r for r in (await routed(client, "case-m"))["referrals"] if r["role"] == "lead")
        at_request = await deadlines_due(url)
        shelter = as_unit(caller, "shelter-10")
        await client.post(f"/referrals/{lead['referral_id']}/receive", headers=shelter, json={})
        received = await deadlines_due(url)
        clock.now += timedelta(minutes=16)  # the other two missed their receipt (and are escalated: still owed)
        receipt_missed = await deadlines_due(url)
        await client.post(f"/referrals/{lead['referral_id']}/accept", headers=shelter, json={})
        clock.now += timedelta(hours=1)
        all_passed = await deadlines_due(url)
    assert at_request == {("receipt", "passed"): 0, ("receipt", "next_hour"): 3,
                          ("acceptance", "passed"): 0, ("acceptance", "next_hour"): 3}
    assert received == {("receipt", "passed"): 0, ("receipt", "next_hour"): 2,
                        ("acceptance", "passed"): 0, ("acceptance", "next_hour"): 3}
    assert receipt_missed == {("receipt", "passed"): 2, ("receipt", "next_hour"): 0,
                              ("acceptance", "passed"): 0, ("acceptance", "next_hour"): 3}
    assert all_passed == {("receipt", "passed"): 2, ("receipt", "next_hour"): 0,
                          ("acceptance", "passed"): 2, ("acceptance", "next_hour"): 0}
