"""indicator.fed_by: which delivered figure an indicator records

A delivering service names its figures by stable keys (procurement.bidders_per_procurement)
instead of a municipality's indicator codes; the register's definition says which indicator
each figure feeds. The rows the procurement service fed by code until now (the codes it had
hard-coded) are declared fed by its figures here, audited per register, so a register that is
not loaded again keeps receiving them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 14:30:00.000000

"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ACTOR = "migration 0005"
REASON = "The procurement service delivers its figures by key; the rows it fed by code say so"
# The indicator codes the procurement service sent until now, and the figure each one was.
FED_BY_PROCUREMENT = {
    "antal-anbudsgivare-per-upphandling": "procurement.bidders_per_procurement",
    "andel-sma-och-medelstora-sme": "procurement.sme_share_of_bidders_with_known_size",
    "upphandlingar-med-sysselsattningskrav": "procurement.employment_requirement_set_and_signed",
}

register = sa.table(
    "register",
    sa.column("id", sa.Integer),
    sa.column("municipality_code", sa.String),
    sa.column("board_code", sa.String),
    sa.column("row_version", sa.Integer),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
indicator = sa.table(
    "indicator",
    sa.column("id", sa.Integer),
    sa.column("register_id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("source_kind", sa.String),
    sa.column("fed_by", sa.String),
)
audit_entry = sa.table(
    "audit_entry",
    sa.column("register_id", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("target", sa.String),
    sa.column("reason", sa.Text),
    sa.column("changes", sa.JSON),
)


def _declare_procurement_rows() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(indicator.c.id, indicator.c.register_id, indicator.c.code)
        .where(
            indicator.c.code.in_(list(FED_BY_PROCUREMENT)),
            indicator.c.source_kind == "service",
            indicator.c.fed_by.is_(None),
        )
        .order_by(indicator.c.register_id, indicator.c.id)
    ).all()
    changes: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        figure = FED_BY_PROCUREMENT[row.code]
        conn.execute(indicator.update().where(indicator.c.id == row.id).values(fed_by=figure))
        changes.setdefault(row.register_id, []).append(
            {"path": f"/indicators/{row.code}/fed_by", "old": None, "new": figure}
        )
    now = dt.datetime.now(dt.UTC)
    for register_id, changed in changes.items():
        owner = conn.execute(
            sa.select(register.c.municipality_code, register.c.board_code).where(
                register.c.id == register_id
            )
        ).one()
        # The definition changed: its ETag moves on, as for any other change.
        conn.execute(
            register.update()
            .where(register.c.id == register_id)
            .values(row_version=register.c.row_version + 1, updated_at=now)
        )
        conn.execute(
            audit_entry.insert().values(
                register_id=register_id,
                at=now,
                actor=ACTOR,
                action="register.changed",
                target=f"{owner.municipality_code}/{owner.board_code}",
                reason=REASON,
                changes=changed,
            )
        )


def upgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fed_by", sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f("ix_indicator_fed_by"), ["fed_by"], unique=False)
    _declare_procurement_rows()


def downgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_fed_by"))
        batch_op.drop_column("fed_by")
