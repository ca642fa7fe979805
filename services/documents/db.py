"""Documents' tables: the shared event store, the `case_files` and `documents` views, who is party to each case, and
the case keys that encrypt the content."""

from sqlalchemy import JSON, Boolean, Column, Integer, MetaData, String, Table

from saphan_runtime.db import UtcDateTime, event_store_tables
from saphan_runtime.parties import case_parties_table
from saphan_runtime.sealing import case_keys_table

metadata = MetaData()
event_store_tables(metadata)
case_parties = case_parties_table(metadata)
case_keys = case_keys_table(metadata)

case_files = Table(
    "case_files",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("document_count", Integer, nullable=False),
    Column("opened_at", UtcDateTime(), nullable=False),
)

document_versions = Table(
    "document_versions",
    metadata,
    Column("document_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("document_type", String(64), nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("file_name", JSON, nullable=True),
    Column("blob_name", String(300), nullable=False, unique=True),
    Column("uploaded_by_unit", String(64), nullable=False),
    Column("uploaded_by_user", String(200), nullable=False),
    Column("uploaded_at", UtcDateTime(), nullable=False),
)

consents = Table(
    "consents",
    metadata,
    Column("consent_id", String(64), primary_key=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("form_document_id", String(64), nullable=False),
    Column("given_by", String(32), nullable=False),
    Column("stands", Boolean, nullable=False),
    Column("recorded_by_unit", String(64), nullable=False),
    Column("given_at", UtcDateTime(), nullable=False),
    Column("withdrawn_at", UtcDateTime(), nullable=True),
)

document_shares = Table(
    "document_shares",
    metadata,
    Column("document_id", String(64), primary_key=True),
    Column("to_unit", String(64), primary_key=True),
    Column("basis", String(16), primary_key=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("legal_basis", String(64), nullable=True),
    Column("note", String(500), nullable=True),
    Column("shared_by_unit", String(64), nullable=False),
    Column("shared_at", UtcDateTime(), nullable=False),
)

agency_units = Table(
    "agency_units",
    metadata,
    Column("unit_id", String(64), primary_key=True),
    Column("kind", String(64), nullable=False),
)
