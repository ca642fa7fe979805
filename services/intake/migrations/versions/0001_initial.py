"""The event store, the cases and case links views, and idempotency keys."""

import sqlalchemy as sa
from alembic import op

from saphan_runtime.migrations import create_event_store_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_event_store_v1(op.get_bind())
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("duty_shift", sa.String(32), nullable=False),
        sa.Column("request_kind", sa.String(32), nullable=False),
        sa.Column("problem_types", sa.JSON, nullable=False),
        sa.Column("urgency", sa.String(16), nullable=True),
        sa.Column("response", sa.String(32), nullable=True),
        sa.Column("triage_rule", sa.String(100), nullable=True),
        sa.Column("closure_reason", sa.String(32), nullable=True),
        sa.Column("client_name", sa.String(200), nullable=True),
        sa.Column("client_name_key", sa.String(200), nullable=True, index=True),
        sa.Column("client_national_id", sa.String(13), nullable=True, index=True),
        sa.Column("client_birth_year", sa.Integer, nullable=True),
        sa.Column("client_birth_year_estimated", sa.Boolean, nullable=False),
        sa.Column("client_age_years", sa.Integer, nullable=True),
        sa.Column("client_sex", sa.String(16), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("district_code", sa.String(4), nullable=True),
        sa.Column("subdistrict_code", sa.String(6), nullable=True),
        sa.Column("consent", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_cases_area", "cases", ["province_code", "district_code", "subdistrict_code"])
    op.create_index("ix_cases_duplicate_candidates", "cases", ["subdistrict_code", "client_birth_year"])
    op.create_table(
        "case_links",
        sa.Column("case_id", sa.String(64), primary_key=True),
        sa.Column("existing_case_id", sa.String(64), primary_key=True),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("case_links")
    op.drop_table("cases")
