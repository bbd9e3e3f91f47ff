"""audit target String(300): the kit's one audit table shape

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 16:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Batch mode: SQLite cannot alter a column's type in place, so the table is copied."""
    with op.batch_alter_table("audit_entry") as batch:
        batch.alter_column(
            "target",
            existing_type=sa.String(length=200),
            type_=sa.String(length=300),
            existing_nullable=False,
        )


def downgrade() -> None:
    """Back to 200 characters; PostgreSQL refuses while a stored target is longer."""
    with op.batch_alter_table("audit_entry") as batch:
        batch.alter_column(
            "target",
            existing_type=sa.String(length=300),
            type_=sa.String(length=200),
            existing_nullable=False,
        )
