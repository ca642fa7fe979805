"""Documents' use cases; each owns its transaction. The routing table is at the bottom."""

from saphan_runtime.bus import Handler
from saphan_runtime.eventstore import UnitOfWork
from services.documents import domain, projections
from services.documents.commands import OpenCaseFile


async def open_case_file(command: OpenCaseFile, uow: UnitOfWork) -> None:
    """Open a reported case's document file (once), recorded with the inbox in one transaction."""
    async with uow:
        existing = await projections.find_case_file(uow.session, command.case_id)
        opened = domain.open_file(existing, command.case_id)
        if opened is not None:
            await projections.add_case_file(uow.session, opened, opened_at=command.reported_at)
        await uow.commit()


HANDLERS: dict[type, Handler] = {
    OpenCaseFile: open_case_file,
}
