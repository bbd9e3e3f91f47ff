"""ORM models. Amounts live in per-year rows so that every sum is a GROUP BY in the database;
no total is ever stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from municipal_shared.kit.audit import AuditColumns
from municipal_shared.kit.database import NAMING_CONVENTION, UTCDateTime, utc_now
from municipal_shared.kit.documents import document_tables

Amount = BigInteger  # whole thousand SEK
ExactAmount = Numeric(18, 3)  # thousand SEK to the krona


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Rendered documents and the counter every write bumps (kit/documents.py).
DOCUMENTS = document_tables(Base.metadata)


class Municipality(Base):
    __tablename__ = "municipality"
    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__: dict[str, Any] = {"version_id_col": row_version}  # noqa: RUF012


class Board(Base):
    __tablename__ = "board"
    __table_args__ = (UniqueConstraint("municipality_code", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"))
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    municipality: Mapped[Municipality] = relationship(lazy="joined")
    __mapper_args__: dict[str, Any] = {"version_id_col": row_version}  # noqa: RUF012


class Budget(Base):
    __tablename__ = "budget"
    __table_args__ = (UniqueConstraint("board_id", "budget_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id"))
    budget_year: Mapped[int] = mapped_column(Integer)
    plan_year_count: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    board: Mapped[Board] = relationship(lazy="joined")

    @property
    def years(self) -> list[int]:
        return [self.budget_year + i for i in range(self.plan_year_count + 1)]


class BudgetVersion(Base):
    """One phase of the budget as a version. Versions form a chain: each is based on the one
    before it (unique, so two successors of one version cannot both be created)."""

    __tablename__ = "budget_version"
    __table_args__ = (
        UniqueConstraint("budget_id", "number"),
        UniqueConstraint("budget_id", "based_on_number", name="uq_budget_version_one_successor"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"))
    number: Mapped[int] = mapped_column(Integer)
    phase: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    based_on_number: Mapped[int | None] = mapped_column(Integer)
    supersedes_number: Mapped[int | None] = mapped_column(Integer)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decision_date: Mapped[dt.date | None] = mapped_column(Date)
    decision_paragraph: Mapped[str | None] = mapped_column(String(100))
    decision_recorded_by: Mapped[str | None] = mapped_column(String(200))
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)

    directive_lines: Mapped[list[DirectiveLine]] = relationship(
        order_by="DirectiveLine.position", cascade="all, delete-orphan"
    )
    activity_areas: Mapped[list[ActivityArea]] = relationship(
        order_by="ActivityArea.position", cascade="all, delete-orphan"
    )
    investment_frame: Mapped[list[InvestmentFrameAmount]] = relationship(
        order_by="InvestmentFrameAmount.year", cascade="all, delete-orphan"
    )
    investment_items: Mapped[list[InvestmentItem]] = relationship(
        order_by="InvestmentItem.position", cascade="all, delete-orphan"
    )

    __mapper_args__: dict[str, Any] = {"version_id_col": row_version}  # noqa: RUF012


class DirectiveLine(Base):
    __tablename__ = "directive_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("budget_version.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    decision_reference: Mapped[str | None] = mapped_column(String(200))
    amounts: Mapped[list[DirectiveLineAmount]] = relationship(
        order_by="DirectiveLineAmount.year", cascade="all, delete-orphan", lazy="selectin"
    )


class DirectiveLineAmount(Base):
    __tablename__ = "directive_line_amount"
    line_id: Mapped[int] = mapped_column(
        ForeignKey("directive_line.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount: Mapped[int] = mapped_column(Amount)


class ActivityArea(Base):
    __tablename__ = "activity_area"
    __table_args__ = (UniqueConstraint("version_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("budget_version.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    base_amounts: Mapped[list[AreaBaseAmount]] = relationship(
        order_by="AreaBaseAmount.year", cascade="all, delete-orphan", lazy="selectin"
    )
    change_lines: Mapped[list[ChangeLine]] = relationship(
        order_by="ChangeLine.position", cascade="all, delete-orphan", lazy="selectin"
    )


class AreaBaseAmount(Base):
    __tablename__ = "area_base_amount"
    area_id: Mapped[int] = mapped_column(
        ForeignKey("activity_area.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount: Mapped[int] = mapped_column(Amount)


class ChangeLine(Base):
    __tablename__ = "change_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("activity_area.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    decision_reference: Mapped[str | None] = mapped_column(String(200))
    counterparty: Mapped[str | None] = mapped_column(String(200))
    amounts: Mapped[list[ChangeLineAmount]] = relationship(
        order_by="ChangeLineAmount.year", cascade="all, delete-orphan", lazy="selectin"
    )


class ChangeLineAmount(Base):
    __tablename__ = "change_line_amount"
    line_id: Mapped[int] = mapped_column(
        ForeignKey("change_line.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount: Mapped[int] = mapped_column(Amount)


class InvestmentFrameAmount(Base):
    __tablename__ = "investment_frame_amount"
    version_id: Mapped[int] = mapped_column(
        ForeignKey("budget_version.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount: Mapped[int] = mapped_column(Amount)


class InvestmentItem(Base):
    __tablename__ = "investment_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("budget_version.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(20))  # within_frame | beyond_frame
    heading: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(Text)
    amounts: Mapped[list[InvestmentItemAmount]] = relationship(
        order_by="InvestmentItemAmount.year", cascade="all, delete-orphan", lazy="selectin"
    )


class InvestmentItemAmount(Base):
    __tablename__ = "investment_item_amount"
    item_id: Mapped[int] = mapped_column(
        ForeignKey("investment_item.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    expenditure: Mapped[int] = mapped_column(Amount)
    income: Mapped[int] = mapped_column(Amount)


class FollowUpReport(Base):
    __tablename__ = "follow_up_report"
    __table_args__ = (UniqueConstraint("budget_id", "tertial"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"))
    tertial: Mapped[str] = mapped_column(String(2))
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    entries: Mapped[list[FollowUpEntry]] = relationship(
        order_by="FollowUpEntry.activity_area_code", cascade="all, delete-orphan", lazy="selectin"
    )
    __mapper_args__: dict[str, Any] = {"version_id_col": row_version}  # noqa: RUF012


class FollowUpEntry(Base):
    __tablename__ = "follow_up_entry"
    __table_args__ = (UniqueConstraint("report_id", "activity_area_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("follow_up_report.id", ondelete="CASCADE"))
    activity_area_code: Mapped[str] = mapped_column(String(60))
    outcome_to_date: Mapped[Decimal] = mapped_column(ExactAmount)
    full_year_forecast: Mapped[Decimal] = mapped_column(ExactAmount)
    comment: Mapped[str | None] = mapped_column(Text)


class AuditEntry(AuditColumns, Base):
    """Who changed what, when and why (the kit's columns), scoped to a budget and the version
    the change touched; municipalities' and boards' changes belong to no budget. Append-only."""

    __tablename__ = "audit_entry"
    budget_id: Mapped[int | None] = mapped_column(ForeignKey("budget.id"), index=True)
    version_number: Mapped[int | None] = mapped_column(Integer)
