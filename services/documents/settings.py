"""Documents' settings, read from DOCUMENTS_* variables."""

from pathlib import Path
from typing import ClassVar

from pydantic import Field
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
    # A blob no event names is removed at start-up once this old (a crash between storing it and committing).
    orphan_grace_seconds: float = Field(default=600.0, ge=0)

    def storage_root(self) -> Path:
        """Return the folder documents' content rests in."""
        return self.storage_dir or self.var_dir / "documents"
