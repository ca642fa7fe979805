"""Who is party to a case: each service keeps its own `case_parties` view, from its own events and the events it
consumes, and answers need-to-know questions from it (a unit reads a case only while it stands in a relation to it).

A relation is added or ended by the published events that make it: the report (reporter), the routing decision and
an ownership transfer (asked while pending, lead once accepted), and each referral (sender, referred while pending,
serving once accepted, overseer); a rejected, cancelled or failed referral ends the receiving unit's relation."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Column, Delete, MetaData, Select, String, Table, and_, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.access import Relation
from contracts.casework import OwnershipTransferAnswered, OwnershipTransferRequested
from contracts.common import ReferralRole, ReferralStatus
from contracts.envelope import EventData
from contracts.intake import CaseReported
from contracts.referral import ReferralRequested, ReferralStatusChanged, RoutingDecided
from saphan_runtime import direct
from saphan_runtime.deliveries import AnyEvent, Delivery, Subscriptions, Translator
from saphan_runtime.eventstore import Projector, StoredEvent, UnitOfWork

TABLE = "case_parties"
PARTY_EVENTS: tuple[type[EventData], ...] = (CaseReported, RoutingDecided, ReferralRequested, ReferralStatusChanged,
                                              OwnershipTransferRequested, OwnershipTransferAnswered)
TRANSFER = "transfer"  # `through` of a unit asked to take a case over
PENDING = frozenset({ReferralStatus.REQUESTED, ReferralStatus.RECEIVED})
SERVING = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.ON_HOLD,
                     ReferralStatus.COMPLETED})


def case_parties_table(metadata: MetaData) -> Table:
    """Add the `case_parties` view to a service's tables: one row per (case, unit, relation, through what)."""
    return Table(
        TABLE,
        metadata,
        Column("case_id", String(64), primary_key=True),
        Column("unit_id", String(64), primary_key=True, index=True),
        Column("relation", String(16), primary_key=True),
        Column("through", String(64), primary_key=True, doc="the referral behind the relation, or ''"),
    )


CASE_PARTIES = case_parties_table(MetaData())  # the same table in every service that keeps it


@dataclass(frozen=True)
class Change:
    """End the relations `ends` names (a unit's, or every unit's when unit_id is None), then add `adds`."""

    case_id: str
    ends: tuple[tuple[str | None, Relation, str], ...] = ()
    adds: tuple[tuple[str, Relation, str], ...] = ()


def changes(data: EventData) -> Change | None:
    """Return how an event changes who is party to its case, or None when it changes nothing."""
    match data:
        case CaseReported(reported_by_unit=str(unit)):
            return Change(data.case_id, adds=((unit, Relation.REPORTER, ""),))
        case RoutingDecided():
            leads = tuple((a.unit_id, Relation.LEAD, "") for a in data.assignments if a.role is ReferralRole.LEAD)
            return Change(data.case_id, ends=((None, Relation.LEAD, ""),), adds=leads)
        case ReferralRequested():
            return Change(data.case_id, adds=((data.to_unit, Relation.REFERRED, data.referral_id),
                                              (data.from_unit, Relation.SENDER, data.referral_id),
                                              (data.escalate_to, Relation.OVERSEER, data.referral_id)))
        case ReferralStatusChanged():
            now = (Relation.REFERRED if data.status in PENDING else Relation.SERVING if data.status in SERVING
                   else None)
            ends = tuple((data.to_unit, relation, data.referral_id) for relation in (Relation.REFERRED,
                                                                                      Relation.SERVING))
            return Change(data.case_id, ends=ends, adds=((data.to_unit, now, data.referral_id),) if now else ())
        case OwnershipTransferRequested():  # the asked unit must see the case to decide
            return Change(data.case_id, adds=((data.to_unit, Relation.REFERRED, TRANSFER),))
        case OwnershipTransferAnswered():
            asked = ((data.by_unit, Relation.REFERRED, TRANSFER),)
            if not data.accepted:
                return Change(data.case_id, ends=asked)
            return Change(data.case_id, ends=(*asked, (None, Relation.LEAD, "")),
                          adds=((data.by_unit, Relation.LEAD, ""),))
    return None


async def note(session: AsyncSession, data: EventData) -> None:
    """Apply an event's change to the `case_parties` view (applying it twice leaves the same rows)."""
    change = changes(data)
    if change is None:
        return
    table = CASE_PARTIES
    for unit_id, relation, through in change.ends:
        await direct.change(session, _ENDING[unit_id is not None], {"case_id": change.case_id, "relation": relation,
                                                                    "through": through, "unit_id": unit_id})
    if change.adds:
        await direct.insert_rows(session, table, [
            {"case_id": change.case_id, "unit_id": unit_id, "relation": relation, "through": through}
            for unit_id, relation, through in change.adds], skip_existing=True)


def _ending(one_unit: bool) -> Delete:
    """Return the DELETE of a case's relation through something (of one unit, or of every unit), built once."""
    table = CASE_PARTIES
    conditions = [table.c.case_id == bindparam("case_id"), table.c.relation == bindparam("relation"),
                  table.c.through == bindparam("through")]
    if one_unit:
        conditions.append(table.c.unit_id == bindparam("unit_id"))
    return delete(table).where(and_(*conditions))


_ENDING = {one_unit: _ending(one_unit) for one_unit in (False, True)}


def tracking(project: Projector) -> Projector:
    """Return a service's projector that also keeps `case_parties` from the service's own events."""

    async def project_and_note(session: AsyncSession, event: StoredEvent) -> None:
        await project(session, event)
        await note(session, event.data)

    return project_and_note


async def relations(session: AsyncSession, case_id: str, unit_id: str) -> frozenset[Relation] | None:
    """Return how a unit stands to a case: its relations (empty when none), or None when no unit is party to the
    case here (this service has not heard of it)."""
    table = CASE_PARTIES
    rows = (await session.execute(select(table.c.unit_id, table.c.relation).where(table.c.case_id == case_id))).all()
    if not rows:
        return None
    return frozenset(Relation(relation) for unit, relation in rows if unit == unit_id)


async def relations_of_cases(session: AsyncSession, case_ids: Iterable[str], unit_id: str
                             ) -> dict[str, frozenset[Relation]]:
    """Return a unit's relations to each of these cases (cases it is not party to are left out)."""
    table = CASE_PARTIES
    found: dict[str, set[Relation]] = {}
    ids = list(case_ids)
    rows = await session.execute(select(table.c.case_id, table.c.relation)
                                 .where(table.c.unit_id == unit_id, table.c.case_id.in_(ids)))
    for case_id, relation in rows:
        found.setdefault(case_id, set()).add(Relation(relation))
    return {case_id: frozenset(names) for case_id, names in found.items()}


def cases_of_unit(unit_id: str) -> Select[tuple[str]]:
    """Return the query of the cases a unit is party to (for queries that list cases)."""
    return select(CASE_PARTIES.c.case_id).where(CASE_PARTIES.c.unit_id == unit_id).distinct()


@dataclass(frozen=True)
class NoteParties:
    """Keep who is party to a case from another service's event this service does not otherwise follow."""

    event_id: str


def on_party_event(delivery: Delivery) -> NoteParties:
    """Translate a consumed event that changes who is party to a case (the unit of work notes it with the inbox)."""
    return NoteParties(event_id=delivery.envelope.id)


async def note_parties(command: NoteParties, uow: UnitOfWork) -> None:
    """Mark the event in the inbox; the unit of work's notice has applied it to `case_parties`."""
    async with uow:
        await uow.commit()


def subscriptions(service: str, own: Subscriptions) -> Subscriptions:
    """Return a service's subscriptions with the other services' party events it does not follow yet added."""
    added: dict[type[EventData] | type[AnyEvent], Translator] = {model: on_party_event for model in PARTY_EVENTS
             if model not in own and model.topic is not None and not model.topic.startswith(f"saphan.{service}.")}
    return {**added, **own}
