"""Goal fulfilment's sentences in Swedish. The English `reason` of an evaluation is written
by the rule (rules/evaluation.py); this says the same from what the rule recorded: its id,
its status and the values it compared, so the Swedish sentence can never name a figure the
rule did not use. A rule this module does not know keeps its English sentence (marked), so
a new rule shows up untranslated rather than wrong."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from indicator_service.rendering.labels import FULFILMENT, VALUE_STATUS
from indicator_service.rendering.numbers import number
from indicator_service.schemas_out import ComposedReport, EvaluationOut, ReportRow, TargetOut
from indicator_service.vocabulary import Fulfilment, ValueStatus

_VERDICT = {status: label.lower() for status, label in FULFILMENT.items()}
_TOLERANCE_OWNER = {"register": "registrets", "indicator": "indikatorns"}
_CHANGE_LABEL = {
    "increase_vs_latest_earlier": "senaste tidigare värde",
    "decrease_vs_latest_earlier": "senaste tidigare värde",
    "increase_vs_baseline_year": "basåret",
    "decrease_vs_baseline_year": "basåret",
    "increase_vs_baseline_value": "angivet basvärde",
}
_THRESHOLD = {
    "value_at_least": (True, "målvärde, högre är bättre"),
    "value_at_most": (False, "målvärde, lägre är bättre"),
    "at_least": (True, "tröskelvärde"),
    "at_most": (False, "tröskelvärde"),
}

Compared = Mapping[str, Any]


def _values(e: EvaluationOut) -> Compared:
    values: Compared = e.compared
    return values


def _n(value: Any) -> str:
    return number(value) if value is not None else "–"


def _outcome(c: Compared) -> str:
    return f"{_n(c.get('outcome'))} för {c.get('outcome_period')}"


def _band(c: Compared) -> str:
    """The band as the rule named it: whose, how wide, and the decision it came from."""
    owner = _TOLERANCE_OWNER.get(str(c.get("tolerance_of")), str(c.get("tolerance_of")))
    return (
        f"{owner} toleransband på {_n(c.get('tolerance_percent'))} % ({_n(c.get('band'))}; "
        f"källa: ”{c.get('tolerance_source')}”)"
    )


def _has_band(c: Compared) -> bool:
    return c.get("band") is not None


def _threshold(e: EvaluationOut, target: TargetOut | None) -> str:
    at_least, label = _THRESHOLD[e.rule]
    c = _values(e)
    direction = "minst" if at_least else "högst"
    goal = f"målet på {direction} {_n(c.get('target'))} för {c.get('target_year')} ({label})"
    if e.status is Fulfilment.MET:
        return f"{_outcome(c)} når {goal}: uppfyllt"
    if e.status is Fulfilment.PARTLY_MET:
        return f"{_outcome(c)} når inte {goal} men ligger inom {_band(c)}: delvis uppfyllt"
    beyond = f" med mer än {_band(c)}" if _has_band(c) else ""
    return f"{_outcome(c)} når inte {goal}{beyond}: ej uppfyllt"


def _change(e: EvaluationOut, target: TargetOut | None) -> str:
    c = _values(e)
    increase = e.rule.startswith("increase")
    required = "en ökning" if increase else "en minskning"
    against = f"{_n(c.get('reference'))} för {c.get('reference_period')} ({_CHANGE_LABEL[e.rule]})"
    if e.status is Fulfilment.PARTLY_MET:
        return (
            f"{_outcome(c)} ligger inom {_band(c)} från {against}: oförändrat fast {required} "
            "krävs, delvis uppfyllt"
        )
    difference = Decimal(c["outcome"]) - Decimal(c["reference"])
    if difference == 0:
        return f"{_outcome(c)} är lika med {against}: oförändrat fast {required} krävs, ej uppfyllt"
    rose = difference > 0
    side, moved = ("över", "ökat") if rose else ("under", "minskat")
    beyond = f" med mer än {_band(c)}" if _has_band(c) else ""
    verdict = (
        f"{moved} som krävs, uppfyllt"
        if e.status is Fulfilment.MET
        else f"{moved} fast {required} krävs, ej uppfyllt"
    )
    return f"{_outcome(c)} ligger {side} {against}{beyond}: {verdict}"


def _relative(e: EvaluationOut, target: TargetOut | None) -> str:
    c = _values(e)
    required = (
        f"det krävda {_n(c.get('required'))} (minst {_n(c.get('percent'))} % över "
        f"{_n(c.get('base'))} för {c.get('base_period')})"
    )
    if e.status is Fulfilment.MET:
        return f"{_outcome(c)} når {required}: uppfyllt"
    if e.status is Fulfilment.PARTLY_MET:
        return f"{_outcome(c)} ligger under {required} men inom {_band(c)}: delvis uppfyllt"
    beyond = f" med mer än {_band(c)}" if _has_band(c) else ""
    return f"{_outcome(c)} ligger under {required}{beyond}: ej uppfyllt"


def _event_count(e: EvaluationOut, target: TargetOut | None) -> str:
    c = _values(e)
    head = f"{_n(c.get('outcome'))} tillfällen under {c.get('outcome_period')}"
    if e.status is Fulfilment.MET:
        return f"{head} når det krävda minst {c.get('count')}: uppfyllt"
    return f"{head} understiger det krävda minst {c.get('count')}: ej uppfyllt"


def _no_target(e: EvaluationOut, target: TargetOut | None) -> str:
    if target is None:
        return "Inget mål är beslutat för indikatorn detta år: kan inte bedömas"
    return f"Målet för {target.year} saknar målvärde (”{target.wording}”): kan inte bedömas"


def _follow_only(e: EvaluationOut, target: TargetOut | None) -> str:
    c = _values(e)
    shown = "" if c.get("outcome") is None else f" {_outcome(c)}"
    return (
        "Indikatorn är en utfallsmätning (ufm) som följs för att visa utvecklingen, så "
        f"utfallet{shown} färgas aldrig: kan inte bedömas"
    )


def _milestone_waiting(e: EvaluationOut, target: TargetOut | None) -> str:
    wording = f" ”{target.wording}”" if target is not None else ""
    return (
        f"Delmålet{wording} för {_values(e).get('target_year')} väntar på en bedömning: "
        "kan inte bedömas"
    )


def _milestone_assessed(e: EvaluationOut, target: TargetOut | None) -> str:
    c = _values(e)
    wording = f" ”{target.wording}”" if target is not None else ""
    return (
        f"Delmålet{wording} för {c.get('target_year')} har bedömts som "
        f"{_VERDICT[e.status]} av {c.get('assessed_by')}: {c.get('motivation')}"
    )


def _no_outcome(e: EvaluationOut, target: TargetOut | None) -> str:
    year = f" för {target.year}" if target is not None else ""
    return f"Inget utfall är rapporterat att jämföra med målet{year}: kan inte bedömas"


def _missing_value(e: EvaluationOut, target: TargetOut | None) -> str:
    c = _values(e)
    status = ValueStatus(c["outcome_status"])
    label = VALUE_STATUS[status] or status.value
    return (
        f"Utfallet för {c.get('outcome_period')} har status {label} och inget värde, vilket "
        "aldrig är en nolla: kan inte bedömas"
    )


def _target_incomplete(e: EvaluationOut, target: TargetOut | None) -> str:
    return (
        f"Målet för {_values(e).get('target_year')} saknar uppgifter som dess typ kräver: "
        "kan inte bedömas"
    )


def _no_earlier_value(e: EvaluationOut, target: TargetOut | None) -> str:
    c = _values(e)
    return f"Det finns inget tidigare årsvärde att jämföra {_outcome(c)} med: kan inte bedömas"


def _baseline_missing(e: EvaluationOut, target: TargetOut | None) -> str:
    c = _values(e)
    return (
        f"Basvärdet för {c.get('reference_period')} saknas (det kan komma senare), så "
        f"{_outcome(c)} kan inte jämföras: kan inte bedömas"
    )


_RULES: dict[str, Callable[[EvaluationOut, TargetOut | None], str]] = {
    **dict.fromkeys(_THRESHOLD, _threshold),
    **dict.fromkeys(_CHANGE_LABEL, _change),
    "relative_increase_at_least": _relative,
    "event_count_at_least": _event_count,
    "no_target": _no_target,
    "follow_only": _follow_only,
    "milestone_awaiting_assessment": _milestone_waiting,
    "milestone_assessed": _milestone_assessed,
    "no_outcome": _no_outcome,
    "missing_value": _missing_value,
    "target_incomplete": _target_incomplete,
    "no_earlier_value": _no_earlier_value,
    "baseline_missing": _baseline_missing,
}
KNOWN_RULES = frozenset(_RULES)


def swedish_reason(evaluation: EvaluationOut, target: TargetOut | None) -> str:
    sentence = _RULES.get(evaluation.rule)
    if sentence is None:
        return f"(på engelska) {evaluation.reason}"
    return sentence(evaluation, target)


def row_reason(row: ReportRow) -> str:
    return swedish_reason(row.evaluation, row.target)


def in_swedish(report: ComposedReport) -> ComposedReport:
    """The report with its evaluation texts in Swedish (`lang=sv` of the JSON); every other
    field as it is. The indicators section's data is the register's report as JSON."""
    section = report.sections.get("indicators")
    if section is None or section.data is None:
        return report
    data = dict(section.data)
    rows = []
    for raw in data.get("rows", []):
        row = ReportRow.model_validate(raw)
        evaluation = {**raw["evaluation"], "reason": row_reason(row)}
        rows.append({**raw, "evaluation": evaluation})
    data["rows"] = rows
    sections = {**report.sections, "indicators": section.model_copy(update={"data": data})}
    return report.model_copy(update={"sections": sections})
