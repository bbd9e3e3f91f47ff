"""The seed's 2018 T2 composed report as the council reads it, in a real headless Chromium:
the three services run as processes over real HTTP (tests/system_kit.py), seeded, with the T2
follow-up and procurements of T1 and T2 entered through their APIs so every chart has bars.

Chromium loads the page from the indicator service itself, with the service's headers (its
Content-Security-Policy included), takes a screenshot, and hands back the DOM it built; the
PDF comes from the same route and its first page is drawn with pdftoppm. The pictures stay
in var/report-page/ (CI keeps them as artifacts; README shows a copy).

Needs Debian's `chromium` and `poppler-utils` (.ci/run installs them): skipped without them,
which CI's PostgreSQL pass does not allow (must_run)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from system_kit import SERVICES, TEST_SETTINGS, LocalService, fresh_database_url

from municipal_shared.kit.auth import issue_development_token
from municipal_shared.kit.settings import AuthSettings

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "var" / "report-page"
REPORT = "/v1/registers/0580/KS/reports/2018/T2/composed"
CHARTS = {
    "diagram-mal",
    "diagram-fokusomraden",
    "diagram-budgetavvikelse",
    "diagram-sme-andel",
    "diagram-anbudsgivare",
}
TOOLS = ("chromium", "pdftoppm", "pdftotext", "pdfinfo")


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found is not None, name
    return found


def _headers(scopes: str) -> dict[str, str]:
    token = issue_development_token(AuthSettings(mode="development"), scopes.split(), "page-test")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (apt-get install chromium poppler-utils)")
    folder = tmp_path_factory.mktemp("report-page")
    services = {
        spec.name: LocalService(spec, folder, fresh_database_url(spec, folder, "report_page"))
        for spec in SERVICES
    }
    for service in services.values():
        for peer in service.spec.peers:
            service.env[service.spec.peer_variable(peer)] = services[peer].url
        service.env.update(TEST_SETTINGS.get(service.spec.name, {}))
    try:
        for service in services.values():
            service.cli("migrate")
            if service.spec.seed:
                service.cli("seed")
            service.start()
        for service in services.values():
            service.wait_ready()
        found = {name: service.url for name, service in services.items()}
        _report_follow_up(found["budget"])
        _post_procurements(found["procurement"])
        yield found
    finally:
        for service in services.values():
            service.stop()


# What the controllers would have entered by the end of August: a forecast per activity area
# (some over, some under budget) and a few procurements awarded in each tertial.
_DEVIATIONS = [Decimal(v) for v in ("-1450", "320", "0", "-2600", "1800", "450", "-700", "95")]


def _report_follow_up(budget: str) -> None:
    url = budget + "/v1/budgets/0580/KS/2018/follow-up/T2"
    current = httpx.get(url, timeout=30)
    entries = []
    for i, row in enumerate(current.json()["rows"]):
        forecast = row["budget"] - _DEVIATIONS[i % len(_DEVIATIONS)]
        entries.append(
            {
                "activity_area_code": row["activity_area_code"],
                "outcome_to_date": str((Decimal(forecast) * 2 / 3).quantize(Decimal("0.1"))),
                "full_year_forecast": str(forecast),
                "comment": "Högre kostnader för konsulter" if i == 3 else None,
            }
        )
    headers = {**_headers("budget:write"), "If-Match": current.headers["etag"]}
    body = {"reason": "Delårsrapport T2 2018", "entries": entries}
    answer = httpx.put(url, json=body, headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text


def _organisation_number(serial: int) -> str:
    """A legal person's number (third digit 2 or more) with its Luhn check digit."""
    digits = f"5560{serial:05d}"
    total = 0
    for i, d in enumerate(int(c) for c in digits):
        doubled = d * 2 if i % 2 == 0 else d
        total += doubled - 9 if doubled > 9 else doubled
    return f"{digits[:6]}-{digits[6:]}{(10 - total % 10) % 10}"


# (award date, size classes of the bidders; the first one wins)
_AWARDS = [
    ("2018-02-14", ["small", "large", "medium"]),
    ("2018-03-20", ["large", "large"]),
    ("2018-04-11", ["micro", "small", "large", "medium"]),
    ("2018-05-08", ["medium", "small", "small"]),
    ("2018-06-15", ["small", "large"]),
    ("2018-06-28", ["large"]),
    ("2018-08-21", ["micro", "medium", "large", "small", "small"]),
]


def _post_procurements(procurement: str) -> None:
    serial = 0
    for number, (award_date, classes) in enumerate(_AWARDS, start=1):
        bidders = []
        for size_class in classes:
            serial += 1
            bidders.append(
                {
                    "organisation_number": _organisation_number(serial),
                    "name": f"Leverantör {serial} AB",
                    "size_class": size_class,
                }
            )
        outcome = {
            "administration": "Kommunledningsförvaltningen",
            "board_code": "KS",
            "title": f"Ramavtal {number}",
            "category": "services",
            "procedure": "open",
            "advertised": True,
            "status": "awarded",
            "award_date": award_date,
            "bidders": bidders,
            "winners": [bidders[0]["organisation_number"]],
        }
        answer = httpx.put(
            f"{procurement}/v1/procurements/0580/SIDA-2018-{number}",
            json=outcome,
            headers=_headers("procurement:write"),
            timeout=30,
        )
        assert answer.status_code in (200, 201), answer.text


class Dom(HTMLParser):
    """What Chromium built: tables by id and class, the text, and each figure's images."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, str] = {}
        self.text: list[str] = []
        self.figures: list[list[dict[str, str | None]]] = []
        self.svg_titles: dict[str, str] = {}
        self._stack: list[str] = []
        self._svg: str | None = None
        self._in_title = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self.tables[found.get("id") or ""] = found.get("class") or ""
        elif tag == "figure":
            self.figures.append([])
        elif tag == "svg":
            if self.figures:
                self.figures[-1].append(found)
            self._svg = found.get("id")
        elif tag == "title" and self._svg is not None:
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title and self._svg is not None:
            self.svg_titles[self._svg] = data
        self.text.append(data)

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).replace("\u00a0", " ").split())


def _chromium(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            _tool("chromium"),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


@pytest.mark.must_run
def test_the_t2_report_in_a_real_browser(urls: dict[str, str]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page_url = urls["indicators"] + REPORT
    report = httpx.get(page_url, timeout=60).json()
    assert {s["status"] for s in report["sections"].values()} == {"available"}
    # Chromium asks for text/html, as every browser does: the negotiated page.
    loaded = _chromium("--dump-dom", page_url)
    dom = Dom(loaded.stdout)
    _chromium(f"--screenshot={ARTIFACTS / 'report-t2.png'}", "--window-size=1100,3200", page_url)
    assert (ARTIFACTS / "report-t2.png").stat().st_size > 10_000
    assert "Content Security Policy" not in loaded.stderr, loaded.stderr  # nothing blocked

    own = report["sections"]["indicators"]["data"]
    goal_tables = [t for t, kind in dom.tables.items() if "goal" in kind.split()]
    assert goal_tables == [f"mal-{goal['key']}" for goal in own["council_goals"]]
    assert len(goal_tables) == 11
    text = dom.all_text
    worded = [row["target"]["wording"] for row in own["rows"] if row["target"]]
    assert len(worded) == 35  # the seed: 42 indicators, 7 without a target for 2018
    for wording in worded:
        assert " ".join(wording.split()) in text, wording
    budget = report["sections"]["budget"]["data"]
    assert budget["total"]["budget"] == 389504
    assert "Summa 389 504 tkr" in text
    assert "Delårsrapport T2 2018" in text and "Linköping · Kommunstyrelsen" in text
    # One chart per figure, each an image with a title; the page has every chart.
    charts = [images for images in dom.figures]
    assert all(len(images) == 1 for images in charts)
    assert {images[0]["id"] for images in charts} == CHARTS
    assert all(images[0]["role"] == "img" for images in charts)
    assert set(dom.svg_titles) == CHARTS and all(dom.svg_titles.values())
    # The trend has T1 and T2, both measured (the procurements above).
    assert "Andel SME bland anbudsgivare med känd storlek" in dom.svg_titles.values()
    trend = budget_deviation = None
    for line in loaded.stdout.splitlines():
        if 'id="diagram-sme-andel-desc"' in line:
            trend = line
        if 'id="diagram-budgetavvikelse-desc"' in line:
            budget_deviation = line
    assert (
        trend is not None and "T1: " in trend and "T2: " in trend and "ingen uppgift" not in trend
    )
    assert budget_deviation is not None and "ingen prognos" not in budget_deviation


@pytest.mark.must_run
def test_the_pdf_is_the_same_page_on_a4(urls: dict[str, str]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    answer = httpx.get(
        urls["indicators"] + REPORT, headers={"Accept": "application/pdf"}, timeout=300
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    pdf = ARTIFACTS / "report-t2.pdf"
    pdf.write_bytes(answer.content)
    subprocess.run(
        [
            _tool("pdftoppm"),
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(ARTIFACTS / "report-t2-pdf"),
        ],
        check=True,
        timeout=120,
    )
    assert (ARTIFACTS / "report-t2-pdf.png").stat().st_size > 10_000
    info = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True)
    assert "595.276 x 841.89 pts (A4)" in info.stdout
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.replace("\u00a0", " ")
    assert "Delårsrapport T2 2018" in text and "389 504 tkr" in text


@pytest.mark.must_run
def test_the_workbook_over_http(urls: dict[str, str]) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    answer = httpx.get(urls["indicators"] + REPORT + ".xlsx", timeout=60)
    assert answer.status_code == 200
    book: Any = load_workbook(BytesIO(answer.content))
    assert book.sheetnames[:3] == [
        "Indikatorer och måluppfyllelse",
        "Budgetuppföljning",
        "Upphandling",
    ]
    assert book.sheetnames[3:] in ([], ["Uppdrag"])  # once the register keeps assignments
    budget = book["Budgetuppföljning"]
    total = [cell.value for cell in budget[budget.max_row]]
    assert total[:3] == ["summa", "Summa", 389504]
