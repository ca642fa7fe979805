"""Audit's settings, read from AUDIT_* variables."""

from pydantic_settings import SettingsConfigDict

from saphan_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    """Audit's settings."""

    model_config = SettingsConfigDict(env_prefix="AUDIT_", extra="ignore")

    name: str = "audit"
    port: int = 8004
