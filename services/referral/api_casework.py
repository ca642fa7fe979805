"""Referral's HTTP entry point for case work and routing overrides: translate, nothing else."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response
from pydantic import BaseModel, Field

from saphan_runtime.auth import Principal
from saphan_runtime.authorisation import allowed
from saphan_runtime.http import BusDep, SessionDep, etag, optional_version
from services.referral.api import ERRORS, RoutingView
from services.referral.case_view import CaseStatus, case_status_view
from services.referral.casework import AnyWork
from services.referral.commands import DoCaseWork, OverrideRouting, Reassign
from services.referral.queries import case_status

router = APIRouter(tags=["case work"])
IF_MATCH = Annotated[str | None, Header(description='the case status ETag, e.g. "7" (optional)')]
CaseWorker = Annotated[Principal, Depends(allowed("referral.casework.record"))]
Overrider = Annotated[Principal, Depends(allowed("referral.routing.override"))]


class CaseWork(BaseModel):
    """A piece of case work (the unit doing it is the caller's)."""

    work: AnyWork


class Override(BaseModel):
    """An operator's routing, replacing the rules' choice, and why (the operator is the caller)."""

    reason: str = Field(min_length=1, max_length=1000)
    assignments: list[Reassign] = Field(min_length=1, max_length=10)


@router.post("/cases/{case_id}/work", response_model=CaseStatus, responses=ERRORS)
async def record_case_work(case_id: str, body: CaseWork, bus: BusDep, session: SessionDep, response: Response,
                           caller: CaseWorker, if_match: IF_MATCH = None) -> Any:
    """Record a step of the nine (assessment, care plan, implementation, home visit, reassessment,
    disengagement, surveillance), name the case manager, or request or answer an ownership transfer."""
    version = await bus.handle(DoCaseWork(case_id=case_id, by_unit=caller.unit_id, work=body.work,
                                          expected_version=optional_version(if_match)))
    response.headers["ETag"] = etag(version)
    return await case_status_view(session, case_id)


@router.post("/cases/{case_id}/routing/override", response_model=RoutingView, responses=ERRORS)
async def override_routing(case_id: str, body: Override, bus: BusDep, session: SessionDep, response: Response,
                           caller: Overrider, if_match: IF_MATCH = None) -> Any:
    """Replace a case's routing with an operator's choice; dropped referrals are cancelled, new ones sent."""
    command = OverrideRouting(case_id=case_id, by=f"{caller.user}@{caller.unit_id}", reason=body.reason,
                              assignments=body.assignments, expected_version=optional_version(if_match))
    version = await bus.handle(command)
    response.headers["ETag"] = etag(version)
    status = await case_status(session, case_id)
    assert status is not None
    return status["routing"]
