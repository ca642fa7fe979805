"""Documents' Kafka entry point: translate the events it follows into commands, nothing else."""

from contracts.agencies import AgencyUnitRecorded
from contracts.intake import CaseReported, PersonalDataErased
from saphan_runtime.deliveries import Delivery, Subscriptions
from services.documents.commands import DestroyCaseKey, NoteAgencyUnit, OpenCaseFile


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


def on_agency_unit_recorded(delivery: Delivery) -> NoteAgencyUnit:
    """A unit registered or changed in referral: keep its kind."""
    data = delivery.data
    assert isinstance(data, AgencyUnitRecorded)
    return NoteAgencyUnit(unit_id=data.unit.unit_id, kind=data.unit.kind)


SUBSCRIPTIONS: Subscriptions = {
    CaseReported: on_case_reported,
    PersonalDataErased: on_personal_data_erased,
    AgencyUnitRecorded: on_agency_unit_recorded,
}
