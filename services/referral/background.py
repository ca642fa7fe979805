"""Referral's background work: seed the registry from its file at start, find deadlines that passed."""

from typing import Any

from contracts.common import DeadlineKind
from saphan_runtime.background import Ticker
from services.referral import queries
from services.referral.commands import MarkOverdue, SeedRegistry
from services.referral.registry import RegistryFile


def seed_registry(registry: RegistryFile) -> Any:
    """Return a start-up hook that registers the file's units that the store does not hold yet."""

    async def seed(service: Any) -> None:
        await service.bus.handle(SeedRegistry(units=registry.units))

    return seed


def deadline_watch(every_seconds: float, clock: Any) -> Ticker:
    """Return the ticker that flags every pending deadline that has passed (it survives restarts: the deadlines
    are in the database)."""

    async def check(service: Any) -> None:
        async with service.sessions() as session:
            due = await queries.deadlines_due(session, clock())
        for referral_id, kind in due:
            await service.bus.handle(MarkOverdue(referral_id=referral_id, deadline=DeadlineKind(kind)))

    return Ticker("deadline-watch", every_seconds, check)
