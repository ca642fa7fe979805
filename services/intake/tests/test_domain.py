"""Intake's rules, in plain Python."""

from datetime import UTC, datetime, timedelta

import pytest

from contracts.common import Channel, Location, ProblemType
from contracts.intake import CaseReported
from saphan_runtime.errors import DomainError
from services.intake import domain
from services.intake.commands import ReportCase

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def command(**changes: object) -> ReportCase:
    values: dict[str, object] = {
        "channel": Channel.HOTLINE_1300, "received_at": NOW - timedelta(minutes=3),
        "problem_types": [ProblemType.CHILD_ABUSE_OR_NEGLECT], "client_age_years": 7,
        "location": Location(province_code="50", district_code="5001", subdistrict_code="500101"),
    }
    return ReportCase.model_validate({**values, **changes})


def test_a_report_opens_a_case_with_everything_it_said() -> None:
    [event] = domain.report(command(), case_id="c-1", now=NOW)
    assert isinstance(event, CaseReported)
    assert event.case_id == "c-1" and event.client_age_years == 7
    assert event.location.subdistrict_code == "500101"


def test_a_report_received_in_the_future_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        domain.report(command(received_at=NOW + timedelta(hours=1)), case_id="c", now=NOW)
    assert refused.value.field == "body.received_at"


def test_a_little_clock_skew_is_tolerated() -> None:
    assert domain.report(command(received_at=NOW + timedelta(minutes=2)), case_id="c", now=NOW)


@pytest.mark.parametrize(("location", "field"), [
    (Location(province_code="50", district_code="1001"), "body.location.district_code"),
    (Location(province_code="50", district_code="5001", subdistrict_code="500201"), "body.location.subdistrict_code"),
    (Location(province_code="50", subdistrict_code="500101"), "body.location.subdistrict_code"),
])
def test_location_codes_must_nest(location: Location, field: str) -> None:
    with pytest.raises(DomainError) as refused:
        domain.report(command(location=location), case_id="c", now=NOW)
    assert refused.value.field == field


def test_folding_the_report_gives_a_reported_case() -> None:
    [event] = domain.report(command(), case_id="c-2", now=NOW)
    state = domain.evolve(None, event, 1)
    assert state == domain.IntakeCase(case_id="c-2", status=domain.CaseStatus.REPORTED, version=1)
