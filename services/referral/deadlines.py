"""Deadlines by urgency: how long a unit has to acknowledge receipt of a referral and to accept or reject it."""

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.common import DeadlineKind, ReferralStatus, Urgency


class Limits(BaseModel):
    """Seconds allowed for receipt and for acceptance at one urgency."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    receipt_seconds: int = Field(gt=0)
    acceptance_seconds: int = Field(gt=0)

    @model_validator(mode="after")
    def check_receipt_first(self) -> "Limits":
        """Receipt cannot be due after acceptance."""
        if self.receipt_seconds > self.acceptance_seconds:
            raise ValueError("receipt_seconds must not exceed acceptance_seconds")
        return self


HOUR = 3600
DEFAULT_LIMITS = {
    Urgency.CRISIS: Limits(receipt_seconds=15 * 60, acceptance_seconds=HOUR),
    Urgency.URGENT: Limits(receipt_seconds=4 * HOUR, acceptance_seconds=24 * HOUR),
    Urgency.NORMAL: Limits(receipt_seconds=24 * HOUR, acceptance_seconds=72 * HOUR),
}

# A deadline is met once the referral has left the statuses it constrains.
PENDING_WHILE = {
    DeadlineKind.RECEIPT: {ReferralStatus.REQUESTED},
    DeadlineKind.ACCEPTANCE: {ReferralStatus.REQUESTED, ReferralStatus.RECEIVED},
}


def due(limits: dict[Urgency, Limits], urgency: Urgency, requested_at: datetime) -> dict[DeadlineKind, datetime]:
    """Return when receipt and acceptance are due for a referral requested now."""
    limit = limits[urgency]
    return {DeadlineKind.RECEIPT: requested_at + timedelta(seconds=limit.receipt_seconds),
            DeadlineKind.ACCEPTANCE: requested_at + timedelta(seconds=limit.acceptance_seconds)}


def still_pending(kind: DeadlineKind, status: ReferralStatus) -> bool:
    """Return whether a deadline still binds a referral in this status."""
    return status in PENDING_WHILE[kind]
