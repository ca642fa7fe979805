"""Intake's settings, read from INTAKE_* variables."""

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from saphan_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    """Intake's settings (INTAKE_MASTER_KEY wraps each case's personal-data key)."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    name: str = "intake"
    port: int = 8001
    seals_personal_data: ClassVar[bool] = True
    # The retention policy: a case's personal data (in intake and documents) is erased this many days after the
    # report was received; unset keeps it until an administrator erases it.
    retention_days: float | None = Field(default=None, gt=0)
    retention_check_seconds: float = Field(default=3600.0, gt=0)
