"""`saphan audit verify`: recompute the whole ledger from its store, check every checkpoint, and name the first
sequence number where anything was altered, removed or reordered."""

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.audit import EventRecorded
from saphan_runtime import db
from saphan_runtime.cloudevents import canonical_json, decode
from services.audit import checkpoints, merkle
from services.audit.db import checkpoints as checkpoint_table
from services.audit.db import ledger_entries, ledger_nodes, metadata
from services.audit.domain import LEDGER_STREAM

BATCH = 5_000


@dataclass(frozen=True)
class Finding:
    """What verification found: how far it got, and the first problem (None when the ledger is intact)."""

    entries: int
    checkpoints: int
    first_bad_sequence: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        """Return whether nothing was found wrong."""
        return self.problem is None


async def verify_ledger(url: str, public_key: str, progress: Callable[[int, int], None] = lambda done, total: None
                        ) -> Finding:
    """Verify the ledger of the audit database at `url` against its checkpoints, signed by `public_key`."""
    engine = db.create_engine(url, read_only=True)
    try:
        async with engine.connect() as connection:
            return await _verify(connection, public_key, progress)
    finally:
        await engine.dispose()


async def _verify(connection: AsyncConnection, public_key: str, progress: Callable[[int, int], None]) -> Finding:
    signed = {row.tree_size: row for row in await connection.execute(select(checkpoint_table))}
    for size, row in sorted(signed.items()):
        says = f"\n{size}\n{row.root_hash}\n" in row.note
        if not says or not checkpoints.verify(public_key, row.note, row.signature):
            return Finding(0, 0, size, f"checkpoint {size} is not signed by key {checkpoints.key_id(public_key)}: "
                                       "the checkpoint was altered, or this is not the ledger's key")
    total = max([0, *signed])
    tree, expected, checked = merkle.Frontier(), 1, 0
    nodes = _StoredNodes(connection)
    async for version, payload, entry_text, entry_leaf in _entries(connection):
        problem = _check_entry(version, expected, payload, entry_text, entry_leaf)
        if problem:
            return Finding(expected - 1, checked, min(version, expected), problem)
        for level, index, node in tree.append(bytes.fromhex(entry_leaf)):
            if await nodes.get(level, index) != node.hex():
                return Finding(tree.size, checked, tree.size,
                               f"sequence {tree.size}: the stored subtree ({level}, {index}) that proofs read is "
                               "missing or altered")
        if tree.size in signed:
            checked += 1
            if tree.root().hex() != signed[tree.size].root_hash:
                previous = max([s for s in signed if s < tree.size], default=0)
                return Finding(tree.size, checked, previous + 1,
                               f"checkpoint {tree.size} does not match: altered between {previous + 1} and {tree.size}")
        expected += 1
        progress(tree.size, max(total, tree.size))
    if total > tree.size:
        return Finding(tree.size, checked, tree.size + 1, f"sequence {tree.size + 1} onwards is missing (removed)")
    return Finding(tree.size, checked)


def _check_entry(version: int, expected: int, payload: str | None, entry_text: str | None,
                 entry_leaf: str | None) -> str | None:
    """Return what is wrong with one ledger position, or None."""
    if version != expected:
        return f"sequence {expected} is missing (removed), or entries were reordered"
    try:
        recorded = EventRecorded.model_validate(decode(payload or "").data)
    except (ValidationError, ValueError):
        return f"sequence {version}: the stored entry is not readable (altered)"
    if recorded.sequence != version:
        return f"sequence {version}: the entry says it is {recorded.sequence} (reordered)"
    if entry_text != canonical_json(recorded.event):
        return f"sequence {version}: the ledger entry differs from the stored event (altered)"
    if entry_leaf != merkle.leaf_hash((payload or "").encode()).hex():
        return f"sequence {version}: the stored entry no longer matches its leaf hash (altered)"
    return None


class _StoredNodes:
    """The stored perfect subtrees (`ledger_nodes`), read in batches in the order the walk completes them."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self._cache: dict[tuple[int, int], str] = {}

    async def get(self, level: int, index: int) -> str | None:
        """Return a stored node's hash (hex), or None when it is missing."""
        if (level, index) not in self._cache:
            self._cache = {key: value for key, value in self._cache.items() if key[0] != level}
            rows = await self._connection.execute(
                select(ledger_nodes.c.index, ledger_nodes.c.hash)
                .where(ledger_nodes.c.level == level, ledger_nodes.c.index >= index,
                       ledger_nodes.c.index < index + BATCH))
            self._cache |= {(level, i): node for i, node in rows.tuples()}
        return self._cache.get((level, index))


async def _entries(connection: AsyncConnection):  # type: ignore[no-untyped-def]
    """Yield (version, stored payload, ledger entry text, leaf hash) in version order, in batches."""
    events = metadata.tables["events"]
    after = 0
    while True:
        rows = list(await connection.execute(
            select(events.c.version, events.c.payload, ledger_entries.c.event, ledger_entries.c.leaf_hash)
            # both sides bounded by `after`, so each batch seeks instead of rescanning the entries from the start
            .outerjoin(ledger_entries, and_(ledger_entries.c.sequence == events.c.version,
                                            ledger_entries.c.sequence > after))
            .where(events.c.stream_id == LEDGER_STREAM, events.c.version > after)
            .order_by(events.c.version).limit(BATCH)))
        if not rows:
            return
        for row in rows:
            yield row.version, row.payload, row.event, row.leaf_hash
        after = rows[-1].version
