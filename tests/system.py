"""The whole system as a user starts it: `saphan up` in a subprocess, on free ports, with its own databases."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from saphan_runtime.broker import free_port
from saphan_runtime.testing import BrokerUnderTest

SERVICES = ("intake", "referral", "documents", "audit")


@dataclass
class System:
    """A running `saphan up`: its process, the services' URLs, the broker address and what it printed."""

    process: subprocess.Popen[str]
    urls: dict[str, str]
    var_dir: Path
    given_broker: BrokerUnderTest | None
    output: list[str] = field(default_factory=list)

    @property
    def broker(self) -> BrokerUnderTest:
        """Return the broker in use: the one given, or the embedded one `saphan up` said it started."""
        if self.given_broker is not None:
            return self.given_broker
        for line in self.output:
            match = re.search(r"embedded broker on (\S+)", line)
            if match:
                return BrokerUnderTest(match.group(1))
        raise LookupError("saphan up named no broker")

    def pid(self, service: str) -> int:
        """Return the process id of one service, as its /healthz reports it."""
        return int(httpx.get(f"{self.urls[service]}/healthz", timeout=5).json()["pid"])

    def wait_restarted(self, service: str, old_pid: int, timeout: float = 60.0) -> int:
        """Wait until the supervisor has brought a killed service back and it is ready again."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                ready = httpx.get(f"{self.urls[service]}/readyz", timeout=2).status_code == 200
                if ready and (pid := self.pid(service)) != old_pid:
                    return pid
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{service} did not come back; output: {self.output[-20:]}")


def _saphan() -> str:
    return str(Path(sys.executable).parent / "saphan")


@contextmanager
def saphan_up(
    var_dir: Path, database_urls: dict[str, str] | None = None, broker: BrokerUnderTest | None = None
) -> Iterator[System]:
    """Run `saphan up` until the block ends, then stop it with Ctrl-C (SIGINT) and check it stopped cleanly.

    Without a broker given, `saphan up` starts its embedded one, as on a developer's machine."""
    ports = {name: free_port() for name in (*SERVICES, "console")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAFKA_")}
    env |= {"SAPHAN_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1"}
    if broker is not None:
        env |= {"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers, "KAFKA_TOPIC_PREFIX": broker.topic_prefix}
    for name, url in (database_urls or {}).items():
        env[f"{name.upper()}_DATABASE_URL"] = url
    command = [_saphan(), "up", *(arg for name, port in ports.items() for arg in (f"--{name}-port", str(port)))]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    system = System(process, {n: f"http://127.0.0.1:{p}" for n, p in ports.items()}, var_dir, broker)
    assert process.stdout is not None
    stdout = process.stdout
    reader = threading.Thread(target=lambda: system.output.extend(iter(stdout.readline, "")), daemon=True)
    reader.start()
    try:
        _wait_for_line(system, "Saphan is up", timeout=120)
        yield system
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, system.output[-30:]
    assert any("Saphan stopped." in line for line in system.output)


def _wait_for_line(system: System, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(text in line for line in system.output):
            return
        if system.process.poll() is not None:
            raise RuntimeError(f"saphan up exited: {''.join(system.output[-40:])}")
        time.sleep(0.1)
    raise TimeoutError(f"saphan up did not print {text!r}: {''.join(system.output[-40:])}")
