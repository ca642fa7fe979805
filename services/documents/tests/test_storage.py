"""The content stores keep one contract: the local folder and the S3-compatible bucket (talked to over HTTP, an S3
server in its own process) answer every call alike. Then the documents service over a bucket: an upload is read
back, and the objects hold no plaintext."""

import hashlib
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from contracts.access import Role
from contracts.topics import INTAKE_EVENTS
from saphan_runtime.broker import free_port, wait_for_port
from saphan_runtime.errors import Unavailable
from saphan_runtime.testing import running
from services.documents.storage import BlobStore, LocalFolder, S3Bucket
from services.documents.tests.support import MARKER, PDF, case_known, form
from tests.helpers import case_reported_event, publish

KEY_ID, SECRET = "saphan-test", "saphan-test-secret"


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """Start an S3-protocol server (moto's) in its own process; return its endpoint."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)


def new_bucket(endpoint: str) -> str:
    name = f"saphan-{time.monotonic_ns()}"
    httpx.put(f"{endpoint}/{name}").raise_for_status()
    return name


def objects(endpoint: str, bucket: str) -> list[bytes]:
    """Every object's bytes, read with plain S3 calls rather than through the store under test."""
    import xml.etree.ElementTree as ET

    listing = ET.fromstring(httpx.get(f"{endpoint}/{bucket}", params={"list-type": "2"}).content)
    keys = [e.text for e in listing.iter() if e.tag.endswith("}Key")]
    return [httpx.get(f"{endpoint}/{bucket}/{key}").content for key in keys]


@pytest.fixture(params=["folder", "bucket"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    if request.param == "folder":
        yield LocalFolder(tmp_path / "blobs")
        return
    endpoint = request.getfixturevalue("s3_server")
    yield S3Bucket.connect(new_bucket(endpoint), endpoint=endpoint, prefix="documents",
                           access_key_id=KEY_ID, secret_access_key=SECRET)


async def test_content_is_written_once_read_back_listed_and_removed(store: BlobStore) -> None:
    await store.put("case-1/doc-1/blob-a", b"first")
    await store.put("case-1/doc-1/blob-b", b"second")
    with pytest.raises(FileExistsError):
        await store.put("case-1/doc-1/blob-a", b"overwritten")
    assert await store.get("case-1/doc-1/blob-a") == b"first"
    assert await store.names() == ["case-1/doc-1/blob-a", "case-1/doc-1/blob-b"]
    assert await store.names(older_than=3600) == []
    await store.delete("case-1/doc-1/blob-a")
    await store.delete("case-1/doc-1/blob-a")  # twice: nothing to remove is not an error
    with pytest.raises(FileNotFoundError):
        await store.get("case-1/doc-1/blob-a")
    assert await store.names() == ["case-1/doc-1/blob-b"]
    assert await store.remove_unfinished() == 0


@pytest.mark.parametrize("name", ["", "/etc/passwd", "case-1/../../escape", "case-1//blob", "case-1/blob.part"])
async def test_names_that_leave_the_store_or_pose_as_drafts_are_refused(store: BlobStore, name: str) -> None:
    with pytest.raises(ValueError, match="not a blob name"):
        await store.put(name, b"x")


async def test_a_bucket_that_does_not_answer_is_unavailable_not_a_crash() -> None:
    away = S3Bucket.connect("saphan", endpoint=f"http://127.0.0.1:{free_port()}", timeout_seconds=0.5,
                           access_key_id=KEY_ID, secret_access_key=SECRET)
    with pytest.raises(Unavailable):
        await away.put("case-1/doc-1/blob", b"x")
    with pytest.raises(Unavailable):
        await away.names()


async def test_documents_over_a_bucket_stores_only_ciphertext_and_reads_it_back(
    make_service, broker, caller, s3_server
) -> None:
    bucket = new_bucket(s3_server)
    documents = make_service("documents", s3_bucket=bucket, s3_endpoint=s3_server, s3_access_key_id=KEY_ID,
                             s3_secret_access_key=SECRET)
    async with running(documents) as url, httpx.AsyncClient(
            base_url=url, headers=caller("hotline-1300", Role.HOTLINE_OPERATOR)) as client:
        await publish(broker, INTAKE_EVENTS, case_reported_event("case-s3"), key=b"case-s3")
        await case_known(documents, client, "case-s3")
        uploaded = await client.post("/cases/case-s3/documents", **form(PDF, sha256=hashlib.sha256(PDF).hexdigest()))
        read = await client.get(f"/cases/case-s3/documents/{uploaded.json()['document_id']}/content")
    assert uploaded.status_code == 201, uploaded.text
    assert read.status_code == 200 and read.content == PDF
    stored = objects(s3_server, bucket)
    assert len(stored) == 1 and MARKER not in stored[0] and b"%PDF" not in stored[0]


async def test_uploads_answer_503_while_the_bucket_is_away_and_nothing_is_recorded(make_service, broker,
                                                                                   caller) -> None:
    documents = make_service("documents", s3_bucket="saphan", s3_endpoint=f"http://127.0.0.1:{free_port()}",
                             s3_access_key_id=KEY_ID, s3_secret_access_key=SECRET)
    async with running(documents) as url, httpx.AsyncClient(
            base_url=url, headers=caller("hotline-1300", Role.HOTLINE_OPERATOR)) as client:
        await publish(broker, INTAKE_EVENTS, case_reported_event("case-away"), key=b"case-away")
        await case_known(documents, client, "case-away")
        refused = await client.post("/cases/case-away/documents", **form(PDF))
        listed = await client.get("/cases/case-away/documents")
    assert refused.status_code == 503 and refused.headers["retry-after"] == "5", refused.text
    assert listed.json()["document_count"] == 0
