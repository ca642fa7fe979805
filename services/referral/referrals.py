"""A referral of a case from one unit to another: plain Python decisions over its lifecycle and deadlines."""

from dataclasses import dataclass, replace
from datetime import datetime

from contracts.common import (
    AgencyKind,
    DeadlineKind,
    ReferralOutcome,
    ReferralRole,
    ReferralStatus,
    StatusReason,
    Urgency,
)
from contracts.envelope import EventData
from contracts.referral import ReferralOverdue, ReferralRequested, ReferralStatusChanged
from saphan_runtime.errors import Conflict, DomainError, Forbidden, NotFound
from services.referral import deadlines
from services.referral.lifecycle import MOVES, Action, Side, allowed_actions


@dataclass(frozen=True)
class Referral:
    """A referral as referral knows it, folded from its events."""

    referral_id: str
    case_id: str
    from_unit: str
    to_unit: str
    to_kind: AgencyKind
    role: ReferralRole
    urgency: Urgency
    status: ReferralStatus
    due: dict[DeadlineKind, datetime]
    version: int
    escalate_to: str = ""
    overdue: frozenset[DeadlineKind] = frozenset()
    reasons: tuple[StatusReason | None, ...] = ()


def stream_id(referral_id: str) -> str:
    """Return the event stream of one referral."""
    return f"referral-{referral_id}"


def change(
    referral: Referral | None, action: Action, *, by_unit: str, reason: StatusReason | None,
    outcome: ReferralOutcome | None, note: str | None, now: datetime,
) -> list[EventData]:
    """Decide one lifecycle move; an illegal one is refused naming the moves that are allowed."""
    referral = check_exists(referral)
    check_party(referral, by_unit)
    move = MOVES[action]
    if referral.status not in move.sources:
        allowed = [a.value for a in allowed_actions(referral.status)]
        raise Conflict(f"cannot {action.value} a referral that is {referral.status.value} / "
                       f"ทำรายการนี้ไม่ได้ในสถานะปัจจุบัน", referral_status=referral.status.value,
                       allowed_actions=allowed)
    check_actor(referral, move.side, by_unit)
    if move.needs_reason and reason is None:
        raise DomainError(f"{action.value} needs a coded reason / ต้องระบุเหตุผล", field="body.reason")
    if move.needs_outcome and outcome is None:
        raise DomainError(f"{action.value} needs an outcome / ต้องระบุผลการดำเนินงาน", field="body.outcome")
    return [ReferralStatusChanged(
        referral_id=referral.referral_id, case_id=referral.case_id, from_unit=referral.from_unit,
        to_unit=referral.to_unit, previous=referral.status, status=move.target, reason=reason, outcome=outcome,
        note=note, by_unit=by_unit, changed_at=now,
    )]


def check_party(referral: Referral, by_unit: str) -> None:
    """Only the two units of a referral may act on it; anyone else learns nothing about it, not even its status."""
    if by_unit not in (referral.from_unit, referral.to_unit):
        raise Forbidden("this unit is not party to the referral / หน่วยงานนี้ไม่เกี่ยวข้องกับการส่งต่อนี้")


def check_actor(referral: Referral, side: Side, by_unit: str) -> None:
    """Only the receiving unit answers a referral, and only the sending unit cancels it."""
    expected = referral.to_unit if side is Side.RECEIVER else referral.from_unit
    if by_unit != expected:
        raise Forbidden(f"only {expected} may do this / เฉพาะหน่วยงาน {expected} เท่านั้น")


def check_exists(referral: Referral | None) -> Referral:
    """Refuse a command about a referral that does not exist."""
    if referral is None:
        raise NotFound("no such referral / ไม่พบการส่งต่อนี้")
    return referral


def mark_overdue(referral: Referral | None, kind: DeadlineKind, *, now: datetime) -> list[EventData]:
    """Decide whether a deadline was missed: still pending, past due and not flagged before."""
    if referral is None or kind in referral.overdue or not deadlines.still_pending(kind, referral.status):
        return []
    if now < referral.due[kind]:
        return []
    return [ReferralOverdue(referral_id=referral.referral_id, case_id=referral.case_id, to_unit=referral.to_unit,
                            deadline=kind, due_at=referral.due[kind], escalated_to=referral.escalate_to,
                            detected_at=now)]


def evolve(state: Referral | None, event: EventData, version: int) -> Referral | None:
    """Fold one event into the referral."""
    if isinstance(event, ReferralRequested):
        return Referral(event.referral_id, event.case_id, event.from_unit, event.to_unit, event.to_kind, event.role,
                        event.urgency, ReferralStatus.REQUESTED,
                        {DeadlineKind.RECEIPT: event.receipt_due, DeadlineKind.ACCEPTANCE: event.acceptance_due},
                        version, escalate_to=event.escalate_to)
    if state is None:
        return None
    if isinstance(event, ReferralStatusChanged):
        return replace(state, status=event.status, version=version, reasons=(*state.reasons, event.reason))
    if isinstance(event, ReferralOverdue):
        return replace(state, overdue=state.overdue | {event.deadline}, version=version)
    return replace(state, version=version)
