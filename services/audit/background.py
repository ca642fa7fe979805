"""Audit's background work: sign a checkpoint at regular intervals when the ledger has grown."""

from typing import Any

from saphan_runtime.background import Ticker
from services.audit.commands import SignCheckpoint


def checkpoint_every(seconds: float) -> Ticker:
    """Return the ticker that signs a checkpoint whenever the ledger grew since the last one."""

    async def sign(service: Any) -> None:
        await service.bus.handle(SignCheckpoint())

    return Ticker("checkpoint", seconds, sign)
