"""Intake's read side: views written in the same transaction as the events, and the queries."""

from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.envelope import EventData
from contracts.intake import (
    CaseClosedAtIntake,
    CaseReported,
    CaseTriaged,
    DuplicateResolved,
    IntakeReport,
    PersonalDataErased,
    PossibleDuplicateFlagged,
    ReportReceived,
)
from saphan_runtime import direct, sealing
from saphan_runtime.eventstore import Projection, StoredEvent, projector
from saphan_runtime.transactions import before_commit
from services.intake import duplicates
from services.intake.db import case_links, cases
from services.intake.people import name_key

# Built once; the columns it sets are those its parameters name (besides `case_key`).
UPDATE_CASE = update(cases).where(cases.c.case_id == bindparam("case_key"))
# session.info: the `cases` rows opened in this transaction, by case; the events after ReportReceived in the same
# transaction (reported, triaged or closed, duplicates) change the row here, and it is inserted once, as the
# transaction commits: one statement for a new report where there were three.
NEW_CASES = "intake.new_cases"
# The personal data the `cases` view holds (opened from the sealed report): emptied when the case is erased.
PERSONAL_COLUMNS = ("client_name", "client_name_key", "client_national_id", "client_birth_year", "informant_name",
                    "informant_phone", "informant_relationship", "client_address")


async def case_opened(session: AsyncSession, event: StoredEvent) -> None:
    """Add a received report to the `cases` view, its personal data opened with the case's key. Where the key is not
    here (a replay from the ledger) or was destroyed, CaseReported opens the case without it."""
    data = event.data
    assert isinstance(data, ReportReceived)
    keyring = sealing.keyring_of(session)
    opened = await keyring.open(session, data.case_id, data.report) if keyring else None
    if opened is None:
        return
    report = IntakeReport.model_validate_json(opened)
    client, informant = report.client, report.informant
    person = duplicates.person_of(client, report.location.subdistrict_code, report.received_at)
    _new_cases(session)[data.case_id] = {
        "case_id": data.case_id, "status": "open", "channel": report.channel, "received_at": report.received_at,
        "duty_shift": data.duty_shift, "request_kind": report.request_kind,
        "problem_types": [p.value for p in report.problem_types],
        "client_name": client.name, "client_name_key": name_key(client.name) if client.name else None,
        "client_national_id": person.national_id, "client_birth_year": person.birth_year,
        "client_birth_year_estimated": person.birth_year_estimated,
        "client_age_years": duplicates.age_at(client, report.received_at), "client_sex": client.sex,
        "province_code": report.location.province_code, "district_code": report.location.district_code,
        "subdistrict_code": report.location.subdistrict_code, "consent": report.consent,
        "informant_name": informant.name, "informant_phone": informant.callback_phone,
        "informant_relationship": informant.relationship_to_client, "client_address": report.location.address,
        "version": event.version, "updated_at": event.envelope.time,
    }


def _new_cases(session: AsyncSession) -> dict[str, dict[str, Any]]:
    opened: dict[str, dict[str, Any]] | None = session.info.get(NEW_CASES)
    if opened is None:
        opened = session.info[NEW_CASES] = {}
        before_commit(session, NEW_CASES, _insert_new_cases)
    return opened


async def _insert_new_cases(session: AsyncSession) -> None:
    for row in session.info.pop(NEW_CASES, {}).values():  # (one by one: their columns differ with their events)
        await direct.insert_rows(session, cases, [row])


async def case_reported(session: AsyncSession, event: StoredEvent) -> None:
    """Open the case from its published facts where the report itself is not here (a replay from the ledger)."""
    data = event.data
    assert isinstance(data, CaseReported)
    if (opened := session.info.get(NEW_CASES, {}).get(data.case_id)) is not None:
        opened.update(version=event.version, updated_at=event.envelope.time)
        return
    updated = await session.execute(UPDATE_CASE, {"case_key": data.case_id, "version": event.version,
                                                  "updated_at": event.envelope.time})
    if updated.rowcount:  # type: ignore[attr-defined]
        return
    location = data.location
    await session.execute(insert(cases), {
        "case_id": data.case_id, "status": "open", "channel": data.channel, "received_at": data.received_at,
        "duty_shift": data.duty_shift, "request_kind": data.request_kind,
        "problem_types": [p.value for p in data.problem_types], "client_birth_year_estimated": False,
        "client_age_years": data.client_age_years, "client_sex": data.client_sex,
        "province_code": location.province_code, "district_code": location.district_code,
        "subdistrict_code": location.subdistrict_code, "consent": data.consent,
        "version": event.version, "updated_at": event.envelope.time,
    })


async def case_triaged(session: AsyncSession, event: StoredEvent) -> None:
    """Record a case's urgency and the rule that set it."""
    data = event.data
    assert isinstance(data, CaseTriaged)
    await _update_case(session, event, urgency=data.urgency, response=data.response,
                       triage_rule=data.decided_by.rule_id)


async def case_closed(session: AsyncSession, event: StoredEvent) -> None:
    """Mark a case closed at intake, with its reason."""
    data = event.data
    assert isinstance(data, CaseClosedAtIntake)
    await _update_case(session, event, status="closed_at_intake", closure_reason=data.reason)


async def duplicate_flagged(session: AsyncSession, event: StoredEvent) -> None:
    """Offer a link to the case this one may duplicate."""
    data = event.data
    assert isinstance(data, PossibleDuplicateFlagged)
    await session.execute(insert(case_links), {"case_id": data.case_id, "existing_case_id": data.existing_case_id,
                                               "rule_id": data.decided_by.rule_id, "status": "flagged",
                                               "flagged_at": data.flagged_at})
    await _update_case(session, event)


async def duplicate_resolved(session: AsyncSession, event: StoredEvent) -> None:
    """Record a person's answer to a flagged duplicate."""
    data = event.data
    assert isinstance(data, DuplicateResolved)
    await session.execute(
        update(case_links)
        .where(case_links.c.case_id == data.case_id, case_links.c.existing_case_id == data.existing_case_id)
        .values(status="confirmed" if data.confirmed else "dismissed")
    )
    await _update_case(session, event)


async def personal_data_erased(session: AsyncSession, event: StoredEvent) -> None:
    """Empty the personal data of an erased case (its key is destroyed too, so no copy can be opened again)."""
    data = event.data
    assert isinstance(data, PersonalDataErased)
    await _update_case(session, event, personal_data_erased_at=data.erased_at,
                       **dict.fromkeys(PERSONAL_COLUMNS))


async def _update_case(session: AsyncSession, event: StoredEvent, **values: Any) -> None:
    changes = {"version": event.version, "updated_at": event.envelope.time, **values}
    if (opened := session.info.get(NEW_CASES, {}).get(event.envelope.subject)) is not None:
        opened.update(changes)  # opened in this transaction: inserted as it commits
        return
    await session.execute(UPDATE_CASE, {"case_key": event.envelope.subject, **changes})


PROJECTIONS: dict[type[EventData], Projection] = {
    ReportReceived: case_opened,
    CaseReported: case_reported,
    CaseTriaged: case_triaged,
    CaseClosedAtIntake: case_closed,
    PossibleDuplicateFlagged: duplicate_flagged,
    DuplicateResolved: duplicate_resolved,
    PersonalDataErased: personal_data_erased,
}

project = projector(PROJECTIONS)
