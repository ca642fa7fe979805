"""An open-loop load of reports: POST /cases at a fixed offered rate, whether or not earlier ones were answered.

Report i is due at start + i / rate; its HTTP latency is counted from when it was due, not when it went out, so a
slow answer is not hidden by the load slowing down (no coordinated omission). At most `max_in_flight` reports wait
for an answer; a report due while that many wait is not sent and is counted as shed. The load runs without a pause
from its warm-up into its measured window: only reports due in the window are measured (the warm-up's are kept
apart, for counting what they caused)."""

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bench.http_client import HttpError, LeanClient
from bench.intake_submissions import submission

REQUEST_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Accepted:
    """One report intake accepted: its case, the stream version the answer gave, and when the 201 arrived."""

    case_id: str
    version: int
    at: float  # wall clock (time.time()) of the 201, comparable with the ledger watcher's
    due: float  # wall clock at which the report was due


@dataclass
class Phase:
    """What one load offered and got back in its measured window; filled while the load runs."""

    rate: float
    seconds: float  # measured
    warmup: float = 0.0  # seconds of load before the measured window
    started: float = 0.0  # wall clock when the first (warm-up) report was due
    ended: float = 0.0  # when the last answer came (or the last report was due, if later)
    due: int = 0
    shed_at: list[float] = field(default_factory=list)  # wall clock of each report not sent
    accepted: list[Accepted] = field(default_factory=list)
    warm: list[Accepted] = field(default_factory=list)  # accepted reports of the warm-up
    http_latencies: list[float] = field(default_factory=list)  # seconds from due to 201
    errors: list[tuple[float, str]] = field(default_factory=list)  # (wall clock, kind)

    @property
    def measured_from(self) -> float:
        """Return the wall clock at which the measured window begins."""
        return self.started + self.warmup

    @property
    def shed(self) -> int:
        """Return how many reports were not sent because too many awaited an answer."""
        return len(self.shed_at)

    @property
    def achieved_rps(self) -> float:
        """Return the reports due in the measured window that were accepted, per second of the window."""
        return len(self.accepted) / self.seconds if self.seconds else 0.0

    def error_counts(self) -> dict[str, int]:
        """Return how many requests failed, by kind (HTTP status or exception name)."""
        return dict(Counter(kind for _, kind in self.errors))


class OpenLoop:
    """Offer reports to intake at a rate, over one pool of keep-alive connections (bench/http_client.py)."""

    def __init__(self, url: str, headers: dict[str, str], numbers: Iterator[int], max_in_flight: int = 256) -> None:
        """Prepare the client (connections are opened as needed, up to max_in_flight)."""
        self._client = LeanClient(url, headers, max_connections=max_in_flight, timeout=REQUEST_TIMEOUT_SECONDS)
        self._numbers, self._max = numbers, max_in_flight
        self._in_flight: set[asyncio.Task[None]] = set()

    async def run(self, phase: Phase) -> Phase:
        """Offer phase.rate reports per second for the warm-up and the measured window, then wait for the answers."""
        clock, phase.started = time.perf_counter(), time.time()
        warm = round(phase.rate * phase.warmup)
        for i in range(warm + round(phase.rate * phase.seconds)):
            due = clock + i / phase.rate
            # Behind time, still yield: the answers must be read while the load catches up.
            await asyncio.sleep(max(due - time.perf_counter(), 0))
            if i < warm:
                self._send(phase, due, i, measured=False)
                continue
            phase.due += 1
            if not self._send(phase, due, i, measured=True):
                phase.shed_at.append(time.time())
        if self._in_flight:
            await asyncio.wait(list(self._in_flight))
        phase.ended = max(time.time(), phase.measured_from + phase.seconds)
        return phase

    def _send(self, phase: Phase, due: float, i: int, *, measured: bool) -> bool:
        if len(self._in_flight) >= self._max:
            return False
        task = asyncio.create_task(self._post(phase, due, phase.started + i / phase.rate, measured))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        return True

    async def _post(self, phase: Phase, due: float, due_at: float, measured: bool) -> None:
        try:
            response = await self._client.post_json("/cases", submission(next(self._numbers)))
        except HttpError as error:
            if measured:
                phase.errors.append((time.time(), str(error)))
            return
        answered, latency = time.time(), time.perf_counter() - due
        if response.status != 201:
            if measured:
                phase.errors.append((answered, str(response.status)))
            return
        body: dict[str, Any] = response.json()
        report = Accepted(str(body["case_id"]), int(body.get("version", 1)), answered, due_at)
        if measured:
            phase.http_latencies.append(latency)
            phase.accepted.append(report)
        else:
            phase.warm.append(report)

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._client.close()
