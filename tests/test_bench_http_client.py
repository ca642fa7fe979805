"""The load generator's lean HTTP client against a real socket server: keep-alive, Connection: close, failures."""

import asyncio
import json

import pytest

from bench.http_client import HttpError, LeanClient
from saphan_runtime.broker import free_port


async def _serve(answers: list[tuple[int, bool]], seen: list[dict[str, str]], connections: list[int]
                 ) -> asyncio.Server:
    """A server that reads each request and answers the next (status, close) with the request echoed back."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        while answers:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            lines = head.decode().split("\r\n")
            headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            body = json.loads(await reader.readexactly(int(headers["content-length"])))
            seen.append({"request": lines[0], **headers, "body": json.dumps(body, ensure_ascii=False)})
            status, close = answers.pop(0)
            payload = json.dumps({"echo": body}, ensure_ascii=False).encode()
            writer.write(f"HTTP/1.1 {status} X\r\ncontent-length: {len(payload)}\r\n".encode()
                         + (b"connection: close\r\n" if close else b"") + b"\r\n" + payload)
            await writer.drain()
            if close:
                break
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def test_requests_reuse_a_kept_alive_connection_until_the_server_closes_it() -> None:
    seen: list[dict[str, str]] = []
    connections: list[int] = []
    server = await _serve([(201, False), (201, True), (422, False)], seen, connections)
    port = server.sockets[0].getsockname()[1]
    client = LeanClient(f"http://127.0.0.1:{port}", {"Authorization": "Bearer t"}, max_connections=4, timeout=5)
    try:
        answers = [await client.post_json("/cases", {"n": n, "ชื่อ": "สมชาย"}) for n in range(3)]
    finally:
        await client.close()
        server.close()
    assert [a.status for a in answers] == [201, 201, 422]
    assert answers[0].json() == {"echo": {"n": 0, "ชื่อ": "สมชาย"}}
    assert seen[0]["request"] == "POST /cases HTTP/1.1" and seen[0]["authorization"] == "Bearer t"
    assert seen[0]["content-type"] == "application/json" and seen[0]["host"] == f"127.0.0.1:{port}"
    assert len(connections) == 2  # the first two on one connection; the server closed it after the second


async def test_a_refused_connection_is_an_http_error() -> None:
    client = LeanClient(f"http://127.0.0.1:{free_port()}", {}, max_connections=1, timeout=5)
    with pytest.raises(HttpError, match="ConnectionRefusedError"):
        await client.post_json("/cases", {})


async def test_a_connection_idle_too_long_is_not_reused(monkeypatch) -> None:
    monkeypatch.setattr("bench.http_client.IDLE_SECONDS", 0.0)
    seen: list[dict[str, str]] = []
    connections: list[int] = []
    server = await _serve([(201, False), (201, False)], seen, connections)
    port = server.sockets[0].getsockname()[1]
    client = LeanClient(f"http://127.0.0.1:{port}", {}, max_connections=4, timeout=5)
    try:
        answers = [await client.post_json("/cases", {"n": n}) for n in range(2)]
    finally:
        await client.close()
        server.close()
    assert [a.status for a in answers] == [201, 201]
    assert len(connections) == 2
