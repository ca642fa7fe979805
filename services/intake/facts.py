"""The facts of a report that cannot be true (a time in the future, a wrong check digit, area codes that do not
nest): small checks, each naming the field at fault, run on a whole report or on the parts of one the schema
accepted (the dry run as an operator types)."""

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from contracts.common import IsoDateTime, Location
from contracts.intake import Client, IntakeReport, RelatedPerson, ReportLocation
from saphan_runtime.errors import DomainError
from services.intake import geography
from services.intake.people import clean_national_id, national_id_is_valid

CLOCK_SKEW = timedelta(minutes=5)
EARLIEST_REPORT = datetime(1900, 1, 1, tzinfo=UTC)
OLDEST = 130  # years, as `client_age_years` allows
PEOPLE = ("guardians", "alleged_perpetrators", "household_members")
RECEIVED_AT: TypeAdapter[datetime] = TypeAdapter(IsoDateTime)
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class ReportFacts:
    """What the fact checks of a report look at; a part that is None (absent, or refused by the schema) is left
    unchecked. `national_ids` pairs each ID with the field it came from."""

    received_at: datetime | None = None
    birth_date: date | None = None
    national_ids: tuple[tuple[str, str], ...] = ()
    location: Location | None = None


def facts_of(report: IntakeReport) -> ReportFacts:
    """Return the facts of a report the checks look at."""
    groups = [(group, getattr(report, group)) for group in PEOPLE]
    return _facts(report.received_at, report.client, groups, report.location)


def _facts(received_at: datetime | None, client: Client | None,
           groups: Sequence[tuple[str, Sequence[RelatedPerson | None]]], location: Location | None) -> ReportFacts:
    people = [("body.client.national_id", client.national_id if client else None)]
    for group, persons in groups:
        people += [(f"body.{group}.{n}.national_id", p.national_id if p else None) for n, p in enumerate(persons)]
    return ReportFacts(received_at=received_at, birth_date=client.birth_date if client else None,
                       national_ids=tuple((path, nid) for path, nid in people if nid), location=location)


def check_report(report: IntakeReport, now: datetime) -> None:
    """Refuse a report whose facts cannot be true, naming the field at fault (the first of them)."""
    for fault in report_faults(facts_of(report), now):
        raise fault


def report_faults(facts: ReportFacts, now: datetime) -> list[DomainError]:
    """Return every fault of a report's facts, each naming its field, in the order `check_report` meets them."""
    checks: list[Callable[[], None]] = [
        lambda: check_received_in_the_past(facts.received_at, now),
        lambda: check_received_since_1900(facts.received_at),
        lambda: check_born_before_the_report(facts.birth_date, facts.received_at),
        lambda: check_born_within_a_lifetime(facts.birth_date, facts.received_at),
        *(partial(check_national_id, path, national_id) for path, national_id in facts.national_ids),
        lambda: check_location(facts.location),
    ]
    return [fault for check in checks if (fault := _refusal(check)) is not None]


def _refusal(check: Callable[[], None]) -> DomainError | None:
    try:
        check()
    except DomainError as refused:
        return refused
    return None


def check_received_in_the_past(received_at: datetime | None, now: datetime) -> None:
    """Refuse a report received in the future (beyond the clocks' skew)."""
    if received_at is not None and received_at > now + CLOCK_SKEW:
        raise DomainError("received_at is in the future / เวลารับแจ้งอยู่ในอนาคต", field="body.received_at")


def check_received_since_1900(received_at: datetime | None) -> None:
    """Refuse a report received before 1900: a typing error, which the duplicate search cannot reckon with."""
    if received_at is not None and received_at < EARLIEST_REPORT:
        raise DomainError("received_at is before 1900 / เวลารับแจ้งอยู่ก่อนปี 1900", field="body.received_at")


def check_born_within_a_lifetime(birth: date | None, received_at: datetime | None) -> None:
    """Refuse a birth date that makes the client older at the report than any event allows."""
    if birth is not None and received_at is not None and whole_years(birth, received_at.date()) > OLDEST:
        raise DomainError(f"the birth date makes the client older than {OLDEST} / วันเกิดทำให้อายุเกิน {OLDEST} ปี",
                          field="body.client.birth_date")


def whole_years(birth: date, day: date) -> int:
    """Return a person's age in whole years on a day."""
    return day.year - birth.year - int((day.month, day.day) < (birth.month, birth.day))


def check_born_before_the_report(birth: date | None, received_at: datetime | None) -> None:
    """Refuse a client born after the report."""
    if birth is not None and received_at is not None and birth > received_at.date():
        raise DomainError("the birth date is after the report / วันเกิดอยู่หลังวันที่รับแจ้ง", field="body.client.birth_date")


def check_national_id(path: str, national_id: str) -> None:
    """Refuse a national ID whose check digit is wrong."""
    if not national_id_is_valid(clean_national_id(national_id)):
        raise DomainError(f"national ID {national_id} fails its check digit / เลขประจำตัวประชาชนไม่ถูกต้อง",
                          field=path)


def check_location(location: Location | None) -> None:
    """Refuse location codes that are unknown or do not nest."""
    if location is not None:
        geography.check_location(location.province_code, location.district_code, location.subdistrict_code)


def faults_of_body(body: Any, now: datetime) -> tuple[list[ErrorDetails], list[DomainError]]:
    """Return every fault of a report's JSON body at once: what the schema refuses, and the facts that cannot be
    true among the parts it accepts (a report the schema refuses still has its ID numbers and area codes checked)."""
    try:
        report = IntakeReport.model_validate(body)
    except ValidationError as refused:
        return refused.errors(), report_faults(accepted_facts(body, refused), now)
    return [], report_faults(facts_of(report), now)


def accepted_facts(body: Any, refused: ValidationError) -> ReportFacts:
    """Return the facts of the parts of a report's body the schema accepted; what it refused is left out."""
    kept = _without(body, [error["loc"] for error in refused.errors()])
    if not isinstance(kept, dict):
        return ReportFacts()
    groups = [(group, [_model(RelatedPerson, item) for item in _listed(kept.get(group))]) for group in PEOPLE]
    return _facts(_received_at(kept.get("received_at")), _model(Client, kept.get("client", {})), groups,
                  _model(ReportLocation, kept.get("location")))


def _without(body: Any, locations: list[tuple[int | str, ...]]) -> Any:
    """Return a copy of the body without the values at these locations (a list keeps its items' places)."""
    kept = copy.deepcopy(body)
    for location in locations:
        if not location:
            return None  # the body itself was refused
        parent = kept
        for step in location[:-1]:
            parent = _child(parent, step)
        last = location[-1]
        if isinstance(parent, dict) and last in parent:
            del parent[last]
        elif isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
            parent[last] = {}
    return kept


def _child(node: Any, step: int | str) -> Any:
    if isinstance(node, dict):
        return node.get(step)
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    return None


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _model(model: type[M], value: Any) -> M | None:
    try:
        return model.model_validate(value)
    except ValidationError:
        return None


def _received_at(value: Any) -> datetime | None:
    try:
        return RECEIVED_AT.validate_python(value)
    except ValidationError:
        return None
