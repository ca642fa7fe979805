"""Intake's settings, read from INTAKE_* variables."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from saphan_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    """Intake's settings (INTAKE_MASTER_KEY wraps each case's personal-data key)."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    name: str = "intake"
    port: int = 8001
    seals_personal_data: ClassVar[bool] = True
