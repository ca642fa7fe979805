"""The fault suite: the whole system under a steady stream of reports while, at random moments, every service and
the broker are killed with SIGKILL (the supervisor restarts them; the embedded broker comes back empty). At the end
it reconciles: every report produced all of its expected events exactly once in the audit ledger, in order per
case; each store applied each upstream event once; every case's referral state agrees between referral and audit;
the ledger verifies.

Short form (CI): SAPHAN_CHAOS_SECONDS=30 by default, on PostgreSQL (on SQLite where no PostgreSQL is configured).
Long form, on demand: `SAPHAN_CHAOS_SECONDS=600 SAPHAN_CHAOS_RATE=10 pytest tests/test_chaos.py`, on both backends,
killing every process many times. SAPHAN_CHAOS_SEED replays one run's schedule (the seed is printed)."""

import asyncio
import os
import random
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from saphan_runtime.testing import sqlite_url
from services.audit.verify import verify_ledger
from tests.helpers import UsualCallers, report
from tests.system import System, saphan_up
from tests.test_end_to_end import assert_trail_exactly_once_in_order, timelines, trails_in_ledger
from tests.test_faults import assert_applied_once

pytestmark = pytest.mark.system

SECONDS = float(os.environ.get("SAPHAN_CHAOS_SECONDS", "30"))
RATE = float(os.environ.get("SAPHAN_CHAOS_RATE", "4"))  # reports a second, offered whatever happens
LONG_FORM = "SAPHAN_CHAOS_SECONDS" in os.environ
VICTIMS = ("intake", "referral", "documents", "audit", "console", "broker")
SETTLE_SECONDS = 240.0  # after the last kill: every report accepted and every trail complete within this


@dataclass
class Load:
    """Reports offered at a steady rate; each retried with its Idempotency-Key until intake accepts it once."""

    client: httpx.AsyncClient
    intake: str
    accepted: dict[str, int] = field(default_factory=dict)  # case id → report number
    failures: int = 0  # attempts that met a dead process or a 5xx (and were retried)
    attempts: list[asyncio.Task[None]] = field(default_factory=list)

    async def offer(self, seconds: float, rate: float) -> None:
        started = time.monotonic()
        for n in range(int(seconds * rate)):
            await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
            self.attempts.append(asyncio.create_task(self._report(n)))

    async def _report(self, n: int) -> None:
        key, deadline = str(uuid.uuid4()), time.monotonic() + SETTLE_SECONDS + SECONDS
        while time.monotonic() < deadline:
            try:
                response = await self.client.post(f"{self.intake}/cases", json=report(n),
                                                   headers={"Idempotency-Key": key})
                if response.status_code in (200, 201):
                    self.accepted[response.json()["case_id"]] = n
                    return
                assert response.status_code >= 500, response.text  # a 4xx would be our own bad request
            except httpx.TransportError:
                pass
            self.failures += 1
            await asyncio.sleep(0.5)
        raise TimeoutError(f"report {n} never accepted")


def broker_pid(system: System) -> int:
    """Return the embedded broker's process id (the one listening on the address `saphan up` printed)."""
    address = f"tcp://{system.broker.bootstrap_servers}"
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            continue
        if address.encode() in command and b"broker" in command:
            return int(entry.name)
    raise LookupError(f"no broker process listens on {address}")


async def kill(system: System, victim: str) -> None:
    """SIGKILL one process, and wait until the supervisor has it back (a service ready again)."""
    if victim == "broker":
        os.kill(broker_pid(system), signal.SIGKILL)
        await asyncio.sleep(1.0)  # the supervisor notices within half a second and starts it again, empty
        broker_pid(system)
        return
    old = system.pid(victim)
    os.kill(old, signal.SIGKILL)
    await asyncio.to_thread(system.wait_restarted, victim, old)


async def chaos(system: System, rng: random.Random, seconds: float) -> list[tuple[float, str]]:
    """Kill every process at least once, in a random order at random moments, until the time is up."""
    started, done = time.monotonic(), list[tuple[float, str]]()
    schedule = rng.sample(VICTIMS, len(VICTIMS))
    while time.monotonic() - started < seconds or {victim for _, victim in done} != set(VICTIMS):
        if not schedule:
            schedule = rng.sample(VICTIMS, len(VICTIMS))
        await asyncio.sleep(rng.uniform(0.5, max(0.6, seconds / (2 * len(VICTIMS)))))
        victim = schedule.pop()
        done.append((round(time.monotonic() - started, 1), victim))
        await kill(system, victim)
    return done


async def test_killing_every_process_and_the_broker_loses_nothing_and_applies_nothing_twice(
    tmp_path, backend, system_databases, system_broker
) -> None:
    if system_broker is not None:
        pytest.skip("a shared Kafka broker is in use: the fault suite kills the embedded broker it starts")
    if backend == "sqlite" and os.environ.get("SAPHAN_TEST_POSTGRES_URL") and not LONG_FORM:
        pytest.skip("the short form runs on PostgreSQL; the long form (SAPHAN_CHAOS_SECONDS) runs both backends")
    seed = int(os.environ.get("SAPHAN_CHAOS_SEED", random.randrange(1 << 30)))
    print(f"chaos seed {seed} ({SECONDS:.0f}s at {RATE}/s on {backend})")
    var_dir = tmp_path / "var"
    with saphan_up(var_dir, system_databases) as system:
        async with httpx.AsyncClient(timeout=10, auth=UsualCallers(system.var_dir, system.urls)) as client:
            load = Load(client, system.urls["intake"])
            offering = asyncio.create_task(load.offer(SECONDS, RATE))
            kills = await chaos(system, random.Random(seed), SECONDS)
            await offering
            await asyncio.gather(*load.attempts)
            print(f"kills {kills}; {len(load.accepted)} reports accepted after {load.failures} failed attempts")
            assert len(load.accepted) == int(SECONDS * RATE)  # each once: the key made retries safe

            await trails_in_ledger(system, client, load.accepted, within=SETTLE_SECONDS)
            await asyncio.sleep(2.0)  # anything delivered twice would show up now
            final = await timelines(client, system.urls["audit"], load.accepted)
            assert final is not None
            assert_trail_exactly_once_in_order(final, load.accepted)

            for case_id in load.accepted:  # referral's state and audit's replay of it agree
                shown = (await client.get(f"{system.urls['referral']}/cases/{case_id}/status")).json()
                replayed = (await client.get(f"{system.urls['audit']}/cases/{case_id}/state")).json()
                assert replayed["views"]["referral"] == shown, case_id

            signed = await client.post(f"{system.urls['audit']}/checkpoints")
            assert signed.status_code in (200, 201), signed.text
            key = (await client.get(f"{system.urls['audit']}/ledger/public-key")).json()["public_key"]
        for service in ("referral", "audit"):
            await assert_applied_once(system_databases.get(service) or sqlite_url(var_dir, service), service,
                                      load.accepted)
        verified = await verify_ledger(system_databases.get("audit") or sqlite_url(var_dir, "audit"), key)
        assert verified.intact and verified.checkpoints >= 1
    assert sum("exited" in line for line in system.output) >= len(VICTIMS) - 1
    assert any("embedded broker died" in line for line in system.output)
