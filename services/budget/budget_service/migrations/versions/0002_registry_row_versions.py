"""registry row versions: renaming a municipality or board needs If-Match

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 03:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Existing rows start at version 1, like new ones."""
    for table in ("municipality", "board"):
        op.add_column(
            table, sa.Column("row_version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade() -> None:
    for table in ("board", "municipality"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("row_version")
