"""A lean HTTP/1.1 client for the load generator: keep-alive connections over asyncio streams, one request at a time
on each, JSON bodies with a Content-Length.

On the two-core machine the benchmark runs on, the load generator shares the cores with the system it measures;
httpx spent about 3 ms of CPU per POST there (a third of a core at 150 reports/s), time taken from the services.
This client does the same exchange for a fraction of that: it writes the request in one piece and reads the status
line, the headers and a Content-Length body, nothing more (no redirects, no chunked bodies: intake answers neither).
"""

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

# uvicorn closes a connection idle for 5 s; one idle this long is closed here rather than reused (a request sent as
# the server closes it would fail, and a POST is not retried).
IDLE_SECONDS = 3.0

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class HttpError(Exception):
    """The exchange failed below HTTP (connection refused or dropped, a malformed answer, a timeout)."""


@dataclass(frozen=True)
class Answer:
    """A response: its status and body."""

    status: int
    body: bytes

    def json(self) -> Any:
        """Return the body decoded as JSON."""
        return json.loads(self.body)


class LeanClient:
    """POST JSON to one origin over a pool of keep-alive connections (opened as needed, up to `max_connections`)."""

    def __init__(self, origin: str, headers: dict[str, str], *, max_connections: int, timeout: float) -> None:
        parts = urlsplit(origin)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"an http:// origin is needed, not {origin!r}")
        self._host, self._port = parts.hostname, parts.port or 80
        fixed = {"Host": parts.netloc, "Content-Type": "application/json", **headers}
        self._head = "".join(f"{name}: {value}\r\n" for name, value in fixed.items())
        self._idle: list[tuple[float, Connection]] = []  # (when it was last used, the connection)
        self._slots = asyncio.Semaphore(max_connections)
        self._timeout = timeout

    async def post_json(self, path: str, body: Any) -> Answer:
        """POST a JSON body; return the answer, or raise HttpError."""
        payload = json.dumps(body, ensure_ascii=False).encode()
        request = f"POST {path} HTTP/1.1\r\n{self._head}Content-Length: {len(payload)}\r\n\r\n".encode() + payload
        async with self._slots:
            connection = self._kept_alive()
            try:
                if connection is None:
                    connection = await asyncio.wait_for(asyncio.open_connection(self._host, self._port),
                                                        self._timeout)
                answer, keep = await asyncio.wait_for(_exchange(*connection, request), self._timeout)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError,
                    IndexError) as error:
                if connection is not None:
                    connection[1].close()
                raise HttpError(type(error).__name__) from error
            if keep:
                self._idle.append((time.monotonic(), connection))
            else:
                connection[1].close()
            return answer

    def _kept_alive(self) -> Connection | None:
        """Return the most recently used idle connection, closing those idle too long."""
        while self._idle:
            used, connection = self._idle.pop()
            if time.monotonic() - used < IDLE_SECONDS:
                return connection
            connection[1].close()
        return None

    async def close(self) -> None:
        """Close the idle connections."""
        while self._idle:
            _, (_, writer) = self._idle.pop()
            writer.close()


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[Answer, bool]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    length, keep = 0, True
    for line in header_lines:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            keep = False
        elif name == "transfer-encoding":
            raise ValueError("a chunked answer (not expected from intake)")
    return Answer(status, await reader.readexactly(length) if length else b""), keep
