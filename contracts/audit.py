"""Events kept by audit: the ledger entries (mirrored, in sequence order, on their own topic) and the checkpoints."""

from typing import Any

from pydantic import AwareDatetime, Field

from contracts.envelope import EventData
from contracts.topics import AUDIT_EVENTS, AUDIT_LEDGER


class EventRecorded(EventData):
    """One event, exactly as received from Kafka, appended to the ledger at a dense sequence number."""

    event_type = "saphan.audit.event-recorded"
    version = 1
    topic = AUDIT_LEDGER
    keyed_by = "the recorded event's subject (its case id)"

    sequence: int = Field(ge=1)
    case_id: str
    topic_name: str
    partition: int = Field(ge=0)
    offset: int = Field(ge=0)
    recorded_at: AwareDatetime
    event: dict[str, Any]


class CheckpointSigned(EventData):
    """Audit signed the ledger's state: its size and Merkle root (RFC 6962), at a time, with Ed25519."""

    event_type = "saphan.audit.checkpoint-signed"
    version = 1
    topic = AUDIT_EVENTS
    keyed_by = "`ledger`, the one ledger every checkpoint signs"

    tree_size: int = Field(ge=1)
    root_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    signed_at: AwareDatetime
    key_id: str = Field(pattern=r"^[0-9a-f]{16}$", description="the first 8 bytes of the public key, hex")
    note: str = Field(description="the signed text: origin, size, root and time, one per line")
    signature: str = Field(description="Ed25519 signature of the note, base64")
