"""What the documents tests share: sample files, a multipart form, and waiting until documents knows a case."""

from typing import Any

import httpx

from saphan_runtime.service import Service
from saphan_runtime.testing import eventually

MARKER = "เด็กหญิงแพรวา statement of 12 May".encode()
PDF = b"%PDF-1.7\n" + MARKER + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def form(content: bytes, document_type: str = "statement_record", name: str = "statement.pdf",
         **fields: str) -> dict[str, Any]:
    return {"files": {"file": (name, content, "application/octet-stream")},
            "data": {"document_type": document_type, **fields}}


async def case_known(service: Service, client: httpx.AsyncClient, case_id: str) -> None:
    """Wait until documents has opened the case's file (it hears of the case from intake's event)."""
    async def opened() -> bool:
        return (await client.get(f"/cases/{case_id}/documents")).status_code == 200

    await eventually(opened)
