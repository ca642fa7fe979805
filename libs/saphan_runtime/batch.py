"""A consumer's batch: one transaction that the units of work of several consumed events join."""

import asyncio
import functools
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Self

from sqlalchemy import Select, Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from saphan_runtime import cloudevents, direct
from saphan_runtime.transactions import InboxKey, before_commit, begin, end, finish_and_commit

CLAIMS = "batch.claims"  # the inbox claims, kept for the batch's commit


@functools.cache
def _processed(inbox: Table) -> Select[tuple[str]]:
    return select(inbox.c.event_id).where(inbox.c.consumer == bindparam("consumer"),
                                          inbox.c.event_id.in_(bindparam("ids", expanding=True)))


class Batch:
    """One transaction that the units of work of several consumed events join: a consumer applies a fetched batch
    with one commit instead of one per event. Each joining unit of work hands over its inbox claim at its commit;
    the claims are written together just before the batch commits. Anything that fails undoes the whole batch."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], tables: dict[str, Table], *, on_commit: Callable[[], None],
        gate: asyncio.Lock | None = None,
    ) -> None:
        self._sessions, self._inbox, self._on_commit, self._gate = sessions, tables["inbox"], on_commit, gate
        self._session: AsyncSession | None = None
        self._claims: list[dict[str, object]] = []
        self._appended = False

    @property
    def session(self) -> AsyncSession:
        """Return the batch's open session (only inside `async with`)."""
        if self._session is None:
            raise RuntimeError("the batch is not open")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = await begin(self._sessions, self._gate)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session, self._session = self._session, None
        await end(session, self._gate)

    async def processed(self, consumer: str, event_ids: Sequence[str]) -> set[str]:
        """Return which of these events the inbox already holds for a consumer."""
        rows = await direct.select_rows(self.session, _processed(self._inbox),
                                        {"consumer": consumer, "ids": list(set(event_ids))})
        return {row[0] for row in rows}

    async def _write_claims(self, session: AsyncSession) -> None:
        await direct.insert_rows(session, self._inbox, self._claims)

    def joined(self, inbox: InboxKey | None, *, appended: bool) -> None:
        """Take over a committed unit of work's inbox claim (and whether it appended events)."""
        if inbox is not None:
            self._claims.append({"consumer": inbox.consumer, "event_id": inbox.event_id,
                                 "processed_at": cloudevents.now()})
        self._appended = self._appended or appended

    async def commit(self) -> None:
        """Write the inbox claims (after the work the units of work kept for the commit) and commit everything; wake
        the outbox relay when events were appended."""
        if self._claims:
            before_commit(self.session, CLAIMS, self._write_claims)
        await finish_and_commit(self.session)
        if self._appended:
            self._on_commit()
