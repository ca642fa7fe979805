"""Who is party to a case: how each event changes the `case_parties` view, and the view on real databases."""

from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.access import Relation
from contracts.casework import OwnershipTransferAnswered, OwnershipTransferRequested
from contracts.common import AgencyKind, CaseStage, ReferralRole, ReferralStatus, Response, RuleFired, Urgency
from contracts.envelope import EventData
from contracts.intake import CaseReported, CaseTriaged
from contracts.referral import AgencyAssignment, ReferralRequested, ReferralStatusChanged, RoutingDecided
from saphan_runtime.parties import (
    CASE_PARTIES,
    TRANSFER,
    Change,
    case_parties_table,
    cases_of_unit,
    changes,
    note,
    relations,
    relations_of_cases,
)
from saphan_runtime.tests.support import case_reported, tables_store

CASE = "case-1"
AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
HOTLINE, SHELTER, PROSECUTOR, OFFICE = "hotline-1300", "shelter-10", "prosecutor-10", "msdhs-10"
TO_SHELTER, TO_PROSECUTOR = "referral-shelter", "referral-prosecutor"
REPORTER, LEAD, SENDER = Relation.REPORTER, Relation.LEAD, Relation.SENDER
REFERRED, SERVING, OVERSEER = Relation.REFERRED, Relation.SERVING, Relation.OVERSEER


def reported(unit: str | None = HOTLINE, case_id: str = CASE) -> CaseReported:
    """Return a case report, made by a unit's user (or by nobody's)."""
    return case_reported(case_id).model_copy(update={"reported_by_unit": unit})


def routed(lead: str = SHELTER) -> RoutingDecided:
    """Return a routing decision with a shelter leading and a prosecutor petitioning."""
    return RoutingDecided(
        case_id=CASE, urgency=Urgency.URGENT, lead=AgencyKind.CHILDREN_FAMILY_SHELTER, decided_at=AT,
        assignments=[AgencyAssignment(agency_kind=AgencyKind.CHILDREN_FAMILY_SHELTER, unit_id=lead,
                                      role=ReferralRole.LEAD),
                     AgencyAssignment(agency_kind=AgencyKind.JUVENILE_FAMILY_PROSECUTOR, unit_id=PROSECUTOR,
                                      role=ReferralRole.WELFARE_PROTECTION_PETITION)],
        rules_fired=[RuleFired(rule_id="route.child-violence", reason="เด็ก / child")])


def requested(referral_id: str, to_unit: str, kind: AgencyKind) -> ReferralRequested:
    """Return a referral of the case from the hotline, escalated to the provincial office."""
    return ReferralRequested(
        referral_id=referral_id, case_id=CASE, from_unit=HOTLINE, to_unit=to_unit, to_kind=kind,
        role=ReferralRole.SUPPORT, urgency=Urgency.URGENT, receipt_due=AT + timedelta(hours=1),
        acceptance_due=AT + timedelta(hours=24), escalate_to=OFFICE, requested_at=AT)


def status_changed(referral_id: str, to_unit: str, previous: ReferralStatus, status: ReferralStatus
                   ) -> ReferralStatusChanged:
    """Return a referral's move to a new status, made by the unit it was sent to."""
    return ReferralStatusChanged(referral_id=referral_id, case_id=CASE, from_unit=HOTLINE, to_unit=to_unit,
                                 previous=previous, status=status, by_unit=to_unit, changed_at=AT)


def transfer_requested(to_unit: str = OFFICE) -> OwnershipTransferRequested:
    """Return the shelter's request that another unit take the case over."""
    return OwnershipTransferRequested(case_id=CASE, by_unit=SHELTER, stage=CaseStage.ASSESSMENT, at=AT,
                                      to_unit=to_unit, reason="needs the provincial office")


def transfer_answered(accepted: bool, by_unit: str = OFFICE) -> OwnershipTransferAnswered:
    """Return the asked unit's answer to a transfer from the shelter."""
    return OwnershipTransferAnswered(case_id=CASE, by_unit=by_unit, stage=CaseStage.ASSESSMENT, at=AT,
                                     from_unit=SHELTER, accepted=accepted)


def triaged() -> CaseTriaged:
    """Return a screening decision, which changes nobody's relation."""
    return CaseTriaged(case_id=CASE, urgency=Urgency.URGENT, response=Response.FIELD_VISIT, triaged_at=AT,
                       decided_by=RuleFired(rule_id="intake.urgent", reason="urgent"))


# The life of a case, and after each event how every unit stands to it.
STORY: list[tuple[EventData, dict[str, set[Relation]]]] = [
    (reported(), {HOTLINE: {REPORTER}, SHELTER: set(), PROSECUTOR: set(), OFFICE: set()}),
    (routed(), {HOTLINE: {REPORTER}, SHELTER: {LEAD}, PROSECUTOR: set(), OFFICE: set()}),
    (requested(TO_SHELTER, SHELTER, AgencyKind.CHILDREN_FAMILY_SHELTER),
     {HOTLINE: {REPORTER, SENDER}, SHELTER: {LEAD, REFERRED}, PROSECUTOR: set(), OFFICE: {OVERSEER}}),
    (requested(TO_PROSECUTOR, PROSECUTOR, AgencyKind.JUVENILE_FAMILY_PROSECUTOR),
     {HOTLINE: {REPORTER, SENDER}, SHELTER: {LEAD, REFERRED}, PROSECUTOR: {REFERRED}, OFFICE: {OVERSEER}}),
    (status_changed(TO_SHELTER, SHELTER, ReferralStatus.REQUESTED, ReferralStatus.RECEIVED),
     {HOTLINE: {REPORTER, SENDER}, SHELTER: {LEAD, REFERRED}, PROSECUTOR: {REFERRED}, OFFICE: {OVERSEER}}),
    (status_changed(TO_SHELTER, SHELTER, ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED),
     {HOTLINE: {REPORTER, SENDER}, SHELTER: {LEAD, SERVING}, PROSECUTOR: {REFERRED}, OFFICE: {OVERSEER}}),
    (status_changed(TO_PROSECUTOR, PROSECUTOR, ReferralStatus.REQUESTED, ReferralStatus.REJECTED),
     {HOTLINE: {REPORTER, SENDER}, SHELTER: {LEAD, SERVING}, PROSECUTOR: set(), OFFICE: {OVERSEER}}),
    (transfer_requested(),
     {HOTLINE: {REPORTER, SENDER}, SHELTER: {LEAD, SERVING}, PROSECUTOR: set(), OFFICE: {OVERSEER, REFERRED}}),
    (transfer_answered(accepted=True),
     {HOTLINE: {REPORTER, SENDER}, SHELTER: {SERVING}, PROSECUTOR: set(), OFFICE: {OVERSEER, LEAD}}),
]


def parties_store(url: str) -> AbstractAsyncContextManager[async_sessionmaker[AsyncSession]]:
    """Return sessions on a database whose `case_parties` table exists (its engine disposed of afterwards)."""
    return tables_store(url, case_parties_table)


async def noted(sessions: async_sessionmaker[AsyncSession], *events: EventData) -> None:
    """Note events in the `case_parties` view, one transaction each."""
    for event in events:
        async with sessions() as session, session.begin():
            await note(session, event)


async def standing(sessions: async_sessionmaker[AsyncSession], case_id: str = CASE) -> dict[str, set[Relation]]:
    """Return how each unit of the story stands to a case."""
    async with sessions() as session:
        return {unit: set(await relations(session, case_id, unit) or ()) for unit in STORY[0][1]}


async def rows(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, ...]]:
    """Return every row of the view, in order."""
    async with sessions() as session:
        found = await session.execute(select(CASE_PARTIES).order_by(*CASE_PARTIES.primary_key.columns))
        return [tuple(row) for row in found]


def test_a_report_by_a_unit_makes_it_the_reporter() -> None:
    assert changes(reported()) == Change(CASE, adds=((HOTLINE, REPORTER, ""),))


def test_a_report_by_no_unit_changes_nothing() -> None:
    assert changes(reported(unit=None)) is None


def test_routing_ends_every_lead_and_makes_the_assigned_lead_the_only_one() -> None:
    assert changes(routed()) == Change(CASE, ends=((None, LEAD, ""),), adds=((SHELTER, LEAD, ""),))


def test_a_referral_makes_the_receiver_referred_the_sender_sender_and_the_office_overseer() -> None:
    change = changes(requested(TO_SHELTER, SHELTER, AgencyKind.CHILDREN_FAMILY_SHELTER))
    assert change == Change(CASE, adds=((SHELTER, REFERRED, TO_SHELTER), (HOTLINE, SENDER, TO_SHELTER),
                                        (OFFICE, OVERSEER, TO_SHELTER)))


@pytest.mark.parametrize(("status", "now"), [
    (ReferralStatus.REQUESTED, REFERRED), (ReferralStatus.RECEIVED, REFERRED),
    (ReferralStatus.ACCEPTED, SERVING), (ReferralStatus.IN_PROGRESS, SERVING),
    (ReferralStatus.ON_HOLD, SERVING), (ReferralStatus.COMPLETED, SERVING),
    (ReferralStatus.REJECTED, None), (ReferralStatus.CANCELLED, None), (ReferralStatus.FAILED, None),
])
def test_a_status_change_replaces_the_receivers_relation_through_that_referral(
        status: ReferralStatus, now: Relation | None) -> None:
    change = changes(status_changed(TO_SHELTER, SHELTER, ReferralStatus.REQUESTED, status))
    ends = ((SHELTER, REFERRED, TO_SHELTER), (SHELTER, SERVING, TO_SHELTER))
    adds = ((SHELTER, now, TO_SHELTER),) if now else ()
    assert change == Change(CASE, ends=ends, adds=adds)


def test_a_transfer_request_makes_the_asked_unit_referred() -> None:
    assert changes(transfer_requested()) == Change(CASE, adds=((OFFICE, REFERRED, TRANSFER),))


def test_a_declined_transfer_ends_only_the_asked_units_relation() -> None:
    assert changes(transfer_answered(accepted=False)) == Change(CASE, ends=((OFFICE, REFERRED, TRANSFER),))


def test_an_accepted_transfer_makes_the_asked_unit_the_only_lead() -> None:
    assert changes(transfer_answered(accepted=True)) == Change(
        CASE, ends=((OFFICE, REFERRED, TRANSFER), (None, LEAD, "")), adds=((OFFICE, LEAD, ""),))


def test_an_event_about_no_party_changes_nothing() -> None:
    assert changes(triaged()) is None


async def test_each_event_of_a_case_moves_its_units_relations(database) -> None:
    async with parties_store(database("parties")) as sessions:
        for event, expected in STORY:
            await noted(sessions, event)
            assert await standing(sessions) == expected, event.type_name()


async def test_a_declined_transfer_leaves_the_lead_where_it_was(database) -> None:
    async with parties_store(database("parties")) as sessions:
        await noted(sessions, reported(), routed(), transfer_requested(), transfer_answered(accepted=False))
        assert await standing(sessions) == {HOTLINE: {REPORTER}, SHELTER: {LEAD}, PROSECUTOR: set(), OFFICE: set()}


async def test_an_unknown_case_has_no_parties_and_a_stranger_has_no_relation(database) -> None:
    async with parties_store(database("parties")) as sessions:
        await noted(sessions, reported())
        async with sessions() as session:
            assert await relations(session, "case-unknown", HOTLINE) is None
            assert await relations(session, CASE, "stranger-99") == frozenset()


async def test_noting_an_event_twice_leaves_the_same_rows(database) -> None:
    async with parties_store(database("parties")) as sessions:
        for event, _ in STORY:
            await noted(sessions, event)
            once = await rows(sessions)
            await noted(sessions, event)
            assert await rows(sessions) == once, event.type_name()


async def test_noting_an_event_about_no_party_changes_nothing(database) -> None:
    async with parties_store(database("parties")) as sessions:
        await noted(sessions, triaged())
        assert await rows(sessions) == []
        await noted(sessions, *(event for event, _ in STORY))
        before = await rows(sessions)
        await noted(sessions, triaged())
        assert await rows(sessions) == before


async def test_a_units_relations_are_read_for_many_cases_at_once(database) -> None:
    async with parties_store(database("parties")) as sessions:
        await noted(sessions, *(event for event, _ in STORY), reported(case_id="case-2"))
        async with sessions() as session:
            cases = [CASE, "case-2", "case-unknown"]
            assert await relations_of_cases(session, cases, HOTLINE) == {
                CASE: frozenset({REPORTER, SENDER}), "case-2": frozenset({REPORTER})}
            assert await relations_of_cases(session, iter(cases), OFFICE) == {CASE: frozenset({OVERSEER, LEAD})}
            assert await relations_of_cases(session, cases, PROSECUTOR) == {}
            assert await relations_of_cases(session, [], HOTLINE) == {}


async def test_the_cases_of_a_unit_are_those_it_stands_in_a_relation_to(database) -> None:
    async with parties_store(database("parties")) as sessions:
        await noted(sessions, *(event for event, _ in STORY), reported(case_id="case-2"))
        async with sessions() as session:
            assert set(await session.scalars(cases_of_unit(HOTLINE))) == {CASE, "case-2"}
            assert set(await session.scalars(cases_of_unit(OFFICE))) == {CASE}
            assert set(await session.scalars(cases_of_unit(PROSECUTOR))) == set()
            listed = select(CASE_PARTIES.c.case_id.distinct()).where(CASE_PARTIES.c.case_id.in_(
                cases_of_unit(SHELTER)))
            assert list(await session.scalars(listed)) == [CASE]
