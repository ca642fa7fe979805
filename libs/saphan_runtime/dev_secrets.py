"""Development secrets: a key kept in a file under SAPHAN_VAR_DIR, made on first use and readable by the owner only.
Several services may start at once, so the first file published wins, whole. Outside development no service starts
on one (see ServiceSettings.development_defaults)."""

import base64
import os
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path


def development_secret(path: Path, make: Callable[[], bytes]) -> bytes:
    """Return the secret kept at `path`, making it with `make` on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}")
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
            file.write(base64.b64encode(make()).decode())
        with suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    return base64.b64decode(path.read_text().strip())
