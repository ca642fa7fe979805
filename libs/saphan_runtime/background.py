"""Background work of a service: scheduled tickers, and the signal that something was committed."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ticker:
    """Work a service repeats on a schedule (for example: find deadlines that passed)."""

    name: str
    every_seconds: float
    run: Callable[[Any], Awaitable[None]]


async def repeat(ticker: Ticker, service: Any) -> None:
    """Run a ticker until cancelled; a failed run is logged and the next one comes on time."""
    while True:
        try:
            await ticker.run(service)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s: %s failed; it runs again in %.1fs", service.settings.name, ticker.name,
                          ticker.every_seconds)
        await asyncio.sleep(ticker.every_seconds)


class Changes:
    """Tells waiters (server-sent event streams) that this process committed something; they poll too, so a
    change committed by another replica reaches them a moment later."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake everyone waiting."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, at_most: float) -> None:
        """Return at the next change, or after `at_most` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), at_most)
