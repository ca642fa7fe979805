"""Referral's settings, read from REFERRAL_* variables."""

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from saphan_runtime.settings import ServiceSettings

DEFAULT_RULES = Path(__file__).parent / "routing_rules.json"


class Settings(ServiceSettings):
    """Referral's settings."""

    model_config = SettingsConfigDict(env_prefix="REFERRAL_", extra="ignore")

    name: str = "referral"
    port: int = 8002
    routing_rules_file: Path = DEFAULT_RULES
