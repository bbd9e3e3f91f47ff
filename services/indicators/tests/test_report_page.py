"""The composed report as a page in Swedish, rendered from the output model without HTTP
(the seeded register, its peers unreachable), and the representations through the route.
In a real browser with the peers running: test_report_page_browser.py."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from collections.abc import Callable
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from indicator_service.rendering import numbers, page, reasons
from indicator_service.rendering.formats import ReportFormat, negotiate
from indicator_service.rules.evaluation import (
    Assessment,
    Observation,
    TargetSpec,
    ToleranceBand,
    evaluate,
)
from indicator_service.schemas_out import Change, ComposedReport, EvaluationOut, TertialReport
from indicator_service.vocabulary import (
    BandOwner,
    Fulfilment,
    Polarity,
    TargetKind,
    ValueStatus,
)
from municipal_shared.types import Tertial

COMPOSED = "/v1/registers/0580/KS/reports/2018/T2/composed"


class Page(HTMLParser):
    """What a reader sees of the page: the text of each table, element ids, styles."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[str]] = {}
        self.classes: dict[str, str] = {}
        self.text: list[str] = []
        self.style_blocks: list[str] = []
        self.style_attributes = 0
        self.scripts = 0
        self._table: str | None = None
        self._in_style = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self._table = found.get("id") or ""
            self.tables[self._table] = []
            self.classes[self._table] = found.get("class") or ""
        self.style_attributes += "style" in found
        self.scripts += tag == "script"
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style_blocks.append(data)
            return
        self.text.append(data)
        if self._table is not None:
            self.tables[self._table].append(data)

    def table_text(self, anchor: str) -> str:
        return " ".join(" ".join(self.tables[anchor]).split())

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture
async def report(client: httpx.AsyncClient, seeded: str) -> ComposedReport:
    return ComposedReport.model_validate((await client.get(COMPOSED)).json())


def _own(report: ComposedReport) -> TertialReport:
    data = report.sections["indicators"].data
    assert data is not None
    return TertialReport.model_validate(data)


async def test_a_table_per_council_goal_with_every_target_worded_as_decided(
    report: ComposedReport,
) -> None:
    html = page.html(report, page.PageContext("Linköping", "Kommunstyrelsen"))
    seen = Page(html)
    own = _own(report)
    goal_tables = [anchor for anchor, kind in seen.classes.items() if "goal" in kind.split()]
    assert goal_tables == [f"mal-{g.key}" for g in own.council_goals]
    assert len(goal_tables) == 11
    for goal in own.council_goals:
        text = seen.table_text(f"mal-{goal.key}")
        assert goal.title in text
        members = [r for r in own.rows if int(goal.key) in r.indicator.council_goals]
        for row in members:
            assert row.indicator.name in text
        if not members:
            assert "Nämnden har inga indikatorer under detta mål." in text
    everything = seen.all_text
    for row in own.rows:
        if row.target is not None:
            assert " ".join(row.target.wording.split()) in everything, row.indicator.code
        assert row.indicator.name in everything
    assert "Linköping · Kommunstyrelsen" in everything
    assert "Delårsrapport T2 2018" in everything
    assert "1 januari–31 augusti 2018" in everything


async def test_verdicts_are_coloured_and_said_in_swedish(report: ComposedReport) -> None:
    html = page.html(report, page.PageContext())
    row = next(r for r in _own(report).rows if r.indicator.code == "personalomsattning")
    assert row.evaluation.status is Fulfilment.NOT_MET
    cell = re.search(r'id="mal-9-personalomsattning">(.*?)</tr>', html, re.S)
    assert cell is not None
    assert 'class="verdict verdict-not-met">Ej uppfyllt<' in cell.group(1)
    assert "7,9 %<br>" in cell.group(1).replace(numbers.NBSP, " ")
    assert (
        "7,9 för 2016 ligger över 4,8 för 2015 (senaste tidigare värde): ökat fast en "
        "minskning krävs, ej uppfyllt" in cell.group(1)
    )
    assert " not met" not in html and "not_met" not in Page(html).all_text


async def test_unavailable_sections_say_so_and_why(report: ComposedReport) -> None:
    seen = Page(page.html(report, page.PageContext()))
    text = seen.all_text
    # The budget, the procurement section, and the report's tertial in the procurement trend.
    assert text.count("Avsnittet kunde inte läsas: tjänsten svarade inte (unreachable") == 3
    assert "Budgetuppföljning per verksamhetsområde" in text and "budgettabell" not in seen.tables
    # The codes head the page when the budget service cannot name them.
    assert "0580 · KS" in text


async def test_an_approved_report_shows_its_approval_and_what_changed_since(
    report: ComposedReport,
) -> None:
    approved = report.model_copy(
        update={
            "approved": True,
            "approval": {
                "decision_reference": "KS 2018-10-02 §312",
                "approved_by": "ekonomichef@linkoping.se",
                "approved_at": "2018-10-02T09:30:00+00:00",
            },
            "changes_since_approval": [
                Change(
                    path="/indicators/rows/tillganglighet-e-post/outcome/value", old="68", new="83"
                )
            ],
        }
    )
    text = Page(page.html(approved, page.PageContext())).all_text
    when = "Godkänd 2 oktober 2018 kl. 09.30 (UTC) av ekonomichef@linkoping.se"
    assert f"{when}, beslut KS 2018-10-02 §312" in text
    assert "Siffrorna nedan är de som godkändes" in text
    assert "Sedan dess har en uppgift ändrats; den står sist." in text
    assert "Ändringar sedan godkännandet" in text and "68 83" in text
    assert "Ej godkänd" in Page(page.html(report, page.PageContext())).all_text


async def test_text_from_the_register_is_escaped(report: ComposedReport) -> None:
    data = report.sections["indicators"].data
    assert data is not None
    hostile = "<script>alert(1)</script> & <b>"
    data["rows"][0]["target"]["wording"] = hostile
    html = page.html(report, page.PageContext(board_name="<i>KS</i>"))
    assert "<script>" not in html and "<i>KS</i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in html
    assert hostile in Page(html).all_text


async def test_the_page_needs_nothing_but_its_own_style_block(report: ComposedReport) -> None:
    """No script, no style attribute, nothing fetched: the style block is the one the
    Content-Security-Policy names by its hash, so a browser applies it and nothing else."""
    html = page.html(report, page.PageContext())
    seen = Page(html)
    assert seen.scripts == 0 and seen.style_attributes == 0
    assert seen.style_blocks == [page.STYLESHEET]
    digest = base64.b64encode(hashlib.sha256(seen.style_blocks[0].encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in page.PAGE_CSP
    assert "script-src" not in page.PAGE_CSP and "default-src 'none'" in page.PAGE_CSP
    assert not re.search(r'(src|href)="(https?:)?//', html)
    svgs = re.findall(r"<svg [^>]*>", html)
    assert len(svgs) == 4  # two roll-ups and the procurement trend's two (no budget section)
    assert all('role="img"' in s and "aria-labelledby" in s for s in svgs)
    assert html.count("<title id=") == 4 and html.count("<desc id=") == 4


def test_numbers_are_written_the_swedish_way() -> None:
    nb = numbers.NBSP
    assert numbers.number(389504) == f"389{nb}504"
    assert numbers.number(Decimal("-1234.50")) == f"\u22121{nb}234,50"
    assert numbers.number(Decimal("7.9")) == "7,9"
    assert numbers.number(Decimal("1234567.891"), 2) == f"1{nb}234{nb}567,89"
    assert numbers.number(0) == "0" and numbers.number(None) == "–"
    assert numbers.share(Decimal("0.4567")) == f"45,7{nb}%"
    assert numbers.share(None) == "–"


@pytest.mark.parametrize(
    ("accept", "wanted"),
    [
        (None, None),
        ("*/*", None),
        ("application/json", None),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ReportFormat.HTML),
        ("application/pdf", ReportFormat.PDF),
        ("text/csv", ReportFormat.CSV),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ReportFormat.XLSX),
        ("application/json, text/html", None),
        ("text/html;q=0.5, application/json", None),
        ("application/json;q=0.1, application/pdf;q=0.9", ReportFormat.PDF),
        ("text/html;q=0", None),
        ("image/png", None),
    ],
)
def test_accept_picks_the_representation(accept: str | None, wanted: ReportFormat | None) -> None:
    assert negotiate(accept) is wanted


# --- the evaluation sentences in Swedish ---------------------------------------------------

Y = 2018
BAND = ToleranceBand(Decimal(5), "KS 2018-03-06 § 45", BandOwner.REGISTER)


def _obs(
    value: str | None, period: str = "2018", status: ValueStatus = ValueStatus.NORMAL
) -> Observation:
    return Observation(period, None if value is None else Decimal(value), status)


def _history(**years: str) -> dict[int, Observation]:
    return {int(y[1:]): _obs(v, y[1:]) for y, v in years.items()}


CASES: list[tuple[str, Callable[[], Any]]] = [
    ("no_target", lambda: evaluate(None, Polarity.HIGHER_IS_BETTER, _obs("1"), {}, None)),
    (
        "no_target",
        lambda: evaluate(
            TargetSpec(Y, TargetKind.NONE, "Not. 1"), Polarity.HIGHER_IS_BETTER, None, {}, None
        ),
    ),
    (
        "follow_only",
        lambda: evaluate(
            TargetSpec(Y, TargetKind.FOLLOW_ONLY, "ufm"),
            Polarity.HIGHER_IS_BETTER,
            _obs("85.11", "2016"),
            {},
            None,
        ),
    ),
    (
        "milestone_awaiting_assessment",
        lambda: evaluate(
            TargetSpec(Y, TargetKind.MILESTONE, "E-arkiv införs"),
            Polarity.HIGHER_IS_BETTER,
            None,
            {},
            None,
        ),
    ),
    (
        "milestone_assessed",
        lambda: evaluate(
            TargetSpec(Y, TargetKind.MILESTONE, "E-arkiv införs"),
            Polarity.HIGHER_IS_BETTER,
            None,
            {},
            None,
            Assessment(Fulfilment.PARTLY_MET, "Två system av tre", "arkivarie"),
        ),
    ),
    (
        "no_outcome",
        lambda: evaluate(
            TargetSpec(Y, TargetKind.VALUE, "70", Decimal(70)),
            Polarity.HIGHER_IS_BETTER,
            None,
            {},
            None,
        ),
    ),
    (
        "missing_value",
        lambda: evaluate(
            TargetSpec(Y, TargetKind.VALUE, "70", Decimal(70)),
            Polarity.HIGHER_IS_BETTER,
            _obs(None, status=ValueStatus.NO_DATA),
            {},
            None,
        ),
    ),
    (
        "target_incomplete",
        lambda: evaluate(
            TargetSpec(Y, TargetKind.VALUE, "70"), Polarity.HIGHER_IS_BETTER, _obs("1"), {}, None
        ),
    ),
    (
        "value_at_least",
        lambda: evaluate(
            TargetSpec(Y, TargetKind.VALUE, "70", Decimal(70)),
            Polarity.HIGHER_IS_BETTER,
            _obs("71.5"),
            {},
            None,
        ),
    ),
    (
        "value_at_most",
        lambda: evaluate(
            TargetSpec(Y, TargetKind.VALUE, "4", Decimal(4)),
            Polarity.LOWER_IS_BETTER,
            _obs("5"),
            {},
            BAND,
        ),
    ),
    (
        "at_least",
        lambda: evaluate(
            TargetSpec(Y, TargetKind.AT_LEAST, "minst 80", Decimal(80)),
            Polarity.HIGHER_IS_BETTER,
            _obs("78"),
            {},
            BAND,
        ),
    ),
    (
        "at_most",
        lambda: evaluate(
            TargetSpec(Y, TargetKind.AT_MOST, "högst 3", Decimal(3)),
            Polarity.LOWER_IS_BETTER,
            _obs("2.5"),
            {},
            None,
        ),
    ),
    (
        "increase_vs_latest_earlier",
        lambda: evaluate(
            TargetSpec(Y, TargetKind.INCREASE, "ska öka"),
            Polarity.HIGHER_IS_BETTER,
            _obs("12"),
            _history(y2017="10"),
            None,
        ),
    ),
    (
        "decrease_vs_latest_earlier",
        lambda: evaluate(
            TargetSpec(Y, TargetKind.DECREASE, "ska minska"),
            Polarity.LOWER_IS_BETTER,
            _obs("10"),
            _history(y2017="10"),
            None,
        ),
    ),
    (
        "no_earlier_value",
        lambda: evaluate(
            TargetSpec(Y, TargetKind.DECREASE, "ska minska"),
            Polarity.LOWER_IS_BETTER,
            _obs("10"),
            {},
            None,
        ),
    ),
    (
        "baseline_missing",
        lambda: evaluate(
            TargetSpec(
                Y, TargetKind.INCREASE_FROM_BASELINE_YEAR, "öka mot 2017", baseline_year=2017
            ),
            Polarity.HIGHER_IS_BETTER,
            _obs("5"),
            {},
            None,
        ),
    ),
    (
        "increase_vs_baseline_year",
        lambda: evaluate(
            TargetSpec(
                Y, TargetKind.INCREASE_FROM_BASELINE_YEAR, "öka mot 2017", baseline_year=2017
            ),
            Polarity.HIGHER_IS_BETTER,
            _obs("101"),
            _history(y2017="100"),
            BAND,
        ),
    ),
    (
        "decrease_vs_baseline_year",
        lambda: evaluate(
            TargetSpec(
                Y, TargetKind.DECREASE_FROM_BASELINE_YEAR, "lägre än 2017", baseline_year=2017
            ),
            Polarity.LOWER_IS_BETTER,
            _obs("90"),
            _history(y2017="100"),
            None,
        ),
    ),
    (
        "increase_vs_baseline_value",
        lambda: evaluate(
            TargetSpec(
                Y,
                TargetKind.INCREASE_FROM_BASELINE_VALUE,
                "öka från 111",
                baseline_year=2016,
                baseline_value=Decimal(111),
            ),
            Polarity.HIGHER_IS_BETTER,
            _obs("111", "2016"),
            {},
            None,
        ),
    ),
    (
        "relative_increase_at_least",
        lambda: evaluate(
            TargetSpec(
                Y,
                TargetKind.RELATIVE_INCREASE_AT_LEAST,
                "öka med 10 %",
                baseline_year=2016,
                percent=Decimal(10),
            ),
            Polarity.HIGHER_IS_BETTER,
            _obs("105"),
            _history(y2016="100"),
            None,
        ),
    ),
    (
        "event_count_at_least",
        lambda: evaluate(
            TargetSpec(Y, TargetKind.EVENT_COUNT_AT_LEAST, "minst 3", count=3),
            Polarity.HIGHER_IS_BETTER,
            _obs("4"),
            {},
            None,
        ),
    ),
]
_SWEDISH_VERDICT = {
    Fulfilment.MET: "uppfyllt",
    Fulfilment.PARTLY_MET: "delvis uppfyllt",
    Fulfilment.NOT_MET: "ej uppfyllt",
    Fulfilment.NOT_ASSESSABLE: "kan inte bedömas",
}


@pytest.mark.parametrize(("rule", "evaluated"), CASES)
def test_every_rule_has_its_sentence_in_swedish(rule: str, evaluated: Callable[[], Any]) -> None:
    result = evaluated()
    assert result.rule == rule
    out = EvaluationOut(
        status=result.status, rule=result.rule, reason=result.reason, compared=result.compared
    )
    sentence = reasons.swedish_reason(out, None)
    assert not sentence.startswith("(på engelska)")
    if rule != "milestone_assessed":  # ends with the person's own motivation
        assert sentence.endswith(_SWEDISH_VERDICT[result.status]), sentence
    # Every figure the rule compared is in the sentence, with a decimal comma.
    for value in result.compared.values():
        if isinstance(value, str) and re.fullmatch(r"\d+\.\d+", value):
            assert value.replace(".", ",") in sentence, (value, sentence)
    if "band" in result.compared:
        assert "registrets toleransband på 5 %" in sentence and "KS 2018-03-06 § 45" in sentence


def test_the_cases_reach_every_rule_the_translation_knows() -> None:
    assert {rule for rule, _ in CASES} == reasons.KNOWN_RULES


def test_a_rule_without_a_translation_keeps_its_english_sentence() -> None:
    out = EvaluationOut(
        status=Fulfilment.MET, rule="brand_new_rule", reason="Met by magic", compared={}
    )
    assert reasons.swedish_reason(out, None) == "(på engelska) Met by magic"


# --- through the route ---------------------------------------------------------------------


async def test_each_representation_has_its_own_etag_and_varies_on_accept(
    client: httpx.AsyncClient, seeded: str
) -> None:
    json_answer = await client.get(COMPOSED)
    page_answer = await client.get(COMPOSED, headers={"Accept": "text/html"})
    assert page_answer.status_code == 200
    assert page_answer.headers["content-type"] == "text/html; charset=utf-8"
    assert page_answer.headers["content-security-policy"] == page.PAGE_CSP
    for answer in (json_answer, page_answer):
        assert "Accept" in [v.strip() for v in answer.headers["vary"].split(",")]
    assert json_answer.headers["etag"] != page_answer.headers["etag"]
    sibling = await client.get(COMPOSED + ".html")
    assert sibling.headers["etag"] == page_answer.headers["etag"]  # one stored page
    assert sibling.text == page_answer.text
    again = await client.get(
        COMPOSED, headers={"Accept": "text/html", "If-None-Match": page_answer.headers["etag"]}
    )
    assert again.status_code == 304
    # The JSON is as it was: English, and not replaced by the page in the store.
    assert (await client.get(COMPOSED)).headers["etag"] == json_answer.headers["etag"]
    assert json_answer.json()["sections"]["indicators"]["status"] == "available"


async def test_csv_and_xlsx_come_as_downloads(client: httpx.AsyncClient, seeded: str) -> None:
    answer = await client.get(COMPOSED, headers={"Accept": "text/csv"})
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"] == (
        'attachment; filename="rapport-0580-KS-2018-T2.csv"'
    )
    lines = answer.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "avsnitt;kod;namn;uppgift;värde;text"
    assert (
        "Indikatorer och måluppfyllelse;personalomsattning;Personalomsättning;Utfall;7,9;" in lines
    )
    assert any(line.startswith("Budgetuppföljning;;;Ej tillgängligt;;") for line in lines)
    workbook = await client.get(COMPOSED + ".xlsx")
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")
    assert workbook.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert (await client.get(COMPOSED + ".docx")).status_code == 422


async def test_lang_sv_gives_the_json_evaluation_texts_in_swedish(
    client: httpx.AsyncClient, seeded: str
) -> None:
    english = (await client.get(COMPOSED)).json()
    swedish = (await client.get(COMPOSED, params={"lang": "sv"})).json()
    rows_en = english["sections"]["indicators"]["data"]["rows"]
    rows_sv = swedish["sections"]["indicators"]["data"]["rows"]
    assert [r["evaluation"]["status"] for r in rows_en] == [
        r["evaluation"]["status"] for r in rows_sv
    ]
    first = rows_sv[0]["evaluation"]["reason"]
    assert first.endswith("ej uppfyllt") and "7,9 för 2016" in first
    assert rows_en[0]["evaluation"]["reason"].endswith("not met")
    assert (await client.get(COMPOSED, params={"lang": "fi"})).status_code == 422


def test_tertials_cover_the_year_from_january() -> None:
    from indicator_service.rendering import labels

    assert labels.period_covered(Tertial.T1, 2018) == "1 januari–30 april 2018"
    assert labels.period_covered(Tertial.T3, 2018) == "1 januari–31 december 2018"
    assert labels.report_name(Tertial.T3, 2018) == "Årsredovisning 2018"
    assert labels.timestamp(dt.datetime(2018, 10, 2, 9, 30, tzinfo=dt.UTC)) == (
        "2 oktober 2018 kl. 09.30 (UTC)"
    )


async def test_the_assignments_are_a_table_and_a_sheet(report: ComposedReport) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    from indicator_service.rendering import sheets
    from indicator_service.schemas_out import AssignmentsSection

    counts = {"not_started": 0, "ongoing": 1, "done": 0, "delayed": 1, "cancelled": 0,
              "no_status": 0, "not_updated": 1, "total": 2}  # fmt: skip
    item = {"council_goals": [9], "focus_areas": [], "comment": None, "linked_figures": [],
            "href": "/v1/registers/0580/KS/assignments/x"}  # fmt: skip
    section = AssignmentsSection.model_validate(
        {
            "period": "2018-T2",
            "counts": counts,
            "council_goals": [],
            "focus_areas": [],
            "items": [
                {**item, "code": "heltid", "title": "Heltid som norm <införs>",
                 "status": "delayed", "status_period": "2018-T2",
                 "status_reason": "Avtalet är inte klart", "not_updated": False},
                {**item, "code": "e-arkiv", "title": "E-arkiv", "status": "ongoing",
                 "status_period": "2018-T1", "status_reason": None, "not_updated": True},
            ],
        }
    )  # fmt: skip
    with_assignments = report.model_copy(update={"assignments": section})
    seen = Page(page.html(with_assignments, page.PageContext()))
    text = seen.table_text("uppdragstabell")
    assert "Heltid som norm <införs> Försenat (2018-T2) Orsak: Avtalet är inte klart" in text
    assert "E-arkiv Pågår (2018-T1, ej uppdaterat)" in text
    book = load_workbook(BytesIO(sheets.xlsx(with_assignments)))
    rows = [[c.value for c in row] for row in book["Uppdrag"].iter_rows()]
    assert rows[1][:6] == ["heltid", "Heltid som norm <införs>", "9", "Försenat", "2018-T2", "nej"]


async def test_a_host_without_pango_answers_the_pdf_with_a_problem(
    client: httpx.AsyncClient, seeded: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pango(html: str) -> bytes:
        raise page.PdfUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(page, "pdf", no_pango)
    answer = await client.get(COMPOSED, headers={"Accept": "application/pdf"})
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert "pango" in answer.json()["detail"]
    assert (await client.get(COMPOSED + ".html")).status_code == 200  # the page still is
