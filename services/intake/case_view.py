"""One case as intake's API shows it (its screening record and duplicate links); audit replays the same view from
the ledger with this same code. The personal data (the client's name, national ID, birth year and address, the
informant's identity) is sealed with the case's key, which never leaves intake, so a replay shows it empty."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from saphan_runtime.replay import CaseView
from saphan_runtime.settings import service_source
from services.intake import db, projections, queries
from services.intake.projections import PERSONAL_COLUMNS


class LinkView(BaseModel):
    existing_case_id: str
    rule_id: str
    status: str
    flagged_at: datetime


class CaseRecord(BaseModel):
    """One case's intake record."""

    case_id: str
    status: str
    channel: str
    received_at: datetime
    duty_shift: str
    request_kind: str
    problem_types: list[str]
    urgency: str | None
    response: str | None
    triage_rule: str | None
    closure_reason: str | None
    client_name: str | None
    client_national_id: str | None
    client_birth_year: int | None
    client_age_years: int | None
    client_sex: str
    province_code: str
    district_code: str | None
    subdistrict_code: str | None
    consent: str
    informant_name: str | None = None
    informant_phone: str | None = None
    informant_relationship: str | None = None
    client_address: str | None = None
    personal_data_erased_at: datetime | None = None
    version: int
    updated_at: datetime
    possible_duplicates: list[LinkView] = []
    hidden_fields: list[str] = Field(default=[], description="fields the access policy hides from this caller")


async def read_case(session: AsyncSession, case_id: str) -> dict[str, Any] | None:
    """Return a case's intake record exactly as the API's JSON shows it, or None."""
    case = await queries.find_case(session, case_id)
    return CaseRecord.model_validate(case).model_dump(mode="json") if case else None


CASE_VIEW = CaseView(name="intake", source=service_source("intake"), metadata=db.metadata,
                     project=projections.project, read=read_case,
                     private_fields=frozenset(PERSONAL_COLUMNS) - {"client_name_key"})
