"""Referral's Kafka entry point: translate the events it follows into commands, nothing else."""

from contracts.intake import CaseClosedAtIntake, CaseReported, CaseTriaged
from saphan_runtime.deliveries import Delivery, Subscriptions
from services.referral.commands import CancelCaseReferrals, NoteCaseFacts, RouteCase


def on_case_reported(delivery: Delivery) -> NoteCaseFacts:
    """A reported case's facts are kept for its routing."""
    data = delivery.data
    assert isinstance(data, CaseReported)
    return NoteCaseFacts(case_id=data.case_id, problem_types=data.problem_types,
                         client_age_years=data.client_age_years, location=data.location)


def on_case_triaged(delivery: Delivery) -> RouteCase:
    """A screened case that goes on is routed."""
    data = delivery.data
    assert isinstance(data, CaseTriaged)
    return RouteCase(case_id=data.case_id, urgency=data.urgency)


def on_case_closed_at_intake(delivery: Delivery) -> CancelCaseReferrals:
    """A case intake closed (a prank, a false report) has its open referrals cancelled."""
    data = delivery.data
    assert isinstance(data, CaseClosedAtIntake)
    return CancelCaseReferrals(case_id=data.case_id)


SUBSCRIPTIONS: Subscriptions = {
    CaseReported: on_case_reported,
    CaseTriaged: on_case_triaged,
    CaseClosedAtIntake: on_case_closed_at_intake,
}
