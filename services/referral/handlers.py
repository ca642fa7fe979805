"""Referral's use cases; each owns its transaction. The routing table is at the bottom."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Protocol, TypeVar

from contracts.agencies import AgencyUnitRecorded
from contracts.common import AgencyKind, DeadlineKind, ReferralRole, StatusReason, Urgency
from contracts.envelope import EventData
from contracts.referral import ReferralRequested, RoutingDecided
from saphan_runtime.bus import Handler
from saphan_runtime.errors import StaleVersion
from saphan_runtime.eventstore import UnitOfWork
from services.referral import casework, deadlines, domain, queries, referrals, registry, webhook_handlers
from services.referral.commands import (
    CancelCaseReferrals,
    ChangeReferralStatus,
    DoCaseWork,
    MarkOverdue,
    NoteCaseFacts,
    OverrideRouting,
    RecordAgencyUnit,
    ReplayWebhook,
    RouteCase,
    SeedRegistry,
    SubscribeWebhook,
)
from services.referral.lifecycle import Action
from services.referral.rules import RuleBook

Clock = Callable[[], datetime]
S = TypeVar("S")


class Versioned(Protocol):
    """Any aggregate state: it knows its version."""

    @property
    def version(self) -> int: ...


@dataclass(frozen=True)
class Policy:
    """What referral's handlers depend on: the rules, the deadlines, the sending unit of new cases, the clock."""

    rules: RuleBook
    limits: dict[Urgency, deadlines.Limits]
    intake_unit: str
    clock: Clock


async def note_case_facts(command: NoteCaseFacts, uow: UnitOfWork) -> None:
    """Keep the facts of a reported case for its routing."""
    async with uow:
        state = await _load(uow, domain.stream_id(command.case_id), domain.evolve)
        await _append(uow, domain.stream_id(command.case_id), command.case_id, state,
                      domain.note_facts(state, command))
        await uow.commit()


async def route_case(command: RouteCase, uow: UnitOfWork, *, policy: Policy) -> None:
    """Route a screened case to the units serving its area and send each of them a referral."""
    async with uow:
        stream = domain.stream_id(command.case_id)
        state = await _load(uow, stream, domain.evolve)
        units = await queries.units_for_area(uow.session, state.facts.location) if state else []
        decided = domain.decide_routing(state, command, policy.rules, units, now=policy.clock())
        await _append(uow, stream, command.case_id, state, decided)
        for decision in decided:
            assert isinstance(decision, RoutingDecided) and state is not None
            office = registry.serving(units, AgencyKind.PROVINCIAL_MSDHS_OFFICE, state.facts.location)
            for assignment in decision.assignments:
                await _request(uow, policy, decision, assignment.unit_id, assignment.agency_kind, assignment.role,
                               escalate_to=office.unit_id if office else assignment.unit_id)
        await uow.commit()


async def override_routing(command: OverrideRouting, uow: UnitOfWork, *, policy: Policy) -> int:
    """Apply an operator's override: cancel the referrals it drops, send the ones it adds; return the version."""
    stream = domain.stream_id(command.case_id)
    async with uow:
        case = await _load(uow, stream, domain.evolve)
        if case and command.expected_version is not None and case.version != command.expected_version:
            raise StaleVersion(f"the case is at version {case.version} / รายการถูกแก้ไขแล้ว", version=case.version)
        units = {a.unit_id: found[0] for a in command.assignments
                 if (found := await queries.find_unit(uow.session, a.unit_id))}
        decided = domain.override_routing(case, command, units, now=policy.clock())
        assert case is not None and isinstance(decided[0], RoutingDecided)
        await _append(uow, stream, command.case_id, case, decided)
        wanted = {(a.unit_id, a.role) for a in decided[0].assignments}
        kept = await _cancel_dropped(uow, policy, command.case_id, wanted)
        office = registry.serving(list(units.values()), AgencyKind.PROVINCIAL_MSDHS_OFFICE, case.facts.location)
        for assignment in decided[0].assignments:
            if (assignment.unit_id, assignment.role) not in kept:
                await _request(uow, policy, decided[0], assignment.unit_id, assignment.agency_kind, assignment.role,
                               escalate_to=office.unit_id if office else f"msdhs-{case.facts.location.province_code}")
        await uow.commit()
    return case.version + 1


async def _cancel_dropped(
    uow: UnitOfWork, policy: Policy, case_id: str, wanted: set[tuple[str, ReferralRole]]
) -> set[tuple[str, ReferralRole]]:
    """Cancel the open referrals an override no longer wants; return the (unit, role) pairs it keeps."""
    kept = set()
    for referral_id in await queries.open_referral_ids(uow.session, case_id):
        stream = referrals.stream_id(referral_id)
        referral = referrals.check_exists(await _load(uow, stream, referrals.evolve))
        if (referral.to_unit, referral.role) in wanted:
            kept.add((referral.to_unit, referral.role))
            continue
        events = referrals.change(referral, Action.CANCEL, by_unit=referral.from_unit, reason=StatusReason.REROUTED,
                                  outcome=None, note=None, now=policy.clock())
        await _append(uow, stream, case_id, referral, events)
    return kept


async def _request(
    uow: UnitOfWork, policy: Policy, decision: RoutingDecided, unit_id: str, kind: AgencyKind, role: ReferralRole,
    *, escalate_to: str,
) -> None:
    now = policy.clock()
    due = deadlines.due(policy.limits, decision.urgency, now)
    referral_id = str(uuid.uuid4())
    event = ReferralRequested(
        referral_id=referral_id, case_id=decision.case_id, from_unit=policy.intake_unit, to_unit=unit_id,
        to_kind=kind, role=role, urgency=decision.urgency, receipt_due=due[DeadlineKind.RECEIPT],
        acceptance_due=due[DeadlineKind.ACCEPTANCE], escalate_to=escalate_to, requested_at=now,
    )
    await uow.append(referrals.stream_id(referral_id), case_id=decision.case_id, expected_version=0, events=[event])


async def change_referral_status(command: ChangeReferralStatus, uow: UnitOfWork, *, clock: Clock) -> int:
    """Move a referral through its lifecycle; return its new version."""
    async with uow:
        stream = referrals.stream_id(command.referral_id)
        referral = await _load(uow, stream, referrals.evolve)
        if referral and command.expected_version is not None and referral.version != command.expected_version:
            raise StaleVersion(f"the referral is at version {referral.version} / การส่งต่อถูกแก้ไขแล้ว",
                               version=referral.version)
        events = referrals.change(referral, command.action, by_unit=command.by_unit, reason=command.reason,
                                  outcome=command.outcome, note=command.note, now=clock())
        referral = referrals.check_exists(referral)
        await _append(uow, stream, referral.case_id, referral, events)
        await uow.commit()
    return referral.version + len(events)


async def mark_overdue(command: MarkOverdue, uow: UnitOfWork, *, clock: Clock) -> None:
    """Flag a missed deadline (once) and escalate it."""
    async with uow:
        stream = referrals.stream_id(command.referral_id)
        referral = await _load(uow, stream, referrals.evolve)
        events = referrals.mark_overdue(referral, command.deadline, now=clock())
        if referral is not None:
            await _append(uow, stream, referral.case_id, referral, events)
        await uow.commit()


async def cancel_case_referrals(command: CancelCaseReferrals, uow: UnitOfWork, *, clock: Clock) -> None:
    """Cancel, on the senders' behalf, the open referrals of a case closed at intake."""
    async with uow:
        for referral_id in await queries.open_referral_ids(uow.session, command.case_id):
            stream = referrals.stream_id(referral_id)
            referral = referrals.check_exists(await _load(uow, stream, referrals.evolve))
            events = referrals.change(referral, Action.CANCEL, by_unit=referral.from_unit,
                                      reason=StatusReason.CLOSED_AT_INTAKE, outcome=None, note=None, now=clock())
            await _append(uow, stream, referral.case_id, referral, events)
        await uow.commit()


async def record_agency_unit(command: RecordAgencyUnit, uow: UnitOfWork, *, clock: Clock) -> int:
    """Register or change a unit; return its version (unchanged when nothing changed)."""
    stream = f"agency-{command.unit.unit_id}"
    async with uow:
        found = await queries.find_unit(uow.session, command.unit.unit_id)
        version = found[1] if found else 0
        if command.expected_version is not None and command.expected_version != version:
            raise StaleVersion(f"the unit is at version {version} / ข้อมูลหน่วยงานถูกแก้ไขแล้ว", version=version)
        if found and found[0] == command.unit:
            return version
        event = AgencyUnitRecorded(unit=command.unit, recorded_by=command.recorded_by, recorded_at=clock())
        await uow.append(stream, case_id=command.unit.unit_id, expected_version=version, events=[event])
        await uow.commit()
    return version + 1


async def do_case_work(command: DoCaseWork, uow: UnitOfWork, *, clock: Clock) -> int:
    """Record a piece of case work by a unit; return the case's new version."""
    stream = domain.stream_id(command.case_id)
    async with uow:
        case = await _load(uow, stream, domain.evolve)
        if case and command.expected_version is not None and case.version != command.expected_version:
            raise StaleVersion(f"the case is at version {case.version} / รายการถูกแก้ไขแล้ว", version=case.version)
        now = clock()
        events = casework.do_work(case, command.work, by_unit=command.by_unit, today=now.date(), now=now)
        await _append(uow, stream, command.case_id, case, list(events))
        await uow.commit()
    return (case.version if case else 0) + len(events)


async def seed_registry(command: SeedRegistry, uow: UnitOfWork, *, clock: Clock) -> int:
    """Register, in one transaction, the file's units the store does not hold; return how many."""
    async with uow:
        known = await queries.unit_ids(uow.session)
        new = [unit for unit in command.units if unit.unit_id not in known]
        for unit in new:
            event = AgencyUnitRecorded(unit=unit, recorded_by="registry-file", recorded_at=clock())
            await uow.append(f"agency-{unit.unit_id}", case_id=unit.unit_id, expected_version=0, events=[event])
        await uow.commit()
    return len(new)


async def _load(uow: UnitOfWork, stream: str, evolve: Callable[[S | None, EventData, int], S | None]) -> S | None:
    state: S | None = None
    for event in await uow.load(stream):
        state = evolve(state, event.data, event.version)
    return state


async def _append(uow: UnitOfWork, stream: str, case_id: str, state: Versioned | None, events: list[EventData]) -> None:
    await uow.append(stream, case_id=case_id, expected_version=state.version if state else 0, events=events)


def handlers(policy: Policy) -> dict[type, Handler]:
    """Return the table routing each command to its handler, with the handlers' dependencies bound."""
    return {
        NoteCaseFacts: note_case_facts,
        RouteCase: partial(route_case, policy=policy),
        ChangeReferralStatus: partial(change_referral_status, clock=policy.clock),
        MarkOverdue: partial(mark_overdue, clock=policy.clock),
        CancelCaseReferrals: partial(cancel_case_referrals, clock=policy.clock),
        RecordAgencyUnit: partial(record_agency_unit, clock=policy.clock),
        SeedRegistry: partial(seed_registry, clock=policy.clock),
        DoCaseWork: partial(do_case_work, clock=policy.clock),
        OverrideRouting: partial(override_routing, policy=policy),
        SubscribeWebhook: partial(webhook_handlers.subscribe_webhook, clock=policy.clock),
        ReplayWebhook: partial(webhook_handlers.replay_webhook, clock=policy.clock),
    }
