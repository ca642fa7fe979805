"""Consent (พม.1) and shares: who else may read a document, and on what basis; the kind of each agency unit (which
document types it may hold)."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("consent_id", sa.String(64), primary_key=True),
        sa.Column("case_id", sa.String(64), nullable=False, index=True),
        sa.Column("form_document_id", sa.String(64), nullable=False),
        sa.Column("given_by", sa.String(32), nullable=False),
        sa.Column("stands", sa.Boolean, nullable=False),
        sa.Column("recorded_by_unit", sa.String(64), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "document_shares",
        sa.Column("document_id", sa.String(64), primary_key=True),
        sa.Column("to_unit", sa.String(64), primary_key=True),
        sa.Column("basis", sa.String(16), primary_key=True),
        sa.Column("case_id", sa.String(64), nullable=False, index=True),
        sa.Column("legal_basis", sa.String(64), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("shared_by_unit", sa.String(64), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
    )


    op.create_table(
        "agency_units",
        sa.Column("unit_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("agency_units")
    op.drop_table("document_shares")
    op.drop_table("consents")
