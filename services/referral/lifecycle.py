"""The referral lifecycle (after the FHIR referral Task): which action moves which status where, and who may."""

from dataclasses import dataclass
from enum import StrEnum

from contracts.common import ReferralStatus as S


class Side(StrEnum):
    """Who acts: the unit that sent the referral or the unit it was sent to."""

    SENDER = "sender"
    RECEIVER = "receiver"


class Action(StrEnum):
    """What a unit can do to a referral."""

    RECEIVE = "receive"
    ACCEPT = "accept"
    REJECT = "reject"
    START = "start"
    HOLD = "hold"
    RESUME = "resume"
    COMPLETE = "complete"
    FAIL = "fail"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Move:
    """One legal move: from which statuses, to which, by whom, and what it must carry."""

    sources: frozenset[S]
    target: S
    side: Side
    needs_reason: bool = False
    needs_outcome: bool = False


OPEN = frozenset({S.REQUESTED, S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD})
TERMINAL = frozenset({S.REJECTED, S.COMPLETED, S.FAILED, S.CANCELLED})

MOVES: dict[Action, Move] = {
    Action.RECEIVE: Move(frozenset({S.REQUESTED}), S.RECEIVED, Side.RECEIVER),
    Action.ACCEPT: Move(frozenset({S.REQUESTED, S.RECEIVED}), S.ACCEPTED, Side.RECEIVER),
    Action.REJECT: Move(frozenset({S.REQUESTED, S.RECEIVED}), S.REJECTED, Side.RECEIVER, needs_reason=True),
    Action.START: Move(frozenset({S.ACCEPTED}), S.IN_PROGRESS, Side.RECEIVER),
    Action.HOLD: Move(frozenset({S.ACCEPTED, S.IN_PROGRESS}), S.ON_HOLD, Side.RECEIVER, needs_reason=True),
    Action.RESUME: Move(frozenset({S.ON_HOLD}), S.IN_PROGRESS, Side.RECEIVER),
    Action.COMPLETE: Move(frozenset({S.IN_PROGRESS}), S.COMPLETED, Side.RECEIVER, needs_outcome=True),
    Action.FAIL: Move(frozenset({S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD}), S.FAILED, Side.RECEIVER, needs_reason=True),
    Action.CANCEL: Move(OPEN, S.CANCELLED, Side.SENDER, needs_reason=True),
}


def allowed_actions(status: S) -> list[Action]:
    """Return the actions a referral in this status allows."""
    return [action for action, move in MOVES.items() if status in move.sources]
