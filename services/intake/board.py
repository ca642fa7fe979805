"""The live board of the day's cases: what came in, how urgent, where, and nothing about any person. It holds no
personal data (no name, national ID, birth year, address, phone or informant), so showing it records no access
event."""

from datetime import datetime, time
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.common import Urgency
from saphan_runtime.cloudevents import now
from saphan_runtime.errors import DomainError
from services.intake import geography, queries
from services.intake.triage import BANGKOK, RULES

LIMIT = 500
REASONS = {rule.rule_id: rule.reason for rule in RULES}
AREA_NAMES = ("province_name_th", "district_name_th", "subdistrict_name_th")


class BoardItem(BaseModel):
    """One case on the board: facts of the case, none of a person."""

    case_id: str
    received_at: datetime
    channel: str
    status: str = Field(description="open or closed_at_intake")
    urgency: str | None
    response: str | None
    triage_rule: str | None
    triage_reason: str | None = Field(description="why the rule gave this urgency, in English and Thai")
    closure_reason: str | None
    problem_types: list[str]
    province_code: str
    province_name_th: str | None
    district_code: str | None
    district_name_th: str | None
    subdistrict_code: str | None
    subdistrict_name_th: str | None
    possible_duplicate: bool = Field(description="a possible duplicate flagged by screening awaits an answer")


class Board(BaseModel):
    """The cases the caller's unit is party to received since a moment, newest first (at most 500)."""

    since: datetime
    total: int = Field(description="how many cases, counting any past the 500 listed")
    counts: dict[Urgency, int] = Field(description="cases per urgency, every urgency named; cases closed at intake "
                                                   "before triage have none and are counted in total only")
    items: list[BoardItem]


def start_of_today(at: datetime) -> datetime:
    """Return midnight, Bangkok time, of the day a moment falls on in Bangkok."""
    return datetime.combine(at.astimezone(BANGKOK).date(), time(), tzinfo=BANGKOK)


def area_names(row: dict[str, Any]) -> dict[str, str | None]:
    """Return the Thai names of a case's area; none where the official list no longer knows a code."""
    try:
        area = geography.describe(row["province_code"], row["district_code"], row["subdistrict_code"])
    except DomainError:
        return dict.fromkeys(AREA_NAMES)
    return dict(zip(AREA_NAMES, (area.province_name_th, area.district_name_th, area.subdistrict_name_th), strict=True))


def item_of(row: dict[str, Any]) -> BoardItem:
    """Return a row of the board's query as a board item, with its area's names and its triage rule's reason."""
    return BoardItem.model_validate({**row, **area_names(row), "triage_reason": REASONS.get(row["triage_rule"] or "")})


async def read_board(session: AsyncSession, *, party: str, since: datetime | None = None) -> dict[str, Any]:
    """Return the board of a unit's cases received since a moment (default: since midnight Bangkok time, taken anew
    at every call, so a stream rolls over to the next day) as the API's JSON shows it."""
    since = since or start_of_today(now())
    rows = await queries.board_cases(session, party=party, since=since, limit=LIMIT)
    counts = await queries.urgency_counts(session, party=party, since=since)
    board = Board(since=since, total=sum(counts.values()),
                  counts={urgency: counts.get(urgency.value, 0) for urgency in Urgency},
                  items=[item_of(row) for row in rows])
    return board.model_dump(mode="json")
