"""Stored rows to response bodies."""

from __future__ import annotations

from indicator_service.models import Indicator, Outcome, Register, Target
from indicator_service.schemas_out import IndicatorSummary, OutcomeOut, TargetOut


def register_path(register: Register) -> str:
    return f"/v1/registers/{register.municipality_code}/{register.board_code}"


def target_out(target: Target) -> TargetOut:
    return TargetOut.model_validate(target, from_attributes=True)


def outcome_out(outcome: Outcome) -> OutcomeOut:
    return OutcomeOut.model_validate(outcome, from_attributes=True)


def indicator_summary(register: Register, indicator: Indicator) -> IndicatorSummary:
    return IndicatorSummary(
        code=indicator.code,
        name=indicator.name,
        unit=indicator.unit,
        group=indicator.group_name,
        polarity=indicator.polarity,  # type: ignore[arg-type]
        source_kind=indicator.source_kind,  # type: ignore[arg-type]
        source_ref=indicator.source_ref,
        update_frequency=indicator.update_frequency,  # type: ignore[arg-type]
        council_goals=[g.number for g in indicator.council_goals],
        focus_areas=[a.code for a in indicator.focus_areas],
        href=f"{register_path(register)}/indicators/{indicator.code}",
    )
