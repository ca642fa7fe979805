"""Where document content rests: a small interface, and a local folder behind it (an S3-compatible store can stand
in its place in production). A blob is written whole or not at all: into a `.part` file, flushed to disk, then
renamed; a crash leaves at most a `.part` file or a blob no event names, which `sweep` removes at start-up."""

import asyncio
import os
import time
from pathlib import Path
from typing import Protocol

PART = ".part"


class BlobStore(Protocol):
    """Content storage, addressed by name (`<case>/<document>/<version>`)."""

    async def put(self, name: str, content: bytes) -> None:
        """Store content under a name, whole or not at all."""

    async def get(self, name: str) -> bytes:
        """Return the content stored under a name (FileNotFoundError when there is none)."""

    async def delete(self, name: str) -> None:
        """Remove a name's content, if any."""

    async def names(self, older_than: float = 0.0) -> list[str]:
        """Return every stored name at least `older_than` seconds old (unfinished writes excluded)."""

    async def remove_unfinished(self) -> int:
        """Remove what unfinished writes left; return how many."""


class LocalFolder:
    """Blobs as files under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if not path.is_relative_to(self.root.resolve()) or name.endswith(PART):
            raise ValueError(f"not a blob name: {name!r}")
        return path

    async def put(self, name: str, content: bytes) -> None:
        """Write to a `.part` file, flush it to disk, then rename it into place."""
        await asyncio.to_thread(self._put, self._path(name), content)

    @staticmethod
    def _put(path: Path, content: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(path.name + PART)
        with open(draft, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(draft, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    async def get(self, name: str) -> bytes:
        """Read a blob."""
        return await asyncio.to_thread(self._path(name).read_bytes)

    async def delete(self, name: str) -> None:
        """Remove a blob."""
        await asyncio.to_thread(self._path(name).unlink, True)

    async def names(self, older_than: float = 0.0) -> list[str]:
        """List the blobs at least `older_than` seconds old."""
        return await asyncio.to_thread(self._names, older_than)

    def _names(self, older_than: float) -> list[str]:
        if not self.root.exists():
            return []
        cutoff = time.time() - older_than
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file()
                      and not p.name.endswith(PART) and p.stat().st_mtime <= cutoff)

    async def remove_unfinished(self) -> int:
        """Remove the `.part` files a crash left behind; return how many."""
        def remove() -> int:
            parts = list(self.root.rglob(f"*{PART}")) if self.root.exists() else []
            for part in parts:
                part.unlink(missing_ok=True)
            return len(parts)

        return await asyncio.to_thread(remove)
