"""tolerance band with its stated source; no band unless the municipality sets one

The register's default band of 2 % was never decided by anyone (no source states it), yet it
turned clear verdicts into "partly met". From here a band is nullable, carries the decision it
came from, and the database refuses one without the other. Every band already stored has no
stated source, so it was never decided: it becomes no band, the register's ETag version moves
on (its definition changed), and the audit log records what was removed and why.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 09:00:00.000000

"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NUMBER = sa.Numeric(precision=24, scale=6)
ACTOR = "migration 0004"
REASON = (
    "A tolerance band without a stated source was never decided: removed, so every target is "
    "evaluated exactly as worded until the municipality sets a band with its source"
)
# The old schema needs a number; 2 is what the old version used when nothing was given.
OLD_DEFAULT = Decimal(2)

register = sa.table(
    "register",
    sa.column("id", sa.Integer),
    sa.column("municipality_code", sa.String),
    sa.column("board_code", sa.String),
    sa.column("default_tolerance_percent", NUMBER),
    sa.column("default_tolerance_source", sa.String),
    sa.column("row_version", sa.Integer),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
indicator = sa.table(
    "indicator",
    sa.column("id", sa.Integer),
    sa.column("register_id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("tolerance_percent", NUMBER),
    sa.column("tolerance_source", sa.String),
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


def _number(value: Any) -> str:
    return format(Decimal(value).normalize(), "f")


def _remove_unsourced_bands() -> None:
    """Every stored band lacks a source (the column is new): remove it, audited per register."""
    conn = op.get_bind()
    changes: dict[int, list[dict[str, Any]]] = {}
    registers = conn.execute(
        sa.select(
            register.c.id,
            register.c.municipality_code,
            register.c.board_code,
            register.c.default_tolerance_percent,
        )
    ).all()
    for row in registers:
        if row.default_tolerance_percent is not None:
            changes.setdefault(row.id, []).append(
                {
                    "path": "/default_tolerance_percent",
                    "old": _number(row.default_tolerance_percent),
                    "new": None,
                }
            )
    bands = conn.execute(
        sa.select(indicator.c.register_id, indicator.c.code, indicator.c.tolerance_percent)
        .where(indicator.c.tolerance_percent.is_not(None))
        .order_by(indicator.c.register_id, indicator.c.id)
    ).all()
    for band in bands:
        changes.setdefault(band.register_id, []).append(
            {
                "path": f"/indicators/{band.code}/tolerance_percent",
                "old": _number(band.tolerance_percent),
                "new": None,
            }
        )
    conn.execute(
        indicator.update()
        .where(indicator.c.tolerance_percent.is_not(None))
        .values(tolerance_percent=None)
    )
    now = dt.datetime.now(dt.UTC)
    for row in registers:
        if row.id not in changes:
            continue
        conn.execute(
            register.update()
            .where(register.c.id == row.id)
            .values(
                default_tolerance_percent=None,
                row_version=register.c.row_version + 1,
                updated_at=now,
            )
        )
        conn.execute(
            audit_entry.insert().values(
                register_id=row.id,
                at=now,
                actor=ACTOR,
                action="register.changed",
                target=f"{row.municipality_code}/{row.board_code}",
                reason=REASON,
                changes=changes[row.id],
            )
        )


def upgrade() -> None:
    with op.batch_alter_table("register", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("default_tolerance_source", sa.String(length=500), nullable=True)
        )
        batch_op.alter_column("default_tolerance_percent", existing_type=NUMBER, nullable=True)
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tolerance_source", sa.String(length=500), nullable=True))
    _remove_unsourced_bands()
    # Only now: the removed bands would have broken the rule.
    with op.batch_alter_table("register", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_register_band_with_source"),
            "(default_tolerance_percent IS NULL) = (default_tolerance_source IS NULL)",
        )
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_indicator_band_with_source"),
            "(tolerance_percent IS NULL) = (tolerance_source IS NULL)",
        )


def downgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_indicator_band_with_source"), type_="check")
        batch_op.drop_column("tolerance_source")
    with op.batch_alter_table("register", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_register_band_with_source"), type_="check")
    op.execute(
        register.update()
        .where(register.c.default_tolerance_percent.is_(None))
        .values(default_tolerance_percent=OLD_DEFAULT)
    )
    with op.batch_alter_table("register", schema=None) as batch_op:
        batch_op.alter_column("default_tolerance_percent", existing_type=NUMBER, nullable=False)
        batch_op.drop_column("default_tolerance_source")
