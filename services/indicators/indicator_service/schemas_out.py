"""Response bodies of the indicator service (wire models out): what frontends and report
robots generate their clients from, so the class names are the OpenAPI schema names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer, with_config
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from indicator_service.vocabulary import (
    AssignmentAddressee,
    AssignmentIssuer,
    AssignmentStatus,
    Fulfilment,
    Polarity,
    SourceKind,
    TargetKind,
    UpdateFrequency,
    ValueStatus,
)
from municipal_shared.contracts.budget import BudgetFollowUp
from municipal_shared.contracts.procurement import ProcurementMeasurement
from municipal_shared.kit.peers import PeerReading
from municipal_shared.types import PlainDecimal, Tertial, json_number


class CouncilGoalOut(BaseModel):
    number: int
    title: str
    board_linked: bool


class FocusAreaOut(BaseModel):
    code: str
    name: str
    description: str | None
    council_goals: list[int]


class RegisterOut(BaseModel):
    municipality_code: str
    board_code: str
    name: str
    first_year: int
    last_year: int
    default_tolerance_percent: PlainDecimal | None = Field(
        description="The register's tolerance band in per cent; null: no band, every target "
        "is evaluated exactly as worded."
    )
    default_tolerance_source: str | None = Field(
        description="The decision that set the register's band; null when there is none."
    )
    council_goals: list[CouncilGoalOut]
    focus_areas: list[FocusAreaOut]
    indicator_count: int
    etag: str
    links: dict[str, str]


class TargetOut(BaseModel):
    year: int
    kind: TargetKind
    wording: str = Field(description="As decided, verbatim.")
    footnote: str | None
    value: PlainDecimal | None
    baseline_year: int | None
    baseline_value: PlainDecimal | None
    percent: PlainDecimal | None
    count: int | None


class OutcomeOut(BaseModel):
    id: int
    period: str
    value: PlainDecimal | None
    status: ValueStatus
    notation: str | None
    source: str
    gender: str
    comment: str | None
    analysis: str | None
    recorded_at: dt.datetime
    recorded_by: str
    replaces_id: int | None = Field(description="The row this one corrected; it stays visible.")


class ChangeOut(OutcomeOut):
    indicator_code: str


class ChangesPage(BaseModel):
    items: list[ChangeOut]
    next_since: int = Field(description="Pass as `since` to continue; equal to `since` at the end.")


class IndicatorSummary(BaseModel):
    code: str
    name: str
    unit: str
    group: str | None
    polarity: Polarity
    source_kind: SourceKind
    source_ref: str | None
    update_frequency: UpdateFrequency
    council_goals: list[int]
    focus_areas: list[str]
    href: str


class IndicatorOut(IndicatorSummary):
    definition: str | None
    fed_by: str | None = Field(
        default=None, description="The delivered figure this indicator records, if any."
    )
    tolerance_percent: PlainDecimal | None = Field(
        description="The indicator's own tolerance band; null: the register's band, if any."
    )
    tolerance_source: str | None = Field(
        description="The decision that set the indicator's band; null when it has none."
    )
    footnotes: list[str]
    targets: list[TargetOut]
    outcomes: list[OutcomeOut] = Field(description="Current value of every period and source.")


class OutcomeBatchResult(BaseModel):
    created: int = Field(description="New keys.")
    corrected: int = Field(description="Keys whose current value changed; the old row stays.")
    unchanged: int = Field(description="Items equal to the current value: nothing written.")
    last_change_id: int | None = Field(description="Cursor of the changes feed after this write.")
    # Not an error: a register follows the figures it chose; the sender's other figures of
    # the batch are recorded, and a 422 would only dead-letter them with the rest.
    unused_figures: list[str] = Field(
        default_factory=list,
        description="Delivered figures no indicator of the register is fed by: not recorded.",
    )


class AssessmentOut(BaseModel):
    indicator_code: str
    year: int
    status: Fulfilment
    motivation: str
    assessed_by: str
    assessed_at: dt.datetime


@with_config(ConfigDict(extra="forbid"))  # a key no rule documents here fails the tests
class Comparison(TypedDict, total=False):
    """The values a rule compared, as plain decimal strings; only the ones its rule uses are
    present (rules/target_comparisons.py, target_rules.py, evaluation_values.py)."""

    outcome: str | None
    outcome_period: str | None
    outcome_status: str
    target: str
    target_year: int
    reference: str | None
    reference_period: str
    base: str
    base_period: str
    percent: str
    required: str
    count: int
    tolerance_percent: str
    band: str
    tolerance_of: str
    tolerance_source: str
    assessment: str
    assessed_by: str
    motivation: str


class EvaluationOut(BaseModel):
    status: Fulfilment
    rule: str = Field(description="Which rule decided, e.g. decrease_vs_latest_earlier.")
    reason: str
    compared: Comparison = Field(description="The values the rule compared.")


class ReportRow(BaseModel):
    indicator: IndicatorSummary
    target: TargetOut | None
    outcome: OutcomeOut | None
    reference_period: str | None = Field(description="Period of the value used.")
    lagging: bool = Field(description="An annual value older than the report's year.")
    evaluation: EvaluationOut


class RollUpOut(BaseModel):
    key: str
    title: str
    counts: dict[Fulfilment, int]
    total: int
    assessable: int
    share_met: PlainDecimal | None = Field(description="Met among the assessable; null if none is.")


# ---- assignments (uppdrag) ----------------------------------------------------------------


class FollowUpOut(BaseModel):
    id: int
    period: str
    status: AssignmentStatus
    comment: str | None
    status_reason: str | None = Field(description="Why delayed or cancelled.")
    recorded_at: dt.datetime
    recorded_by: str
    replaces_id: int | None = Field(description="The entry this one corrected; it stays visible.")


class AssignmentOut(BaseModel):
    code: str
    title: str = Field(description="As printed, verbatim.")
    answer: list[str] = Field(description="The board's answer as printed, one per paragraph.")
    issued_by: AssignmentIssuer
    addressed_to: AssignmentAddressee
    council_goals: list[int]
    focus_areas: list[str]
    indicators: list[str]
    figures: list[str] = Field(description="Delivered figures that report on it.")
    due_date: dt.date | None
    due_wording: str | None
    responsible: str | None
    latest: FollowUpOut | None = Field(description="The newest status of the latest period.")
    href: str


class AssignmentDetail(AssignmentOut):
    history: list[FollowUpOut] = Field(
        description="Every entry, corrections included, oldest first."
    )


class FollowUpBatchResult(BaseModel):
    created: int = Field(description="Assignments and periods followed up for the first time.")
    corrected: int = Field(description="Entries that changed; the earlier one stays as history.")
    unchanged: int = Field(description="Items equal to the current entry: nothing written.")


class AssignmentsLoaded(BaseModel):
    created: int
    changed: int
    unchanged: int
    etag: str = Field(description="The register's ETag after the load (If-Match for the next).")


class LinkedFigure(BaseModel):
    """A value that reports on an assignment: an indicator's outcome used by the report, found
    through a delivered figure (`figure`) or linked directly (`figure` null)."""

    figure: str | None
    indicator_code: str
    indicator_name: str
    unit: str
    outcome: OutcomeOut | None
    reference_period: str | None


class AssignmentCounts(BaseModel):
    not_started: int
    ongoing: int
    done: int
    delayed: int
    cancelled: int
    no_status: int = Field(description="Never followed up up to this tertial.")
    not_updated: int = Field(description="Latest status older than this tertial, or none.")
    total: int


class AssignmentRollUp(BaseModel):
    key: str
    title: str
    counts: AssignmentCounts


class AssignmentReportItem(BaseModel):
    code: str
    title: str
    council_goals: list[int]
    focus_areas: list[str]
    status: AssignmentStatus | None = Field(description="The latest status up to this tertial.")
    status_period: str | None = Field(description="The tertial that status was given for.")
    comment: str | None
    status_reason: str | None
    not_updated: bool = Field(description="No status for this tertial: the latest is older.")
    linked_figures: list[LinkedFigure]
    href: str


class AssignmentsSection(BaseModel):
    """The assignments part of a tertial report: counts per status, per council goal and
    focus area, and each assignment with its latest status and the figures reporting on it."""

    period: str
    counts: AssignmentCounts
    council_goals: list[AssignmentRollUp]
    focus_areas: list[AssignmentRollUp]
    items: list[AssignmentReportItem]


class TertialReport(BaseModel):
    municipality_code: str
    board_code: str
    year: int
    tertial: Tertial
    period: str
    period_end: dt.date
    generated_at: dt.datetime
    rows: list[ReportRow]
    council_goals: list[RollUpOut]
    focus_areas: list[RollUpOut]
    overall: RollUpOut
    assignments: AssignmentsSection | None = Field(
        default=None, description="The board's assignments with their status in this tertial."
    )


class Section(PeerReading):
    """One section of the composed report: the register's own report, or a peer's document
    read against the shared contract; unavailable (with the reason) when it could not be."""


class Change(BaseModel):
    path: str
    old: Any
    new: Any


class ComposedReport(BaseModel):
    municipality_code: str
    board_code: str
    year: int
    tertial: Tertial
    approved: bool
    approval: dict[str, Any] | None = None
    sections: dict[str, Section]
    assignments: AssignmentsSection | None = Field(
        default=None,
        description="The board's assignments with their status in this tertial; frozen with "
        "the rest once approved (null in a report approved before assignments were kept).",
    )
    changes_since_approval: list[Change] = Field(default_factory=list)


class KoladaValue(BaseModel):
    """One gender's value in Kolada's shape."""

    gender: str = Field(pattern=r"^[TKM]$")
    count: int
    status: str
    value: Decimal | None
    isdeleted: bool = False

    @field_serializer("value", when_used="json")
    def _as_json_number(self, value: Decimal | None) -> int | float | None:
        return None if value is None else json_number(value)  # Kolada publishes numbers


class KoladaEntry(BaseModel):
    """One KPI, municipality and year with its values per gender, as Kolada publishes it."""

    kpi: str
    municipality: str
    period: int
    values: list[KoladaValue]


class KoladaPage(BaseModel):
    """Kolada API v2's page: `count` entries in `values`, and no next page (the whole export
    is one page)."""

    count: int
    values: list[KoladaEntry]
    next_page: str | None = None


# The composed report as its readers see it. `ComposedReport` above is what the use cases
# build (sections by name, peer documents as read); `ComposedReportDocument` describes the
# same JSON with every part named, each section available (with its typed document) or
# unavailable (with the reason). The routes declare it, and the tests hold the bodies to it.
class _SectionRead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="Where the section was read.")
    retrieved_at: dt.datetime


class SectionUnavailable(_SectionRead):
    status: Literal["unavailable"]
    detail: str = Field(description="Why the section could not be read.")
    data: None = None


class IndicatorsSectionAvailable(_SectionRead):
    status: Literal["available"]
    detail: None = None
    data: TertialReport


class BudgetSectionAvailable(_SectionRead):
    status: Literal["available"]
    detail: None = None
    data: BudgetFollowUp = Field(description="The budget follow-up, as the budget service sent it.")


class ProcurementSectionAvailable(_SectionRead):
    status: Literal["available"]
    detail: None = None
    data: ProcurementMeasurement = Field(
        description="The procurement measurement, as the procurement service sent it."
    )


class ComposedSections(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicators: Annotated[
        IndicatorsSectionAvailable | SectionUnavailable, Field(discriminator="status")
    ]
    budget: Annotated[BudgetSectionAvailable | SectionUnavailable, Field(discriminator="status")]
    procurement: Annotated[
        ProcurementSectionAvailable | SectionUnavailable, Field(discriminator="status")
    ]


class ApprovalOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision_reference: str
    approved_by: str = Field(description="The token subject that approved it.")
    approved_at: dt.datetime


class ComposedReportDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    municipality_code: str
    board_code: str
    year: int
    tertial: Tertial
    approved: bool
    approval: ApprovalOut | None = Field(description="Who approved it and when; null until then.")
    sections: ComposedSections
    assignments: AssignmentsSection | None = Field(
        description="The board's assignments with their status in this tertial; null in a "
        "report approved before assignments were kept."
    )
    changes_since_approval: list[Change] = Field(
        description="Every figure that differs now from the approved snapshot, old and new."
    )
