"""The services as they run: three processes, each ready, the seed's budget served over HTTP."""

from __future__ import annotations

import httpx
import pytest

KS = "/v1/budgets/0580/KS/2018"


def y(*values: int) -> dict[str, int]:
    return dict(zip(["2018", "2019", "2020", "2021"], values, strict=True))


@pytest.mark.parametrize("service", ["budget", "indicators", "procurement"])
def test_every_service_is_live_and_ready(urls: dict[str, str], service: str) -> None:
    assert httpx.get(f"{urls[service]}/healthz").json()["status"] == "ok"
    assert httpx.get(f"{urls[service]}/readyz").json()["status"] == "ready"
    assert httpx.get(f"{urls[service]}/openapi.json").status_code == 200


def test_the_seeded_ks_budget_is_served(urls: dict[str, str]) -> None:
    doc = httpx.get(urls["budget"] + KS).json()
    assert doc["directive"]["total"] == y(344009, 340927, 335927, 335927)
    assert doc["proposal"]["total"] == y(389504, 376127, 371127, 371127)
    assert doc["proposal"]["of_which_change"] == y(45495, 35200, 35200, 35200)
    assert doc["investments"]["within_frame"]["total"] == y(1000, 1000, 1000, 1000)
    assert doc["investments"]["beyond_frame"]["total"] == y(5000, 0, 0, 0)
    follow_up = httpx.get(f"{urls['budget']}{KS}/follow-up/T1").json()
    assert follow_up["total"]["budget"] == 389504 and follow_up["period_end"] == "2018-04-30"


def test_seeding_again_changes_nothing(own_processes: dict, urls: dict[str, str]) -> None:
    before = httpx.get(urls["budget"] + KS)
    output = own_processes["budget"].cli("seed")
    assert output.strip() == "0580/KS/2018: unchanged"
    after = httpx.get(urls["budget"] + KS)
    assert after.json() == before.json() and after.headers["etag"] == before.headers["etag"]


def test_the_fiscal_data_package_describes_its_csv(urls: dict[str, str]) -> None:
    package = httpx.get(f"{urls['budget']}{KS}/fiscal-data-package/datapackage.json").json()
    resource = package["resources"][0]
    csv = httpx.get(f"{urls['budget']}{KS}/fiscal-data-package/{resource['path']}")
    assert csv.headers["content-type"].startswith("text/csv")
    header = csv.text.splitlines()[0].split(",")
    assert header == [field["name"] for field in resource["schema"]["fields"]]


def test_the_seeded_register_and_its_tertial_report_are_served(urls: dict[str, str]) -> None:
    register = httpx.get(urls["indicators"] + "/v1/registers/0580/KS").json()
    assert register["indicator_count"] == 42 and len(register["council_goals"]) == 11
    report = httpx.get(urls["indicators"] + "/v1/registers/0580/KS/reports/2018/T2").json()
    assert report["overall"]["total"] == 42
    assert {a["key"] for a in report["focus_areas"]} == {
        "kompetensforsorjning",
        "hallbarhet-och-koldioxidneutralitet",
        "service-tillganglighet-och-delaktighet",
    }
