"""OCDS out: the release feed reads received releases and native outcomes in the order they
were stored, one page at a time; these indexes let it start at the cursor instead of sorting a
municipality's rows for every page.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 19:20:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_procurement_feed", "procurement", ["municipality_code", "updated_at", "id"])
    op.create_index(
        "ix_ocds_release_feed", "ocds_release", ["municipality_code", "received_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_ocds_release_feed", table_name="ocds_release")
    op.drop_index("ix_procurement_feed", table_name="procurement")
