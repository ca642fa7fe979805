"""Intake's queries over its views: one case, the search, the board, duplicate candidates, idempotency keys."""

import functools
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, and_, bindparam, cast, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from saphan_runtime import parties
from saphan_runtime.transactions import ConcurrencyConflict
from services.intake import duplicates
from services.intake.db import case_links, cases, idempotency_keys
from services.intake.people import name_key

PUBLIC_COLUMNS = [c for c in cases.c if c.name not in {"client_name_key", "client_birth_year_estimated"}]


async def find_case(session: AsyncSession, case_id: str) -> dict[str, Any] | None:
    """Return one case's intake record with its duplicate links, or None."""
    row = (await session.execute(select(*PUBLIC_COLUMNS).where(cases.c.case_id == case_id))).mappings().first()
    if row is None:
        return None
    links = await session.execute(select(case_links).where(case_links.c.case_id == case_id))
    return {**row, "possible_duplicates": [dict(link) for link in links.mappings()]}


@dataclass(frozen=True)
class Search:
    """What to search by; every filter is optional and they combine with AND."""

    national_id: str | None = None
    name: str | None = None
    province_code: str | None = None
    district_code: str | None = None
    subdistrict_code: str | None = None
    problem_type: str | None = None
    urgency: str | None = None
    status: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    party: str | None = None  # only the cases this unit is party to


def _filtered(query: Select[Any], search: Search) -> Select[Any]:
    exact = {"client_national_id": search.national_id, "province_code": search.province_code,
             "district_code": search.district_code, "subdistrict_code": search.subdistrict_code,
             "urgency": search.urgency, "status": search.status}
    conditions = [cases.c[column] == value for column, value in exact.items() if value]
    if search.name and (key := name_key(search.name)):
        conditions.append(cases.c.client_name_key.contains(key, autoescape=True))
    if search.problem_type:
        conditions.append(cast(cases.c.problem_types, Text).contains(f'"{search.problem_type}"', autoescape=True))
    if search.received_from:
        conditions.append(cases.c.received_at >= search.received_from)
    if search.received_to:
        conditions.append(cases.c.received_at < search.received_to)
    if search.party:
        conditions.append(cases.c.case_id.in_(parties.cases_of_unit(search.party)))
    return query.where(and_(*conditions))


async def search_cases(session: AsyncSession, search: Search, *, page: int, size: int) -> tuple[int, list[Any]]:
    """Return the total matching and one page of them, newest first."""
    total = await session.scalar(_filtered(select(func.count()).select_from(cases), search))
    rows = await session.execute(
        _filtered(select(*PUBLIC_COLUMNS), search)
        .order_by(cases.c.received_at.desc(), cases.c.case_id).offset((page - 1) * size).limit(size)
    )
    return int(total or 0), [dict(row) for row in rows.mappings()]


# What the board shows of a case: facts only, never a column of personal data (see projections.PERSONAL_COLUMNS).
BOARD_COLUMNS = ("case_id", "received_at", "channel", "status", "urgency", "response", "triage_rule",
                 "closure_reason", "problem_types", "province_code", "district_code", "subdistrict_code")


async def board_cases(session: AsyncSession, *, party: str, since: datetime, limit: int) -> list[dict[str, Any]]:
    """Return the board's columns of the cases a unit is party to received since a moment, newest first, each with
    whether a flagged possible duplicate still awaits an answer."""
    awaiting = (select(case_links.c.case_id)
                .where(case_links.c.case_id == cases.c.case_id, case_links.c.status == "flagged").exists())
    query = _filtered(select(*(cases.c[name] for name in BOARD_COLUMNS), awaiting.label("possible_duplicate")),
                      Search(received_from=since, party=party))
    rows = await session.execute(query.order_by(cases.c.received_at.desc(), cases.c.case_id).limit(limit))
    return [dict(row) for row in rows.mappings()]


async def urgency_counts(session: AsyncSession, *, party: str, since: datetime) -> dict[str | None, int]:
    """Return how many of those cases (all of them, past any limit) have each urgency; None counts the untriaged."""
    search = Search(received_from=since, party=party)
    rows = await session.execute(_filtered(select(cases.c.urgency, func.count()).select_from(cases), search)
                                 .group_by(cases.c.urgency))
    return {urgency: int(count) for urgency, count in rows.tuples()}


async def duplicate_candidates(session: AsyncSession, person: duplicates.Person) -> list[duplicates.PriorCase]:
    """Return the earlier cases that could be the same person: same national ID, or same place and age."""
    years = duplicates.birth_year_range(person)
    by_place = bool(person.subdistrict_code and years and person.name)
    if not person.national_id and not by_place:
        return []
    values: dict[str, Any] = {"national_id": person.national_id}
    if by_place:
        assert years is not None
        values |= {"subdistrict": person.subdistrict_code, "born_from": years[0], "born_to": years[1],
                   "from": person.received_at - duplicates.WINDOW, "to": person.received_at + duplicates.WINDOW}
    rows = await session.execute(_candidates(bool(person.national_id), by_place), values)
    return [duplicates.PriorCase(row.case_id, duplicates.Person(
        row.client_national_id, row.client_name, row.client_birth_year, row.client_birth_year_estimated,
        row.subdistrict_code, row.received_at)) for row in rows]


@functools.cache
def _candidates(by_national_id: bool, by_place: bool) -> Select[Any]:
    """Return the duplicate search of one shape, built once (building it cost more than running it)."""
    conditions = []
    if by_national_id:
        conditions.append(cases.c.client_national_id == bindparam("national_id"))
    if by_place:
        conditions.append(and_(
            cases.c.subdistrict_code == bindparam("subdistrict"),
            cases.c.client_birth_year.between(bindparam("born_from"), bindparam("born_to")),
            cases.c.received_at.between(bindparam("from"), bindparam("to")),
        ))
    return select(cases).where(or_(*conditions)).limit(50)


async def recall(session: AsyncSession, key: str) -> tuple[str, dict[str, Any]] | None:
    """Return the fingerprint and stored answer of an idempotency key, or None."""
    row = (await session.execute(select(idempotency_keys).where(idempotency_keys.c.key == key))).first()
    return (row.fingerprint, json.loads(row.response)) if row else None


async def remember(session: AsyncSession, key: str, fingerprint: str, case_id: str, answer: dict[str, Any],
                   at: datetime) -> None:
    """Store the answer given to an idempotency key (in the same transaction as the case)."""
    try:
        await session.execute(insert(idempotency_keys), {"key": key, "fingerprint": fingerprint, "case_id": case_id,
                                                         "response": json.dumps(answer), "created_at": at})
    except IntegrityError as error:
        raise ConcurrencyConflict(f"idempotency key {key!r} was taken by a concurrent request") from error


async def cases_past_retention(session: AsyncSession, received_before: datetime, limit: int = 500) -> list[str]:
    """Return cases received before a moment whose personal data is not erased yet, oldest first."""
    rows = await session.scalars(select(cases.c.case_id).where(cases.c.received_at < received_before,
                                                               cases.c.personal_data_erased_at.is_(None))
                                 .order_by(cases.c.received_at).limit(limit))
    return list(rows)
