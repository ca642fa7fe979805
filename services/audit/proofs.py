"""RFC 6962 proofs and past roots from the stored perfect subtrees (`ledger_nodes`) and leaf hashes: each reads
the O(log² n) nodes it needs in two queries, so its cost does not grow with the ledger."""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit import merkle
from services.audit.db import ledger_entries, ledger_nodes

T = TypeVar("T")


class TooLarge(ValueError):
    """The ledger is smaller than the tree size asked for."""


async def root_at(session: AsyncSession, size: int) -> bytes:
    """Return the ledger's Merkle root when it held `size` entries."""
    return await _computed(session, size, lambda node: merkle.subtree_hash(0, size, node))


async def inclusion_proof(session: AsyncSession, leaf_index: int, tree_size: int) -> list[bytes]:
    """Return PATH(leaf_index, D[tree_size]), siblings from the leaf up."""
    return await _computed(session, tree_size, lambda node: merkle.inclusion_path(leaf_index, tree_size, node))


async def consistency_proof(session: AsyncSession, first: int, second: int) -> list[bytes]:
    """Return PROOF(first, D[second])."""
    return await _computed(session, second, lambda node: merkle.consistency_path(first, second, node))


async def _computed(session: AsyncSession, size: int, compute: Callable[[merkle.Node], T]) -> T:
    needed = merkle.nodes_needed(compute)
    nodes = await _nodes(session, needed)
    if len(nodes) < len(needed):
        raise TooLarge(f"the ledger holds fewer than {size} entries")
    return compute(lambda level, index: nodes[level, index])


async def _nodes(session: AsyncSession, needed: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    leaves = [index + 1 for level, index in needed if level == 0]
    inner = [(level, index) for level, index in needed if level > 0]
    found: dict[tuple[int, int], bytes] = {}
    if leaves:
        rows = await session.execute(select(ledger_entries.c.sequence, ledger_entries.c.leaf_hash)
                                     .where(ledger_entries.c.sequence.in_(leaves)))
        found |= {(0, row.sequence - 1): bytes.fromhex(row.leaf_hash) for row in rows}
    if inner:
        by_level: dict[int, list[int]] = {}
        for level, index in inner:
            by_level.setdefault(level, []).append(index)
        # One (level = ? AND index IN ...) per level: SQLite scans the table for a row-value IN, not for this.
        wanted = or_(*[and_(ledger_nodes.c.level == level, ledger_nodes.c.index.in_(indexes))
                       for level, indexes in by_level.items()])
        rows = await session.execute(select(ledger_nodes.c.level, ledger_nodes.c.index, ledger_nodes.c.hash)
                                     .where(wanted))
        found |= {(level, index): bytes.fromhex(node) for level, index, node in rows.tuples()}
    return found
