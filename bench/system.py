"""The system under test, started as a user starts it: `saphan up` (the supervisor, the embedded broker, the four
services and the console) on free ports, with its own var dir; SQLite by default, or fresh PostgreSQL databases."""

import argparse
import asyncio
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import psutil

from contracts.access import Role
from saphan_runtime import dev_issuer
from saphan_runtime.broker import free_port
from saphan_runtime.testing import create_postgres_database, drop_postgres_database, sqlite_url

SERVICES = ("intake", "referral", "documents", "audit")
UP_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 60.0


@dataclass
class System:
    """A running `saphan up`: its process, the services' URLs, the embedded broker's address and what it printed."""

    process: subprocess.Popen[str]
    urls: dict[str, str]
    var_dir: Path
    database_urls: dict[str, str] = field(default_factory=dict)
    output: list[str] = field(default_factory=list)

    def database_url(self, service: str) -> str:
        """Return a service's database: the PostgreSQL one it was given, else its SQLite file in the var dir."""
        return self.database_urls.get(service) or sqlite_url(self.var_dir, service)

    @property
    def bootstrap_servers(self) -> str:
        """Return the embedded broker's address, as `saphan up` printed it."""
        for line in self.output:
            if match := re.search(r"embedded broker on (\S+)", line):
                return match.group(1)
        raise LookupError("saphan up named no broker")

    def processes(self) -> dict[str, psutil.Process]:
        """Return the system's processes by name: supervisor, broker, the services and the console."""
        found = {"supervisor": psutil.Process(self.process.pid)}
        for child in found["supervisor"].children(recursive=True):
            try:
                command = child.cmdline()
            except psutil.Error:
                continue
            if "broker" in command[1:2]:
                found["broker"] = child
            elif len(command) > 2 and command[1] == "-m" and command[2].startswith("services."):
                found[command[2].removeprefix("services.")] = child
        return found


def _saphan() -> str:
    return str(Path(sys.executable).parent / "saphan")


@contextmanager
def saphan_up(var_dir: Path, database_urls: dict[str, str] | None = None) -> Iterator[System]:
    """Run `saphan up` with its embedded broker until the block ends; then stop it with Ctrl-C (SIGINT), and kill
    whatever of it is still running after a minute."""
    ports = {name: free_port() for name in (*SERVICES, "console")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAFKA_") and not k.endswith("_DATABASE_URL")}
    env |= {"SAPHAN_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1", "SAPHAN_LOG_LEVEL": "WARNING"}
    env |= {f"{name.upper()}_DATABASE_URL": url for name, url in (database_urls or {}).items()}
    command = [_saphan(), "up", *(arg for name, port in ports.items() for arg in (f"--{name}-port", str(port)))]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    system = System(process, {n: f"http://127.0.0.1:{p}" for n, p in ports.items()}, var_dir, dict(database_urls or {}))
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: system.output.extend(iter(stdout.readline, "")), daemon=True).start()
    members: list[psutil.Process] = []
    try:
        _wait_until_up(system)
        members = list(system.processes().values())
        yield system
    finally:
        members = members or _members(process.pid)
        _stop(process, members)


def _members(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _wait_until_up(system: System) -> None:
    deadline = time.monotonic() + UP_TIMEOUT_SECONDS
    while not any("Saphan is up" in line for line in system.output):
        if system.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"saphan up did not come up:\n{''.join(system.output[-40:])}")
        time.sleep(0.1)


def _stop(process: subprocess.Popen[str], members: list[psutil.Process]) -> None:
    """Stop `saphan up` as Ctrl-C does; the services run in sessions of their own, so kill any left behind."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for member in members:
        try:
            if member.is_running() and member.status() != psutil.STATUS_ZOMBIE:
                member.kill()
        except psutil.Error:
            pass


def operator_headers(var_dir: Path, hours: float) -> dict[str, str]:
    """Return the Authorization header of a 1300-hotline operator, signed by the development issuer of var_dir."""
    token = dev_issuer.mint(var_dir, user="bench", unit="hotline-1300", roles=[Role.HOTLINE_OPERATOR],
                            lifetime=timedelta(hours=hours))
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def databases(admin_url: str) -> Iterator[dict[str, str]]:
    """Yield a fresh PostgreSQL database per service (created from admin_url, dropped after); none for SQLite."""
    if not admin_url:
        yield {}
        return
    urls = {name: asyncio.run(create_postgres_database(admin_url, f"bench_{name}")) for name in SERVICES}
    try:
        yield urls
    finally:
        for url in urls.values():
            asyncio.run(drop_postgres_database(admin_url, url))


def add_work_dir_argument(parser: argparse.ArgumentParser) -> None:
    """Add --work-dir: where a benchmark's system keeps its databases and logs (default: a temp dir, deleted)."""
    parser.add_argument("--work-dir", type=Path, default=None, help="keep the system's databases and logs here "
                        "(default: a temp dir, deleted)")


@contextmanager
def work_dir(kept: Path | None, prefix: str) -> Iterator[Path]:
    """Yield the folder a benchmark runs its system in: `kept` (made if missing), else a temp dir deleted after."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        work = kept or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        yield work
