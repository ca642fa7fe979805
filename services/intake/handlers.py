"""Intake's use cases; each owns its transaction. The routing table is at the bottom."""

import uuid

from saphan_runtime.bus import Handler
from saphan_runtime.cloudevents import now
from saphan_runtime.eventstore import UnitOfWork
from services.intake import domain
from services.intake.commands import ReportCase


async def report_case(command: ReportCase, uow: UnitOfWork) -> str:
    """Open a case for a report and record that it was reported; return the case id."""
    case_id = str(uuid.uuid4())
    async with uow:
        events = domain.report(command, case_id=case_id, now=now())
        await uow.append(domain.stream_id(case_id), case_id=case_id, expected_version=0, events=events)
        await uow.commit()
    return case_id


HANDLERS: dict[type, Handler] = {
    ReportCase: report_case,
}
