"""The intake case: plain Python rules that decide which events a command produces, and how they fold."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from contracts.envelope import EventData
from contracts.intake import CaseReported
from saphan_runtime.errors import DomainError
from services.intake.commands import ReportCase

CLOCK_SKEW = timedelta(minutes=5)


class CaseStatus(StrEnum):
    """Where a case stands in intake."""

    REPORTED = "reported"


@dataclass(frozen=True)
class IntakeCase:
    """A case as intake knows it, folded from its events."""

    case_id: str
    status: CaseStatus
    version: int


def stream_id(case_id: str) -> str:
    """Return the event stream of one case."""
    return f"case-{case_id}"


def report(command: ReportCase, *, case_id: str, now: datetime) -> list[EventData]:
    """Decide the events of a new report."""
    check_received_not_in_future(command.received_at, now)
    check_location_codes_nest(command)
    return [CaseReported(case_id=case_id, **command.model_dump())]


def check_received_not_in_future(received_at: datetime, now: datetime) -> None:
    """Refuse a report received later than now."""
    if received_at > now + CLOCK_SKEW:
        raise DomainError("received_at is in the future / เวลารับแจ้งอยู่ในอนาคต", field="body.received_at")


def check_location_codes_nest(command: ReportCase) -> None:
    """Refuse a district outside its province, or a subdistrict outside its district."""
    location = command.location
    if location.district_code and not location.district_code.startswith(location.province_code):
        raise DomainError("district is not in the province / อำเภอไม่อยู่ในจังหวัดนี้",
                          field="body.location.district_code")
    if location.subdistrict_code and not (
        location.district_code and location.subdistrict_code.startswith(location.district_code)
    ):
        raise DomainError("subdistrict is not in the district / ตำบลไม่อยู่ในอำเภอนี้",
                          field="body.location.subdistrict_code")


def evolve(state: IntakeCase | None, event: EventData, version: int) -> IntakeCase | None:
    """Fold one event into the case."""
    if isinstance(event, CaseReported):
        return IntakeCase(case_id=event.case_id, status=CaseStatus.REPORTED, version=version)
    return state
