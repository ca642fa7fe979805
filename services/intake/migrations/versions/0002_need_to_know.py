"""Need to know and sealed personal data: who is party to each case, each case's key, and the informant's identity
and the client's address in the cases view (hidden by the access policy from units that do not need them)."""

import sqlalchemy as sa
from alembic import op

from saphan_runtime.migrations import create_case_keys_v1, create_case_parties_v1

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_case_parties_v1(op.get_bind())
    create_case_keys_v1(op.get_bind())
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("informant_name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("informant_phone", sa.String(32), nullable=True))
        batch.add_column(sa.Column("informant_relationship", sa.String(32), nullable=True))
        batch.add_column(sa.Column("client_address", sa.String(500), nullable=True))
        batch.add_column(sa.Column("personal_data_erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        for column in ("personal_data_erased_at", "client_address", "informant_relationship", "informant_phone",
                       "informant_name"):
            batch.drop_column(column)
    op.drop_table("case_keys")
    op.drop_table("case_parties")
