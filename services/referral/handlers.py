"""Referral's use cases; each owns its transaction. The routing table is at the bottom."""

import uuid
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Protocol

from contracts.agencies import AgencyUnit, AgencyUnitRecorded
from contracts.common import AgencyKind, DeadlineKind, Location, ReferralRole, StatusReason, Urgency
from contracts.envelope import EventData
from contracts.referral import ReferralRequested, RoutingDecided
from saphan_runtime.bus import Handler
from saphan_runtime.errors import check_version
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
        state = await uow.fold(domain.stream_id(command.case_id), domain.evolve)
        await _append(uow, domain.stream_id(command.case_id), command.case_id, state,
                      domain.note_facts(state, command))
        await uow.commit()


async def route_case(command: RouteCase, uow: UnitOfWork, *, policy: Policy) -> None:
    """Route a screened case to the units serving its area and send each of them a referral."""
    async with uow:
        stream = domain.stream_id(command.case_id)
        state = await uow.fold(stream, domain.evolve)
        units = await queries.units_for_area(uow.session, state.facts.location) if state else []
        decided = domain.decide_routing(state, command, policy.rules, units, now=policy.clock())
        await _append(uow, stream, command.case_id, state, decided)
        for decision in decided:
            assert isinstance(decision, RoutingDecided) and state is not None
            office = _provincial_office(units, state.facts.location)
            for assignment in decision.assignments:
                await _request(uow, policy, decision, assignment.unit_id, assignment.agency_kind, assignment.role,
                               escalate_to=office)
        await uow.commit()


async def override_routing(command: OverrideRouting, uow: UnitOfWork, *, policy: Policy) -> int:
    """Apply an operator's override: cancel the referrals it drops, send the ones it adds; return the version."""
    stream = domain.stream_id(command.case_id)
    async with uow:
        case = await uow.fold(stream, domain.evolve)
        if case:
            check_version("case", case.version, command.expected_version)
        units = {a.unit_id: found[0] for a in command.assignments
                 if (found := await queries.find_unit(uow.session, a.unit_id))}
        decided = domain.override_routing(case, command, units, now=policy.clock())
        assert case is not None and isinstance(decided[0], RoutingDecided)
        await _append(uow, stream, command.case_id, case, decided)
        wanted = {(a.unit_id, a.role) for a in decided[0].assignments}
        kept = await _cancel_open(uow, command.case_id, StatusReason.REROUTED, policy.clock(), keep=wanted)
        office = _provincial_office(await queries.units_for_area(uow.session, case.facts.location),
                                    case.facts.location)
        for assignment in decided[0].assignments:
            if (assignment.unit_id, assignment.role) not in kept:
                await _request(uow, policy, decided[0], assignment.unit_id, assignment.agency_kind, assignment.role,
                               escalate_to=office)
        await uow.commit()
    return case.version + 1


async def _cancel_open(
    uow: UnitOfWork, case_id: str, reason: StatusReason, now: datetime,
    keep: AbstractSet[tuple[str, ReferralRole]] = frozenset(),
) -> set[tuple[str, ReferralRole]]:
    """Cancel, on the senders' behalf, a case's open referrals but those to (unit, role) pairs to keep; return the
    pairs kept."""
    kept = set()
    for referral_id in await queries.open_referral_ids(uow.session, case_id):
        stream = referrals.stream_id(referral_id)
        referral = referrals.check_exists(await uow.fold(stream, referrals.evolve))
        if (referral.to_unit, referral.role) in keep:
            kept.add((referral.to_unit, referral.role))
            continue
        events = referrals.change(referral, Action.CANCEL, by_unit=referral.from_unit, reason=reason,
                                  outcome=None, note=None, now=now)
        await _append(uow, stream, case_id, referral, events)
    return kept


def _provincial_office(units: list[AgencyUnit], location: Location) -> str:
    """Return the provincial office told when a referral's deadline is missed (by its usual id if none serves), from
    the units serving the area."""
    office = registry.serving(units, AgencyKind.PROVINCIAL_MSDHS_OFFICE, location)
    return office.unit_id if office else f"msdhs-{location.province_code}"


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
        referral = await uow.fold(stream, referrals.evolve)
        if referral:
            check_version("referral", referral.version, command.expected_version)
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
        referral = await uow.fold(stream, referrals.evolve)
        events = referrals.mark_overdue(referral, command.deadline, now=clock())
        if referral is not None:
            await _append(uow, stream, referral.case_id, referral, events)
        await uow.commit()


async def cancel_case_referrals(command: CancelCaseReferrals, uow: UnitOfWork, *, clock: Clock) -> None:
    """Cancel, on the senders' behalf, the open referrals of a case closed at intake."""
    async with uow:
        await _cancel_open(uow, command.case_id, StatusReason.CLOSED_AT_INTAKE, clock())
        await uow.commit()


async def record_agency_unit(command: RecordAgencyUnit, uow: UnitOfWork, *, clock: Clock) -> int:
    """Register or change a unit; return its version (unchanged when nothing changed)."""
    stream = f"agency-{command.unit.unit_id}"
    async with uow:
        found = await queries.find_unit(uow.session, command.unit.unit_id)
        version = found[1] if found else 0
        check_version("unit", version, command.expected_version)
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
        case = await uow.fold(stream, domain.evolve)
        if case:
            check_version("case", case.version, command.expected_version)
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
