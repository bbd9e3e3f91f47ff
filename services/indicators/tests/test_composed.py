"""The composed report when its peers cannot be read, and how a frozen report lists changes.
(With the peers running, across processes: tests/test_composed_report.py.)"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from types import SimpleNamespace

import httpx

from indicator_service.rules.approved_report import approval_blockers, changes, frozen
from indicator_service.schemas_out import ComposedReport, Section
from municipal_shared.contracts.procurement import ProcurementMeasurement
from municipal_shared.kit.peers import read_contract
from municipal_shared.kit.testing import assert_problem
from municipal_shared.types import Tertial

COMPOSED = "/v1/registers/0580/KS/reports/2018/T2/composed"


async def test_unreachable_peers_are_marked_not_dropped(
    client: httpx.AsyncClient, seeded: str
) -> None:
    report = (await client.get(COMPOSED)).json()
    assert set(report["sections"]) == {"indicators", "budget", "procurement"}
    assert report["sections"]["indicators"]["status"] == "available"
    assert report["sections"]["indicators"]["data"]["overall"]["total"] == 42
    for peer in ("budget", "procurement"):
        section = report["sections"][peer]
        assert section["status"] == "unavailable" and section["data"] is None
        assert section["detail"].startswith("unreachable") and section["retrieved_at"]
        assert section["source"].startswith("http://127.0.0.1:9/v1/")
    assert report["approved"] is False


async def test_an_incomplete_report_cannot_be_approved(
    client: httpx.AsyncClient, token: Callable[..., dict[str, str]], seeded: str
) -> None:
    body = {"decision_reference": "KS 2018-10-02 §312", "reason": "Delårsrapport"}
    assert_problem(
        await client.post(f"{COMPOSED}/approval", json=body, headers=token("indicators:write")), 403
    )
    problem = assert_problem(
        await client.post(f"{COMPOSED}/approval", json=body, headers=token()), 409
    )
    assert problem["sections"] == ["budget", "procurement"]


def test_changes_list_old_and_new_values_and_ignore_times() -> None:
    old = {"budget": {"total": {"deviation": "10"}, "updated_at": "a"}, "rows": [{"v": 1}]}
    new = {
        "budget": {"total": {"deviation": "12"}, "updated_at": "b"},
        "rows": [{"v": 1}, {"v": 2}],
    }
    assert [c.model_dump() for c in changes(old, new)] == [
        {"path": "/budget/total/deviation", "old": "10", "new": "12"},
        {"path": "/rows/1", "old": None, "new": {"v": 2}},
    ]


def test_rows_are_matched_by_what_names_them_and_identifiers_are_no_figures() -> None:
    old = {
        "rows": [
            {"indicator": {"code": "sjukfranvaro"}, "outcome": {"id": 7, "value": "6.1"}},
            {"indicator": {"code": "personalomsattning"}, "outcome": {"id": 8, "value": "9"}},
        ]
    }
    new = {
        "rows": [
            {"indicator": {"code": "ny-indikator"}, "outcome": None},
            {"indicator": {"code": "sjukfranvaro"}, "outcome": {"id": 7, "value": "6.1"}},
            {
                "indicator": {"code": "personalomsattning"},
                "outcome": {"id": 12, "replaces_id": 8, "value": "8.5"},
            },
        ]
    }
    assert [(c.path, c.old, c.new) for c in changes(old, new)] == [
        ("/rows/personalomsattning/outcome/value", "9", "8.5"),
        ("/rows/ny-indikator", None, {"indicator": {"code": "ny-indikator"}, "outcome": None}),
    ]


def _peer(status: int, body: object, content_type: str = "application/json") -> httpx.AsyncClient:
    """A peer answering every request the same way (the provider is another process)."""

    def answer(request: httpx.Request) -> httpx.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.Response(status, content=content, headers={"content-type": content_type})

    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


MEASUREMENT_URL = "http://procurement.test/v1/measurements/0580/2018/T2"


async def test_a_peer_that_stops_matching_the_shared_contract_is_unavailable() -> None:
    async with _peer(200, {"municipality_code": "0580", "period": "2018-T2"}) as client:
        section = await read_contract(client, MEASUREMENT_URL, ProcurementMeasurement)
    assert section.status == "unavailable" and section.data is None
    assert section.detail is not None
    assert section.detail.startswith("does not match the shared contract ProcurementMeasurement")
    async with _peer(200, b"<html>proxy error</html>", "text/html") as client:
        section = await read_contract(client, MEASUREMENT_URL, ProcurementMeasurement)
    assert section.status == "unavailable" and section.detail is not None
    assert section.detail.endswith("not JSON")


async def test_a_peers_problem_is_named_in_the_section() -> None:
    problem = {"type": "about:blank", "title": "Forbidden", "status": 403}
    async with _peer(403, problem, "application/problem+json") as client:
        section = await read_contract(client, MEASUREMENT_URL, ProcurementMeasurement)
    assert (section.status, section.detail) == ("unavailable", "answered 403: Forbidden")


def _report(**statuses: str) -> ComposedReport:
    now = dt.datetime(2018, 9, 15, tzinfo=dt.UTC)
    return ComposedReport(
        municipality_code="0580",
        board_code="KS",
        year=2018,
        tertial=Tertial.T2,
        approved=False,
        sections={
            name: Section(
                source=f"/{name}",
                retrieved_at=now,
                status=status,
                data={"total": {"deviation": "10"}} if status == "available" else None,
            )
            for name, status in statuses.items()
        },
    )


def test_only_a_complete_report_can_be_approved() -> None:
    assert approval_blockers(_report(indicators="available", budget="available")) == []
    assert approval_blockers(_report(indicators="available", budget="unavailable")) == ["budget"]


def test_a_frozen_report_ignores_a_section_that_is_unavailable_now() -> None:
    approved = _report(indicators="available", budget="available")
    record = SimpleNamespace(
        decision_reference="KS 2018-10-02 §312",
        approved_by="ekonomichef",
        approved_at=dt.datetime(2018, 10, 2, tzinfo=dt.UTC),
        snapshot=approved.model_dump(mode="json"),
    )
    live = _report(indicators="available", budget="unavailable")
    live.sections["indicators"].data = {"total": {"deviation": "12"}}
    report = frozen(record, live)
    assert report.approved and report.approval is not None
    assert report.approval["decision_reference"] == "KS 2018-10-02 §312"
    assert report.sections["budget"].data == {"total": {"deviation": "10"}}
    assert [(c.path, c.old, c.new) for c in report.changes_since_approval] == [
        ("/indicators/total/deviation", "10", "12")
    ]
