"""Referral's use cases; each owns its transaction. The routing table is at the bottom."""

from collections.abc import Callable
from functools import partial

from contracts.envelope import EventData
from saphan_runtime.bus import Handler
from saphan_runtime.cloudevents import now
from saphan_runtime.eventstore import UnitOfWork
from services.referral import domain
from services.referral.commands import NoteCaseFacts, RouteCase
from services.referral.rules import RuleBook


async def note_case_facts(command: NoteCaseFacts, uow: UnitOfWork) -> None:
    """Keep the facts of a reported case for its routing."""
    await _decide(uow, command.case_id, lambda state: domain.note_facts(state, command))


async def route_case(command: RouteCase, uow: UnitOfWork, *, rules: RuleBook) -> None:
    """Record the first routing decision of a screened case."""
    await _decide(uow, command.case_id, lambda state: domain.decide_routing(state, command, rules, now=now()))


async def _decide(
    uow: UnitOfWork, case_id: str, decide: Callable[[domain.CaseRouting | None], list[EventData]]
) -> None:
    stream = domain.stream_id(case_id)
    async with uow:
        state = None
        for event in await uow.load(stream):
            state = domain.evolve(state, event.data, event.version)
        await uow.append(stream, case_id=case_id, expected_version=state.version if state else 0,
                         events=decide(state))
        await uow.commit()


def handlers(*, rules: RuleBook) -> dict[type, Handler]:
    """Return the table routing each command to its handler, with the handlers' dependencies bound."""
    return {
        NoteCaseFacts: note_case_facts,
        RouteCase: partial(route_case, rules=rules),
    }
