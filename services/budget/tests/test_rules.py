"""The budget rules without HTTP or a database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budget_service.rules import amounts, changes, follow_up, versions
from budget_service.vocabulary import Phase
from municipal_shared.kit.problems import Conflict, InvalidContent

YEARS = [2018, 2019, 2020, 2021]


def test_year_errors_name_the_year_outside_and_the_missing_ones() -> None:
    errors = amounts.year_errors({"2018": 1, "2019": 1, "2022": 1}, YEARS, "/amounts")
    assert [e["pointer"] for e in errors] == ["/amounts/2022", "/amounts"]
    assert "2020, 2021" in errors[1]["message"]
    assert amounts.year_errors({str(y): 0 for y in YEARS}, YEARS, "/a") == []
    assert amounts.year_errors(None, YEARS, "/a") == []


def test_of_which_change_is_proposal_minus_directive() -> None:
    proposal = {"2018": 389504, "2019": 376127}
    directive = {"2018": 344009, "2019": 340927}
    assert amounts.difference(proposal, directive) == {"2018": 45495, "2019": 35200}


def test_control_totals_must_agree() -> None:
    computed = {"proposal_total": {"2018": 10, "2019": 20}}
    assert (
        amounts.control_total_errors({"proposal_total": {"2018": 10, "2019": 20}}, computed) == []
    )
    errors = amounts.control_total_errors({"proposal_total": {"2018": 10, "2019": 21}}, computed)
    assert errors[0]["pointer"] == "/control_totals/proposal_total/2019"
    assert errors[0]["type"] == "sum-mismatch"


def test_investments_within_frame_may_not_exceed_it() -> None:
    assert amounts.frame_excess_errors({"2018": 1000}, {"2018": 1000}) == []
    assert amounts.frame_excess_errors(None, {"2018": 5}) == []
    assert len(amounts.frame_excess_errors({"2018": 1000}, {"2018": 1001})) == 1


def test_decided_versions_cannot_be_edited() -> None:
    versions.ensure_editable(1, "draft")
    with pytest.raises(Conflict):
        versions.ensure_editable(1, "decided")


@pytest.mark.parametrize(
    ("head_phase", "phase", "expected"),
    [
        (Phase.DIRECTIVE, Phase.DIRECTIVE, "revision"),
        (Phase.DIRECTIVE, Phase.BOARD_PROPOSAL, "next_phase"),
        (Phase.BUDGET_PREPARATION_PROPOSAL, Phase.COUNCIL_DECISION, "next_phase"),
        (Phase.COUNCIL_DECISION, Phase.COUNCIL_DECISION, "revision"),
    ],
)
def test_successor_of_a_decided_head(head_phase: Phase, phase: Phase, expected: str) -> None:
    assert versions.successor_kind(3, head_phase, "decided", phase) == expected


def test_no_successor_of_a_draft_or_backwards() -> None:
    with pytest.raises(Conflict):
        versions.successor_kind(1, Phase.DIRECTIVE, "draft", Phase.BOARD_PROPOSAL)
    with pytest.raises(InvalidContent):
        versions.successor_kind(1, Phase.COUNCIL_DECISION, "decided", Phase.DIRECTIVE)


def test_deviation_is_budget_minus_forecast() -> None:
    assert follow_up.deviation(34449, Decimal("35000")) == Decimal("-551")
    assert follow_up.deviation(100, None) is None


def test_changes_between_reports_leaves() -> None:
    before = {"lines": [{"text": "a", "amounts": {"2018": 1}}]}
    after = {"lines": [{"text": "a", "amounts": {"2018": 2}}, {"text": "b"}]}
    assert changes.changes_between(before, after) == [
        {"path": "/lines/0/amounts/2018", "old": 1, "new": 2},
        {"path": "/lines/1/text", "old": None, "new": "b"},
    ]
    assert changes.changes_between(before, before) == []
