"""stored documents and the change counter (kit/documents.py)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 16:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Empty at first: the first read of each document renders and stores it."""
    op.create_table(
        "change_counter",
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_change_counter")),
    )
    op.create_table(
        "stored_document",
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("variant", sa.String(length=500), nullable=False),
        sa.Column("counter_sum", sa.BigInteger(), nullable=False),
        sa.Column("etag", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("path", name=op.f("pk_stored_document")),
    )


def downgrade() -> None:
    op.drop_table("stored_document")
    op.drop_table("change_counter")
