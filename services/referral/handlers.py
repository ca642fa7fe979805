"""Referral's use cases; each owns its transaction. The routing table is at the bottom."""

from functools import partial

from saphan_runtime.bus import Handler
from saphan_runtime.cloudevents import now
from saphan_runtime.eventstore import UnitOfWork
from services.referral import domain
from services.referral.commands import RouteCase
from services.referral.rules import RuleBook


async def route_case(command: RouteCase, uow: UnitOfWork, *, rules: RuleBook) -> None:
    """Record the first routing decision of a newly reported case."""
    stream = domain.stream_id(command.case_id)
    async with uow:
        state = None
        for event in await uow.load(stream):
            state = domain.evolve(state, event.data, event.version)
        events = domain.decide_routing(state, command, rules, now=now())
        await uow.append(stream, case_id=command.case_id, expected_version=state.version if state else 0,
                         events=events)
        await uow.commit()


def handlers(*, rules: RuleBook) -> dict[type, Handler]:
    """Return the table routing each command to its handler, with the handlers' dependencies bound."""
    return {
        RouteCase: partial(route_case, rules=rules),
    }
