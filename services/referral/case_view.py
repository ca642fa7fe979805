"""One case as referral's API shows it (stage, lead, manager, each referral's state); audit replays the same view
from the ledger with this same code, so a case's past status is computed the way it was shown."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.common import ReferralStatus
from saphan_runtime.replay import CaseView
from saphan_runtime.settings import service_source
from services.referral import db, projections, queries
from services.referral.lifecycle import allowed_actions


class ReferralView(BaseModel):
    """A referral, its state and deadlines, and what can be done with it now."""

    referral_id: str
    case_id: str
    from_unit: str
    to_unit: str
    to_kind: str
    role: str
    urgency: str
    status: str
    reason: str | None
    outcome: str | None
    receipt_due: datetime
    acceptance_due: datetime
    overdue: bool
    requested_at: datetime
    updated_at: datetime
    version: int
    allowed_actions: list[str] = []


class CaseStatus(BaseModel):
    """A case as referral follows it: its stage, lead unit and case manager, and each referral's state."""

    case_id: str
    urgency: str
    stage: str
    lead_unit: str
    manager: str | None
    pending_transfer: str | None
    version: int
    referrals: list[ReferralView]


def referral_view(row: dict[str, Any]) -> dict[str, Any]:
    """Add the actions the referral allows now."""
    return {**row, "allowed_actions": [a.value for a in allowed_actions(ReferralStatus(row["status"]))]}


async def case_status_view(session: AsyncSession, case_id: str) -> dict[str, Any] | None:
    """Return a case's status as the API shows it, or None."""
    status = await queries.case_status(session, case_id)
    if status is None:
        return None
    routing = status["routing"]
    return {"case_id": case_id, **{key: routing[key] for key in (
                "urgency", "stage", "lead_unit", "manager", "pending_transfer", "version")},
            "referrals": [referral_view(r) for r in status["referrals"]]}


async def read_case_status(session: AsyncSession, case_id: str) -> dict[str, Any] | None:
    """Return a case's status exactly as the API's JSON shows it, or None."""
    view = await case_status_view(session, case_id)
    return CaseStatus.model_validate(view).model_dump(mode="json") if view else None


CASE_VIEW = CaseView(name="referral", source=service_source("referral"), metadata=db.metadata,
                     project=projections.project, read=read_case_status)
