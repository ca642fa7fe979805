"""Case work after referral (published by referral): the nine steps, the case manager and ownership transfers.
Every event's `subject` is the case id; notes stay short and carry no personal data."""

from datetime import date

from pydantic import AwareDatetime, Field

from contracts.common import CaseStage, DisengagementReason, ReassessmentDecision
from contracts.envelope import EventData
from contracts.topics import REFERRAL_EVENTS

CASE_ID = Field(min_length=1, max_length=64)


class CaseWorkEvent(EventData):
    """Base of case-work events: the case, the unit that acted, the stage the case is in afterwards."""

    topic = REFERRAL_EVENTS

    case_id: str = CASE_ID
    by_unit: str = Field(min_length=1, max_length=64)
    stage: CaseStage
    at: AwareDatetime


class AssessmentRecorded(CaseWorkEvent):
    """The client's situation was assessed (step 3)."""

    event_type = "saphan.referral.assessment-recorded"
    version = 1

    risk_level: int = Field(ge=1, le=3, description="3 is served first")


class CarePlanAgreed(CaseWorkEvent):
    """A care plan was agreed (step 4), with its review date."""

    event_type = "saphan.referral.care-plan-agreed"
    version = 1

    goals: int = Field(ge=1, le=50)
    review_on: date


class ImplementationStarted(CaseWorkEvent):
    """Work on the plan began (step 5)."""

    event_type = "saphan.referral.implementation-started"
    version = 1


class HomeVisitLogged(CaseWorkEvent):
    """A home visit took place (monitoring, step 6)."""

    event_type = "saphan.referral.home-visit-logged"
    version = 1

    visited_on: date


class ReassessmentRecorded(CaseWorkEvent):
    """The client was reassessed (step 7) and the next step decided."""

    event_type = "saphan.referral.reassessment-recorded"
    version = 1

    decision: ReassessmentDecision
    risk_level: int = Field(ge=1, le=3)


class CaseDisengaged(CaseWorkEvent):
    """The service ended (step 8), with its reason."""

    event_type = "saphan.referral.case-disengaged"
    version = 1

    reason: DisengagementReason


class SurveillanceStarted(CaseWorkEvent):
    """The case is watched until an end date (step 9)."""

    event_type = "saphan.referral.surveillance-started"
    version = 1

    ends_on: date


class CaseManagerAssigned(CaseWorkEvent):
    """The lead unit named the case manager (one at a time)."""

    event_type = "saphan.referral.case-manager-assigned"
    version = 1

    manager: str = Field(min_length=1, max_length=200, description="a staff identifier, not a name")


class OwnershipTransferRequested(CaseWorkEvent):
    """The lead unit asked another unit to take the case over (not a referral: the lead changes)."""

    event_type = "saphan.referral.ownership-transfer-requested"
    version = 1

    to_unit: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)


class OwnershipTransferAnswered(CaseWorkEvent):
    """The asked unit accepted (it now leads) or declined the transfer."""

    event_type = "saphan.referral.ownership-transfer-answered"
    version = 1

    from_unit: str
    accepted: bool
    reason: str | None = Field(default=None, max_length=500)
