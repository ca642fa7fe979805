"""What documents can be asked to do."""

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.common import AgencyKind
from contracts.documents import ConsentGiver, LegalBasis, ShareBasis


class Command(BaseModel):
    """Base of documents' commands: frozen and closed."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class OpenCaseFile(Command):
    """Open the (empty) document file of a newly reported case, so documents can be attached to it."""

    case_id: str
    reported_at: AwareDatetime


class UploadDocument(Command):
    """Store a document of a case, or a new version of one (the content is sniffed, hashed and encrypted)."""

    case_id: str
    document_id: str
    document_type: str
    content: bytes
    declared_sha256: str | None = None
    file_name: str | None = Field(default=None, max_length=255)
    by_unit: str
    by_user: str


class DestroyCaseKey(Command):
    """The case's personal data was erased: destroy its key, so its documents' content is unreadable."""

    case_id: str
    reason: str


class GiveConsent(Command):
    """Record the client's consent to share the case's documents, with its signed พม.1."""

    case_id: str
    form_document_id: str
    given_by: ConsentGiver
    by_unit: str


class WithdrawConsent(Command):
    """Record that the client withdrew a consent."""

    case_id: str
    consent_id: str
    by_unit: str


class ShareDocument(Command):
    """Share a document with another unit, on the client's consent or a basis in law."""

    case_id: str
    document_id: str
    to_unit: str
    basis: ShareBasis
    legal_basis: LegalBasis | None = None
    note: str | None = Field(default=None, max_length=500)
    by_unit: str


class NoteAgencyUnit(Command):
    """Keep a unit's agency kind, which decides the document types it may hold."""

    unit_id: str
    kind: AgencyKind
