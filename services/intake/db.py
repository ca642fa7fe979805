"""Intake's tables: the shared event store, the `cases`, `case_links` and `case_parties` views, idempotency keys, and
the case keys that seal personal data."""

from sqlalchemy import JSON, Boolean, Column, Index, Integer, MetaData, String, Table, Text

from saphan_runtime.db import UtcDateTime, event_store_tables
from saphan_runtime.parties import case_parties_table
from saphan_runtime.sealing import case_keys_table

metadata = MetaData()
event_store_tables(metadata)
case_parties = case_parties_table(metadata)
case_keys = case_keys_table(metadata)

cases = Table(
    "cases",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("status", String(32), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False, index=True),
    Column("duty_shift", String(32), nullable=False),
    Column("request_kind", String(32), nullable=False),
    Column("problem_types", JSON, nullable=False),
    Column("urgency", String(16), nullable=True),
    Column("response", String(32), nullable=True),
    Column("triage_rule", String(100), nullable=True),
    Column("closure_reason", String(32), nullable=True),
    Column("client_name", String(200), nullable=True),
    Column("client_name_key", String(200), nullable=True, index=True),
    Column("client_national_id", String(13), nullable=True, index=True),
    Column("client_birth_year", Integer, nullable=True),
    Column("client_birth_year_estimated", Boolean, nullable=False),
    Column("client_age_years", Integer, nullable=True),
    Column("client_sex", String(16), nullable=False),
    Column("province_code", String(2), nullable=False),
    Column("district_code", String(4), nullable=True),
    Column("subdistrict_code", String(6), nullable=True),
    Column("consent", String(32), nullable=False),
    Column("informant_name", String(200), nullable=True),
    Column("informant_phone", String(32), nullable=True),
    Column("informant_relationship", String(32), nullable=True),
    Column("client_address", String(500), nullable=True),
    Column("personal_data_erased_at", UtcDateTime(), nullable=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_cases_area", "province_code", "district_code", "subdistrict_code"),
    Index("ix_cases_duplicate_candidates", "subdistrict_code", "client_birth_year"),
)

case_links = Table(
    "case_links",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("existing_case_id", String(64), primary_key=True),
    Column("rule_id", String(100), nullable=False),
    Column("status", String(16), nullable=False),
    Column("flagged_at", UtcDateTime(), nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("case_id", String(64), nullable=False),
    Column("response", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
