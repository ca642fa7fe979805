"""Events of intake. They carry what other services need and no readable personal data: the full report, with
names, ID numbers, addresses and phone numbers, is sealed with the case's key, which stays in intake
(ReportReceived)."""

from enum import StrEnum

from pydantic import AwareDatetime, Field, StrictBool, StrictInt, model_validator

from contracts.common import (
    Channel,
    ClosureReason,
    ConsentState,
    DutyShift,
    IsoDate,
    IsoDateTime,
    Location,
    ProblemType,
    Relationship,
    Response,
    RuleFired,
    Sealed,
    Sex,
    Urgency,
    Value,
)
from contracts.envelope import EventData
from contracts.topics import INTAKE_EVENTS

NAME = Field(default=None, min_length=1, max_length=200)
NATIONAL_ID = Field(default=None, pattern=r"^[0-9][0-9 -]{11,18}[0-9]$", description="13 digits, spaces or dashes")
PHONE = Field(default=None, pattern=r"^\+?[0-9][0-9 -]{5,19}$")


class RequestKind(StrEnum):
    """What the caller wants: a case, or only information or counselling (closed at intake)."""

    CASE = "case"
    INFORMATION_ONLY = "information_only"
    COUNSELLING_ONLY = "counselling_only"


class Informant(Value):
    """Who reported; may be anonymous, may leave a number to call back."""

    anonymous: StrictBool = False
    name: str | None = NAME
    callback_phone: str | None = PHONE
    relationship_to_client: Relationship | None = None
    agency: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def check_anonymous_has_no_name(self) -> "Informant":
        """An anonymous informant gives no name."""
        if self.anonymous and self.name:
            raise ValueError("an anonymous informant has no name / ผู้แจ้งที่ไม่ประสงค์ออกนามต้องไม่ระบุชื่อ")
        return self


class Client(Value):
    """The person the report is about."""

    name: str | None = NAME
    national_id: str | None = NATIONAL_ID
    birth_date: IsoDate | None = None
    estimated_age_years: StrictInt | None = Field(default=None, ge=0, le=130)
    sex: Sex = Sex.UNKNOWN
    nationality: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    disability: StrictBool | None = None
    disability_note: str | None = Field(default=None, max_length=500)


class RelatedPerson(Value):
    """A parent or guardian, an alleged perpetrator or a household member, and how they relate to the client."""

    name: str | None = NAME
    relationship_to_client: Relationship = Relationship.UNKNOWN
    national_id: str | None = NATIONAL_ID
    phone: str | None = PHONE
    age_years: StrictInt | None = Field(default=None, ge=0, le=130)


class ReportLocation(Location):
    """Where the client is: the DOPA codes, and the address (personal data, kept in intake)."""

    address: str | None = Field(default=None, max_length=500)


class IntakeReport(Value):
    """Everything an operator or an agency system reports."""

    channel: Channel
    received_at: IsoDateTime
    duty_shift: DutyShift | None = None
    request_kind: RequestKind = RequestKind.CASE
    informant: Informant = Field(default_factory=Informant)
    client: Client = Field(default_factory=Client)
    guardians: list[RelatedPerson] = Field(default_factory=list, max_length=10)
    alleged_perpetrators: list[RelatedPerson] = Field(default_factory=list, max_length=10)
    household_members: list[RelatedPerson] = Field(default_factory=list, max_length=30)
    location: ReportLocation
    problem_types: list[ProblemType] = Field(min_length=1, max_length=12)
    immediate_danger: StrictBool = Field(default=False, description="the client is in danger right now")
    description: str = Field(default="", max_length=10_000)
    consent: ConsentState = ConsentState.NOT_YET_ASKED


class ReportReceived(EventData):
    """The full report as received. Its personal data (names, ID numbers, addresses, phone numbers, the account of
    what happened) is sealed with the case's own key, which never leaves intake: other services and the audit
    ledger hold it unreadable, and destroying the key (PersonalDataErased) makes it unreadable everywhere."""

    event_type = "saphan.intake.report-received"
    version = 1
    topic = INTAKE_EVENTS

    case_id: str = Field(min_length=1, max_length=64)
    report: Sealed = Field(description="the IntakeReport as JSON, sealed with the case's key")
    duty_shift: DutyShift
    reported_by_unit: str | None = Field(default=None, max_length=64, description="the unit whose user reported it")
    reported_by_user: str | None = Field(default=None, max_length=200)


class ErasureReason(StrEnum):
    """Why a case's personal data was erased."""

    RETENTION_ENDED = "retention_ended"  # the retention period of the case's records ended
    COURT_ORDER = "court_order"  # a court ordered it
    DATA_SUBJECT_REQUEST = "data_subject_request"  # the person asked, and the law allows it (PDPA section 33)
    RECORDED_IN_ERROR = "recorded_in_error"  # personal data of someone else was recorded by mistake


class PersonalDataErased(EventData):
    """The case's key was destroyed: its personal data is unreadable everywhere (crypto-shredding); the events and
    their proofs stay as they were."""

    event_type = "saphan.intake.personal-data-erased"
    version = 1
    topic = INTAKE_EVENTS

    case_id: str = Field(min_length=1, max_length=64)
    reason: ErasureReason
    note: str | None = Field(default=None, max_length=500, description="the order or request behind it")
    by_unit: str = Field(min_length=1, max_length=64)
    erased_at: AwareDatetime


class CaseReported(EventData):
    """A report was received and a case opened for it: the facts other services need, no personal data."""

    event_type = "saphan.intake.case-reported"
    version = 1
    topic = INTAKE_EVENTS

    case_id: str = Field(min_length=1, max_length=64)
    channel: Channel
    received_at: AwareDatetime
    duty_shift: DutyShift
    problem_types: list[ProblemType] = Field(min_length=1)
    client_age_years: int | None = Field(default=None, ge=0, le=130)
    client_sex: Sex = Sex.UNKNOWN
    client_has_disability: bool | None = None
    alleged_perpetrator_relationships: list[Relationship] = Field(default_factory=list)
    location: Location
    consent: ConsentState
    informant_anonymous: bool
    request_kind: RequestKind = RequestKind.CASE
    reported_by_unit: str | None = Field(default=None, max_length=64, description="the unit whose user reported it")


class CaseTriaged(EventData):
    """Screening set the case's urgency; the rule that decided is named. The case goes on to referral."""

    event_type = "saphan.intake.case-triaged"
    version = 1
    topic = INTAKE_EVENTS

    case_id: str = Field(min_length=1, max_length=64)
    urgency: Urgency
    response: Response
    decided_by: RuleFired
    triaged_at: AwareDatetime


class CaseClosedAtIntake(EventData):
    """The report was closed at intake (information or counselling only, prank, false, duplicate)."""

    event_type = "saphan.intake.case-closed-at-intake"
    version = 1
    topic = INTAKE_EVENTS

    case_id: str = Field(min_length=1, max_length=64)
    reason: ClosureReason
    decided_by: RuleFired
    closed_at: AwareDatetime


class PossibleDuplicateFlagged(EventData):
    """The case looks like an existing one; offered as a link for a person to confirm, never merged silently."""

    event_type = "saphan.intake.possible-duplicate-flagged"
    version = 1
    topic = INTAKE_EVENTS

    case_id: str = Field(min_length=1, max_length=64)
    existing_case_id: str = Field(min_length=1, max_length=64)
    decided_by: RuleFired
    flagged_at: AwareDatetime


class DuplicateResolved(EventData):
    """A person confirmed or dismissed a flagged duplicate."""

    event_type = "saphan.intake.duplicate-resolved"
    version = 1
    topic = INTAKE_EVENTS

    case_id: str = Field(min_length=1, max_length=64)
    existing_case_id: str = Field(min_length=1, max_length=64)
    confirmed: bool
    resolved_at: AwareDatetime
