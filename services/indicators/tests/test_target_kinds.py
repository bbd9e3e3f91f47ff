"""Every kind of target is declared once and evaluates: a kind added to the vocabulary without
a declaration or a rule fails here, not in the report with a 500."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from indicator_service.rules.evaluation import Assessment, Observation, TargetSpec, evaluate
from indicator_service.rules.target_kinds import KINDS, PARAMETERS
from indicator_service.schemas import TargetIn
from indicator_service.vocabulary import Fulfilment, Polarity, TargetKind, ValueStatus

# A value for every parameter a kind may need; 2017 is in the history below.
SAMPLE: dict[str, Any] = {
    "value": Decimal(80),
    "baseline_year": 2017,
    "baseline_value": Decimal(70),
    "percent": Decimal(10),
    "count": 1,
}
HISTORY = {2017: Observation("2017", Decimal(70), ValueStatus.NORMAL)}
OUTCOME = Observation("2018", Decimal(90), ValueStatus.NORMAL)


@pytest.fixture(autouse=True)
def clean_tables() -> None:
    """Pure: override the directory's autouse table wipe, so no database."""


def parameters(kind: TargetKind) -> dict[str, Any]:
    return {p: SAMPLE[p] for p in KINDS[kind].parameters}


@pytest.mark.parametrize("kind", list(TargetKind))
def test_every_kind_is_declared_and_evaluates(kind: TargetKind) -> None:
    declaration = KINDS[kind]
    spec = TargetSpec(year=2018, kind=kind, wording="as decided", **parameters(kind))
    assessment = (
        Assessment(Fulfilment.MET, "done", "controller") if declaration.assessed_by_person else None
    )
    result = evaluate(
        spec, Polarity.HIGHER_IS_BETTER, OUTCOME, HISTORY, band=None, assessment=assessment
    )
    assert result.status in set(Fulfilment)
    assert result.rule and result.reason
    assert result.rule != "target_incomplete"
    if declaration.compare is not None or declaration.assessed_by_person:
        # with every input present, a kind with a rule gives a status, not "not assessable"
        assert result.status is not Fulfilment.NOT_ASSESSABLE, result.reason


@pytest.mark.parametrize("kind", list(TargetKind))
def test_every_kind_is_accepted_with_its_parameters_and_no_other(kind: TargetKind) -> None:
    TargetIn(year=2018, kind=kind, wording="as decided", **parameters(kind))
    for needed in KINDS[kind].parameters:
        given = {p: v for p, v in parameters(kind).items() if p != needed}
        with pytest.raises(ValidationError, match=f"needs {needed}"):
            TargetIn(year=2018, kind=kind, wording="as decided", **given)
    for other in set(PARAMETERS) - set(KINDS[kind].parameters):
        extra = parameters(kind) | {other: SAMPLE[other]}
        with pytest.raises(ValidationError, match=f"takes no {other}"):
            TargetIn(year=2018, kind=kind, wording="as decided", **extra)


@pytest.mark.parametrize("kind", [k for k in TargetKind if KINDS[k].parameters])
def test_a_stored_target_lacking_a_parameter_is_not_assessable(kind: TargetKind) -> None:
    spec = TargetSpec(year=2018, kind=kind, wording="bypassed the API")
    result = evaluate(spec, Polarity.HIGHER_IS_BETTER, OUTCOME, HISTORY, band=None)
    assert (result.status, result.rule) == (Fulfilment.NOT_ASSESSABLE, "target_incomplete")
