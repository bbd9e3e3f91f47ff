"""ORM models of the procurement service. A sole trader's organisation number is a personal
identity number: only a keyed hash of it is stored (`bidder.org_key`), never the number."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
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
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from municipal_shared.kit.audit import AuditColumns
from municipal_shared.kit.database import NAMING_CONVENTION, UTCDateTime, utc_now
from municipal_shared.kit.documents import document_tables
from municipal_shared.kit.outbox import outbox_table

Money = Numeric(20, 2)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Rendered measurements and the counter every write bumps (kit/documents.py).
DOCUMENTS = document_tables(Base.metadata)


class Procurement(Base):
    __tablename__ = "procurement"
    __table_args__ = (
        UniqueConstraint("municipality_code", "reference"),
        Index("ix_procurement_award", "municipality_code", "award_date"),
        Index("ix_procurement_signed", "municipality_code", "contract_signed_date"),
        Index("ix_procurement_feed", "municipality_code", "updated_at", "id"),  # OCDS out
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(4))
    reference: Mapped[str] = mapped_column(String(100))
    # Null where an OCDS release did not say (a quality warning tells which)
    administration: Mapped[str | None] = mapped_column(String(200))
    board_code: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(500))
    category: Mapped[str | None] = mapped_column(String(20))
    procedure: Mapped[str | None] = mapped_column(String(20))
    advertised: Mapped[bool | None] = mapped_column(Boolean)
    estimated_value: Mapped[Decimal | None] = mapped_column(Money)
    estimated_value_currency: Mapped[str | None] = mapped_column(String(3))
    awarded_value: Mapped[Decimal | None] = mapped_column(Money)
    awarded_value_currency: Mapped[str | None] = mapped_column(String(3))
    contract_start: Mapped[dt.date | None] = mapped_column(Date)
    contract_end: Mapped[dt.date | None] = mapped_column(Date)
    execution_days: Mapped[int | None] = mapped_column(Integer)
    employees_needed: Mapped[int | None] = mapped_column(Integer)
    requirement_set: Mapped[bool | None] = mapped_column(Boolean)
    requirement_suitable: Mapped[bool | None] = mapped_column(Boolean)
    requirement_reason: Mapped[str | None] = mapped_column(Text)
    number_of_bidders_reported: Mapped[int | None] = mapped_column(Integer)
    bidder_count: Mapped[int | None] = mapped_column(Integer, doc="null: unknown")
    bidder_count_provenance: Mapped[str] = mapped_column(
        String(10), default="listed", server_default="listed"
    )
    award_date: Mapped[dt.date | None] = mapped_column(Date)
    contract_signed_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10), default="native")
    content_hash: Mapped[str] = mapped_column(String(64))
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)
    bidders: Mapped[list[Bidder]] = relationship(
        order_by="Bidder.position", cascade="all, delete-orphan", lazy="selectin"
    )
    warnings: Mapped[list[QualityWarning]] = relationship(
        order_by="QualityWarning.id", cascade="all, delete-orphan", lazy="selectin"
    )
    __mapper_args__: dict[str, Any] = {"version_id_col": row_version}  # noqa: RUF012


class Bidder(Base):
    __tablename__ = "bidder"
    __table_args__ = (UniqueConstraint("procurement_id", "org_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(
        ForeignKey("procurement.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    scheme: Mapped[str] = mapped_column(
        String(24), default="SE-BLV", server_default="SE-BLV", doc="register (org-id.guide)"
    )
    org_key: Mapped[str] = mapped_column(
        String(80), doc="org number, st:<keyed hash>, or SCHEME:identifier from abroad"
    )
    sole_trader: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str | None] = mapped_column(String(300), doc="never kept for a sole trader")
    size_class: Mapped[str] = mapped_column(String(10))
    size_provenance: Mapped[str] = mapped_column(String(10))
    headcount: Mapped[int | None] = mapped_column(Integer)
    turnover_eur: Mapped[Decimal | None] = mapped_column(Money)
    balance_sheet_total_eur: Mapped[Decimal | None] = mapped_column(Money)
    reference_year: Mapped[int | None] = mapped_column(Integer)
    bids: Mapped[int] = mapped_column(Integer)
    is_winner: Mapped[bool] = mapped_column(Boolean)


class QualityWarning(Base):
    __tablename__ = "quality_warning"
    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(
        ForeignKey("procurement.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(60))
    message: Mapped[str] = mapped_column(Text)


class EmploymentRule(Base):
    """The local rule that makes a procurement eligible for an employment requirement;
    Linköping's is services or works, more than 4 months, at least 2 employees, suitable."""

    __tablename__ = "employment_rule"
    municipality_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    categories: Mapped[list[str]] = mapped_column(JSON)
    min_execution_days: Mapped[int] = mapped_column(Integer)
    min_employees: Mapped[int] = mapped_column(Integer)
    direct_award_threshold_sek: Mapped[Decimal] = mapped_column(Money)


class AuditEntry(AuditColumns, Base):
    """Who changed what, when and why (kit.audit); scoped to the municipality whose data
    changed ("0000" for a change of the whole store, such as a key change)."""

    __tablename__ = "audit_entry"
    municipality_code: Mapped[str] = mapped_column(String(4), index=True)


class DirtyPeriod(Base):
    """A tertial whose figures changed and must be delivered to the indicator register.
    Written in the same transaction as the outcome that changed it; the publisher turns it
    into an outbox message and deletes it, again in one transaction."""

    __tablename__ = "dirty_period"
    municipality_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    tertial: Mapped[str] = mapped_column(String(2), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=1, doc="bumped by every new mark")


class OcdsRelease(Base):
    """An OCDS release exactly as received; the procurement is the merge of its releases.
    `compiled`: a publisher's compiledRelease, received from a record that links its releases."""

    __tablename__ = "ocds_release"
    __table_args__ = (
        UniqueConstraint("municipality_code", "ocid", "release_id"),
        Index("ix_ocds_release_feed", "municipality_code", "received_at", "id"),  # OCDS out
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(4))
    ocid: Mapped[str] = mapped_column(String(200), index=True)
    release_id: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    compiled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)


OUTBOX = outbox_table(Base.metadata)


class DeliveryState(Base):
    """What was last put into the outbox for a tertial and a register: the next publication
    of the tertial takes the next sequence (part of its Idempotency-Key), so a return to an
    earlier state is a new message, and an unchanged state is none. While the last message
    is still pending the next one waits, so the register receives them in order."""

    __tablename__ = "delivery_state"
    municipality_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    board_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    tertial: Mapped[str] = mapped_column(String(2), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64), doc="sha256 of the message body")
    idempotency_key: Mapped[str] = mapped_column(String(200), doc="of the last message")
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utc_now)


# The measurement's per-day summary (kept by repository/summary.py in the transaction of every
# change of an outcome): per municipality, day and buying administration ('' for none), the
# counts of the procurements awarded that day (and, `signed_*`, signed that day), so a window's
# figures are a sum over at most 366 rows a year and administration. The counts that depend on
# the municipality's employment rule are under its stored rule; setting the rule rebuilds them.
SUMMARY_KEY = ("municipality_code", "day", "administration")
SIZE_CLASS_NAMES = ("micro", "small", "medium", "sme", "large", "no_data")
DAY_COUNTS = (
    *("procurements", "counted", "bidders", "single", "on_reported", "on_listed", "bids"),
    *(f"bidders_{c}" for c in SIZE_CLASS_NAMES),
    *(f"winners_{c}" for c in SIZE_CLASS_NAMES),
    *("listed", "with_known_bidder", "bidders_where_known"),
    *("with_known_winner", "winners_where_known", "won_by_sme"),
    *("candidates", "candidates_decided", "eligibles", "eligibles_decided"),
    *("requirement_set", "eligible_set", "eligible_unset", "signed_procurements", "signed_set"),
    *("direct_decided", "above_threshold", "above_advertised", "not_in_sek"),
)


def _summary_table(name: str, *columns: Column[Any]) -> Table:
    return Table(
        name,
        Base.metadata,
        Column("municipality_code", String(4), primary_key=True),
        Column("day", Date, primary_key=True),
        Column("administration", String(200), primary_key=True),
        *columns,
    )


SUMMARY_DAY = _summary_table(
    "summary_day", *(Column(name, Integer, nullable=False) for name in DAY_COUNTS)
)
# How many procurements had each bidder count: the window's median without its rows.
SUMMARY_BIDDER_COUNT = _summary_table(
    "summary_bidder_count",
    Column("bidder_count", Integer, primary_key=True),
    Column("procurements", Integer, nullable=False),
)
# Eligible by the rule's objective criteria but no requirement set, per reason given; the key
# is a hash of the reason (a reason may be 2000 characters, too long for an index entry).
SUMMARY_REASON = _summary_table(
    "summary_reason",
    Column("reason_key", String(64), primary_key=True),
    Column("reason", Text),
    Column("procurements", Integer, nullable=False),
)
SUMMARY_WARNING = _summary_table(
    "summary_warning",
    Column("code", String(60), primary_key=True),
    Column("procurements", Integer, nullable=False),
)
