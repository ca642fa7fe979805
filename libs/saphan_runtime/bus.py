"""The message bus: one visible table routes each command to the handler that owns its transaction."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from saphan_runtime.batch import Batch
from saphan_runtime.eventstore import UnitOfWork
from saphan_runtime.transactions import ConcurrencyConflict, InboxKey

log = logging.getLogger(__name__)

Handler = Callable[[Any, UnitOfWork], Awaitable[Any]]
UnitOfWorkFactory = Callable[[InboxKey | None, Batch | None], UnitOfWork]

CONFLICT_RETRIES = 5


class MessageBus:
    """Dispatch commands to handlers, giving each a fresh unit of work."""

    def __init__(self, handlers: Mapping[type, Handler], unit_of_work: UnitOfWorkFactory) -> None:
        self._handlers = dict(handlers)
        self._unit_of_work = unit_of_work

    async def handle(self, command: object, *, inbox: InboxKey | None = None, batch: Batch | None = None) -> Any:
        """Run the command's handler; a consumer's command is retried on a concurrency conflict (in a batch, the
        batch fails instead, and its events are applied one by one)."""
        handler = self._handlers[type(command)]
        if batch is not None:
            return await handler(command, self._unit_of_work(inbox, batch))
        attempts = CONFLICT_RETRIES if inbox is not None else 1
        for attempt in range(1, attempts + 1):
            try:
                return await handler(command, self._unit_of_work(inbox, None))
            except ConcurrencyConflict:
                if attempt == attempts:
                    raise
                log.info("conflict on %s, retrying (%d)", type(command).__name__, attempt)
                await asyncio.sleep(0.01 * attempt)
        raise AssertionError("unreachable")
