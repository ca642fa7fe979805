"""Events of documents, and the catalogue of document types (contracts/document_types.json)."""

import json
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
