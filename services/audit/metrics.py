"""Audit's figures for /metrics, read when scraped: how large the ledger is, and how much of it is signed."""

from collections.abc import Iterable
from typing import Any

from prometheus_client.metrics_core import Metric

from saphan_runtime.metrics import gauge
from services.audit import projections


async def ledger_size(service: Any) -> Iterable[Metric]:
    """Read the ledger's size and the size of its newest signed checkpoint."""
    async with service.read_sessions() as session:
        entries = await projections.ledger_size(session)
        signed = await projections.newest_checkpoint_size(session)
    return [gauge("saphan_audit_ledger_entries", "Entries in the audit ledger (its Merkle tree's size).",
                  {(): entries}),
            gauge("saphan_audit_checkpoint_entries",
                  "Entries covered by the newest signed checkpoint (its tree size; 0 before the first).",
                  {(): signed})]
