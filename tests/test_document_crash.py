"""Kill -9 the documents service in the middle of an upload: afterwards there is neither a partial file nor an
event for it, and the client's retry stores the document once."""

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from saphan_runtime.testing import eventually
from tests.helpers import UsualCallers, report
from tests.system import saphan_up

pytestmark = pytest.mark.system

BOUNDARY = "saphan-crash-test"
CHUNK = b"%" * 64 * 1024


def multipart_head(document_type: str) -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"document_type\"\r\n\r\n{document_type}\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"statement.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + b"%PDF-1.7\n"


async def slow_upload(sent_half: asyncio.Event) -> AsyncIterator[bytes]:
    """Send the head of a 4 MiB upload, then trickle the rest (the service is killed meanwhile)."""
    yield multipart_head("statement_record")
    for n in range(64):
        yield CHUNK
        if n == 8:
            sent_half.set()
            await asyncio.sleep(0.5)
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def stored_files(var_dir: Path) -> list[Path]:
    root = var_dir / "documents"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def test_a_service_killed_mid_upload_leaves_nothing_and_the_retry_succeeds(
    tmp_path, system_databases, system_broker
) -> None:
    with saphan_up(tmp_path / "var", system_databases, system_broker) as system:
        urls = system.urls
        async with httpx.AsyncClient(timeout=30, auth=UsualCallers(system.var_dir, urls)) as client:
            case_id = (await client.post(f"{urls['intake']}/cases", json=report(0))).json()["case_id"]
            files = f"{urls['documents']}/cases/{case_id}/documents"

            async def known() -> bool:
                return (await client.get(files)).status_code == 200

            await eventually(known)
            sent_half = asyncio.Event()
            headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
            upload = asyncio.create_task(client.post(files, content=slow_upload(sent_half), headers=headers))
            await sent_half.wait()
            old_pid = system.pid("documents")
            os.kill(old_pid, signal.SIGKILL)
            with pytest.raises(httpx.HTTPError):
                await upload
            await asyncio.to_thread(system.wait_restarted, "documents", old_pid)
            after_crash = (await client.get(files)).json()
            files_after_crash = stored_files(system.var_dir)
            retried = await client.post(files, data={"document_type": "statement_record"},
                                        files={"file": ("statement.pdf", b"%PDF-1.7\n" + CHUNK)})
            after_retry = (await client.get(files)).json()
    assert after_crash["documents"] == [] and files_after_crash == []
    assert retried.status_code == 201, retried.text
    assert [d["version"] for d in after_retry["documents"]] == [1] and len(stored_files(system.var_dir)) == 1
