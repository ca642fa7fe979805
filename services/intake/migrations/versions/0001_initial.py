"""The event store and the cases view."""

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
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("problem_types", sa.JSON, nullable=False),
        sa.Column("client_age_years", sa.Integer, nullable=True),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("district_code", sa.String(4), nullable=True),
        sa.Column("subdistrict_code", sa.String(6), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cases")
