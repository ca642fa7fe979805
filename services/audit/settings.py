"""Audit's settings, read from AUDIT_* variables."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from saphan_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    """Audit's settings."""

    model_config = SettingsConfigDict(env_prefix="AUDIT_", extra="ignore")

    name: str = "audit"
    port: int = 8004
    # The Ed25519 key that signs checkpoints: its 32-byte seed, base64. Unset: a development key kept in
    # SAPHAN_VAR_DIR/audit-signing.key (the Access-control issue refuses that outside development).
    signing_key: str = Field(default="", repr=False)
    checkpoint_seconds: float = Field(default=10.0, gt=0)

    def development_defaults(self) -> list[str]:
        """Add the checkpoint signing key to the shared development defaults."""
        own = [] if self.signing_key else ["AUDIT_SIGNING_KEY (the checkpoint signing key)"]
        return [*super().development_defaults(), *own]
