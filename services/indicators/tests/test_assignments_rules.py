"""The assignment rules without HTTP or a database: which status a tertial report shows and
when it is flagged not updated, the counts and roll-ups, the values linked through figures,
and an approved composed report that keeps its assignments and lists what changed since."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from indicator_service.rules.approved_report import frozen
from indicator_service.rules.assignments import (
    Reported,
    Shown,
    check_follow_up,
    latest_up_to,
    report_item,
    section,
)
from indicator_service.schemas import FollowUpItemIn
from indicator_service.schemas_out import ComposedReport, OutcomeOut, Section
from indicator_service.vocabulary import AssignmentStatus
from municipal_shared.kit.problems import InvalidContent
from municipal_shared.types import Tertial


def entry(id_: int, period: str, status: str, reason: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(id=id_, period=period, status=status, comment=None, status_reason=reason)


def shown(
    code: str, goals: list[int], figures: tuple[str, ...] = (), indicators: tuple[str, ...] = ()
) -> Shown:
    return Shown(
        code=code,
        title=f"Att {code}",
        council_goals=goals,
        focus_areas=[],
        indicators=list(indicators),
        figures=list(figures),
        href=f"/x/{code}",
    )


def test_a_report_shows_the_newest_entry_of_the_latest_period_up_to_its_own() -> None:
    entries = [
        entry(1, "2018-T1", "ongoing"),
        entry(2, "2018-T2", "delayed", "Försenat"),
        entry(3, "2018-T2", "ongoing"),  # a correction of T2
        entry(4, "2018-T3", "done"),
    ]
    assert latest_up_to(entries, "2018-T2").id == 3
    assert latest_up_to(entries, "2018-T1").id == 1
    assert latest_up_to(entries, "2017-T3") is None
    assert latest_up_to(entries, "2019-T1").id == 4


def test_an_older_status_is_shown_and_flagged_not_updated() -> None:
    item = report_item(shown("a", []), entry(1, "2018-T1", "ongoing"), "2018-T2", [])
    assert (item.status, item.status_period, item.not_updated) == (
        AssignmentStatus.ONGOING,
        "2018-T1",
        True,
    )
    none = report_item(shown("b", []), None, "2018-T2", [])
    assert (none.status, none.not_updated) == (None, True)
    current = report_item(shown("c", []), entry(2, "2018-T2", "done"), "2018-T2", [])
    assert current.not_updated is False


def test_counts_per_status_goal_and_focus_area() -> None:
    items = [
        report_item(shown("a", [1, 7]), entry(1, "2018-T2", "done"), "2018-T2", []),
        report_item(shown("b", [7]), entry(2, "2018-T2", "delayed", "Skäl"), "2018-T2", []),
        report_item(shown("c", []), entry(3, "2018-T1", "ongoing"), "2018-T2", []),
        report_item(shown("d", [1]), None, "2018-T2", []),
    ]
    out = section("2018-T2", items, [(1, "Egen försörjning"), (7, "Sammanhållen")], [])
    assert out.counts.model_dump() == {
        "not_started": 0, "ongoing": 1, "done": 1, "delayed": 1, "cancelled": 0,
        "no_status": 1, "not_updated": 2, "total": 4,
    }  # fmt: skip
    goals = {g.key: g.counts for g in out.council_goals}
    assert (goals["1"].done, goals["1"].no_status, goals["1"].total) == (1, 1, 2)
    assert (goals["7"].done, goals["7"].delayed, goals["7"].total) == (1, 1, 2)


def test_figures_link_every_indicator_fed_by_them_then_the_direct_ones() -> None:
    value = OutcomeOut(
        id=1, period="2018-T2", value="3.5", status="normal", notation=None,
        source="procurement-service", gender="T", comment=None, analysis=None,
        recorded_at=dt.datetime(2018, 9, 1, tzinfo=dt.UTC), recorded_by="p", replaces_id=None,
    )  # fmt: skip
    reported = [
        Reported("antal", "Antal anbudsgivare", "antal", "procurement.mean", value, "2018-T2"),
        Reported("bredband", "Bredband", "%", None, None, None),
        Reported("annan", "Annan", "%", "procurement.other", None, None),
    ]
    item = report_item(
        shown("sme", [], figures=("procurement.mean",), indicators=("bredband",)),
        None,
        "2018-T2",
        reported,
    )
    linked = [(f.figure, f.indicator_code, f.outcome) for f in item.linked_figures]
    assert linked == [("procurement.mean", "antal", value), (None, "bredband", None)]


@pytest.mark.parametrize(
    ("item", "pointer"),
    [
        ({"assignment_code": "okand", "period": "2018-T2", "status": "done"}, "assignment_code"),
        ({"assignment_code": "a", "period": "2022-T1", "status": "done"}, "period"),
        ({"assignment_code": "a", "period": "2018-T2", "status": "delayed"}, "status_reason"),
        ({"assignment_code": "a", "period": "2018-T2", "status": "cancelled"}, "status_reason"),
    ],
)
def test_follow_up_that_does_not_fit_is_refused_naming_the_field(item: dict, pointer: str) -> None:
    with pytest.raises(InvalidContent) as refused:
        check_follow_up(2015, 2021, {"a"}, [FollowUpItemIn.model_validate(item)])
    errors = refused.value.extensions["errors"]
    assert [e["pointer"] for e in errors] == [f"/items/0/{pointer}"]


def test_the_same_assignment_and_period_twice_is_refused() -> None:
    items = [
        FollowUpItemIn(assignment_code="a", period="2018-T2", status=AssignmentStatus.DONE),
        FollowUpItemIn(assignment_code="a", period="2018-T2", status=AssignmentStatus.ONGOING),
    ]
    with pytest.raises(InvalidContent):
        check_follow_up(2015, 2021, {"a"}, items)


def _composed(status: str) -> ComposedReport:
    item = report_item(shown("bredband", [5]), entry(1, "2018-T1", status), "2018-T1", [])
    return ComposedReport(
        municipality_code="0580",
        board_code="KS",
        year=2018,
        tertial=Tertial.T1,
        approved=False,
        sections={
            "indicators": Section(
                source="/r",
                retrieved_at=dt.datetime(2018, 5, 1, tzinfo=dt.UTC),
                status="available",
                data={"overall": {"total": 42}},
            )
        },
        assignments=section("2018-T1", [item], [(5, "Ekologiskt hållbar")], []),
    )


def test_an_approved_report_keeps_its_assignments_and_lists_later_changes() -> None:
    approved = _composed("ongoing")
    record = SimpleNamespace(
        decision_reference="KS 2018-06-12 §190",
        approved_by="kommundirektor",
        approved_at=dt.datetime(2018, 6, 12, tzinfo=dt.UTC),
        snapshot=approved.model_dump(mode="json"),
    )
    report = frozen(record, _composed("done"))
    assert report.approved and report.assignments == approved.assignments
    changed = {c.path: (c.old, c.new) for c in report.changes_since_approval}
    assert changed == {
        "/assignments/counts/done": (0, 1),
        "/assignments/counts/ongoing": (1, 0),
        "/assignments/council_goals/5/counts/done": (0, 1),
        "/assignments/council_goals/5/counts/ongoing": (1, 0),
        "/assignments/items/bredband/status": ("ongoing", "done"),
    }


def test_a_report_approved_before_assignments_were_kept_lists_no_assignment_change() -> None:
    before = _composed("ongoing")
    before.assignments = None
    record = SimpleNamespace(
        decision_reference="KS 2018-06-12 §190",
        approved_by="kommundirektor",
        approved_at=dt.datetime(2018, 6, 12, tzinfo=dt.UTC),
        snapshot=before.model_dump(mode="json"),
    )
    report = frozen(record, _composed("done"))
    assert report.assignments is None and report.changes_since_approval == []
