"""Referral's tables: the shared event store and the `routings` projection."""

from sqlalchemy import JSON, Column, Integer, MetaData, String, Table

from saphan_runtime.db import UtcDateTime, event_store_tables

metadata = MetaData()
event_store_tables(metadata)

routings = Table(
    "routings",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("urgency", String(16), nullable=False),
    Column("lead", String(64), nullable=False),
    Column("assignments", JSON, nullable=False),
    Column("rules_fired", JSON, nullable=False),
    Column("decided_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
)
