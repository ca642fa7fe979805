"""Events of documents, and the catalogue of document types (contracts/document_types.json)."""

import json
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import AwareDatetime, Field

from contracts.common import Sealed
from contracts.envelope import EventData
from contracts.topics import DOCUMENTS_EVENTS

CATALOGUE_FILE = Path(__file__).with_name("document_types.json")
SHA256 = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the content, lower-case hex")


@cache
def catalogue() -> dict[str, Any]:
    """Return the catalogue: each document type's Thai and English names and the agency kinds that may hold it."""
    table: dict[str, Any] = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return table


class DocumentUploaded(EventData):
    """A version of a case document was stored (encrypted with the case's key); a later version supersedes it but
    never erases it. The file name may name the client, so it is sealed with the case's key."""

    event_type = "saphan.documents.document-uploaded"
    version = 1
    topic = DOCUMENTS_EVENTS

    case_id: str = Field(min_length=1, max_length=64)
    document_id: str = Field(min_length=1, max_length=64)
    document_version: int = Field(ge=1)
    document_type: str = Field(min_length=1, max_length=64)
    content_type: str = Field(description="sniffed from the bytes, not taken from the client")
    size_bytes: int = Field(ge=1)
    sha256: str = SHA256
    file_name: Sealed | None = None
    blob_id: str = Field(pattern=r"^[0-9a-f]{32}$", description="where the encrypted content rests, under the case")
    uploaded_by_unit: str = Field(min_length=1, max_length=64)
    uploaded_by_user: str = Field(min_length=1, max_length=200)
    uploaded_at: AwareDatetime


class ConsentGiver(StrEnum):
    """Who signed the consent."""

    CLIENT = "client"
    PARENT_OR_GUARDIAN = "parent_or_guardian"


class LegalBasis(StrEnum):
    """A basis in law for sharing a document without the client's consent."""

    CHILD_PROTECTION_ACT = "child_protection_act"  # พ.ร.บ.คุ้มครองเด็ก พ.ศ. 2546
    FAMILY_INSTITUTION_PROTECTION_ACT = "family_institution_protection_act"  # พ.ร.บ.คุ้มครองสถาบันครอบครัว พ.ศ. 2562
    COURT_ORDER = "court_order"  # คำสั่งศาล
    VITAL_INTEREST = "vital_interest"  # PDPA s. 24(2): to prevent or suppress a danger to life, body or health
    LEGAL_OBLIGATION = "legal_obligation"  # PDPA s. 24(6): a duty the law places on the agency


class ShareBasis(StrEnum):
    """Why a document may be read by a unit that does not hold it."""

    CONSENT = "consent"  # the client's consent (พม.1), while it stands
    LEGAL_BASIS = "legal_basis"  # a basis in law, recorded with the share


class ConsentGiven(EventData):
    """The client (or a parent or guardian) consented to share the case's documents with the agencies it is
    referred to; the signed พม.1 is a document of the case."""

    event_type = "saphan.documents.consent-given"
    version = 1
    topic = DOCUMENTS_EVENTS

    case_id: str = Field(min_length=1, max_length=64)
    consent_id: str = Field(min_length=1, max_length=64)
    form_document_id: str = Field(min_length=1, max_length=64, description="the signed พม.1 (consent form)")
    given_by: ConsentGiver
    recorded_by_unit: str = Field(min_length=1, max_length=64)
    given_at: AwareDatetime


class ConsentWithdrawn(EventData):
    """The consent was withdrawn: reads it allowed are refused from now on."""

    event_type = "saphan.documents.consent-withdrawn"
    version = 1
    topic = DOCUMENTS_EVENTS

    case_id: str = Field(min_length=1, max_length=64)
    consent_id: str = Field(min_length=1, max_length=64)
    recorded_by_unit: str = Field(min_length=1, max_length=64)
    withdrawn_at: AwareDatetime


class DocumentShared(EventData):
    """The unit holding a document shared it with another unit, on the client's consent or a basis in law."""

    event_type = "saphan.documents.document-shared"
    version = 1
    topic = DOCUMENTS_EVENTS

    case_id: str = Field(min_length=1, max_length=64)
    document_id: str = Field(min_length=1, max_length=64)
    to_unit: str = Field(min_length=1, max_length=64)
    basis: ShareBasis
    legal_basis: LegalBasis | None = None
    note: str | None = Field(default=None, max_length=500)
    shared_by_unit: str = Field(min_length=1, max_length=64)
    shared_at: AwareDatetime
