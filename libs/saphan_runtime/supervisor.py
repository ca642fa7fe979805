"""`saphan up`: start the broker if needed, the four services and the console, watch them, stop them cleanly."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from saphan_runtime.broker import EmbeddedBroker

DEFAULT_PORTS = {"intake": 8001, "referral": 8002, "documents": 8003, "audit": 8004, "console": 8000}
READY_TIMEOUT_SECONDS = 120.0
EMBEDDED_SESSION_TIMEOUT_MS = 3000


@dataclass
class Child:
    """One service process and how to start it again."""

    name: str
    port: int
    log_path: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0

    @property
    def url(self) -> str:
        """Return the service's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the service process, appending its output to its log file."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", f"services.{self.name}"], env=self.env,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def exited(self) -> bool:
        """Return whether the process has ended."""
        return self.process is None or self.process.poll() is not None

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the process to stop, and kill it if it does not."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Supervisor:
    """Keep the system running: a service that dies is restarted; Ctrl-C stops everything."""

    var_dir: Path
    ports: dict[str, int]
    bootstrap_servers: str = ""
    broker: EmbeddedBroker | None = None
    children: list[Child] = field(default_factory=list)
    stopping: bool = False

    def run(self) -> int:
        """Start everything, print the URLs, then watch until a stop signal arrives."""
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        try:
            self._start_all()
            if not self._wait_ready():
                return 1
            self._print_urls()
            while not self.stopping:
                self._restart_exited()
                time.sleep(0.5)
            return 0
        finally:
            self._stop_all()

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.stopping = True

    def _start_all(self) -> None:
        logs = self.var_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        if not self.bootstrap_servers:
            self.broker = EmbeddedBroker(log_file=logs / "broker.log").start()
            self.bootstrap_servers = self.broker.bootstrap_servers
            # On loopback a short session lets a restarted consumer take its partitions back in seconds.
            os.environ.setdefault("KAFKA_SESSION_TIMEOUT_MS", str(EMBEDDED_SESSION_TIMEOUT_MS))
            # It has been seen to lose acknowledged records: the relays read back what they publish.
            os.environ.setdefault("KAFKA_READ_BACK", "true")
            print(f"embedded broker on {self.bootstrap_servers}", flush=True)
        # The console reaches each service on its port here.
        addresses = {f"CONSOLE_{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in self.ports.items()}
        for name, port in self.ports.items():
            # Readable lines by default: these logs are files under var/ that a developer reads, not a collector.
            env = {"SAPHAN_LOG_FORMAT": "text", **os.environ, **addresses,
                   "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
                   "SAPHAN_VAR_DIR": str(self.var_dir), f"{name.upper()}_PORT": str(port)}
            child = Child(name, port, logs / f"{name}.log", env)
            child.start()
            self.children.append(child)

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        pending = list(self.children)
        while pending and not self.stopping:
            for child in list(pending):
                if child.exited():
                    print(f"{child.name} exited while starting; see {child.log_path}", file=sys.stderr)
                    print(_tail(child.log_path), file=sys.stderr)
                    return False
                if _ready(child.url):
                    pending.remove(child)
            if time.monotonic() > deadline:
                print(f"not ready after {READY_TIMEOUT_SECONDS:.0f}s: {[c.name for c in pending]}", file=sys.stderr)
                return False
            time.sleep(0.2)
        return not self.stopping

    def _print_urls(self) -> None:
        print("Saphan is up / สะพานพร้อมใช้งาน", flush=True)
        for child in self.children:
            what = "(the web console; sign in there)" if child.name == "console" else f"(API docs {child.url}/docs)"
            print(f"  {child.name:<10} {child.url}  {what}", flush=True)
        print(f"  logs       {self.var_dir / 'logs'}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)

    def _restart_exited(self) -> None:
        if self.broker is not None and not self.broker.alive():
            print("embedded broker died; restarting it on the same port", file=sys.stderr, flush=True)
            self.broker.start()
        for child in self.children:
            if child.exited() and not self.stopping:
                child.restarts += 1
                code = child.process.returncode if child.process else None
                print(f"{child.name} exited ({code}); restarting (#{child.restarts})", file=sys.stderr, flush=True)
                time.sleep(min(0.2 * child.restarts, 2.0))
                child.start()

    def _stop_all(self) -> None:
        for child in self.children:
            if child.process is not None and child.process.poll() is None:
                child.process.terminate()
        for child in self.children:
            child.stop()
        if self.broker is not None:
            self.broker.stop()
        print("Saphan stopped.", flush=True)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
