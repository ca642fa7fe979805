"""Intake's settings, read from INTAKE_* variables."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from saphan_runtime.sealing import Keyring, keyring_from
from saphan_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    """Intake's settings."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    name: str = "intake"
    port: int = 8001
    # Wraps each case's personal-data key: 32 bytes, base64. Unset: a development key kept in
    # SAPHAN_VAR_DIR/intake-master.key (refused outside development).
    master_key: str = Field(default="", repr=False)

    def development_defaults(self) -> list[str]:
        """Add the personal-data master key to the shared development defaults."""
        own = [] if self.master_key else ["INTAKE_MASTER_KEY (wraps each case's personal-data key)"]
        return [*super().development_defaults(), *own]

    def keyring(self) -> Keyring:
        """Return the keyring of the case keys that seal personal data."""
        return keyring_from(self.master_key, self.var_dir / "intake-master.key")
