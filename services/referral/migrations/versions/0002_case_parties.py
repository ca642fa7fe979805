"""Need to know: who is party to each case."""

from alembic import op

from saphan_runtime.migrations import create_case_parties_v1

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_case_parties_v1(op.get_bind())


def downgrade() -> None:
    op.drop_table("case_parties")
