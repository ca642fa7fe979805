"""Duplicate reports: the same national ID, or a close name match plus birth year plus subdistrict within a
window. A match is offered as a link to the existing case, never merged."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from contracts.common import RuleFired
from contracts.intake import Client
from services.intake.people import clean_national_id, names_match

WINDOW = timedelta(days=90)

SAME_ID = RuleFired(rule_id="duplicate.same-national-id",
                    reason="The same national ID as an existing case / เลขประจำตัวประชาชนตรงกับรายการที่มีอยู่")
SAME_PERSON = RuleFired(rule_id="duplicate.name-birth-year-subdistrict",
                        reason="A close name match, the same birth year and subdistrict, reported within 90 days / "
                               "ชื่อใกล้เคียง ปีเกิดและตำบลเดียวกัน แจ้งภายใน 90 วัน")


@dataclass(frozen=True)
class Person:
    """Who a case is about, as far as duplicate detection needs to know."""

    national_id: str | None
    name: str | None
    birth_year: int | None
    birth_year_estimated: bool
    subdistrict_code: str | None
    received_at: datetime


@dataclass(frozen=True)
class PriorCase:
    """An existing case that might be the same."""

    case_id: str
    person: Person


def age_at(client: Client, moment: datetime) -> int | None:
    """Return the client's age in whole years at a moment: from the birth date, else the estimate."""
    if client.birth_date is None:
        return client.estimated_age_years
    day = moment.date()
    before_birthday = (day.month, day.day) < (client.birth_date.month, client.birth_date.day)
    return day.year - client.birth_date.year - int(before_birthday)


def person_of(client: Client, subdistrict_code: str | None, received_at: datetime) -> Person:
    """Return the identifying facts of a report's client."""
    estimated = client.birth_date is None
    if client.birth_date is not None:
        year: int | None = client.birth_date.year
    elif client.estimated_age_years is not None:
        year = received_at.year - client.estimated_age_years
    else:
        year = None
    national_id = clean_national_id(client.national_id) if client.national_id else None
    return Person(national_id, client.name, year, estimated, subdistrict_code, received_at)


def find_duplicates(person: Person, prior: Sequence[PriorCase]) -> list[tuple[str, RuleFired]]:
    """Return the existing cases that look like the same person, with the rule that matched each."""
    found = []
    for case in prior:
        rule = _matching_rule(person, case.person)
        if rule is not None:
            found.append((case.case_id, rule))
    return found


def _matching_rule(new: Person, old: Person) -> RuleFired | None:
    if new.national_id and new.national_id == old.national_id:
        return SAME_ID
    same_place = new.subdistrict_code is not None and new.subdistrict_code == old.subdistrict_code
    recent = abs(new.received_at - old.received_at) <= WINDOW
    if same_place and recent and _birth_years_agree(new, old) and new.name and old.name and names_match(
        new.name, old.name
    ):
        return SAME_PERSON
    return None


def _birth_years_agree(a: Person, b: Person) -> bool:
    if a.birth_year is None or b.birth_year is None:
        return False
    tolerance = 1 if a.birth_year_estimated or b.birth_year_estimated else 0
    return abs(a.birth_year - b.birth_year) <= tolerance


def birth_year_range(person: Person) -> tuple[int, int] | None:
    """Return the birth years a prior case may have to be a candidate."""
    if person.birth_year is None:
        return None
    return person.birth_year - 1, person.birth_year + 1


