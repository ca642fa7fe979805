"""The event store and the routings view."""

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
        "routings",
        sa.Column("case_id", sa.String(64), primary_key=True),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("lead", sa.String(64), nullable=False),
        sa.Column("assignments", sa.JSON, nullable=False),
        sa.Column("rules_fired", sa.JSON, nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("routings")
