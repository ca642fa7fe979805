"""Referral's settings, read from REFERRAL_* variables."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from contracts.common import Urgency
from saphan_runtime.settings import ServiceSettings
from services.referral.deadlines import DEFAULT_LIMITS, Limits

HERE = Path(__file__).parent
DEFAULT_RULES = HERE / "routing_rules.json"
DEFAULT_AGENCIES = HERE / "agencies.json"


class Settings(ServiceSettings):
    """Referral's settings."""

    model_config = SettingsConfigDict(env_prefix="REFERRAL_", extra="ignore")

    name: str = "referral"
    port: int = 8002
    routing_rules_file: Path = DEFAULT_RULES
    agencies_file: Path = DEFAULT_AGENCIES
    # The unit that sends the referrals of newly reported cases (the 1300 hotline centre).
    intake_unit: str = Field(default="hotline-1300", pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    # JSON, e.g. {"crisis": {"receipt_seconds": 900, "acceptance_seconds": 3600}, ...}
    deadline_limits: dict[Urgency, Limits] = Field(default_factory=lambda: dict(DEFAULT_LIMITS))
    deadline_check_seconds: float = Field(default=5.0, gt=0)
    webhook_dispatch_seconds: float = Field(default=1.0, gt=0)
