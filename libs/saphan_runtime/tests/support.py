"""A throwaway store for the runtime's own tests: the shared tables and a projection that counts."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.common import Channel, ConsentState, DutyShift, Location, ProblemType
from contracts.intake import CaseReported
from saphan_runtime import db
from saphan_runtime.batch import Batch
from saphan_runtime.eventstore import StoredEvent, UnitOfWork
from saphan_runtime.transactions import InboxKey


class Store:
    """An event store on a real database, with the unit of work the services use."""

    def __init__(self, url: str, *, inline: bool = False) -> None:
        self.metadata = MetaData()
        db.event_store_tables(self.metadata)
        self.engine = db.create_engine(url, inline=inline)
        self.sessions = db.create_sessionmaker(self.engine)
        self.projected: list[StoredEvent] = []
        self.commits = 0

    async def project(self, _: AsyncSession, event: StoredEvent) -> None:
        self.projected.append(event)

    def _committed(self) -> None:
        self.commits += 1

    def unit_of_work(self, inbox: InboxKey | None = None, batch: Batch | None = None) -> UnitOfWork:
        return UnitOfWork(self.sessions, dict(self.metadata.tables), source="/saphan/test",
                          project=self.project, on_commit=self._committed, inbox=inbox, batch=batch)

    def batch(self) -> Batch:
        return Batch(self.sessions, dict(self.metadata.tables), on_commit=self._committed)


@asynccontextmanager
async def store(url: str, *, inline: bool = False) -> AsyncIterator[Store]:
    """Yield a store whose tables exist, and dispose of its engine afterwards (`inline`: as a service's writers)."""
    opened = Store(url, inline=inline)
    async with opened.engine.begin() as connection:
        await connection.run_sync(opened.metadata.create_all)
    try:
        yield opened
    finally:
        await db.dispose(opened.engine)


def case_reported(case_id: str) -> CaseReported:
    """Return a small, valid event for a case."""
    return CaseReported(case_id=case_id, channel=Channel.HOTLINE_1300, received_at=datetime(2026, 11, 1, tzinfo=UTC),
                        duty_shift=DutyShift.OFFICE_HOURS, problem_types=[ProblemType.DOMESTIC_VIOLENCE],
                        location=Location(province_code="10"), consent=ConsentState.NOT_YET_ASKED,
                        informant_anonymous=False)


@asynccontextmanager
async def tables_store(url: str, define: Callable[[MetaData], object]) -> AsyncIterator[
        async_sessionmaker[AsyncSession]]:
    """Yield sessions on a database holding the tables `define` adds, and dispose of its engine afterwards."""
    metadata = MetaData()
    define(metadata)
    engine = db.create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    try:
        yield db.create_sessionmaker(engine)
    finally:
        await engine.dispose()
