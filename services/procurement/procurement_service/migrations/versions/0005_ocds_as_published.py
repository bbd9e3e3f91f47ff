"""OCDS as published: what a release may leave out is nullable, amounts keep their currency,
bidders their register, the bidder count its provenance; compiled releases are marked.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 13:50:00

"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPTIONAL: dict[str, sa.types.TypeEngine[Any]] = {
    "administration": sa.String(length=200),
    "title": sa.String(length=500),
    "category": sa.String(length=20),
    "procedure": sa.String(length=20),
    "advertised": sa.Boolean(),
}


def upgrade() -> None:
    with op.batch_alter_table("procurement") as batch:
        for name, kind in _OPTIONAL.items():
            batch.alter_column(name, existing_type=kind, nullable=True)
        batch.add_column(sa.Column("estimated_value_currency", sa.String(length=3)))
        batch.add_column(sa.Column("awarded_value_currency", sa.String(length=3)))
        batch.add_column(sa.Column("bidder_count", sa.Integer()))
        batch.add_column(
            sa.Column(
                "bidder_count_provenance",
                sa.String(length=10),
                nullable=False,
                server_default="listed",
            )
        )
    with op.batch_alter_table("bidder") as batch:
        batch.add_column(
            sa.Column("scheme", sa.String(length=24), nullable=False, server_default="SE-BLV")
        )
    with op.batch_alter_table("ocds_release") as batch:
        batch.add_column(
            sa.Column("compiled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Every stored outcome so far listed its bidders and held its amounts in SEK.
    op.execute(
        "UPDATE procurement SET bidder_count = "
        "(SELECT count(*) FROM bidder WHERE bidder.procurement_id = procurement.id)"
    )
    op.execute(
        "UPDATE procurement SET estimated_value_currency = 'SEK' WHERE estimated_value IS NOT NULL"
    )
    op.execute(
        "UPDATE procurement SET awarded_value_currency = 'SEK' WHERE awarded_value IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("ocds_release") as batch:
        batch.drop_column("compiled")
    with op.batch_alter_table("bidder") as batch:
        batch.drop_column("scheme")
    # The older schema cannot hold an outcome that lacks these: such outcomes go.
    procurement = sa.table("procurement", *(sa.column(name) for name in _OPTIONAL))
    op.execute(
        procurement.delete().where(sa.or_(*(procurement.c[name].is_(None) for name in _OPTIONAL)))
    )
    with op.batch_alter_table("procurement") as batch:
        for column in ("bidder_count_provenance", "bidder_count"):
            batch.drop_column(column)
        for column in ("awarded_value_currency", "estimated_value_currency"):
            batch.drop_column(column)
        for name, kind in _OPTIONAL.items():
            batch.alter_column(name, existing_type=kind, nullable=False)
