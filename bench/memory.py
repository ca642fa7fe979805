"""Sample each process's resident memory (RSS) and CPU time with psutil, and the size of each service's SQLite
write-ahead log, at a fixed interval, in the background."""

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from saphan_runtime.db import inline_sqlite_file

MB = 2**20


@dataclass(frozen=True)
class Sample:
    """One look at every process: when (wall clock), RSS in MB and CPU seconds used so far, by process name; and the
    CPU seconds the whole machine has been busy (every process, ours or not); the size of each SQLite write-ahead
    log sampled, in MB, by service."""

    at: float
    rss_mb: dict[str, float]
    cpu_s: dict[str, float]
    pids: dict[str, int]
    machine_busy_s: float
    log_mb: dict[str, float] = field(default_factory=dict)


@dataclass
class MemorySampler:
    """Every `every` seconds, read each named process's RSS and CPU time (find them again if one was restarted) and
    the size of each write-ahead log in `logs` (a service's database file's name + "-wal"; absent: 0)."""

    find: Callable[[], dict[str, psutil.Process]]
    every: float = 1.0
    logs: dict[str, Path] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)
    _processes: dict[str, psutil.Process] = field(default_factory=dict)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start sampling (this process is included as `bench`)."""
        self._processes = {**self.find(), "bench": psutil.Process(os.getpid())}
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.every)

    def sample(self) -> Sample:
        """Read every process now and keep the sample."""
        rss, cpu, pids = {}, {}, {}
        for name, process in list(self._processes.items()):
            try:
                with process.oneshot():
                    rss[name] = round(process.memory_info().rss / MB, 1)
                    times = process.cpu_times()
                    cpu[name], pids[name] = times.user + times.system, process.pid
            except psutil.Error:
                self._refind(name)
        total = psutil.cpu_times()
        busy = sum(total) - total.idle - getattr(total, "iowait", 0.0)
        found = Sample(time.time(), rss, cpu, pids, busy, {name: _size_mb(path) for name, path in self.logs.items()})
        self.samples.append(found)
        return found

    def _refind(self, name: str) -> None:
        with contextlib.suppress(psutil.Error):
            if name in (again := self.find()):
                self._processes[name] = again[name]

    def window(self, start: float, end: float) -> dict[str, dict[str, float | None]]:
        """Return each process's peak and last RSS (MB) and its CPU use (% of one core) between two wall times."""
        inside = [s for s in self.samples if start <= s.at <= end]
        figures: dict[str, dict[str, float | None]] = {}
        for name in self._processes:
            mine = [s for s in inside if name in s.rss_mb]
            if not mine:
                continue
            first, last = mine[0], mine[-1]
            same = first.pids[name] == last.pids[name] and last.at > first.at
            cpu = (last.cpu_s[name] - first.cpu_s[name]) / (last.at - first.at) * 100 if same else None
            figures[name] = {"rss_peak_mb": max(s.rss_mb[name] for s in mine), "rss_last_mb": last.rss_mb[name],
                             "cpu_percent": None if cpu is None else round(cpu, 1)}
        return figures

    def machine(self, start: float, end: float) -> dict[str, float]:
        """Return how many cores the machine kept busy between two wall times, and how many of them were not ours
        (other work on a shared machine: the figures are worth less when that is high)."""
        inside = [s for s in self.samples if start <= s.at <= end]
        if len(inside) < 2:
            return {}
        first, last = inside[0], inside[-1]
        seconds = last.at - first.at
        busy = (last.machine_busy_s - first.machine_busy_s) / seconds
        ours = sum(last.cpu_s[n] - first.cpu_s[n] for n in last.cpu_s
                   if n in first.cpu_s and first.pids.get(n) == last.pids.get(n)) / seconds
        return {"busy_cores": round(busy, 2), "ours_cores": round(ours, 2),
                "others_cores": round(max(busy - ours, 0.0), 2), "cores": psutil.cpu_count() or 0}

    def restarts(self) -> dict[str, int]:
        """Return how many times each process was found under a new pid while sampled."""
        counts: dict[str, int] = {}
        for before, after in zip(self.samples, self.samples[1:], strict=False):
            for name, pid in after.pids.items():
                if name in before.pids and before.pids[name] != pid:
                    counts[name] = counts.get(name, 0) + 1
        return counts

    async def stop(self) -> None:
        """Stop sampling."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def sqlite_logs(database_url: Callable[[str], str], names: Iterable[str]) -> dict[str, Path]:
    """Return the write-ahead log of each named service whose database is a SQLite file."""
    files = {name: inline_sqlite_file(database_url(name)) for name in names}
    return {name: Path(f"{file}-wal") for name, file in files.items() if file is not None}


def _size_mb(path: Path) -> float:
    try:
        return round(path.stat().st_size / MB, 1)
    except FileNotFoundError:
        return 0.0
