"""What the benchmark ledger holds at each sequence number: which case, which step of that case's story, and the
ids, stream and Kafka position the producing service would have given that event.

Most cases are short (reported, triaged, routed, referred, received: five events, 64 cases interleaved at a time).
For each ledger size measured there is one long case of `CASE_EVENTS` events spread evenly through the first `size`
sequence numbers: a case worked for years, with referrals, status changes, reassessments and many home visits."""

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from contracts.topics import EVENT_TOPIC_PARTITIONS, INTAKE_EVENTS, REFERRAL_EVENTS

CASE_EVENTS = 1000
LANES = 64
SHORT_STORY = ("reported", "triaged", "routed", "referred", "received")
OPENING = ("reported", "triaged", "routed", "referred", "received", "accepted", "manager", "assessed", "planned",
           "implementing")
CLOSING = ("disengaged", "surveillance")
REFERRAL_CYCLE = {0: "referred", 1: "received", 2: "accepted", 3: "in_progress", 20: "reassessed", 40: "completed"}
INTAKE_KINDS = frozenset({"reported", "triaged"})
REFERRAL_KINDS = frozenset({"referred", "received", "accepted", "in_progress", "completed"})
VARIANT = "89ab"
INTAKE_VERSIONS = {"reported": 2, "triaged": 3}  # after ReportReceived (1), which intake keeps to itself


class Step(NamedTuple):
    """One event of the plan: the case it belongs to and everything the producer would have stamped on it."""

    sequence: int
    case_id: str
    number: int  # the event's place in its case (1 for the first)
    kind: str
    slot: int  # which referral of the case (0: the first, to the lead unit)
    referral_id: str
    stream_id: str
    stream_version: int
    event_id: str
    cause_id: str | None
    topic: str
    partition: int
    offset: int


def uuid_text(rng: random.Random) -> str:
    """Return a random version 4 UUID as text (what str(uuid.uuid4()) gives, without its cost)."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{VARIANT[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


@dataclass
class Case:
    """A case being played out: its id, how far it got, its streams' versions and the ids later steps refer to."""

    case_id: str
    steps: int = 0
    routing_version: int = 0
    referrals: dict[int, tuple[str, int]] = field(default_factory=dict)  # slot -> (referral id, version)
    triaged_id: str = ""


def long_story(j: int) -> tuple[str, int]:
    """Return step j of a long case: its kind and the referral slot it concerns."""
    if j < len(OPENING):
        return OPENING[j], 0
    if j >= CASE_EVENTS - len(CLOSING):
        return CLOSING[j - CASE_EVENTS + len(CLOSING)], 0
    cycle, r = divmod(j - len(OPENING), 50)
    if r == 45 and cycle % 4 == 3:
        return "transfer_requested", 0
    if r == 46 and cycle % 4 == 3:
        return "transfer_answered", 0
    kind = REFERRAL_CYCLE.get(r, "home_visit")
    return kind, (cycle + 1 if kind in REFERRAL_KINDS else 0)


class LedgerPlan:
    """Hands out the plan's steps for sequence numbers 1, 2, 3, ... in order."""

    def __init__(self, sizes: Sequence[int], seed: int = 6962) -> None:
        """Plan one long case per size (its events spread through the first `size` sequence numbers)."""
        self._rng, self._id_rng = random.Random(seed), random.Random(seed + 1)
        self.long_cases = {size: Case(self._uuid()) for size in sorted(set(sizes))}
        self._strides = [(k, size // CASE_EVENTS, case) for k, (size, case) in enumerate(self.long_cases.items())]
        if any(stride < 1 for _, stride, _ in self._strides):
            raise ValueError(f"every ledger size must hold at least {CASE_EVENTS} events")
        self._lanes: list[Case | None] = [None] * LANES
        self._short = 0
        self._next = 1
        self._offsets: dict[tuple[str, int], int] = {}

    def _uuid(self) -> str:
        return uuid_text(self._rng)

    def ids(self) -> Iterator[str]:
        """Yield fresh random (version 4) UUIDs, as audit gives its ledger entries (apart from the plan's own)."""
        while True:
            yield uuid_text(self._id_rng)

    @property
    def done(self) -> int:
        """Return how many steps were handed out (the last sequence number planned)."""
        return self._next - 1

    def step(self) -> Step:
        """Return the step at the next sequence number."""
        sequence, self._next = self._next, self._next + 1
        for k, stride, long_case in self._strides:
            j, r = divmod(sequence - 1 - k, stride)
            if r == 0 and j >= 0 and long_case.steps < CASE_EVENTS:
                kind, slot = long_story(long_case.steps)
                return self._stamp(sequence, long_case, kind, slot)
        lane_step, lane = divmod(self._short, LANES)
        self._short += 1
        index = lane_step % len(SHORT_STORY)
        if index == 0:
            self._lanes[lane] = Case(self._uuid())
        case = self._lanes[lane]
        assert case is not None
        return self._stamp(sequence, case, SHORT_STORY[index], 0)

    def _stamp(self, sequence: int, case: Case, kind: str, slot: int) -> Step:
        case.steps += 1
        referral_id, stream_id, version, cause = "", f"routing-{case.case_id}", 0, None
        if kind in INTAKE_KINDS:
            stream_id, version = f"case-{case.case_id}", INTAKE_VERSIONS[kind]
        elif kind in REFERRAL_KINDS:
            referral_id, version = case.referrals[slot] if slot in case.referrals else (self._uuid(), 0)
            version += 1
            case.referrals[slot] = (referral_id, version)
            stream_id = f"referral-{referral_id}"
            cause = case.triaged_id if kind == "referred" and slot == 0 else None
        else:
            case.routing_version += 1
            version = case.routing_version
            cause = case.triaged_id if kind == "routed" else None
        event_id = self._uuid()
        if kind == "triaged":
            case.triaged_id = event_id
        topic = INTAKE_EVENTS if kind in INTAKE_KINDS else REFERRAL_EVENTS
        partition = int(case.case_id[:8], 16) % EVENT_TOPIC_PARTITIONS
        offset = self._offsets.get((topic, partition), -1) + 1
        self._offsets[topic, partition] = offset
        return Step(sequence, case.case_id, case.steps, kind, slot, referral_id, stream_id, version, event_id, cause,
                    topic, partition, offset)
