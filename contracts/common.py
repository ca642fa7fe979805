"""Value types shared by several event contracts."""

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field


def not_a_number(value: object) -> object:
    """Refuse a number where a date or a moment is due (pydantic would read it as seconds since 1970)."""
    if isinstance(value, int | float) or isinstance(value, str) and _reads_as_number(value):
        raise ValueError("write it in ISO 8601 (2026-11-21, 2026-11-21T10:00:00+07:00), not as a number / "
                         "ใช้รูปแบบ ISO 8601 (2026-11-21, 2026-11-21T10:00:00+07:00) ไม่ใช่ตัวเลข")
    return value


def _reads_as_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# What callers send as dates and moments: ISO 8601 only, as the OpenAPI documents say (`format: date-time`, `date`).
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(not_a_number)]
IsoDate = Annotated[date, BeforeValidator(not_a_number)]


class Value(BaseModel):
    """Base of the values nested inside event data: frozen and closed."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Channel(StrEnum):
    """How a report reached Saphan."""

    HOTLINE_1300 = "hotline_1300"
    WALK_IN = "walk_in"
    COMMUNITY_VOLUNTEER = "community_volunteer"
    AGENCY_SYSTEM = "agency_system"
    POLICE = "police"
    MEDIA_SURVEILLANCE = "media_surveillance"
    PROACTIVE_SURVEY = "proactive_survey"


class ProblemType(StrEnum):
    """The problem categories a report can name."""

    DOMESTIC_VIOLENCE = "domestic_violence"
    CHILD_ABUSE_OR_NEGLECT = "child_abuse_or_neglect"
    SEXUAL_ABUSE = "sexual_abuse"
    HUMAN_TRAFFICKING = "human_trafficking"
    CHILD_LABOUR = "child_labour"
    UNPLANNED_PREGNANCY = "unplanned_pregnancy"
    VIOLENCE_AGAINST_ELDERLY_OR_DISABLED = "violence_against_elderly_or_disabled"
    DESTITUTION_OR_HOMELESSNESS = "destitution_or_homelessness"
    BEGGING = "begging"
    ABANDONED_DEPENDENT_PERSON = "abandoned_dependent_person"
    PSYCHIATRIC_CRISIS = "psychiatric_crisis"
    HOUSEHOLD_POVERTY = "household_poverty"


class AgencyKind(StrEnum):
    """The four kinds of agency a case moves between."""

    PROVINCIAL_MSDHS_OFFICE = "provincial_msdhs_office"
    CHILDREN_FAMILY_SHELTER = "children_family_shelter"
    JUVENILE_FAMILY_PROSECUTOR = "juvenile_family_prosecutor"
    TAMBON_COORDINATION_CENTRE = "tambon_coordination_centre"


class ReferralRole(StrEnum):
    """Why an agency is party to a case."""

    LEAD = "lead"
    WELFARE_PROTECTION_PETITION = "welfare_protection_petition"
    SURVEILLANCE = "surveillance"
    SUPPORT = "support"


class Location(Value):
    """Where the client is: DOPA province, district and subdistrict codes."""

    province_code: str = Field(pattern=r"^[0-9]{2}$")
    district_code: str | None = Field(default=None, pattern=r"^[0-9]{4}$")
    subdistrict_code: str | None = Field(default=None, pattern=r"^[0-9]{6}$")


class Sex(StrEnum):
    """The client's sex as reported."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class DutyShift(StrEnum):
    """Which duty shift took the report: office hours (พมจ.) or after hours (the rota)."""

    OFFICE_HOURS = "office_hours"
    AFTER_HOURS = "after_hours"


class ConsentState(StrEnum):
    """Whether the client consented to their data being shared (พม.1)."""

    GIVEN = "given"
    REFUSED = "refused"
    NOT_YET_ASKED = "not_yet_asked"
    UNABLE_TO_CONSENT = "unable_to_consent"


class Relationship(StrEnum):
    """How a person is related to the client."""

    MOTHER = "mother"
    FATHER = "father"
    STEP_PARENT = "step_parent"
    GRANDPARENT = "grandparent"
    SIBLING = "sibling"
    CHILD = "child"
    SPOUSE_OR_PARTNER = "spouse_or_partner"
    FORMER_PARTNER = "former_partner"
    RELATIVE = "relative"
    LEGAL_GUARDIAN = "legal_guardian"
    FOSTER_PARENT = "foster_parent"
    CAREGIVER = "caregiver"
    EMPLOYER = "employer"
    TEACHER = "teacher"
    NEIGHBOUR = "neighbour"
    ACQUAINTANCE = "acquaintance"
    STRANGER = "stranger"
    OTHER = "other"
    UNKNOWN = "unknown"


class Urgency(StrEnum):
    """How fast the case needs a response (domain brief 4.6)."""

    CRISIS = "crisis"
    URGENT = "urgent"
    NORMAL = "normal"


class Response(StrEnum):
    """What the urgency calls for: a rapid-response team, a field visit, or the normal course."""

    RAPID_RESPONSE = "rapid_response"
    FIELD_VISIT = "field_visit"
    ROUTINE = "routine"


class ClosureReason(StrEnum):
    """Why a report was closed at intake instead of being referred."""

    INFORMATION_ONLY = "information_only"
    COUNSELLING_ONLY = "counselling_only"
    PRANK = "prank"
    FALSE_REPORT = "false_report"
    DUPLICATE = "duplicate"


class RuleFired(Value):
    """A rule that decided something, and the reason a person can read (Thai and English)."""

    rule_id: str
    reason: str


class ReferralStatus(StrEnum):
    """A referral's state, after the FHIR referral Task (with `received` kept, as closed-loop networks do)."""

    REQUESTED = "requested"
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class StatusReason(StrEnum):
    """The coded reason a referral was rejected, put on hold, failed or cancelled."""

    AT_CAPACITY = "at_capacity"
    OUT_OF_AREA = "out_of_area"
    NOT_ELIGIBLE = "not_eligible"
    MISSING_INFORMATION = "missing_information"
    CLIENT_DECLINED = "client_declined"
    CLIENT_UNREACHABLE = "client_unreachable"
    CLIENT_MOVED = "client_moved"
    CLIENT_HOSPITALISED = "client_hospitalised"
    AWAITING_DOCUMENTS = "awaiting_documents"
    DUPLICATE = "duplicate"
    REROUTED = "rerouted"
    CLOSED_AT_INTAKE = "closed_at_intake"
    OTHER = "other"


class ReferralOutcome(StrEnum):
    """What a completed referral achieved (closing the loop)."""

    SERVICES_DELIVERED = "services_delivered"
    CLIENT_SAFE = "client_safe"
    PETITION_FILED = "petition_filed"
    SHELTER_PLACEMENT = "shelter_placement"
    REFERRED_ON = "referred_on"
    SURVEILLANCE_IN_PLACE = "surveillance_in_place"
    OTHER = "other"


class DeadlineKind(StrEnum):
    """The deadlines a referral carries."""

    RECEIPT = "receipt"
    ACCEPTANCE = "acceptance"


class CaseStage(StrEnum):
    """The nine case-management steps (domain brief 2.4) a case moves through."""

    INTAKE = "intake"
    SCREENING_AND_REFERRAL = "screening_and_referral"
    ASSESSMENT = "assessment"
    CARE_PLANNING = "care_planning"
    IMPLEMENTATION = "implementation"
    MONITORING = "monitoring"
    REASSESSMENT = "reassessment"
    DISENGAGEMENT = "disengagement"
    SURVEILLANCE = "surveillance"


class DisengagementReason(StrEnum):
    """Why the service to a client ended (การยุติการบริการ)."""

    GOALS_MET = "goals_met"
    CLIENT_MANAGES_ALONE = "client_manages_alone"
    CLIENT_DECLINED = "client_declined"
    CLIENT_MOVED = "client_moved"
    CLIENT_DIED = "client_died"
    TRANSFERRED = "transferred"
    OTHER = "other"


class ReassessmentDecision(StrEnum):
    """What a reassessment decides: plan again, go on with the plan, or end the service."""

    REPLAN = "replan"
    CONTINUE = "continue"
    DISENGAGE = "disengage"


class Sealed(Value):
    """Personal data sealed with its case's own key (AES-256-GCM). Only the service that owns the key can open it;
    when the key is destroyed (crypto-shredding) the data is unreadable everywhere, while the event that carries it
    keeps its bytes, its hash and its place in the audit ledger."""

    alg: str = Field(default="A256GCM", pattern=r"^A256GCM$")
    kid: str = Field(min_length=1, max_length=100, description="which key: the case's, e.g. case:<case id>")
    nonce: str = Field(pattern=r"^[A-Za-z0-9_-]{16}$", description="96 bits, base64url")
    ciphertext: str = Field(min_length=22, max_length=200_000, pattern=r"^[A-Za-z0-9_-]+$",
                            description="the sealed JSON and its 128-bit tag, base64url")
