"""What audit can be asked to do."""

from pydantic import BaseModel, ConfigDict, Field


class RecordEvent(BaseModel):
    """Append one event, exactly as it was received from Kafka, to the ledger."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str
    topic: str
    partition: int = Field(ge=0)
    offset: int = Field(ge=0)
    raw: str
    causation_id: str | None = None
    wait_for_cause: bool = True


class SignCheckpoint(BaseModel):
    """Sign the ledger's current size and root, unless the newest checkpoint already covers it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
