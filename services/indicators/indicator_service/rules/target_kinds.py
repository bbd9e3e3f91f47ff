"""Every kind of target, declared once: the parameters it takes and the rule that evaluates
it. The request schema's validation (schemas.TargetIn), the evaluation's completeness check and
its dispatch (evaluation.evaluate) all read this table, so a kind is added here, with its rule
in target_rules.py and its name in vocabulary.TargetKind, and nowhere else."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from indicator_service.rules import target_rules as rules
from indicator_service.vocabulary import TargetKind

# Every parameter a target can carry, in the order a refusal names them.
PARAMETERS = ("value", "baseline_year", "baseline_value", "percent", "count")


@dataclass(frozen=True)
class KindDeclaration:
    """What one kind of target takes and how it is evaluated: ``compare`` for a kind judged
    against a value-bearing outcome, ``standing`` for one decided without an outcome value
    (no target, follow-only, a person's assessment). Exactly one is given."""

    parameters: tuple[str, ...] = ()  # needed; every other parameter must be absent
    compare: rules.OutcomeRule | None = None
    standing: rules.StandingRule | None = None
    assessed_by_person: bool = False  # takes a person's assessment (a milestone)

    def __post_init__(self) -> None:
        if (self.compare is None) == (self.standing is None):
            raise ValueError("a target kind has exactly one rule: compare or standing")
        unknown = set(self.parameters) - set(PARAMETERS)
        if unknown:
            raise ValueError(f"unknown target parameters {sorted(unknown)}")


KINDS: dict[TargetKind, KindDeclaration] = {
    TargetKind.VALUE: KindDeclaration(("value",), compare=rules.value_rule),
    TargetKind.AT_LEAST: KindDeclaration(("value",), compare=rules.at_least_rule),
    TargetKind.AT_MOST: KindDeclaration(("value",), compare=rules.at_most_rule),
    TargetKind.INCREASE: KindDeclaration(compare=rules.versus_latest_earlier(increase=True)),
    TargetKind.DECREASE: KindDeclaration(compare=rules.versus_latest_earlier(increase=False)),
    TargetKind.INCREASE_FROM_BASELINE_YEAR: KindDeclaration(
        ("baseline_year",), compare=rules.versus_baseline_year(increase=True)
    ),
    TargetKind.DECREASE_FROM_BASELINE_YEAR: KindDeclaration(
        ("baseline_year",), compare=rules.versus_baseline_year(increase=False)
    ),
    TargetKind.INCREASE_FROM_BASELINE_VALUE: KindDeclaration(
        ("baseline_value", "baseline_year"), compare=rules.baseline_value_rule
    ),
    TargetKind.RELATIVE_INCREASE_AT_LEAST: KindDeclaration(
        ("percent", "baseline_year"), compare=rules.relative_rule
    ),
    TargetKind.EVENT_COUNT_AT_LEAST: KindDeclaration(("count",), compare=rules.event_count_rule),
    TargetKind.MILESTONE: KindDeclaration(standing=rules.milestone_rule, assessed_by_person=True),
    TargetKind.FOLLOW_ONLY: KindDeclaration(standing=rules.follow_only_rule),
    TargetKind.NONE: KindDeclaration(standing=rules.none_rule),
}

# A kind without a declaration would answer 500 in the report: refuse to start instead.
_UNDECLARED = set(TargetKind) - KINDS.keys()
if _UNDECLARED:
    raise RuntimeError(f"target kinds without a declaration: {sorted(_UNDECLARED)}")


def missing_parameters(kind: TargetKind, given: Mapping[str, object]) -> list[str]:
    """The parameters the kind needs that are absent (None), in the declared order."""
    return [p for p in KINDS[kind].parameters if given.get(p) is None]


def parameter_problem(kind: TargetKind, given: Mapping[str, object]) -> str | None:
    """Why the given parameters do not fit the kind, or None when they do."""
    needed = KINDS[kind].parameters
    missing = [p for p in PARAMETERS if p in needed and given.get(p) is None]
    extra = [p for p in PARAMETERS if p not in needed and given.get(p) is not None]
    if missing:
        return f"target kind {kind} needs {', '.join(missing)}"
    if extra:
        return f"target kind {kind} takes no {', '.join(extra)}"
    return None
