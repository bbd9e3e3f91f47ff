"""The document tables' schema as migration steps, for every service that stores documents
(kit/documents.py). Frozen: a later change to these tables is a new function here and a new
revision in each service, never an edit of these, so a service's history replays the same."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_document_tables_v1() -> None:
    """change_counter and stored_document; empty at first: the first read of each document
    renders and stores it."""
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


def drop_document_tables_v1() -> None:
    op.drop_table("stored_document")
    op.drop_table("change_counter")
