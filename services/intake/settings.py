"""Intake's settings, read from INTAKE_* variables."""

from pydantic_settings import SettingsConfigDict

from saphan_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    """Intake's settings."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    name: str = "intake"
    port: int = 8001
