"""Intake's background work: the retention policy, which erases a case's personal data when its time is up."""

from datetime import timedelta
from typing import Any

from contracts.intake import ErasureReason
from saphan_runtime.background import Ticker
from saphan_runtime.cloudevents import now
from saphan_runtime.errors import Conflict
from services.intake import queries
from services.intake.commands import ErasePersonalData

RETENTION_UNIT = "saphan-retention"  # who erases when the retention period ends: the policy, not a person


def retention_watch(every_seconds: float, retention: timedelta) -> Ticker:
    """Return the ticker that erases the personal data of cases received longer ago than the retention period:
    their keys are destroyed, in intake and (through PersonalDataErased) in documents; their history stays."""

    async def expire(service: Any) -> None:
        async with service.read_sessions() as session:
            due = await queries.cases_past_retention(session, now() - retention)
        for case_id in due:
            try:
                await service.bus.handle(ErasePersonalData(case_id=case_id, reason=ErasureReason.RETENTION_ENDED,
                                                           by_unit=RETENTION_UNIT))
            except Conflict:  # erased meanwhile, by a person or another replica
                continue

    return Ticker("retention-watch", every_seconds, expire)
