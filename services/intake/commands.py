"""What intake can be asked to do."""

from pydantic import BaseModel, ConfigDict, Field

from contracts.common import ClosureReason
from contracts.intake import ErasureReason, IntakeReport


class Command(BaseModel):
    """Base of intake's commands: frozen and closed."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ReportCase(Command):
    """Open a case for a report; the same idempotency key always gives the first result."""

    report: IntakeReport
    reported_by_unit: str = Field(min_length=1, max_length=64)  # from the caller's token, never from the body
    reported_by_user: str = Field(min_length=1, max_length=200)
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=200)


class CloseAtIntake(Command):
    """Close an open case at intake with a reason (a prank, a false report, a duplicate and so on)."""

    case_id: str
    reason: ClosureReason
    expected_version: int


class ResolveDuplicate(Command):
    """Confirm or dismiss a flagged duplicate."""

    case_id: str
    existing_case_id: str
    confirmed: bool
    expected_version: int


class ErasePersonalData(Command):
    """Destroy a case's key, so its personal data is unreadable everywhere; the history stays."""

    case_id: str
    reason: ErasureReason
    note: str | None = Field(default=None, max_length=500)
    by_unit: str = Field(min_length=1, max_length=64)
