"""Settings every service shares; each service subclasses them with its own prefix and defaults."""

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from saphan_runtime.auth import AuthSettings
from saphan_runtime.sealing import Keyring, keyring_from


class BrokerSettings(BaseSettings):
    """Where Kafka is. Unset bootstrap servers means: start the embedded broker (only `saphan up` does)."""

    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore")

    bootstrap_servers: str = ""
    # Prefixes every topic and consumer group: lets several systems (or test runs) share one cluster.
    topic_prefix: str = Field(default="", pattern=r"^[A-Za-z0-9._-]*$")
    fetch_max_wait_ms: int = Field(default=100, ge=1, le=10_000)
    session_timeout_ms: int = Field(default=10_000, ge=1_000)
    # The relay reads back what it published and sends again what is not there (saphan_runtime.read_back): for the
    # embedded broker, which `saphan up` starts with it on; a Kafka cluster with acks=all does not need it.
    read_back: bool = False


    def topic(self, name: str) -> str:
        """Return the topic's name on the broker."""
        return f"{self.topic_prefix}{name}"

    def logical_topic(self, physical: str) -> str:
        """Return the contract's name of a topic seen on the broker."""
        return physical.removeprefix(self.topic_prefix)


class ServiceSettings(BaseSettings):
    """Settings common to the four services; a subclass sets `env_prefix` and the defaults below."""

    # An empty variable counts as unset (compose passes optional ones through as ${NAME:-}).
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, env_ignore_empty=True)

    name: str = "service"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    var_dir: Path = Field(default=Path("var"), validation_alias="SAPHAN_VAR_DIR")
    database_url: str = ""
    relay_poll_seconds: float = Field(default=0.5, gt=0)
    relay_batch_size: int = Field(default=500, ge=1)
    broker: BrokerSettings = Field(default_factory=BrokerSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    # Outside development nothing may rest on a development default: see development_defaults().
    environment: Literal["development", "production"] = Field(default="development", validation_alias="SAPHAN_ENV")
    # A service that holds personal data seals it with a key per case, wrapped by this master key: 32 bytes, base64
    # (<PREFIX>MASTER_KEY). Unset: a development key kept in SAPHAN_VAR_DIR/<name>-master.key.
    seals_personal_data: ClassVar[bool] = False
    # Fields of this class a subclass's process never reads (kept out of its deployment files and `saphan settings`).
    unused_settings: ClassVar[frozenset[str]] = frozenset()
    master_key: str = Field(default="", repr=False)

    def development_defaults(self) -> list[str]:
        """Return the settings left at a development default (a service refuses to start with one in production)."""
        defaults = [] if self.auth.jwks_url else ["AUTH_JWKS_URL (the token issuer's keys)"]
        if self.seals_personal_data and not self.master_key:
            prefix = str(self.model_config.get("env_prefix", ""))
            defaults.append(f"{prefix}MASTER_KEY (wraps each case's personal-data key)")
        return defaults

    def keyring(self) -> Keyring:
        """Return the keyring of the case keys that seal this service's personal data."""
        return keyring_from(self.master_key, self.var_dir / f"{self.name}-master.key")

    @field_validator("database_url")
    @classmethod
    def check_database_url(cls, value: str) -> str:
        """Accept only the async drivers the services use."""
        if value and not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("database_url must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    def resolved_database_url(self) -> str:
        """Return the configured database, or the embedded SQLite file under `var/`."""
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{(self.var_dir / f'{self.name}.db').resolve()}"

    def source(self) -> str:
        """Return the CloudEvents `source` of this service's events."""
        return service_source(self.name)


def service_source(name: str) -> str:
    """Return the CloudEvents `source` of a service's events."""
    return f"/saphan/{name}"
