"""The referral lifecycle in plain Python: every move, every refusal, the deadlines, and a stateful walk."""

from collections import Counter, deque
from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

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
from saphan_runtime.errors import Conflict, DomainError, Forbidden
from services.referral import deadlines, referrals
from services.referral.lifecycle import MOVES, OPEN, TERMINAL, Action, Side, allowed_actions
from services.referral.referrals import Referral

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
SENDER = "hotline-1300"
RECEIVER = "shelter-10"
STRANGER = "police-99"
ESCALATE_TO = "msdhs-10"
DUE = deadlines.due(deadlines.DEFAULT_LIMITS, Urgency.CRISIS, NOW)

NEEDS_REASON = {m.target for m in MOVES.values() if m.needs_reason}
NEEDS_OUTCOME = {m.target for m in MOVES.values() if m.needs_outcome}


def requested_event() -> ReferralRequested:
    return ReferralRequested(
        referral_id="r-1", case_id="c-1", from_unit=SENDER, to_unit=RECEIVER,
        to_kind=AgencyKind.CHILDREN_FAMILY_SHELTER, role=ReferralRole.LEAD, urgency=Urgency.CRISIS,
        receipt_due=DUE[DeadlineKind.RECEIPT], acceptance_due=DUE[DeadlineKind.ACCEPTANCE],
        escalate_to=ESCALATE_TO, requested_at=NOW,
    )


def requested() -> Referral:
    """A crisis referral from the 1300 hotline to a shelter, just requested."""
    referral = referrals.evolve(None, requested_event(), 1)
    assert referral is not None
    return referral


def apply(referral: Referral, events: list[EventData]) -> Referral:
    for event in events:
        folded = referrals.evolve(referral, event, referral.version + 1)
        assert folded is not None
        referral = folded
    return referral


def unit_for(side: Side) -> str:
    return SENDER if side is Side.SENDER else RECEIVER


def act(referral: Referral, action: Action, *, by_unit: str | None = None, reason: StatusReason | None = None,
        outcome: ReferralOutcome | None = None, now: datetime = NOW) -> list[EventData]:
    """Take an action, by the side that may take it unless told otherwise."""
    return referrals.change(referral, action, by_unit=by_unit or unit_for(MOVES[action].side), reason=reason,
                            outcome=outcome, note=None, now=now)


def properly(referral: Referral, action: Action) -> list[EventData]:
    """Take an action the way it is meant to be taken: right side, with a reason and an outcome."""
    return act(referral, action, reason=StatusReason.OTHER, outcome=ReferralOutcome.SERVICES_DELIVERED)


def shortest_paths() -> dict[ReferralStatus, list[Action]]:
    """The shortest sequence of actions from `requested` to every reachable status."""
    paths: dict[ReferralStatus, list[Action]] = {ReferralStatus.REQUESTED: []}
    queue = deque([ReferralStatus.REQUESTED])
    while queue:
        status = queue.popleft()
        for action in allowed_actions(status):
            target = MOVES[action].target
            if target not in paths:
                paths[target] = [*paths[status], action]
                queue.append(target)
    return paths


PATHS = shortest_paths()
REACHABLE = frozenset(PATHS)


def drive(status: ReferralStatus) -> Referral:
    """A referral brought to this status by a legal path."""
    referral = requested()
    for action in PATHS[status]:
        referral = apply(referral, properly(referral, action))
    assert referral.status is status
    return referral


LEGAL = [pytest.param(status, action, id=f"{action.value}-from-{status.value}")
         for action, move in MOVES.items() for status in ReferralStatus if status in move.sources]
ILLEGAL = [pytest.param(status, action, id=f"{action.value}-from-{status.value}")
           for status, action in product(ReferralStatus, Action) if status not in MOVES[action].sources]


def test_every_status_can_be_reached_from_requested() -> None:
    assert set(ReferralStatus) == REACHABLE


def test_a_new_referral_is_requested_with_its_crisis_deadlines_at_version_one() -> None:
    referral = requested()
    assert referral.status is ReferralStatus.REQUESTED
    assert referral.version == 1
    assert referral.due == {DeadlineKind.RECEIPT: NOW + timedelta(minutes=15),
                            DeadlineKind.ACCEPTANCE: NOW + timedelta(hours=1)}
    assert referral.escalate_to == ESCALATE_TO
    assert referral.overdue == frozenset()


def test_every_status_is_either_open_or_terminal() -> None:
    assert set(ReferralStatus) == OPEN | TERMINAL
    assert not OPEN & TERMINAL


@pytest.mark.parametrize(("status", "action"), LEGAL)
def test_every_legal_move_changes_the_status_and_says_who_did_it(status: ReferralStatus, action: Action) -> None:
    referral = drive(status)
    move = MOVES[action]
    [event] = properly(referral, action)
    assert isinstance(event, ReferralStatusChanged)
    assert event.previous is status
    assert event.status is move.target
    assert event.by_unit == unit_for(move.side)
    assert (event.referral_id, event.from_unit, event.to_unit) == ("r-1", SENDER, RECEIVER)
    after = apply(referral, [event])
    assert after.status is move.target
    assert after.version == referral.version + 1


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_every_illegal_move_is_refused_naming_the_moves_that_are_allowed(
    status: ReferralStatus, action: Action,
) -> None:
    referral = drive(status)
    with pytest.raises(Conflict) as refused:
        properly(referral, action)
    assert refused.value.details["allowed_actions"] == [a.value for a in allowed_actions(status)]
    assert refused.value.details["referral_status"] == status.value


@pytest.mark.parametrize("status", sorted(TERMINAL))
def test_a_terminal_referral_allows_nothing(status: ReferralStatus) -> None:
    assert allowed_actions(status) == []
    referral = drive(status)
    for action in Action:
        with pytest.raises(Conflict) as refused:
            properly(referral, action)
        assert refused.value.details["allowed_actions"] == []


@pytest.mark.parametrize("action", [Action.REJECT, Action.HOLD, Action.FAIL, Action.CANCEL])
def test_rejecting_holding_failing_and_cancelling_need_a_reason(action: Action) -> None:
    [source] = sorted(MOVES[action].sources)[:1]
    with pytest.raises(DomainError) as refused:
        act(drive(source), action, reason=None, outcome=ReferralOutcome.OTHER)
    assert refused.value.field == "body.reason"
    assert not isinstance(refused.value, Conflict | Forbidden)


def test_completing_needs_an_outcome() -> None:
    with pytest.raises(DomainError) as refused:
        act(drive(ReferralStatus.IN_PROGRESS), Action.COMPLETE, reason=StatusReason.OTHER, outcome=None)
    assert refused.value.field == "body.outcome"
    assert not isinstance(refused.value, Conflict | Forbidden)


def test_the_reason_and_the_outcome_are_carried_on_the_change() -> None:
    [held] = act(drive(ReferralStatus.ACCEPTED), Action.HOLD, reason=StatusReason.CLIENT_HOSPITALISED)
    assert isinstance(held, ReferralStatusChanged)
    assert held.reason is StatusReason.CLIENT_HOSPITALISED
    [done] = act(drive(ReferralStatus.IN_PROGRESS), Action.COMPLETE, outcome=ReferralOutcome.SHELTER_PLACEMENT)
    assert isinstance(done, ReferralStatusChanged)
    assert done.outcome is ReferralOutcome.SHELTER_PLACEMENT


def test_the_sender_cannot_accept_its_own_referral() -> None:
    with pytest.raises(Forbidden):
        act(requested(), Action.ACCEPT, by_unit=SENDER)


def test_the_receiver_cannot_cancel_a_referral() -> None:
    with pytest.raises(Forbidden):
        act(requested(), Action.CANCEL, by_unit=RECEIVER, reason=StatusReason.REROUTED)


@pytest.mark.parametrize(("status", "action"), LEGAL)
def test_a_third_unit_can_do_nothing(status: ReferralStatus, action: Action) -> None:
    with pytest.raises(Forbidden):
        act(drive(status), action, by_unit=STRANGER, reason=StatusReason.OTHER, outcome=ReferralOutcome.OTHER)


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_a_third_unit_learns_nothing_not_even_the_status(status: ReferralStatus, action: Action) -> None:
    with pytest.raises(Forbidden) as refused:
        act(drive(status), action, by_unit=STRANGER, reason=StatusReason.OTHER, outcome=ReferralOutcome.OTHER)
    assert not isinstance(refused.value, Conflict) and status.value not in str(refused.value)


@pytest.mark.parametrize("kind", list(DeadlineKind))
def test_nothing_is_overdue_before_the_due_time(kind: DeadlineKind) -> None:
    assert referrals.mark_overdue(requested(), kind, now=DUE[kind] - timedelta(seconds=1)) == []


@pytest.mark.parametrize("kind", list(DeadlineKind))
def test_a_missed_deadline_is_escalated_once(kind: DeadlineKind) -> None:
    referral = requested()
    late = DUE[kind] + timedelta(minutes=1)
    [event] = referrals.mark_overdue(referral, kind, now=late)
    assert isinstance(event, ReferralOverdue)
    assert (event.deadline, event.due_at, event.escalated_to) == (kind, DUE[kind], ESCALATE_TO)
    assert (event.to_unit, event.detected_at) == (RECEIVER, late)
    flagged = apply(referral, [event])
    assert flagged.overdue == {kind}
    assert flagged.status is ReferralStatus.REQUESTED
    assert referrals.mark_overdue(flagged, kind, now=late + timedelta(hours=5)) == []


def test_a_deadline_is_missed_at_the_due_time_itself() -> None:
    assert len(referrals.mark_overdue(requested(), DeadlineKind.RECEIPT, now=DUE[DeadlineKind.RECEIPT])) == 1


def test_receipt_is_met_once_received_but_acceptance_still_binds() -> None:
    received = drive(ReferralStatus.RECEIVED)
    late = DUE[DeadlineKind.ACCEPTANCE] + timedelta(minutes=1)
    assert referrals.mark_overdue(received, DeadlineKind.RECEIPT, now=late) == []
    assert len(referrals.mark_overdue(received, DeadlineKind.ACCEPTANCE, now=late)) == 1


@pytest.mark.parametrize("action", [Action.ACCEPT, Action.REJECT])
def test_both_deadlines_are_met_once_accepted_or_rejected(action: Action) -> None:
    answered = apply(requested(), properly(requested(), action))
    late = DUE[DeadlineKind.ACCEPTANCE] + timedelta(days=1)
    for kind in DeadlineKind:
        assert referrals.mark_overdue(answered, kind, now=late) == []


def test_nothing_is_overdue_for_a_referral_that_does_not_exist() -> None:
    assert referrals.mark_overdue(None, DeadlineKind.RECEIPT, now=NOW + timedelta(days=1)) == []


class ReferralMachine(RuleBasedStateMachine):
    """One referral, three units acting on it at random, and a clock that moves on."""

    def __init__(self) -> None:
        super().__init__()
        self.applied: list[EventData] = []
        self.referral = requested()
        self.now = NOW
        self.ended: ReferralStatus | None = None

    def take(self, events: list[EventData]) -> None:
        self.referral = apply(self.referral, events)
        self.applied.extend(events)

    @rule(action=st.sampled_from(Action), by_unit=st.sampled_from([SENDER, RECEIVER, STRANGER]),
          reason=st.none() | st.sampled_from(StatusReason), outcome=st.none() | st.sampled_from(ReferralOutcome))
    def change(self, action: Action, by_unit: str, reason: StatusReason | None,
               outcome: ReferralOutcome | None) -> None:
        before = self.referral
        move = MOVES[action]
        try:
            events = referrals.change(before, action, by_unit=by_unit, reason=reason, outcome=outcome, note=None,
                                      now=self.now)
        except Conflict:
            assert by_unit != STRANGER and before.status not in move.sources
        except Forbidden:
            assert by_unit == STRANGER or (before.status in move.sources and by_unit != unit_for(move.side))
        except DomainError as refused:
            assert before.status in move.sources
            assert by_unit == unit_for(move.side)
            assert refused.field in {"body.reason", "body.outcome"}
            assert (move.needs_reason and reason is None) or (move.needs_outcome and outcome is None)
        else:
            assert before.status in move.sources
            assert by_unit == unit_for(move.side)
            [event] = events
            assert isinstance(event, ReferralStatusChanged)
            assert (event.previous, event.status) == (before.status, move.target)
            self.take(events)
            if self.referral.status in TERMINAL:
                self.ended = self.referral.status
            return
        assert self.referral is before

    @rule(data=st.data(), by_unit=st.sampled_from([SENDER, RECEIVER, RECEIVER, STRANGER]),
          reason=st.none() | st.sampled_from(StatusReason), outcome=st.none() | st.sampled_from(ReferralOutcome))
    def change_as_allowed(self, data: st.DataObject, by_unit: str, reason: StatusReason | None,
                          outcome: ReferralOutcome | None) -> None:
        """Mostly the same, but among the actions the status allows, so the walk gets deep into the lifecycle."""
        allowed = allowed_actions(self.referral.status)
        action = data.draw(st.sampled_from(allowed)) if allowed else data.draw(st.sampled_from(Action))
        self.change(action, by_unit, reason, outcome)

    @rule(minutes=st.integers(min_value=0, max_value=90), kind=st.sampled_from(DeadlineKind))
    def tick(self, minutes: int, kind: DeadlineKind) -> None:
        self.now += timedelta(minutes=minutes)
        events = referrals.mark_overdue(self.referral, kind, now=self.now)
        for event in events:
            assert isinstance(event, ReferralOverdue)
            assert event.escalated_to == ESCALATE_TO
            assert self.now >= self.referral.due[kind]
            assert deadlines.still_pending(kind, self.referral.status)
        self.take(events)

    @invariant()
    def a_terminal_status_stays_terminal(self) -> None:
        if self.ended is not None:
            assert self.referral.status is self.ended
        changes = [e for e in self.applied if isinstance(e, ReferralStatusChanged)]
        assert all(e.previous not in TERMINAL for e in changes)

    @invariant()
    def every_end_carries_its_reason_or_outcome(self) -> None:
        for event in self.applied:
            if isinstance(event, ReferralStatusChanged):
                if event.status in NEEDS_REASON:
                    assert event.reason is not None
                if event.status in NEEDS_OUTCOME:
                    assert event.outcome is not None

    @invariant()
    def the_status_is_reachable_from_requested(self) -> None:
        assert self.referral.status in REACHABLE

    @invariant()
    def the_version_counts_the_events(self) -> None:
        assert self.referral.version == 1 + len(self.applied)

    @invariant()
    def each_deadline_is_escalated_at_most_once(self) -> None:
        counts = Counter(e.deadline for e in self.applied if isinstance(e, ReferralOverdue))
        assert all(count <= 1 for count in counts.values())
        assert self.referral.overdue == set(counts)

    @invariant()
    def replay_gives_the_live_state(self) -> None:
        replayed = referrals.evolve(None, requested_event(), 1)
        for version, event in enumerate(self.applied, start=2):
            replayed = referrals.evolve(replayed, event, version)
        assert replayed == self.referral


ReferralMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=30, deadline=None)
TestReferralLifecycle = ReferralMachine.TestCase
