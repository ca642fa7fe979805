"""Documents' Kafka entry point: translate the events it follows into commands, nothing else."""

from contracts.intake import CaseReported
from saphan_runtime.inbox import Delivery, Subscriptions
from services.documents.commands import OpenCaseFile


def on_case_reported(delivery: Delivery) -> OpenCaseFile:
    """A reported case gets a document file."""
    data = delivery.data
    assert isinstance(data, CaseReported)
    return OpenCaseFile(case_id=data.case_id, reported_at=data.received_at)


SUBSCRIPTIONS: Subscriptions = {
    CaseReported: on_case_reported,
}
