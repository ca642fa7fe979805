"""Documents' tables: the shared event store and the `case_files` view fed by intake's events."""

from sqlalchemy import Column, Integer, MetaData, String, Table

from saphan_runtime.db import UtcDateTime, event_store_tables
from saphan_runtime.parties import case_parties_table

metadata = MetaData()
event_store_tables(metadata)
case_parties = case_parties_table(metadata)

case_files = Table(
    "case_files",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("document_count", Integer, nullable=False),
    Column("opened_at", UtcDateTime(), nullable=False),
)
