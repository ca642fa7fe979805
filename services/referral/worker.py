"""Referral's Kafka entry point: translate the events it follows into commands, nothing else."""

from contracts.intake import CaseReported
from saphan_runtime.inbox import Delivery, Subscriptions
from services.referral.commands import RouteCase


def on_case_reported(delivery: Delivery) -> RouteCase:
    """A reported case is to be routed."""
    data = delivery.data
    assert isinstance(data, CaseReported)
    return RouteCase(case_id=data.case_id, problem_types=data.problem_types,
                     client_age_years=data.client_age_years, location=data.location)


SUBSCRIPTIONS: Subscriptions = {
    CaseReported: on_case_reported,
}
