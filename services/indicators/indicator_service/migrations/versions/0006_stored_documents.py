"""stored documents and the change counter (kit/documents.py)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 16:20:00

"""

from collections.abc import Sequence

from municipal_shared.kit.document_migrations import (
    create_document_tables_v1,
    drop_document_tables_v1,
)

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_document_tables_v1()


def downgrade() -> None:
    drop_document_tables_v1()
