"""Audit's tables: the shared event store (the ledger stream) and the `ledger_entries` projection."""

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, Text

from saphan_runtime.db import UtcDateTime, event_store_tables

metadata = MetaData()
event_store_tables(metadata)

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("sequence", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("type", String(200), nullable=False),
    Column("source", String(200), nullable=False),
    Column("time", UtcDateTime(), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("event", Text, nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
)
