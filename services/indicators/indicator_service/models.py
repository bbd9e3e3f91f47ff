"""ORM models of the indicator service. Outcomes and assessments are append-only: a correction
is a new row, and the current value is the newest row of its key."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from municipal_shared.kit.audit import AuditColumns
from municipal_shared.kit.database import NAMING_CONVENTION, UTCDateTime, utc_now
from municipal_shared.kit.documents import document_tables

Number = Numeric(24, 6)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Rendered reports and the counter every write bumps (kit/documents.py).
DOCUMENTS = document_tables(Base.metadata)


# A tolerance band and its stated source come together: a band nobody can trace was never
# decided, and a source without a band says nothing.
def _band_with_source(percent: str, source: str) -> CheckConstraint:
    return CheckConstraint(f"({percent} IS NULL) = ({source} IS NULL)", name="band_with_source")


class Register(Base):
    __tablename__ = "register"
    __table_args__ = (
        UniqueConstraint("municipality_code", "board_code"),
        _band_with_source("default_tolerance_percent", "default_tolerance_source"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(4))
    board_code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(300))
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    # No band unless the municipality sets one (then with the decision it came from).
    default_tolerance_percent: Mapped[Decimal | None] = mapped_column(Number)
    default_tolerance_source: Mapped[str | None] = mapped_column(String(500))
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    __mapper_args__: dict[str, Any] = {"version_id_col": row_version}  # noqa: RUF012


class CouncilGoal(Base):
    __tablename__ = "council_goal"
    __table_args__ = (UniqueConstraint("register_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("register.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    board_linked: Mapped[bool] = mapped_column(Boolean)


focus_area_goal = Table(
    "focus_area_goal",
    Base.metadata,
    Column("focus_area_id", ForeignKey("focus_area.id", ondelete="CASCADE"), primary_key=True),
    Column("council_goal_id", ForeignKey("council_goal.id", ondelete="CASCADE"), primary_key=True),
)
indicator_goal = Table(
    "indicator_goal",
    Base.metadata,
    Column("indicator_id", ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True),
    Column("council_goal_id", ForeignKey("council_goal.id", ondelete="CASCADE"), primary_key=True),
)
indicator_focus_area = Table(
    "indicator_focus_area",
    Base.metadata,
    Column("indicator_id", ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True),
    Column("focus_area_id", ForeignKey("focus_area.id", ondelete="CASCADE"), primary_key=True),
)


class FocusArea(Base):
    __tablename__ = "focus_area"
    __table_args__ = (UniqueConstraint("register_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("register.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    council_goals: Mapped[list[CouncilGoal]] = relationship(
        secondary=focus_area_goal, order_by="CouncilGoal.number", lazy="selectin"
    )


class Indicator(Base):
    __tablename__ = "indicator"
    __table_args__ = (
        UniqueConstraint("register_id", "code"),
        _band_with_source("tolerance_percent", "tolerance_source"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("register.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(500))
    unit: Mapped[str] = mapped_column(String(40))
    group_name: Mapped[str | None] = mapped_column(String(200))
    polarity: Mapped[str] = mapped_column(String(20))
    definition: Mapped[str | None] = mapped_column(Text)
    source_kind: Mapped[str] = mapped_column(String(20))
    source_ref: Mapped[str | None] = mapped_column(String(100), index=True)
    update_frequency: Mapped[str] = mapped_column(String(20))
    # A figure key (e.g. procurement.bidders_per_procurement): delivered figures land here.
    fed_by: Mapped[str | None] = mapped_column(String(100), index=True)
    tolerance_percent: Mapped[Decimal | None] = mapped_column(Number)
    tolerance_source: Mapped[str | None] = mapped_column(String(500))
    footnotes: Mapped[list[str]] = mapped_column(JSON, default=list)
    council_goals: Mapped[list[CouncilGoal]] = relationship(
        secondary=indicator_goal, order_by="CouncilGoal.number", lazy="selectin"
    )
    focus_areas: Mapped[list[FocusArea]] = relationship(
        secondary=indicator_focus_area, order_by="FocusArea.position", lazy="selectin"
    )
    targets: Mapped[list[Target]] = relationship(
        order_by="Target.year", cascade="all, delete-orphan", lazy="selectin"
    )


class Target(Base):
    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("indicator_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    wording: Mapped[str] = mapped_column(Text)
    footnote: Mapped[str | None] = mapped_column(Text)
    value: Mapped[Decimal | None] = mapped_column(Number)
    baseline_year: Mapped[int | None] = mapped_column(Integer)
    baseline_value: Mapped[Decimal | None] = mapped_column(Number)
    percent: Mapped[Decimal | None] = mapped_column(Number)
    count: Mapped[int | None] = mapped_column(Integer)


class Outcome(Base):
    """One recorded value. Never updated: the newest row of (indicator, period, gender, source)
    is current, older rows are its visible history."""

    __tablename__ = "outcome"
    __table_args__ = (Index("ix_outcome_key", "indicator_id", "period", "gender", "source", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    register_id: Mapped[int] = mapped_column(ForeignKey("register.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    year: Mapped[int] = mapped_column(Integer)
    tertial: Mapped[str | None] = mapped_column(String(2))
    gender: Mapped[str] = mapped_column(String(1), default="T")
    source: Mapped[str] = mapped_column(String(100))
    value: Mapped[Decimal | None] = mapped_column(Number)
    status: Mapped[str] = mapped_column(String(20))
    notation: Mapped[str | None] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)
    analysis: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    recorded_by: Mapped[str] = mapped_column(String(200))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("outcome.id"))


class Assessment(Base):
    """A person's assessment of a milestone target; append-only like outcomes."""

    __tablename__ = "assessment"
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    motivation: Mapped[str] = mapped_column(Text)
    assessed_by: Mapped[str] = mapped_column(String(200))
    assessed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)


class IdempotencyRecord(Base):
    """A processed Idempotency-Key: the same key again returns the stored answer; with
    different content it is refused."""

    __tablename__ = "idempotency_record"
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)


class AuditEntry(AuditColumns, Base):
    """Who changed what, when and why (the kit's columns), scoped to a register. Append-only;
    written only through the kit's record_audit."""

    __tablename__ = "audit_entry"
    register_id: Mapped[int | None] = mapped_column(ForeignKey("register.id"), index=True)


class ReportApproval(Base):
    """A signed-off composed tertial report: its figures as approved, frozen."""

    __tablename__ = "report_approval"
    __table_args__ = (UniqueConstraint("register_id", "year", "tertial"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("register.id"))
    year: Mapped[int] = mapped_column(Integer)
    tertial: Mapped[str] = mapped_column(String(2))
    decision_reference: Mapped[str] = mapped_column(String(200))
    approved_by: Mapped[str] = mapped_column(String(200))
    approved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)


# What an assignment serves and what reports on it (issue 16).
assignment_goal = Table(
    "assignment_goal",
    Base.metadata,
    Column("assignment_id", ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True),
    Column("council_goal_id", ForeignKey("council_goal.id", ondelete="CASCADE"), primary_key=True),
)
assignment_focus_area = Table(
    "assignment_focus_area",
    Base.metadata,
    Column("assignment_id", ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True),
    Column("focus_area_id", ForeignKey("focus_area.id", ondelete="CASCADE"), primary_key=True),
)
assignment_indicator = Table(
    "assignment_indicator",
    Base.metadata,
    Column("assignment_id", ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_id", ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True),
)


class Assignment(Base):
    """An assignment (uppdrag) to the board: its title and the board's answer as printed,
    who gave it, what it serves and which indicators and delivered figures report on it."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("register_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("register.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(Text)
    answer: Mapped[list[str]] = mapped_column(JSON, default=list)  # paragraphs, verbatim
    issued_by: Mapped[str] = mapped_column(String(20))
    addressed_to: Mapped[str] = mapped_column(String(20))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    due_wording: Mapped[str | None] = mapped_column(Text)
    responsible: Mapped[str | None] = mapped_column(Text)
    # Figure keys (procurement.bidders_per_procurement): the indicators fed by them report.
    figures: Mapped[list[str]] = mapped_column(JSON, default=list)
    council_goals: Mapped[list[CouncilGoal]] = relationship(
        secondary=assignment_goal, order_by="CouncilGoal.number", lazy="selectin"
    )
    focus_areas: Mapped[list[FocusArea]] = relationship(
        secondary=assignment_focus_area, order_by="FocusArea.position", lazy="selectin"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        secondary=assignment_indicator, order_by="Indicator.position", lazy="selectin"
    )


class AssignmentFollowUp(Base):
    """One tertial's status of an assignment. Never updated: the newest row of (assignment,
    period) is current, a correction is a new row and the older one stays as history."""

    __tablename__ = "assignment_follow_up"
    __table_args__ = (
        Index("ix_assignment_follow_up_key", "assignment_id", "period", "id"),
        CheckConstraint(
            "status NOT IN ('delayed', 'cancelled') OR status_reason IS NOT NULL",
            name="reason_when_delayed",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    register_id: Mapped[int] = mapped_column(ForeignKey("register.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    year: Mapped[int] = mapped_column(Integer)
    tertial: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    status_reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    recorded_by: Mapped[str] = mapped_column(String(200))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("assignment_follow_up.id"))
