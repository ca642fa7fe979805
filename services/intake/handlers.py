"""Intake's use cases; each owns its transaction. The routing table is at the bottom."""

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from contracts.envelope import EventData
from contracts.intake import CaseClosedAtIntake, CaseTriaged, PossibleDuplicateFlagged
from saphan_runtime import sealing
from saphan_runtime.bus import Handler
from saphan_runtime.cloudevents import canonical_json, now
from saphan_runtime.errors import DomainError, check_version
from saphan_runtime.eventstore import UnitOfWork
from saphan_runtime.sealing import Keyring
from services.intake import domain, duplicates, facts, queries
from services.intake.commands import CloseAtIntake, ErasePersonalData, ReportCase, ResolveDuplicate


@dataclass(frozen=True)
class Outcome:
    """What a command answers: the case, its version, and (for a report) what screening decided."""

    case_id: str
    version: int
    answer: dict[str, Any]
    replayed: bool = False


async def report_case(command: ReportCase, uow: UnitOfWork, keyring: Keyring) -> Outcome:
    """Open and screen a case for a report, its personal data sealed with a new key of the case's own; a repeated
    idempotency key returns the first answer."""
    fingerprint = hashlib.sha256(canonical_json(command.report.model_dump(mode="json")).encode()).hexdigest()
    case_id = str(uuid.uuid4())
    key = f"{command.reported_by_unit}:{command.idempotency_key}" if command.idempotency_key else None  # per unit
    async with uow:
        if key and (earlier := await queries.recall(uow.session, key)):
            return _replay(earlier, fingerprint)
        report = command.report
        facts.check_report(report, now())  # before the duplicate search, which reckons from the report's facts
        person = duplicates.person_of(report.client, report.location.subdistrict_code, report.received_at)
        prior = await queries.duplicate_candidates(uow.session, person)
        case_key = await keyring.new_key(uow.session, case_id, at=now())
        events = domain.report(report, case_id=case_id, now=now(), prior=prior,
                               seal=partial(sealing.seal, case_key, case_id), by_unit=command.reported_by_unit,
                               by_user=command.reported_by_user)
        answer = screening_answer(case_id, events)
        if key:  # (before the append: on PostgreSQL the append lock is held from the append to the commit)
            await queries.remember(uow.session, key, fingerprint, case_id, answer, now())
        await uow.append(domain.stream_id(case_id), case_id=case_id, expected_version=0, events=events)
        await uow.commit()
    return Outcome(case_id, len(events), answer)


def _replay(earlier: tuple[str, dict[str, Any]], fingerprint: str) -> Outcome:
    stored_fingerprint, answer = earlier
    if stored_fingerprint != fingerprint:
        raise DomainError("this Idempotency-Key was used for a different report / Idempotency-Key นี้ใช้กับรายงานอื่นแล้ว",
                          field="header.idempotency-key")
    return Outcome(answer["case_id"], answer["version"], answer, replayed=True)


def screening_answer(case_id: str, events: list[EventData]) -> dict[str, Any]:
    """Return what the submitter is told: the case, its status, its urgency or closure, and possible duplicates."""
    answer: dict[str, Any] = {"case_id": case_id, "version": len(events), "status": "open", "urgency": None,
                              "response": None, "closure_reason": None, "decided_by": [], "possible_duplicates": []}
    for event in events:
        if isinstance(event, CaseTriaged):
            answer |= {"urgency": event.urgency, "response": event.response}
            answer["decided_by"].append(event.decided_by.model_dump())
        elif isinstance(event, CaseClosedAtIntake):
            answer |= {"status": "closed_at_intake", "closure_reason": event.reason}
            answer["decided_by"].append(event.decided_by.model_dump())
        elif isinstance(event, PossibleDuplicateFlagged):
            answer["possible_duplicates"].append({"case_id": event.existing_case_id,
                                                  "rule_id": event.decided_by.rule_id})
    return {key: (value.value if hasattr(value, "value") else value) for key, value in answer.items()}


async def close_at_intake(command: CloseAtIntake, uow: UnitOfWork) -> Outcome:
    """Close an open case at intake, if nobody changed it since the version the operator saw."""
    return await _edit(uow, command.case_id, command.expected_version,
                       lambda case: domain.close(case, reason=command.reason, now=now()))


async def resolve_duplicate(command: ResolveDuplicate, uow: UnitOfWork) -> Outcome:
    """Confirm or dismiss a flagged duplicate, if nobody changed the case since the version the operator saw."""
    return await _edit(uow, command.case_id, command.expected_version,
                       lambda case: domain.resolve_duplicate(case, existing_case_id=command.existing_case_id,
                                                             confirmed=command.confirmed, now=now()))


async def _edit(
    uow: UnitOfWork, case_id: str, expected_version: int, decide: Callable[[domain.IntakeCase], list[EventData]]
) -> Outcome:
    stream = domain.stream_id(case_id)
    async with uow:
        case = domain.check_exists(await uow.fold(stream, domain.evolve))
        check_version("case", case.version, expected_version)
        events = decide(case)
        await uow.append(stream, case_id=case_id, expected_version=case.version, events=events)
        await uow.commit()
    return Outcome(case_id, case.version + len(events), {"case_id": case_id, "version": case.version + len(events)})


async def erase_personal_data(command: ErasePersonalData, uow: UnitOfWork, keyring: Keyring) -> Outcome:
    """Destroy a case's key and record it; the projection empties the personal data intake's views hold."""
    stream = domain.stream_id(command.case_id)
    async with uow:
        case = await uow.fold(stream, domain.evolve)
        events = domain.erase(case, reason=command.reason, note=command.note, by_unit=command.by_unit, now=now())
        await keyring.destroy(uow.session, command.case_id, at=now(), because=command.reason)
        assert case is not None
        await uow.append(stream, case_id=command.case_id, expected_version=case.version, events=events)
        await uow.commit()
    return Outcome(command.case_id, case.version + 1, {"case_id": command.case_id, "version": case.version + 1})


def handlers(keyring: Keyring) -> dict[type, Handler]:
    """Return intake's handlers, bound to the keyring that seals personal data."""
    return {
        ReportCase: partial(report_case, keyring=keyring),
        CloseAtIntake: close_at_intake,
        ResolveDuplicate: resolve_duplicate,
        ErasePersonalData: partial(erase_personal_data, keyring=keyring),
    }
