"""The anchor of the measurement benchmark: the figures of ProcurementMeasurement computed by a
hand-written full scan of the window's procurement, bidder and quality-warning rows, and the
check that the service's HTTP answer holds exactly the same figures.

Why written here and not imported from the service: the anchor must not share the code it
checks. The SQL follows what each figure means (the contract's descriptions and the
service's rules/measurement.py docstring), in SQL's three-valued logic: a rule that cannot be
decided for a procurement (no category, execution time or employee count) is neither met nor
failed. Only the final divisions (mean, median, shares) happen in Python, in Decimal, as the
service does. The median comes from a histogram of bidder counts, not from a window function
as in the service, so the two take different routes to the same number."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg

from procurement_service.rules.measurement import Rule
from procurement_service.vocabulary import SME_CLASSES, SizeClass

CLASSES = ("micro", "small", "medium", "sme", "large", "no_data")
SME = ("micro", "small", "medium", "sme")
assert set(CLASSES) == {c.value for c in SizeClass}, "the size-class vocabulary changed"
assert set(SME) == {c.value for c in SME_CLASSES}, "the SME classes changed"
SHARE, MEAN = Decimal("0.0001"), Decimal("0.01")


@dataclass(frozen=True)
class Window:
    label: str  # the answer's `period`
    start: dt.date
    end: dt.date
    administration: str | None
    path: str  # the HTTP path and query, without the host


def _scope(administration: str | None) -> str:
    """The window's procurements: awarded in [start, end] ($2, $3), of the municipality ($1)."""
    own = " AND p.administration = $4" if administration else ""
    return f"p.municipality_code = $1 AND p.award_date BETWEEN $2 AND $3{own}"


def _args(municipality: str, w: Window) -> list[Any]:
    return [municipality, w.start, w.end, *([w.administration] if w.administration else [])]


async def rule_of(conn: asyncpg.Connection, municipality: str) -> Rule:
    """The municipality's stored rule, else the service's default (configuration, not code)."""
    row = await conn.fetchrow(
        "SELECT categories, min_execution_days, min_employees, direct_award_threshold_sek"
        " FROM employment_rule WHERE municipality_code = $1",
        municipality,
    )
    if row is None:
        return Rule()
    return Rule(tuple(json.loads(row[0])), row[1], row[2], row[3])


PROCUREMENT_COUNTS = """
SELECT count(*) AS procurements,
  count(bidder_count) AS counted,
  coalesce(sum(bidder_count), 0) AS bidders,
  count(*) FILTER (WHERE bidder_count = 1) AS single,
  count(*) FILTER (WHERE bidder_count IS NOT NULL AND bidder_count_provenance = 'reported')
    AS on_reported,
  count(*) FILTER (WHERE bidder_count_provenance = 'listed') AS on_listed,
  count(*) FILTER (WHERE candidate) AS candidates,
  count(*) FILTER (WHERE candidate IS NOT NULL) AS candidates_decided,
  count(*) FILTER (WHERE eligible) AS eligibles,
  count(*) FILTER (WHERE eligible IS NOT NULL) AS eligibles_decided,
  count(*) FILTER (WHERE requirement_set IS TRUE) AS set_,
  count(*) FILTER (WHERE eligible AND requirement_set IS TRUE) AS eligible_set,
  count(*) FILTER (WHERE eligible AND requirement_set IS NOT TRUE) AS eligible_unset,
  count(procedure) AS direct_decided,
  count(*) FILTER (WHERE direct AND in_sek AND value > {threshold}) AS above,
  count(*) FILTER (WHERE direct AND in_sek AND value > {threshold} AND advertised IS TRUE)
    AS above_advertised,
  count(*) FILTER (WHERE direct AND value IS NOT NULL AND NOT in_sek) AS not_in_sek
FROM (
  SELECT p.*, candidate AND p.requirement_suitable IS TRUE AS eligible
  FROM (
    SELECT p.*,
      (p.category = ANY({categories}) AND p.execution_days > {days}
        AND p.employees_needed >= {employees}) AS candidate,
      p.procedure = 'direct_award' AS direct,
      CASE WHEN p.awarded_value IS NOT NULL THEN p.awarded_value ELSE p.estimated_value END
        AS value,
      coalesce(CASE WHEN p.awarded_value IS NOT NULL THEN p.awarded_value_currency
        ELSE p.estimated_value_currency END, '') = 'SEK' AS in_sek
    FROM procurement p WHERE {scope}
  ) p
) p
"""

HISTOGRAM = """
SELECT p.bidder_count, count(*) FROM procurement p
WHERE {scope} AND p.bidder_count IS NOT NULL GROUP BY p.bidder_count ORDER BY p.bidder_count
"""

BIDS = """
SELECT coalesce(sum(b.bids), 0) FROM bidder b JOIN procurement p ON p.id = b.procurement_id
WHERE {scope} AND p.bidder_count_provenance = 'listed'
"""

_PER_CLASS = ",\n".join(
    f"  count(b.id) FILTER (WHERE b.size_class = '{c}') AS b_{c},\n"
    f"  count(b.id) FILTER (WHERE b.size_class = '{c}' AND b.is_winner) AS w_{c}"
    for c in CLASSES
)
SIZES = f"""
WITH per AS (
  SELECT p.id, (p.bidder_count = count(b.id)) IS TRUE AS complete,
  count(b.id) AS n,
  count(b.id) FILTER (WHERE b.size_class <> 'no_data') AS known,
  count(b.id) FILTER (WHERE b.is_winner) AS winners,
  count(b.id) FILTER (WHERE b.is_winner AND b.size_class <> 'no_data') AS known_winners,
  count(b.id) FILTER (WHERE b.is_winner AND b.size_class IN {SME}) AS sme_winners,
  count(b.id) FILTER (WHERE b.size_class NOT IN {CLASSES}) AS strange,
{_PER_CLASS}
  FROM procurement p LEFT JOIN bidder b ON b.procurement_id = p.id
  WHERE {{scope}} GROUP BY p.id, p.bidder_count
)
SELECT count(*) AS procurements,
  count(*) FILTER (WHERE complete) AS listed,
  count(*) FILTER (WHERE complete AND known > 0) AS with_known_bidder,
  coalesce(sum(n) FILTER (WHERE complete AND known > 0), 0) AS bidders_where_known,
  count(*) FILTER (WHERE known_winners > 0) AS with_known_winner,
  coalesce(sum(winners) FILTER (WHERE known_winners > 0), 0) AS winners_where_known,
  count(*) FILTER (WHERE sme_winners > 0) AS won_by_sme,
  coalesce(sum(strange), 0) AS strange,
{", ".join(f"coalesce(sum(b_{c}) FILTER (WHERE complete), 0) AS b_{c}" for c in CLASSES)},
{", ".join(f"coalesce(sum(w_{c}), 0) AS w_{c}" for c in CLASSES)}
FROM per
"""

SIGNED = """
SELECT count(*) FILTER (WHERE p.requirement_set IS TRUE), count(*) FROM procurement p
WHERE p.municipality_code = $1 AND p.contract_signed_date BETWEEN $2 AND $3{own}
"""

REASONS = """
SELECT p.requirement_reason, count(*) FROM procurement p
WHERE {scope} AND p.category = ANY({categories}) AND p.execution_days > {days}
  AND p.employees_needed >= {employees} AND p.requirement_set IS NOT TRUE
GROUP BY p.requirement_reason
"""

QUALITY = """
SELECT w.code, count(DISTINCT w.procurement_id) FROM quality_warning w
JOIN procurement p ON p.id = w.procurement_id WHERE {scope} GROUP BY w.code ORDER BY w.code
"""


def _ratio(part: int, whole: int, quantum: Decimal = SHARE) -> Decimal | None:
    return None if whole == 0 else (Decimal(part) / Decimal(whole)).quantize(quantum)


def _count(value: int, based_on: int) -> dict[str, Any]:
    return {"value": None if based_on == 0 else value, "based_on": based_on}


def _share(value: Decimal | None, based_on: int) -> dict[str, Any]:
    return {"value": None if based_on == 0 else value, "based_on": based_on}


def _median(histogram: list[tuple[int, int]]) -> tuple[int, int]:
    """Sum and number of the one or two middle bidder counts (1-based positions)."""
    total = sum(n for _, n in histogram)
    positions = sorted({(total + 1) // 2, (total + 2) // 2}) if total else []
    values, seen = [], 0
    for value, n in histogram:
        values += [value for p in positions if seen < p <= seen + n]
        seen += n
    return sum(values), len(values)


async def _one(conn: asyncpg.Connection, sql: str, args: list[Any]) -> asyncpg.Record:
    row = await conn.fetchrow(sql, *args)
    assert row is not None  # aggregates without GROUP BY always answer one row
    return row


async def scan(
    conn: asyncpg.Connection, municipality: str, w: Window, rule: Rule
) -> dict[str, Any]:
    """The measurement of the window as the service answers it (the JSON's shape)."""
    scope, args = _scope(w.administration), _args(municipality, w)
    rule_sql = {
        "categories": "ARRAY[" + ",".join(f"'{c}'" for c in rule.categories) + "]::text[]",
        "days": int(rule.min_execution_days),
        "employees": int(rule.min_employees),
        "threshold": Decimal(rule.direct_award_threshold_sek),
    }
    c = await _one(conn, PROCUREMENT_COUNTS.format(scope=scope, **rule_sql), args)
    histogram = [
        (int(v), int(n)) for v, n in await conn.fetch(HISTOGRAM.format(scope=scope), *args)
    ]
    bids = int(await conn.fetchval(BIDS.format(scope=scope), *args))
    s = await _one(conn, SIZES.format(scope=scope), args)
    own = " AND p.administration = $4" if w.administration else ""
    signed, signed_procurements = await _one(conn, SIGNED.format(own=own), args)
    reasons = await conn.fetch(REASONS.format(scope=scope, **rule_sql), *args)
    quality = await conn.fetch(QUALITY.format(scope=scope), *args)
    if s["strange"]:
        raise AssertionError(f"{s['strange']} bidders have a size class outside the vocabulary")

    middle_sum, middle_count = _median(histogram)
    counted = c["counted"]
    competition = {
        "procurements": c["procurements"],
        "bids": _count(bids, c["on_listed"]),
        "bidders": _count(c["bidders"], counted),
        "bidders_per_procurement_mean": _share(_ratio(c["bidders"], counted, MEAN), counted),
        "bidders_per_procurement_median": _share(_ratio(middle_sum, middle_count, MEAN), counted),
        "single_bidder_share": _share(_ratio(c["single"], counted), counted),
        "procurements_with_reported_bidder_count": c["on_reported"],
        "procurements_with_unknown_bidder_count": c["procurements"] - counted,
    }
    bidders = {cls: int(s[f"b_{cls}"]) for cls in CLASSES}
    winners = {cls: int(s[f"w_{cls}"]) for cls in CLASSES}
    known_bidders = sum(bidders.values()) - bidders["no_data"]
    known_winners = sum(winners.values()) - winners["no_data"]
    sme_bidders = sum(bidders[cls] for cls in SME)
    sme_winners = sum(winners[cls] for cls in SME)
    listed, with_bidder, with_winner = s["listed"], s["with_known_bidder"], s["with_known_winner"]
    sizes = {
        "bidders_by_class": {cls: _count(n, listed) for cls, n in bidders.items()},
        "bidders_with_known_size": _count(known_bidders, listed),
        "sme_bidders": _count(sme_bidders, with_bidder),
        "sme_share_of_bidders": _share(_ratio(sme_bidders, s["bidders_where_known"]), with_bidder),
        "sme_share_of_bidders_with_known_size": _share(
            _ratio(sme_bidders, known_bidders), with_bidder
        ),
        "winners_by_class": {cls: _count(n, s["procurements"]) for cls, n in winners.items()},
        "winners_with_known_size": _count(known_winners, s["procurements"]),
        "sme_winners": _count(sme_winners, with_winner),
        "sme_share_of_winners": _share(_ratio(sme_winners, s["winners_where_known"]), with_winner),
        "sme_share_of_winners_with_known_size": _share(
            _ratio(sme_winners, known_winners), with_winner
        ),
        "procurements_won_by_sme": _count(s["won_by_sme"], with_winner),
    }
    employment = {
        "rule": {
            "categories": list(rule.categories),
            "more_than_days": rule.min_execution_days,
            "min_employees": rule.min_employees,
            "judged_suitable": True,
        },
        "procurements": c["procurements"],
        "meeting_the_objective_criteria": _count(c["candidates"], c["candidates_decided"]),
        "eligible": _count(c["eligibles"], c["eligibles_decided"]),
        "set": _count(c["set_"], c["procurements"]),
        "eligible_and_set": _count(c["eligible_set"], c["eligibles_decided"]),
        "eligible_but_not_set": _count(c["eligible_unset"], c["eligibles_decided"]),
        "set_and_contract_signed": _count(signed, signed_procurements),
        "not_set_reasons": [{"reason": r or None, "procurements": n} for r, n in reasons],
        "procurements_rule_undecided": c["procurements"] - c["candidates_decided"],
    }
    direct = {
        "threshold_sek": Decimal(rule.direct_award_threshold_sek),
        "above_threshold": _count(c["above"], c["direct_decided"] - c["not_in_sek"]),
        "above_threshold_advertised": _count(c["above_advertised"], c["above"]),
        "advertised_share": _share(_ratio(c["above_advertised"], c["above"]), c["above"]),
        "left_out_not_in_sek": c["not_in_sek"],
    }
    return {
        "municipality_code": municipality,
        "administration": w.administration,
        "period": w.label,
        "start": w.start.isoformat(),
        "end": w.end.isoformat(),
        "competition": competition,
        "size_classes": sizes,
        "employment_requirement": employment,
        "direct_awards": direct,
        "quality": [{"code": code, "procurements": n} for code, n in quality],
    }


_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def normalised(value: Any) -> Any:
    """Decimals as Decimal (the answer writes them as strings or numbers), ties in the order
    of the not-set reasons (the service orders them by count only) broken by reason."""
    if isinstance(value, dict):
        out = {k: normalised(v) for k, v in value.items()}
        if "not_set_reasons" in out:
            out["not_set_reasons"].sort(key=lambda r: (-r["procurements"], r["reason"] or ""))
        return out
    if isinstance(value, list):
        return [normalised(v) for v in value]
    if isinstance(value, float):
        raise AssertionError(f"a float in the answer: {value!r} (figures must be exact)")
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value
    return value


def differences(answer: Any, expected: Any, path: str = "") -> list[str]:
    """Where the HTTP answer and the hand scan disagree (JSON Pointers), exactly."""
    if isinstance(answer, dict) and isinstance(expected, dict):
        out = [f"{path}/{k}: only in the answer" for k in answer.keys() - expected.keys()]
        out += [f"{path}/{k}: missing from the answer" for k in expected.keys() - answer.keys()]
        for k in answer.keys() & expected.keys():
            out += differences(answer[k], expected[k], f"{path}/{k}")
        return out
    if isinstance(answer, list) and isinstance(expected, list) and len(answer) == len(expected):
        return [
            d
            for i, (a, e) in enumerate(zip(answer, expected, strict=True))
            for d in differences(a, e, f"{path}/{i}")
        ]
    same = type(answer) is type(expected) and answer == expected
    return [] if same else [f"{path}: answer {answer!r}, hand SQL {expected!r}"]
