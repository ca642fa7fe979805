"""Intake's HTTP entry point: translate requests into commands and views into responses, nothing else."""

from datetime import datetime

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel

from saphan_runtime.http import BusDep, SessionDep
from services.intake import projections
from services.intake.commands import ReportCase

router = APIRouter(tags=["cases"])


class CaseCreated(BaseModel):
    """The answer to a new report."""

    case_id: str


class CaseView(BaseModel):
    """A case as intake shows it."""

    case_id: str
    status: str
    channel: str
    received_at: datetime
    problem_types: list[str]
    client_age_years: int | None
    province_code: str
    district_code: str | None
    subdistrict_code: str | None
    version: int


@router.post("/cases", status_code=201, response_model=CaseCreated,
             responses={422: {"description": "a field is missing or invalid"}})
async def post_case(command: ReportCase, bus: BusDep, response: Response) -> CaseCreated:
    """Open a case for a report."""
    case_id = await bus.handle(command)
    response.headers["Location"] = f"/cases/{case_id}"
    return CaseCreated(case_id=case_id)


@router.get("/cases/{case_id}", response_model=CaseView, responses={404: {"description": "no such case"}})
async def get_case(case_id: str, session: SessionDep) -> CaseView:
    """Return a case's current status."""
    case = await projections.find_case(session, case_id)
    if case is None:
        raise HTTPException(404, f"case {case_id} not found / ไม่พบรายการนี้")
    return CaseView.model_validate(case)
