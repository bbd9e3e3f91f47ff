"""The measurement's per-day summary: the tables, counted from the outcomes already stored, so
a database is right as soon as `migrate` has run.

The backfill runs the statements the service keeps the summary with
(repository/summary_sql.py), per municipality under its stored rule (or the default one), so
the two cannot count differently. Should those statements one day need a column this revision
does not have, that later revision rebuilds the summary and this one gets a frozen copy.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 16:30:00

"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SIZES = ("micro", "small", "medium", "sme", "large", "no_data")
_DAY_COUNTS = (
    *("procurements", "counted", "bidders", "single", "on_reported", "on_listed", "bids"),
    *(f"bidders_{c}" for c in _SIZES),
    *(f"winners_{c}" for c in _SIZES),
    *("listed", "with_known_bidder", "bidders_where_known"),
    *("with_known_winner", "winners_where_known", "won_by_sme"),
    *("candidates", "candidates_decided", "eligibles", "eligibles_decided"),
    *("requirement_set", "eligible_set", "eligible_unset", "signed_procurements", "signed_set"),
    *("direct_decided", "above_threshold", "above_advertised", "not_in_sek"),
)
_KEY = ("municipality_code", "day", "administration")


def _table(name: str, *columns: sa.Column[Any], key: tuple[str, ...] = ()) -> None:
    op.create_table(
        name,
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("administration", sa.String(length=200), nullable=False),
        *columns,
        sa.PrimaryKeyConstraint(*_KEY, *key, name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    _table("summary_day", *(sa.Column(n, sa.Integer(), nullable=False) for n in _DAY_COUNTS))
    _table(
        "summary_bidder_count",
        sa.Column("bidder_count", sa.Integer(), nullable=False),
        sa.Column("procurements", sa.Integer(), nullable=False),
        key=("bidder_count",),
    )
    _table(
        "summary_reason",
        sa.Column("reason_key", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("procurements", sa.Integer(), nullable=False),
        key=("reason_key",),
    )
    _table(
        "summary_warning",
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("procurements", sa.Integer(), nullable=False),
        key=("code",),
    )
    _backfill()


def _backfill() -> None:
    from procurement_service.models import Procurement
    from procurement_service.repository.summary import Delta
    from procurement_service.repository.summary_sql import SUMMARY_TABLES, statements
    from procurement_service.rules.measurement import Rule

    bind = op.get_bind()
    stored = sa.table(
        "employment_rule",
        sa.column("municipality_code", sa.String()),
        sa.column("categories", sa.JSON()),
        sa.column("min_execution_days", sa.Integer()),
        sa.column("min_employees", sa.Integer()),
        sa.column("direct_award_threshold_sek", sa.Numeric(20, 2)),
    )
    rules = {
        code: Rule(tuple(categories), days, employees, Decimal(threshold))
        for code, categories, days, employees, threshold in bind.execute(sa.select(stored))
    }
    codes = bind.execute(sa.select(Procurement.municipality_code).distinct()).scalars().all()
    for code in codes:
        delta = Delta()
        where = Procurement.municipality_code == code
        for table, statement in statements(where, rules.get(code, Rule())):
            delta.add(table, bind.execute(statement), 1)
        for table in SUMMARY_TABLES:
            rows = delta.rows(table)
            if rows:
                bind.execute(sa.insert(table), rows)


def downgrade() -> None:
    for name in ("summary_warning", "summary_reason", "summary_bidder_count", "summary_day"):
        op.drop_table(name)
