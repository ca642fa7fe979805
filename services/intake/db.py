"""Intake's tables: the shared event store and the `cases` projection."""

from sqlalchemy import JSON, Column, Integer, MetaData, String, Table

from saphan_runtime.db import UtcDateTime, event_store_tables

metadata = MetaData()
event_store_tables(metadata)

cases = Table(
    "cases",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("status", String(32), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("problem_types", JSON, nullable=False),
    Column("client_age_years", Integer, nullable=True),
    Column("province_code", String(2), nullable=False),
    Column("district_code", String(4), nullable=True),
    Column("subdistrict_code", String(6), nullable=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
