"""`saphan audit rebuild`: rebuild the ledger into an empty database from Kafka alone.

The ledger's entries are on `saphan.audit.ledger` in sequence order (one partition), byte for byte as stored, so
the rebuilt tree has the same leaves and the same root. Each entry is checked against the event it records, read
again from its own topic, partition and offset; the checkpoints are taken from `saphan.audit.events` and the rebuilt
roots checked against them. The inbox is filled too, so an audit service started on the rebuilt database with its
consumer offsets reset skips what the ledger holds and records the rest."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.audit import CheckpointSigned, EventRecorded
from contracts.topics import AUDIT_EVENTS, AUDIT_LEDGER
from saphan_runtime import cloudevents, db, migrations
from saphan_runtime.eventstore import UnitOfWork
from saphan_runtime.kafka import read_from_beginning
from saphan_runtime.settings import BrokerSettings, service_source
from services.audit import checkpoints, projections, proofs
from services.audit.db import metadata

BATCH = 500
CONSUMER = "audit"  # the inbox consumer name of the audit service
Ref = tuple[str, int, int]  # (topic, partition, offset) of a recorded event


@dataclass
class Rebuilt:
    """What a rebuild made and found."""

    size: int = 0
    root_hash: str = ""
    checkpoints: int = 0
    checkpoints_matching: int = 0
    checkpoints_ahead: int = 0  # signed after the rebuild read the ledger topic (a live system goes on): not checked
    sources_checked: int = 0
    sources_missing: int = 0  # entries whose event the broker no longer holds (retention): not checked
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """Return whether the rebuild found nothing wrong."""
        return not self.problems


async def rebuild_ledger(url: str, broker: BrokerSettings, public_key: str,
                         progress: Callable[[int], None] = lambda done: None) -> Rebuilt:
    """Rebuild the ledger of an empty audit database at `url` from the broker's topics."""
    await migrations.upgrade_async(url, "services.audit:migrations")
    engine = db.create_engine(url)
    sessions = db.create_sessionmaker(engine)
    try:
        return await _rebuild(sessions, broker, public_key, progress)
    finally:
        await engine.dispose()


async def _rebuild(sessions: async_sessionmaker[AsyncSession], broker: BrokerSettings, public_key: str,
                   progress: Callable[[int], None]) -> Rebuilt:
    found = Rebuilt()
    async with sessions() as session:
        if (await projections.ledger_head(session))[0]:
            raise SystemExit("the target database already holds a ledger; rebuild into an empty one")
    expected = await _restore_entries(sessions, broker, found, progress)
    await _check_sources(broker, expected, found)
    await _restore_checkpoints(sessions, broker, public_key, found)
    return found


async def _restore_entries(sessions: async_sessionmaker[AsyncSession], broker: BrokerSettings, found: Rebuilt,
                           progress: Callable[[int], None]) -> dict[Ref, bytes]:
    """Append every mirrored entry in sequence order; return each recorded event's digest by its source position."""
    expected: dict[Ref, bytes] = {}
    batch: list[bytes] = []
    async for record in read_from_beginning(broker, broker.topic(AUDIT_LEDGER)):
        batch.append(record.value)
        if len(batch) >= BATCH:
            await _append(sessions, batch, expected, found)
            progress(found.size)
            batch = []
    await _append(sessions, batch, expected, found)
    progress(found.size)
    async with sessions() as session, session.begin():
        found.size, root = await projections.ledger_head(session)
        found.root_hash = root.hex()
        position = await session.scalar(select(metadata.tables["events"].c.position).order_by(
            metadata.tables["events"].c.position.desc()).limit(1))
        if position:  # the mirror already holds these: an audit service on this database must not publish them again
            await session.execute(insert(metadata.tables["relay_cursor"]), {
                "relay": CONSUMER, "position": position, "updated_at": cloudevents.now()})
    return expected


async def _append(sessions: async_sessionmaker[AsyncSession], values: list[bytes], expected: dict[Ref, bytes],
                  found: Rebuilt) -> None:
    if not values:
        return
    uow = UnitOfWork(sessions, dict(metadata.tables), source=service_source("audit"), project=projections.project,
                     on_commit=lambda: None)
    async with uow:
        for value in values:
            envelope = cloudevents.decode(value)
            entry = EventRecorded.model_validate(envelope.data)
            if entry.sequence <= found.size:  # sent twice by the at-least-once relay: it must be the same entry
                await _check_resent(uow.session, entry.sequence, value, found)
                continue
            if entry.sequence != found.size + 1:
                raise SystemExit(f"the ledger topic jumps from sequence {found.size} to {entry.sequence}: "
                                 "the broker did not keep everything")
            restored = await uow.restore(envelope)
            if cloudevents.encode(restored.envelope).encode() != value:
                found.problems.append(f"sequence {entry.sequence}: the entry does not re-encode byte for byte")
            await uow.session.execute(insert(metadata.tables["inbox"]), {
                "consumer": CONSUMER, "event_id": entry.event["id"], "processed_at": entry.recorded_at})
            expected[entry.topic_name, entry.partition, entry.offset] = _digest(entry.event)
            found.size = entry.sequence
        await uow.commit()


async def _check_resent(session: AsyncSession, sequence: int, value: bytes, found: Rebuilt) -> None:
    stored = await projections.entry(session, sequence)
    if stored is None or stored["record"].encode() != value:
        found.problems.append(f"sequence {sequence} was published twice with different contents")


async def _check_sources(broker: BrokerSettings, expected: dict[Ref, bytes], found: Rebuilt) -> None:
    """Read every recorded event again where it was published and compare it with its ledger entry."""
    for topic in sorted({ref[0] for ref in expected}):
        async for record in read_from_beginning(broker, broker.topic(topic)):
            digest = expected.pop((topic, record.partition, record.offset), None)
            if digest is None:
                continue
            found.sources_checked += 1
            try:
                same = _digest(json.loads(record.value)) == digest
            except ValueError:
                same = False
            if not same:
                found.problems.append(f"{topic}/{record.partition}@{record.offset} differs from its ledger entry")
    found.sources_missing = len(expected)


async def _restore_checkpoints(sessions: async_sessionmaker[AsyncSession], broker: BrokerSettings, public_key: str,
                               found: Rebuilt) -> None:
    """Keep the signed checkpoints the broker holds, each checked against the rebuilt tree."""
    uow = UnitOfWork(sessions, dict(metadata.tables), source=service_source("audit"), project=projections.project,
                     on_commit=lambda: None)
    async with uow:
        async for record in read_from_beginning(broker, broker.topic(AUDIT_EVENTS)):
            envelope = cloudevents.decode(record.value)
            if envelope.type != CheckpointSigned.type_name():
                continue
            signed = CheckpointSigned.model_validate(envelope.data)
            await uow.restore(envelope)
            found.checkpoints += 1
            if signed.tree_size > found.size:
                found.checkpoints_ahead += 1
            elif not checkpoints.verify(public_key, signed.note, signed.signature):
                found.problems.append(f"checkpoint {signed.tree_size} is not signed by key "
                                      f"{checkpoints.key_id(public_key)}")
            elif (await proofs.root_at(uow.session, signed.tree_size)).hex() != signed.root_hash:
                found.problems.append(f"checkpoint {signed.tree_size}: the rebuilt root differs from the signed one")
            else:
                found.checkpoints_matching += 1
        await uow.commit()


def _digest(event: object) -> bytes:
    return hashlib.sha256(cloudevents.canonical_json(event).encode()).digest()

