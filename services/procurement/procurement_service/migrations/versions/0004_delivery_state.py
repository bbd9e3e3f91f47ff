"""delivery state

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 12:57:33.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "delivery_state",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("board_code", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("tertial", sa.String(length=2), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "municipality_code", "board_code", "year", "tertial", name=op.f("pk_delivery_state")
        ),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("delivery_state")
