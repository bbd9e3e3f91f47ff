"""A write acknowledged by one process of a service is seen at once by a read from another
process of it, on the same database (two workers, or two pods): the stored documents are
checked against the database on every read, never kept per process. For the budget
document, the register report and the procurement measurement; on SQLite here, and on
PostgreSQL in CI (SYSTEM_TEST_POSTGRES)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from budget_testkit import per_year, small_content
from procurement_testkit import SET
from system_kit import SERVICES, LocalService, fresh_database_url

from municipal_shared.kit.auth import issue_development_token
from municipal_shared.kit.settings import AuthSettings

ROUNDS = 5


def _headers(*scopes: str) -> dict[str, str]:
    token = issue_development_token(AuthSettings(mode="development"), list(scopes), "two-pods")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def pods(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[str, str]]]:
    """Two processes of every service on one database each: name -> (url of A, url of B)."""
    folder = tmp_path_factory.mktemp("pods")
    started: list[LocalService] = []
    urls: dict[str, tuple[str, str]] = {}
    try:
        for spec in SERVICES:
            url = fresh_database_url(spec, folder, suffix="pods")
            first = LocalService(spec, folder, database_url=url, label="-a")
            second = LocalService(spec, folder, database_url=url, label="-b")
            for pod in (first, second):
                pod.env[f"{spec.env_prefix}_RELAY_ENABLED"] = "false"  # no peers here
                started.append(pod)
            first.cli("migrate")
            if spec.seed:
                first.cli("seed")
            for pod in (first, second):
                pod.start()
            for pod in (first, second):
                pod.wait_ready()
            urls[spec.name] = (first.url, second.url)
        yield urls
    finally:
        for pod in started:
            pod.stop()


def test_the_budget_document(pods: dict[str, tuple[str, str]]) -> None:
    a, b = pods["budget"]
    write = _headers("budget:write")
    created = httpx.post(
        f"{a}/v1/budgets",
        json={
            "municipality_code": "0580",
            "board_code": "KS",
            "budget_year": 2030,
            "title": "Budget 2030 med plan för 2031-2033",
            "reason": "två poddar",
        },
        headers=write,
        timeout=30,
    )
    assert created.status_code == 201, created.text
    path, etag = created.headers["location"], created.headers["etag"]
    for round_ in range(ROUNDS):
        assert httpx.get(b + path, timeout=30).status_code == 200  # B stores what it read
        content = small_content(f"ändring {round_}")
        content["activity_areas"][1]["base_amounts"] = per_year(420 + round_, 440, 460, 480)
        edit = httpx.put(
            f"{a}{path}/versions/1", json=content, headers={**write, "If-Match": etag}, timeout=30
        )
        assert edit.status_code == 200, edit.text
        etag = edit.headers["etag"]
        seen = httpx.get(b + path, timeout=30)
        assert (seen.headers["etag"], seen.json()) == (etag, edit.json()), round_


def test_the_register_report(pods: dict[str, tuple[str, str]]) -> None:
    a, b = pods["indicators"]
    report = f"{b}/v1/registers/0580/KS/reports/2018/T2"
    for round_ in range(ROUNDS):
        assert httpx.get(report, timeout=30).status_code == 200
        value = f"{80 + round_}.5"
        put = httpx.put(
            f"{a}/v1/registers/0580/KS/outcomes",
            json={
                "items": [
                    {"indicator_code": "tillganglighet-e-post", "period": "2018", "value": value}
                ],
                "reason": "Delårsrapport T2",
            },
            headers=_headers("indicators:write"),
            timeout=30,
        )
        assert put.status_code == 200, put.text
        rows = {r["indicator"]["code"]: r for r in httpx.get(report, timeout=30).json()["rows"]}
        assert rows["tillganglighet-e-post"]["outcome"]["value"] == value, round_


def test_the_procurement_measurement(pods: dict[str, tuple[str, str]]) -> None:
    a, b = pods["procurement"]
    measurement = f"{b}/v1/measurements/0580/2018/T2"
    read = _headers("procurement:read")
    before = httpx.get(measurement, headers=read, timeout=30).json()["competition"]["procurements"]
    for round_, (reference, outcome) in enumerate(list(SET.items())[:ROUNDS]):
        put = httpx.put(
            f"{a}/v1/procurements/0580/{reference}-pods",
            json=outcome,
            headers=_headers("procurement:write"),
            timeout=30,
        )
        assert put.status_code == 201, put.text
        figures = httpx.get(measurement, headers=read, timeout=30).json()
        counted = figures["competition"]["procurements"]
        assert counted == before + round_ + 1, (round_, figures)
        assert Decimal(figures["size_classes"]["sme_share_of_bidders"]["value"] or 0) >= 0
