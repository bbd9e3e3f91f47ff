"""Stored rows and rule results to response bodies: shaping only, no query. Apart
from schemas_out.py so that the wire models stay free of the ORM (and both files stay short);
the use cases and the routes call these to shape their answers."""

from __future__ import annotations

from collections.abc import Iterable

from indicator_service.models import Indicator, Outcome, Register, Target
from indicator_service.repository.registers import RegisterContents
from indicator_service.rules.evaluation import Evaluation, roll_up
from indicator_service.schemas_out import (
    CouncilGoalOut,
    EvaluationOut,
    FocusAreaOut,
    IndicatorSummary,
    OutcomeOut,
    RegisterOut,
    RollUpOut,
    TargetOut,
)
from indicator_service.vocabulary import Fulfilment


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


def roll_up_out(key: str, title: str, statuses: Iterable[Fulfilment]) -> RollUpOut:
    result = roll_up(statuses)
    return RollUpOut(
        key=key,
        title=title,
        counts=result.counts,
        total=result.total,
        assessable=result.assessable,
        share_met=result.share_met,
    )


def evaluation_out(evaluation: Evaluation) -> EvaluationOut:
    return EvaluationOut(
        status=evaluation.status,
        rule=evaluation.rule,
        reason=evaluation.reason,
        compared=dict(evaluation.compared),
    )
