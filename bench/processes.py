"""Start, wait for and stop the processes a benchmark measures (each in its own session, logging to a file)."""

import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from saphan_runtime.broker import wait_for_port

READY_TIMEOUT_SECONDS = 120.0


@dataclass
class Target:
    """One HTTP service under load: its name, where it answers, and its process."""

    name: str
    label: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        """Return the service's base URL."""
        return f"http://127.0.0.1:{self.port}"


def start_process(module: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """Start `python -m <module>` in its own session, its output going to a log file."""
    with log_path.open("ab") as log:
        return subprocess.Popen([sys.executable, "-m", *module], env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def tail(path: Path, lines: int = 30) -> str:
    """Return the last lines of a log file."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def check_alive(target: Target) -> None:
    """Fail with the end of its log if the target's process has exited."""
    if target.process.poll() is not None:
        raise RuntimeError(f"{target.name} exited ({target.process.returncode}):\n{tail(target.log_path)}")


def wait_ready(target: Target, path: str = "/readyz") -> None:
    """Wait until the target answers 200 on a path."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        check_alive(target)
        try:
            if httpx.get(f"{target.url}{path}", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{target.name} not ready after {READY_TIMEOUT_SECONDS:.0f}s:\n{tail(target.log_path)}")


def wait_listening(target: Target) -> None:
    """Wait until the target's port accepts connections."""
    wait_for_port(target.port, timeout=30)
    check_alive(target)


def stop(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Ask a process to stop, and kill it if it does not."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def machine() -> dict[str, Any]:
    """Describe the machine the figures come from."""
    return {"platform": platform.platform(), "machine": platform.machine(), "processor": platform.processor(),
            "cpu_count": os.cpu_count(), "python": platform.python_version()}


def interrupt(signum: int, _frame: object) -> None:
    """Turn SIGTERM into KeyboardInterrupt, so a benchmark cleans up (processes, databases) as on Ctrl-C."""
    raise KeyboardInterrupt(f"signal {signum}")
