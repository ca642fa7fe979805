"""Custody of content: each document version, and the case keys that encrypt it."""

import sqlalchemy as sa
from alembic import op

from saphan_runtime.migrations import create_case_keys_v1

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_case_keys_v1(op.get_bind())
    op.create_table(
        "document_versions",
        sa.Column("document_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.String(64), nullable=False, index=True),
        sa.Column("document_type", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("file_name", sa.JSON, nullable=True),
        sa.Column("blob_name", sa.String(300), nullable=False, unique=True),
        sa.Column("uploaded_by_unit", sa.String(64), nullable=False),
        sa.Column("uploaded_by_user", sa.String(200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("document_versions")
    op.drop_table("case_keys")
