"""The console's settings, read from CONSOLE_* variables (and the AUTH_* and SAPHAN_* ones every service reads)."""

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from saphan_runtime.settings import ServiceSettings

SERVICES = ("intake", "referral", "documents", "audit")


class Settings(ServiceSettings):
    """The console: a web page for operators, agencies and auditors, and the gateway its page calls the services
    through (the signed-in user's token rides in an HttpOnly cookie and goes on to the services as a bearer)."""

    model_config = SettingsConfigDict(env_prefix="CONSOLE_", extra="ignore")

    name: str = "console"
    # The console keeps no database and talks to no broker: it calls the services over HTTP.
    unused_settings: ClassVar[frozenset[str]] = frozenset(
        {"database_url", "relay_poll_seconds", "relay_batch_size", "broker", "master_key"})
    port: int = Field(default=8000, ge=1, le=65535)
    intake_url: str = "http://127.0.0.1:8001"
    referral_url: str = "http://127.0.0.1:8002"
    documents_url: str = "http://127.0.0.1:8003"
    audit_url: str = "http://127.0.0.1:8004"
    # Send the session cookie over HTTPS only; on in production, where the console sits behind TLS.
    secure_cookie: bool = False
    upstream_timeout_seconds: float = Field(default=30.0, gt=0)

    def upstreams(self) -> dict[str, str]:
        """Return each service's base URL by name."""
        return {name: str(getattr(self, f"{name}_url")).rstrip("/") for name in SERVICES}

    def signs_development_tokens(self) -> bool:
        """Return whether sign-in may mint development tokens (development, and no real issuer configured)."""
        return self.environment == "development" and not self.auth.jwks_url
