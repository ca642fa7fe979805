"""Where document content rests: a small interface, with a local folder (the default) and an S3-compatible bucket
(production) behind it. A blob is written once, whole or not at all, and never overwritten: the folder writes a
`.part` file, flushes it to disk and links it into place; the bucket's PUT is atomic and conditional. A crash
leaves at most a `.part` file or a blob no event names, which the start-up sweep removes."""

import asyncio
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from typing import Protocol

import obstore
from obstore.exceptions import AlreadyExistsError, BaseError, NotFoundError
from obstore.store import S3Store

from saphan_runtime.errors import Unavailable

PART = ".part"


def check_name(name: str) -> str:
    """Refuse a name that could leave its case's place in the store (`..`, absolute) or pose as a draft."""
    parts = name.split("/")
    if not name or name.startswith("/") or any(p in ("", ".", "..") for p in parts) or name.endswith(PART):
        raise ValueError(f"not a blob name: {name!r}")
    return name


class BlobStore(Protocol):
    """Content storage, addressed by name (`<case>/<document>/<blob>`); a store that does not answer raises
    `Unavailable`."""

    async def put(self, name: str, content: bytes) -> None:
        """Store content under a new name, whole or not at all (FileExistsError when the name is taken)."""

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
        return self.root / check_name(name)

    async def put(self, name: str, content: bytes) -> None:
        """Write to a `.part` file, flush it to disk, then link it into place (which fails if the name is taken)."""
        await asyncio.to_thread(self._put, self._path(name), content)

    @staticmethod
    def _put(path: Path, content: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}{PART}")
        try:
            with open(draft, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.link(draft, path)
        finally:
            draft.unlink(missing_ok=True)
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


class S3Bucket:
    """Blobs as objects in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, …). Each PUT is a single request
    (never a multipart upload, so nothing is left half-uploaded) carrying `If-None-Match: *`, so stored content is
    never overwritten."""

    def __init__(self, store: S3Store) -> None:
        self.store = store

    @classmethod
    def connect(cls, bucket: str, *, endpoint: str | None = None, region: str = "us-east-1", prefix: str = "",
                access_key_id: str | None = None, secret_access_key: str | None = None,
                timeout_seconds: float = 30.0) -> "S3Bucket":
        """Open a bucket; credentials left unset come from the environment (AWS_*) or the instance's role."""
        config: dict[str, str] = {"region": region}
        if endpoint:
            config |= {"endpoint": endpoint, "virtual_hosted_style_request": "false"}
        if access_key_id and secret_access_key:
            config |= {"access_key_id": access_key_id, "secret_access_key": secret_access_key}
        store = S3Store(bucket, prefix=prefix or None, config=config,  # type: ignore[arg-type]
                        client_options={"timeout": f"{timeout_seconds}s",
                                        "allow_http": bool(endpoint and endpoint.startswith("http://"))},
                        retry_config={"max_retries": 3, "backoff": {"init_backoff": timedelta(milliseconds=100),
                                                                    "max_backoff": timedelta(seconds=2),
                                                                    "base": 2},
                                      "retry_timeout": timedelta(seconds=timeout_seconds)})
        return cls(store)

    async def put(self, name: str, content: bytes) -> None:
        """Store the object in one conditional PUT."""
        with _answered(name):
            await obstore.put_async(self.store, check_name(name), content, mode="create", use_multipart=False)

    async def get(self, name: str) -> bytes:
        """Read an object whole."""
        with _answered(name):
            found = await obstore.get_async(self.store, check_name(name))
            return bytes(await found.bytes_async())

    async def delete(self, name: str) -> None:
        """Remove an object (S3 answers the same whether or not it existed)."""
        with suppress(FileNotFoundError), _answered(name):
            await obstore.delete_async(self.store, check_name(name))

    async def names(self, older_than: float = 0.0) -> list[str]:
        """List the objects at least `older_than` seconds old."""
        cutoff = time.time() - older_than
        found: list[str] = []
        with _answered(""):
            async for batch in obstore.list(self.store, chunk_size=1000):
                found += [o["path"] for o in batch if o["last_modified"].timestamp() <= cutoff]
        return sorted(found)

    async def remove_unfinished(self) -> int:
        """Nothing to remove: a single PUT is stored whole or not at all."""
        return 0


@contextmanager
def _answered(name: str) -> Iterator[None]:
    """Say the bucket's answers in the interface's words: a name taken, a name missing, or a store that is away."""
    try:
        yield
    except AlreadyExistsError as taken:
        raise FileExistsError(name) from taken
    except NotFoundError as missing:
        raise FileNotFoundError(name) from missing
    except BaseError as error:
        raise Unavailable(f"the content store refused or did not answer ({type(error).__name__})") from error
