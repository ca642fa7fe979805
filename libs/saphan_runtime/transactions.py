"""What every transaction over a service's store shares: its failures, the inbox key, opening and closing it under
the write gate, and the work kept for its commit."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.envelope import EventData


class ConcurrencyConflict(Exception):
    """Another writer appended to the stream first (optimistic concurrency)."""


class AlreadyProcessed(Exception):
    """The inbox already holds this (consumer, event id): the delivery is a duplicate."""


class LeftOpen(Exception):
    """A handler left a unit of work that joined a batch without committing it: the batch cannot keep its work."""


@dataclass(frozen=True)
class InboxKey:
    """Which consumer is applying which upstream event."""

    consumer: str
    event_id: str
    delivered: EventData | None = field(default=None, compare=False)  # the upstream event's data, when known


Finisher = Callable[[AsyncSession], Awaitable[None]]

FINISHERS = "transactions.before_commit"  # session.info: what to write just before this transaction commits


def before_commit(session: AsyncSession, key: str, finish: Finisher) -> None:
    """Have `finish` run once, just before the session's transaction commits: a projection that keeps some state in
    memory for the transaction (the ledger's tree) writes it once, not once per event."""
    session.info.setdefault(FINISHERS, {})[key] = finish


async def finish(session: AsyncSession) -> None:
    """Do the work kept for this transaction's commit now (a replay reads what its projections wrote, uncommitted)."""
    for work in session.info.pop(FINISHERS, {}).values():
        await work(session)


async def finish_and_commit(session: AsyncSession) -> None:
    """Do the work kept for this transaction's commit (see `before_commit`), in the order it was kept, and commit; a
    key another writer took first (a stream version, an inbox claim) raises ConcurrencyConflict."""
    try:
        await finish(session)
        await session.commit()
    except IntegrityError as error:
        raise ConcurrencyConflict(str(error.orig)) from error


async def begin(sessions: async_sessionmaker[AsyncSession], gate: asyncio.Lock | None) -> AsyncSession:
    """Open a session in a transaction, under the write gate when there is one (SQLite's writers take turns)."""
    if gate is not None:
        await gate.acquire()
    session = None
    try:
        session = sessions()
        await session.begin()
    except BaseException:
        await end(session, gate)
        raise
    return session


async def end(session: AsyncSession | None, gate: asyncio.Lock | None) -> None:
    """Roll back what was not committed, close the session and let the next writer in."""
    try:
        if session is not None:
            if session.in_transaction():
                await session.rollback()
            await session.close()
    finally:
        if gate is not None:
            gate.release()
