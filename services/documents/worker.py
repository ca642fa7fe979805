"""Documents' Kafka entry point: translate the events it follows into commands, nothing else."""

from contracts.intake import CaseReported, PersonalDataErased
from saphan_runtime.inbox import Delivery, Subscriptions
from services.documents.commands import DestroyCaseKey, OpenCaseFile


def on_case_reported(delivery: Delivery) -> OpenCaseFile:
    """A reported case gets a document file."""
    data = delivery.data
    assert isinstance(data, CaseReported)
    return OpenCaseFile(case_id=data.case_id, reported_at=data.received_at)


def on_personal_data_erased(delivery: Delivery) -> DestroyCaseKey:
    """A case whose personal data intake erased loses its documents' key too."""
    data = delivery.data
    assert isinstance(data, PersonalDataErased)
    return DestroyCaseKey(case_id=data.case_id, reason=data.reason)


SUBSCRIPTIONS: Subscriptions = {
    CaseReported: on_case_reported,
    PersonalDataErased: on_personal_data_erased,
}
