"""Every event type, by its CloudEvents `type`: the one table producers, consumers and tests read."""

from contracts.access import CaseDataAccessed
from contracts.agencies import AgencyUnitRecorded, WebhookReplayRequested, WebhookSubscribed
from contracts.audit import CheckpointSigned, EventRecorded
from contracts.casework import (
    AssessmentRecorded,
    CarePlanAgreed,
    CaseDisengaged,
    CaseManagerAssigned,
    HomeVisitLogged,
    ImplementationStarted,
    OwnershipTransferAnswered,
    OwnershipTransferRequested,
    ReassessmentRecorded,
    SurveillanceStarted,
)
from contracts.documents import ConsentGiven, ConsentWithdrawn, DocumentShared, DocumentUploaded
from contracts.envelope import EventData
from contracts.intake import (
    CaseClosedAtIntake,
    CaseReported,
    CaseTriaged,
    DuplicateResolved,
    PersonalDataErased,
    PossibleDuplicateFlagged,
    ReportReceived,
)
from contracts.referral import CaseFactsNoted, ReferralOverdue, ReferralRequested, ReferralStatusChanged, RoutingDecided

EVENT_MODELS: tuple[type[EventData], ...] = (
    CaseDataAccessed,
    ReportReceived,
    CaseReported,
    CaseTriaged,
    CaseClosedAtIntake,
    PossibleDuplicateFlagged,
    DuplicateResolved,
    PersonalDataErased,
    CaseFactsNoted,
    RoutingDecided,
    ReferralRequested,
    ReferralStatusChanged,
    ReferralOverdue,
    AgencyUnitRecorded,
    WebhookSubscribed,
    WebhookReplayRequested,
    AssessmentRecorded,
    CarePlanAgreed,
    ImplementationStarted,
    HomeVisitLogged,
    ReassessmentRecorded,
    CaseDisengaged,
    SurveillanceStarted,
    CaseManagerAssigned,
    OwnershipTransferRequested,
    OwnershipTransferAnswered,
    DocumentUploaded,
    ConsentGiven,
    ConsentWithdrawn,
    DocumentShared,
    EventRecorded,
    CheckpointSigned,
)

BY_TYPE: dict[str, type[EventData]] = {model.type_name(): model for model in EVENT_MODELS}


def model_for(type_name: str) -> type[EventData] | None:
    """Return the model of a CloudEvents type, or None for a type Saphan does not know."""
    return BY_TYPE.get(type_name)
