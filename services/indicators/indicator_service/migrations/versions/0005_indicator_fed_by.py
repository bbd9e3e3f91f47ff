"""indicator.fed_by: which delivered figure an indicator records

A delivering service names its figures by stable keys (procurement.bidders_per_procurement)
instead of a municipality's indicator codes; the register's definition says which indicator
each figure feeds. Existing indicators are fed by nothing until their register is loaded
again with `fed_by` set.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 14:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fed_by", sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f("ix_indicator_fed_by"), ["fed_by"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_fed_by"))
        batch_op.drop_column("fed_by")
