"""Reading back what the relay published. The embedded broker (Tansu 0.6, memory storage) has been seen to
acknowledge records with acks=all that no consumer ever reads: in a fault run the last records of two partitions never
reached any of the three groups that consume them, and in a scratch run three producers writing at once to a new
partition lost its first five (acknowledged, offsets 0-4, the end offset reporting 1). With `KAFKA_READ_BACK` on
(`saphan up` turns it on for the embedded broker) a record counts as published only once it has been read back at
the offset the broker acknowledged; the relay sends again from the first one that was not, and the inboxes drop the
repeats. A Kafka cluster with acks=all does not need it."""

import asyncio
import time
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition

from saphan_runtime.kafka import require_bootstrap
from saphan_runtime.settings import BrokerSettings

WAIT_SECONDS = 2.0  # how long a published record may take to be readable before it counts as lost


@dataclass(frozen=True)
class Sent:
    """A record the broker acknowledged: the store position it came from, where the broker put it, and its bytes."""

    position: int
    partition: TopicPartition
    offset: int
    value: bytes


class ReadBack:
    """A reader outside any group that looks for acknowledged records at their offsets."""

    def __init__(self, broker: BrokerSettings, *, wait_seconds: float = WAIT_SECONDS) -> None:
        self._broker, self._wait = broker, wait_seconds
        self._reader: AIOKafkaConsumer | None = None

    async def missing(self, sent: list[Sent]) -> list[Sent]:
        """Return the records not found, byte for byte, at their acknowledged offsets (in `sent` order)."""
        if not sent:
            return []
        reader = await self._started()
        wanted: dict[TopicPartition, dict[int, bytes]] = {}
        for record in sent:
            wanted.setdefault(record.partition, {})[record.offset] = record.value
        reader.assign(list(wanted))
        for partition, offsets in wanted.items():
            reader.seek(partition, min(offsets))
        lost: set[tuple[TopicPartition, int]] = set()
        deadline = time.monotonic() + self._wait
        while wanted and time.monotonic() < deadline:
            fetched = await reader.getmany(*wanted, timeout_ms=100, max_records=5000)
            for partition, records in fetched.items():
                offsets = wanted.get(partition, {})
                for found in records:
                    if offsets.get(found.offset) == found.value:
                        del offsets[found.offset]
                if offsets and records and records[-1].offset >= max(offsets):
                    lost |= {(partition, offset) for offset in offsets}  # read past them: not there, or not ours
                    offsets.clear()
                if not offsets:
                    wanted.pop(partition, None)
        lost |= {(partition, offset) for partition, offsets in wanted.items() for offset in offsets}
        return [record for record in sent if (record.partition, record.offset) in lost]

    async def _started(self) -> AIOKafkaConsumer:
        if self._reader is None:
            reader = AIOKafkaConsumer(bootstrap_servers=require_bootstrap(self._broker), group_id=None,
                                      enable_auto_commit=False, fetch_max_wait_ms=self._broker.fetch_max_wait_ms)
            await reader.start()
            self._reader = reader
        return self._reader

    async def stop(self) -> None:
        """Close the reader (no check may be running)."""
        if self._reader is not None:
            reader, self._reader = self._reader, None
            await asyncio.shield(reader.stop())


@dataclass(frozen=True)
class Checked:
    """What a finished check found: how many records were found, and the first one that was not (None: all were)."""

    found: int
    lost: Sent | None


class Checks:
    """Read-back behind the relay: the relay sends on while the batches it sent are checked, in order, one check at a
    time (the batches sent meanwhile are checked together next). `checked_to` is the store position up to which
    every record was found: the relay saves its cursor there, never past it."""

    def __init__(self, read_back: ReadBack, *, most_waiting: int = 2000) -> None:
        """`most_waiting`: how many sent records may wait for a check before the relay waits for it."""
        self._read_back, self._most_waiting = read_back, most_waiting
        self.checked_to = 0
        self._waiting: list[Sent] = []
        self._waiting_to = 0  # the last store position sent (whether or not it was published)
        self._running: asyncio.Task[list[Sent]] | None = None
        self._running_to = 0
        self._checking: list[Sent] = []  # what the running check looks for
        self._dropped: asyncio.Task[list[Sent]] | None = None  # a cancelled check that may not have ended yet

    def restart(self, position: int) -> None:
        """Forget every check (the relay sends again after `position`, which it knows was found)."""
        if self._running is not None:
            self._running.cancel()
            self._running.add_done_callback(_retrieved)  # (a check that failed before it was dropped: not news)
            self._dropped = self._running
        self._running, self._waiting = None, []
        self.checked_to = self._waiting_to = position

    def add(self, sent: list[Sent], to: int) -> None:
        """Check `sent`, the records published from the store positions up to `to`."""
        self._waiting.extend(sent)
        self._waiting_to = to
        self._start()

    @property
    def full(self) -> bool:
        """Whether the relay should wait for the running check before sending more."""
        return len(self._waiting) >= self._most_waiting

    @property
    def busy(self) -> bool:
        """Whether a check is running (or finished and not collected yet)."""
        return self._running is not None

    async def running(self) -> None:
        """Wait for the running check, if any, to finish (it may have failed: `collect` raises that)."""
        if self._running is not None:
            await asyncio.wait([self._running])

    async def collect(self) -> Checked:
        """Take the running check's answer if it finished, and start the next one."""
        checked = Checked(0, None)
        if self._running is not None and self._running.done():
            running, self._running = self._running, None
            lost = running.result()
            if lost:
                first = lost[0]
                checked = Checked(sum(1 for record in self._checking if record.position < first.position), first)
                self.restart(first.position - 1)
                return checked
            checked, self.checked_to = Checked(len(self._checking), None), self._running_to
        self._start()
        return checked

    def _start(self) -> None:
        if self._running is not None:
            return
        if not self._waiting:
            self.checked_to = self._waiting_to  # nothing of these positions was published
            return
        self._checking, self._waiting = self._waiting, []
        self._running_to = self._waiting_to
        self._running = asyncio.create_task(self._check(self._dropped, self._checking))

    async def _check(self, dropped: asyncio.Task[list[Sent]] | None, sent: list[Sent]) -> list[Sent]:
        if dropped is not None:
            await asyncio.wait([dropped])  # one reader: the dropped check lets go of it first
        return await self._read_back.missing(sent)

    async def stop(self) -> None:
        """Drop the running check and close the reader."""
        self.restart(self.checked_to)
        if self._dropped is not None:
            await asyncio.wait([self._dropped])
        await self._read_back.stop()


def _retrieved(task: asyncio.Task[list[Sent]]) -> None:
    if not task.cancelled():
        task.exception()
