"""Proofs and past roots read from the stored perfect subtrees equal the ones computed from all the leaves, on a
real database, for every index and size of a small ledger."""

import pytest
from sqlalchemy import select

from saphan_runtime import db, migrations
from services.audit import merkle, proofs
from services.audit.commands import RecordEvent
from services.audit.db import ledger_entries
from tests.helpers import case_reported_event

ENTRIES = 37


async def test_proofs_from_stored_nodes_equal_proofs_from_all_the_leaves(make_service) -> None:
    service = make_service("audit")
    await migrations.upgrade_async(service.database_url, service.parts.migrations)
    try:
        for n in range(ENTRIES):
            raw = case_reported_event(f"case-{n}").decode()
            await service.bus.handle(RecordEvent(case_id=f"case-{n}", topic="saphan.intake.events", partition=0,
                                                 offset=n, raw=raw))
        async with service.read_sessions() as session:
            rows = await session.execute(select(ledger_entries.c.leaf_hash).order_by(ledger_entries.c.sequence))
            leaves = [bytes.fromhex(value) for value in rows.scalars()]
            for size in range(1, ENTRIES + 1):
                tree = leaves[:size]
                assert await proofs.root_at(session, size) == merkle.root(tree)
                for index in range(size):
                    assert await proofs.inclusion_proof(session, index, size) == merkle.inclusion_proof(index, tree)
                for first in range(1, size + 1):
                    assert await proofs.consistency_proof(session, first, size) == merkle.consistency_proof(first, tree)
            with pytest.raises(proofs.TooLarge):
                await proofs.inclusion_proof(session, 0, ENTRIES + 1)
    finally:
        await db.dispose(service.engine)
        await service.read_engine.dispose()
