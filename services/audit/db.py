"""Audit's tables: the shared event store (the ledger stream) and the `ledger_entries` projection."""

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text

from saphan_runtime.db import UtcDateTime, event_store_tables

metadata = MetaData()
event_store_tables(metadata)

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("sequence", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("case_id", String(64), nullable=False),
    Column("type", String(200), nullable=False),
    Column("source", String(200), nullable=False),
    Column("time", UtcDateTime(), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("event", Text, nullable=False),
    Column("record", Text, nullable=False),  # the stored ledger entry (EventRecorded), the Merkle leaf's data
    Column("leaf_hash", String(64), nullable=False),  # RFC 6962: SHA-256(0x00 || record)
    Column("recorded_at", UtcDateTime(), nullable=False),
    Index("ix_ledger_entries_case", "case_id", "sequence"),  # a case's history costs the case's size, not the ledger's
)

ledger_nodes = Table(  # every completed perfect subtree above the leaves, so a proof reads O(log² n) rows
    "ledger_nodes",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("index", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
)

ledger_frontier = Table(
    "ledger_frontier",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
    Column("state", Text, nullable=False),  # the roots of the perfect subtrees (merkle.Frontier), JSON
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", String(64), nullable=False),
    Column("signed_at", UtcDateTime(), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("note", Text, nullable=False),
    Column("signature", String(200), nullable=False),
)
