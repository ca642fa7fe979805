"""Audit's read side: the ledger entries by case, written in the same transaction as the ledger events."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.audit import CheckpointSigned, EventRecorded
from contracts.envelope import EventData
from saphan_runtime import direct
from saphan_runtime.cloudevents import canonical_json
from saphan_runtime.eventstore import Projection, StoredEvent, projector
from saphan_runtime.transactions import before_commit
from services.audit import merkle
from services.audit.db import checkpoints, ledger_entries, ledger_frontier, ledger_nodes


async def entry_appended(session: AsyncSession, event: StoredEvent) -> None:
    """Index a ledger entry by its case."""
    data = event.data
    assert isinstance(data, EventRecorded)
    recorded = data.event
    record = event.encoded  # the ledger entry exactly as stored: every byte is in the tree
    leaf = merkle.leaf_hash(record.encode())
    await direct.insert_rows(session, ledger_entries, [{
        "sequence": data.sequence, "event_id": recorded["id"], "case_id": data.case_id,
        "type": recorded["type"], "source": recorded["source"], "time": datetime.fromisoformat(recorded["time"]),
        "topic": data.topic_name, "partition": data.partition, "offset": data.offset,
        "event": canonical_json(recorded), "record": record, "leaf_hash": leaf.hex(), "recorded_at": data.recorded_at,
    }])
    await _grow_tree(session, leaf, data.sequence)


TREE = "audit.tree"  # session.info: the tree as this transaction grows it, and the subtrees it completed


@dataclass
class _Growing:
    frontier: merkle.Frontier
    completed: list[tuple[int, int, bytes]] = field(default_factory=list)


async def _grow_tree(session: AsyncSession, leaf: bytes, sequence: int) -> None:
    """Add a leaf to the ledger's Merkle tree (its compact frontier), so a root costs O(log n). The tree is read
    once per transaction and written once, as it commits, with the perfect subtrees the leaves completed."""
    growing = session.info.get(TREE)
    if growing is None:
        growing = session.info[TREE] = _Growing(await _stored_frontier(session))
        before_commit(session, TREE, _save_tree)
    if growing.frontier.size != sequence - 1:
        raise RuntimeError(f"the ledger's tree has {growing.frontier.size} leaves; sequence {sequence} cannot follow")
    growing.completed.extend(growing.frontier.append(leaf))


async def _save_tree(session: AsyncSession) -> None:
    growing: _Growing = session.info.pop(TREE)
    if growing.completed:
        await direct.insert_rows(session, ledger_nodes, [
            {"level": level, "index": index, "hash": node.hex()} for level, index, node in growing.completed])
    frontier = growing.frontier
    state = json.dumps(frontier.to_json())
    if not await direct.change(session, UPDATE_FRONTIER, {"size": frontier.size, "state": state}):
        await session.execute(insert(ledger_frontier), {"id": 1, "size": frontier.size, "state": state})


async def _frontier(session: AsyncSession) -> merkle.Frontier:
    """Return the tree as it stands in this session (with the leaves its transaction added so far)."""
    growing = session.info.get(TREE)
    return growing.frontier if growing is not None else await _stored_frontier(session)


UPDATE_FRONTIER = update(ledger_frontier).where(ledger_frontier.c.id == 1)  # sets what its parameters name
FRONTIER = select(ledger_frontier.c.state).where(ledger_frontier.c.id == 1)  # built once: read for each event


async def _stored_frontier(session: AsyncSession) -> merkle.Frontier:
    state = await direct.select_scalar(session, FRONTIER, {})
    return merkle.Frontier.from_json(json.loads(state)) if state else merkle.Frontier()


async def checkpoint_signed(session: AsyncSession, event: StoredEvent) -> None:
    """Keep a signed checkpoint."""
    data = event.data
    assert isinstance(data, CheckpointSigned)
    await session.execute(insert(checkpoints), {
        "tree_size": data.tree_size, "root_hash": data.root_hash, "signed_at": data.signed_at,
        "key_id": data.key_id, "note": data.note, "signature": data.signature})


PROJECTIONS: dict[type[EventData], Projection] = {
    EventRecorded: entry_appended,
    CheckpointSigned: checkpoint_signed,
}

project = projector(PROJECTIONS)


IS_RECORDED = select(ledger_entries.c.sequence).where(ledger_entries.c.event_id == bindparam("event_id"))


async def is_recorded(session: AsyncSession, event_id: str) -> bool:
    """Return whether the ledger already holds an event."""
    found = await direct.select_scalar(session, IS_RECORDED, {"event_id": event_id})
    return found is not None


async def case_timeline(session: AsyncSession, case_id: str, *, include_reads: bool = True) -> list[dict[str, Any]]:
    """Return a case's ledger entries in ledger order (with or without the access events)."""
    query = select(ledger_entries).where(ledger_entries.c.case_id == case_id)
    if not include_reads:
        query = query.where(ledger_entries.c.type.not_like("saphan.access.%"))
    rows = await session.execute(query.order_by(ledger_entries.c.sequence))
    return [{**row, "event": json.loads(row["event"])} for row in rows.mappings()]


async def case_events(session: AsyncSession, case_id: str, *, up_to: int | None = None) -> list[tuple[int, str]]:
    """Return a case's events (ledger sequence, event JSON) in ledger order, up to a sequence number."""
    query = select(ledger_entries.c.sequence, ledger_entries.c.event).where(ledger_entries.c.case_id == case_id)
    if up_to is not None:
        query = query.where(ledger_entries.c.sequence <= up_to)
    rows = await session.execute(query.order_by(ledger_entries.c.sequence))
    return [(row.sequence, row.event) for row in rows]


async def ledger_head(session: AsyncSession) -> tuple[int, bytes]:
    """Return the ledger's size and Merkle root."""
    frontier = await _frontier(session)
    return frontier.size, frontier.root()


async def ledger_size(session: AsyncSession) -> int:
    """Return how many entries the ledger holds (its tree's size: one row, no count of the entries)."""
    if (growing := session.info.get(TREE)) is not None:
        return int(growing.frontier.size)
    return int(await session.scalar(select(ledger_frontier.c.size).where(ledger_frontier.c.id == 1)) or 0)


async def newest_checkpoint_size(session: AsyncSession) -> int:
    """Return the size of the newest checkpoint (0 if none)."""
    return int(await session.scalar(select(func.max(checkpoints.c.tree_size))) or 0)


async def list_checkpoints(session: AsyncSession, *, size: int | None = None) -> list[dict[str, Any]]:
    """Return the checkpoints, oldest first (or the one of a size)."""
    query = select(checkpoints).order_by(checkpoints.c.tree_size)
    if size is not None:
        query = query.where(checkpoints.c.tree_size == size)
    return [dict(row) for row in (await session.execute(query)).mappings()]


async def entry(session: AsyncSession, sequence: int) -> dict[str, Any] | None:
    """Return one ledger entry, or None."""
    query = select(ledger_entries).where(ledger_entries.c.sequence == sequence)
    row = (await session.execute(query)).mappings().first()
    return dict(row) if row else None
