"""The event store and referral's views: routings, agency units and areas, referrals, deadlines, escalations."""

import sqlalchemy as sa
from alembic import op

from saphan_runtime.migrations import create_event_store_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    create_event_store_v1(op.get_bind())
    op.create_table(
        "routings",
        sa.Column("case_id", sa.String(64), primary_key=True),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("lead", sa.String(64), nullable=False),
        sa.Column("lead_unit", sa.String(64), nullable=False),
        sa.Column("assignments", sa.JSON, nullable=False),
        sa.Column("rules_fired", sa.JSON, nullable=False),
        sa.Column("needs_review", sa.Boolean, nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("manager", sa.String(200), nullable=True),
        sa.Column("pending_transfer", sa.String(64), nullable=True),
        sa.Column("decided_at", STAMP, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "agency_units",
        sa.Column("unit_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False, index=True),
        sa.Column("unit", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "agency_areas",
        sa.Column("area_code", sa.String(6), primary_key=True),
        sa.Column("unit_id", sa.String(64), primary_key=True),
    )
    op.create_table(
        "referrals",
        sa.Column("referral_id", sa.String(64), primary_key=True),
        sa.Column("case_id", sa.String(64), nullable=False, index=True),
        sa.Column("from_unit", sa.String(64), nullable=False, index=True),
        sa.Column("to_unit", sa.String(64), nullable=False, index=True),
        sa.Column("to_kind", sa.String(64), nullable=False),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("receipt_due", STAMP, nullable=False),
        sa.Column("acceptance_due", STAMP, nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False),
        sa.Column("escalate_to", sa.String(64), nullable=False),
        sa.Column("requested_at", STAMP, nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "deadlines",
        sa.Column("referral_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("due_at", STAMP, nullable=False, index=True),
        sa.Column("state", sa.String(16), nullable=False, index=True),
    )
    op.create_table(
        "escalations",
        sa.Column("referral_id", sa.String(64), primary_key=True),
        sa.Column("deadline", sa.String(16), primary_key=True),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("to_unit", sa.String(64), nullable=False),
        sa.Column("escalated_to", sa.String(64), nullable=False, index=True),
        sa.Column("due_at", STAMP, nullable=False),
        sa.Column("detected_at", STAMP, nullable=False),
    )

    op.create_table(
        "webhooks",
        sa.Column("webhook_id", sa.String(64), primary_key=True),
        sa.Column("unit_id", sa.String(64), nullable=False, index=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("event_types", sa.JSON, nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", STAMP, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("webhook_id", sa.String(64), nullable=False, index=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("attempted_at", STAMP, nullable=False),
    )

def downgrade() -> None:
    for table in ("webhook_deliveries", "webhooks", "escalations", "deadlines", "referrals", "agency_areas",
                  "agency_units", "routings"):
        op.drop_table(table)
