"""Referral's HTTP entry point: translate requests into commands and views into responses, nothing else."""

from datetime import datetime

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from contracts.common import RuleFired
from contracts.referral import AgencyAssignment
from saphan_runtime.http import SessionDep
from services.referral import projections

router = APIRouter(tags=["routing"])


class RoutingView(BaseModel):
    """Which agencies a case was routed to, which one leads, and the rules that decided it."""

    case_id: str
    urgency: str
    lead: str
    assignments: list[AgencyAssignment]
    rules_fired: list[RuleFired]
    decided_at: datetime
    version: int


@router.get("/cases/{case_id}/routing", response_model=RoutingView,
            responses={404: {"description": "the case has not been routed (yet)"}})
async def get_routing(case_id: str, session: SessionDep) -> RoutingView:
    """Return a case's routing decision and why it was made."""
    routing = await projections.find_routing(session, case_id)
    if routing is None:
        raise HTTPException(404, f"no routing for case {case_id} / ยังไม่มีการส่งต่อรายการนี้")
    return RoutingView.model_validate(routing)
