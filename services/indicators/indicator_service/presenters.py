"""Stored rows to response bodies."""

from __future__ import annotations

from indicator_service.models import Indicator, Outcome, Register, Target
from indicator_service.repository import RegisterContents
from indicator_service.schemas_out import (
    CouncilGoalOut,
    FocusAreaOut,
    IndicatorSummary,
    OutcomeOut,
    RegisterOut,
    TargetOut,
)


def register_path(register: Register) -> str:
    return f"/v1/registers/{register.municipality_code}/{register.board_code}"


def register_out(register: Register, contents: RegisterContents, etag: str) -> RegisterOut:
    path = register_path(register)
    return RegisterOut(
        municipality_code=register.municipality_code,
        board_code=register.board_code,
        name=register.name,
        first_year=register.first_year,
        last_year=register.last_year,
        default_tolerance_percent=register.default_tolerance_percent,
        default_tolerance_source=register.default_tolerance_source,
        council_goals=[
            CouncilGoalOut.model_validate(g, from_attributes=True) for g in contents.council_goals
        ],
        focus_areas=[
            FocusAreaOut(
                code=a.code,
                name=a.name,
                description=a.description,
                council_goals=[g.number for g in a.council_goals],
            )
            for a in contents.focus_areas
        ],
        indicator_count=contents.indicator_count,
        etag=etag,
        links={
            "indicators": f"{path}/indicators",
            "changes": f"{path}/outcomes/changes",
            "audit": f"{path}/audit",
        },
    )


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
        polarity=indicator.polarity,
        source_kind=indicator.source_kind,
        source_ref=indicator.source_ref,
        update_frequency=indicator.update_frequency,
        council_goals=[g.number for g in indicator.council_goals],
        focus_areas=[a.code for a in indicator.focus_areas],
        href=f"{register_path(register)}/indicators/{indicator.code}",
    )
