"""Documents' settings, read from DOCUMENTS_* variables."""

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from saphan_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    """Documents' settings (DOCUMENTS_MASTER_KEY wraps each case's content key)."""

    model_config = SettingsConfigDict(env_prefix="DOCUMENTS_", extra="ignore")

    name: str = "documents"
    port: int = 8003
    seals_personal_data: ClassVar[bool] = True
    # Where content rests (encrypted); unset: SAPHAN_VAR_DIR/documents.
    storage_dir: Path | None = None
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    # An S3-compatible bucket instead of the folder (production): unset credentials come from AWS_* or the
    # instance's role; an http:// endpoint (a MinIO on the host, say) is allowed.
    s3_bucket: str | None = None
    s3_endpoint: str | None = None
    s3_region: str = "us-east-1"
    s3_prefix: str = ""
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    # A blob no event names is removed at start-up once this old (a crash between storing it and committing).
    orphan_grace_seconds: float = Field(default=600.0, ge=0)

    def storage_root(self) -> Path:
        """Return the folder documents' content rests in."""
        return self.storage_dir or self.var_dir / "documents"
