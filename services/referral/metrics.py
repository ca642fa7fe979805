"""Referral's figures for /metrics, read when scraped: the deadlines referrals still owe."""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from prometheus_client.metrics_core import Metric

from saphan_runtime.metrics import GaugeReader, gauge
from services.referral import queries

SOON = timedelta(hours=1)


def deadlines_due(clock: Callable[[], datetime]) -> GaugeReader:
    """Return the reading of the unanswered deadlines that have passed, and of those falling due within the hour."""

    async def read(service: Any) -> Iterable[Metric]:
        now = clock()
        async with service.read_sessions() as session:
            counts = await queries.unanswered_deadlines(session, now, now + SOON)
        values: dict[tuple[str, ...], float] = {(kind, window): count for kind, (passed, soon) in counts.items()
                  for window, count in (("passed", passed), ("next_hour", soon))}
        return [gauge("saphan_referral_deadlines_due",
                      "Referrals that have not answered a deadline (receipt or acceptance): passed already, or "
                      "falling due within the next hour.", values, labels=["deadline", "window"])]

    return read
