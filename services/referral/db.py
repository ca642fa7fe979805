"""Referral's tables: the shared event store and its views (routings, units and their areas, referrals, deadlines,
escalations)."""

from sqlalchemy import JSON, BigInteger, Boolean, Column, Integer, MetaData, String, Table, Text

from saphan_runtime.db import Position, UtcDateTime, event_store_tables
from saphan_runtime.parties import case_parties_table

metadata = MetaData()
event_store_tables(metadata)
case_parties = case_parties_table(metadata)

routings = Table(
    "routings",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("urgency", String(16), nullable=False),
    Column("lead", String(64), nullable=False),
    Column("lead_unit", String(64), nullable=False),
    Column("assignments", JSON, nullable=False),
    Column("rules_fired", JSON, nullable=False),
    Column("needs_review", Boolean, nullable=False),
    Column("stage", String(32), nullable=False),
    Column("manager", String(200), nullable=True),
    Column("pending_transfer", String(64), nullable=True),
    Column("decided_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
)

agency_units = Table(
    "agency_units",
    metadata,
    Column("unit_id", String(64), primary_key=True),
    Column("kind", String(64), nullable=False, index=True),
    Column("unit", JSON, nullable=False),
    Column("version", Integer, nullable=False),
)

agency_areas = Table(
    "agency_areas",
    metadata,
    Column("area_code", String(6), primary_key=True),
    Column("unit_id", String(64), primary_key=True),
)

referrals = Table(
    "referrals",
    metadata,
    Column("referral_id", String(64), primary_key=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("from_unit", String(64), nullable=False, index=True),
    Column("to_unit", String(64), nullable=False, index=True),
    Column("to_kind", String(64), nullable=False),
    Column("role", String(64), nullable=False),
    Column("urgency", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", String(32), nullable=True),
    Column("outcome", String(32), nullable=True),
    Column("receipt_due", UtcDateTime(), nullable=False),
    Column("acceptance_due", UtcDateTime(), nullable=False),
    Column("overdue", Boolean, nullable=False),
    Column("escalate_to", String(64), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
)

deadlines = Table(
    "deadlines",
    metadata,
    Column("referral_id", String(64), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("due_at", UtcDateTime(), nullable=False, index=True),
    Column("state", String(16), nullable=False, index=True),
)

escalations = Table(
    "escalations",
    metadata,
    Column("referral_id", String(64), primary_key=True),
    Column("deadline", String(16), primary_key=True),
    Column("case_id", String(64), nullable=False),
    Column("to_unit", String(64), nullable=False),
    Column("escalated_to", String(64), nullable=False, index=True),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("detected_at", UtcDateTime(), nullable=False),
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("webhook_id", String(64), primary_key=True),
    Column("unit_id", String(64), nullable=False, index=True),
    Column("url", String(2000), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("secret", String(200), nullable=False),
    Column("position", BigInteger, nullable=False),  # delivered (or skipped) up to this event position
    Column("failures", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Position, primary_key=True, autoincrement=True),
    Column("webhook_id", String(64), nullable=False, index=True),
    Column("position", BigInteger, nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("attempted_at", UtcDateTime(), nullable=False),
)
