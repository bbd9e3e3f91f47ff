"""assignments (uppdrag) and their follow-up per tertial

The register's tertial report and the composed report gain an assignments section, so the
stored renderings of both are deleted: the next read renders them with it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 19:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _link(name: str, other: str, other_table: str) -> None:
    op.create_table(
        name,
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column(other, sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f(f"fk_{name}_assignment_id_assignment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            [other],
            [f"{other_table}.id"],
            name=op.f(f"fk_{name}_{other}_{other_table}"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assignment_id", other, name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("register_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("issued_by", sa.String(length=20), nullable=False),
        sa.Column("addressed_to", sa.String(length=20), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_wording", sa.Text(), nullable=True),
        sa.Column("responsible", sa.Text(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["register_id"],
            ["register.id"],
            name=op.f("fk_assignment_register_id_register"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
        sa.UniqueConstraint("register_id", "code", name=op.f("uq_assignment_register_id_code")),
    )
    _link("assignment_goal", "council_goal_id", "council_goal")
    _link("assignment_focus_area", "focus_area_id", "focus_area")
    _link("assignment_indicator", "indicator_id", "indicator")
    op.create_table(
        "assignment_follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("register_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("tertial", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status NOT IN ('delayed', 'cancelled') OR status_reason IS NOT NULL",
            name=op.f("ck_assignment_follow_up_reason_when_delayed"),
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_assignment_follow_up_assignment_id_assignment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["register_id"],
            ["register.id"],
            name=op.f("fk_assignment_follow_up_register_id_register"),
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["assignment_follow_up.id"],
            name=op.f("fk_assignment_follow_up_replaces_id_assignment_follow_up"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_follow_up")),
    )
    op.create_index(
        "ix_assignment_follow_up_key",
        "assignment_follow_up",
        ["assignment_id", "period", "id"],
    )
    op.create_index(
        op.f("ix_assignment_follow_up_register_id"), "assignment_follow_up", ["register_id"]
    )
    # The reports' shape changed: renderings stored before this revision lack the section.
    op.execute(sa.table("stored_document").delete())


def downgrade() -> None:
    op.execute(sa.table("stored_document").delete())
    op.drop_index(op.f("ix_assignment_follow_up_register_id"), table_name="assignment_follow_up")
    op.drop_index("ix_assignment_follow_up_key", table_name="assignment_follow_up")
    op.drop_table("assignment_follow_up")
    op.drop_table("assignment_indicator")
    op.drop_table("assignment_focus_area")
    op.drop_table("assignment_goal")
    op.drop_table("assignment")
