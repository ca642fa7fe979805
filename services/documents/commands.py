"""What documents can be asked to do."""

from pydantic import AwareDatetime, BaseModel, ConfigDict


class OpenCaseFile(BaseModel):
    """Open the (empty) document file of a newly reported case, so documents can be attached to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str
    reported_at: AwareDatetime
