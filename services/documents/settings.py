"""Documents' settings, read from DOCUMENTS_* variables."""

from pydantic_settings import SettingsConfigDict

from saphan_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    """Documents' settings."""

    model_config = SettingsConfigDict(env_prefix="DOCUMENTS_", extra="ignore")

    name: str = "documents"
    port: int = 8003
