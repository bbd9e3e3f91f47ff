"""Kolada API v2 pages in and out: a page exactly as Kolada returns it is imported, its
`next_page` followed only on this machine's test server (a real HTTP server on 127.0.0.1),
and the export is Kolada's page again. Runs on the backend the environment selects."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from indicator_service.rules import kolada
from municipal_shared.kit.problems import InvalidContent
from municipal_shared.kit.testing import assert_problem

SN = "/v1/registers/0580/SN"
KOLADA = f"{SN}/kolada/values"
REASON = {"reason": "Import från Kolada 2018"}
REGISTER = {
    "municipality_code": "0580",
    "board_code": "SN",
    "name": "Socialnämndens nyckeltal",
    "first_year": 2015,
    "last_year": 2021,
    "reason": "Register för Kolada-import",
    "council_goals": [{"number": 1, "title": "Fler ska nå egen försörjning", "board_linked": True}],
    "indicators": [
        {
            "code": "ekonomiskt-bistand",
            "name": "Invånare med ekonomiskt bistånd, andel (%)",
            "unit": "%",
            "polarity": "lower_is_better",
            "source_kind": "kolada",
            "source_ref": "N31807",
            "council_goals": [1],
            "targets": [{"year": 2018, "kind": "decrease", "wording": "ska minska"}],
        },
        {
            "code": "langvarigt-bistand",
            "name": "Invånare med långvarigt ekonomiskt bistånd, andel (%)",
            "unit": "%",
            "polarity": "lower_is_better",
            "source_kind": "kolada",
            "source_ref": "N31816",
            "council_goals": [1],
        },
    ],
}


def value(gender: str, number: float | None, status: str = "") -> dict[str, Any]:
    """One gender's value as Kolada v2 writes it (keys in Kolada's order)."""
    return {"count": 1, "gender": gender, "status": status, "value": number, "isdeleted": False}


# A page as /v2/data/kpi/N31807,N31816/municipality/0580 returns it: values per gender K, M
# and T (Kolada's order), a KPI reported only in total, a year Kolada has no value for.
PAGE: dict[str, Any] = {
    "count": 4,
    "values": [
        {
            "kpi": "N31807",
            "municipality": "0580",
            "period": 2016,
            "values": [value("K", 4.1), value("M", 3.9), value("T", 4)],
        },
        {
            "kpi": "N31807",
            "municipality": "0580",
            "period": 2017,
            "values": [value("K", 3.85), value("M", 3.65), value("T", 3.75)],
        },
        {
            "kpi": "N31807",
            "municipality": "0580",
            "period": 2018,
            "values": [value("K", None), value("M", None), value("T", None, "Bortfall")],
        },
        {
            "kpi": "N31816",
            "municipality": "0580",
            "period": 2017,
            "values": [value("T", 1.2)],
        },
    ],
}


@pytest.fixture
async def register(client: httpx.AsyncClient, token: Callable) -> None:
    r = await client.put(SN, json=REGISTER, headers=token())
    assert r.status_code == 201, r.text


async def changes(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await client.get(f"{SN}/outcomes/changes")).json()["items"]
    return items


async def test_a_verbatim_page_is_exported_back_identically_apart_from_the_wrapper(
    client: httpx.AsyncClient, token: Callable, register: None
) -> None:
    r = await client.post(KOLADA, params=REASON, json=PAGE, headers=token())
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 10
    exported = (await client.get(KOLADA)).json()
    assert exported["values"] == PAGE["values"]
    assert exported["count"] == len(exported["values"]) == PAGE["count"]
    assert exported["next_page"] is None
    # The export is a page the import takes as it is: nothing changes.
    again = await client.post(KOLADA, params=REASON, json=exported, headers=token())
    assert again.json() == {**again.json(), "created": 0, "corrected": 0, "unchanged": 10}
    one_kpi = (await client.get(KOLADA, params={"kpi": "N31816"})).json()
    assert one_kpi == {"count": 1, "values": [PAGE["values"][3]], "next_page": None}


async def test_null_values_are_missing_never_zero(
    client: httpx.AsyncClient, token: Callable, register: None
) -> None:
    r = await client.post(KOLADA, params=REASON, json=PAGE, headers=token())
    assert r.status_code == 200, r.text
    missing = [c for c in await changes(client) if c["period"] == "2018"]
    assert {(c["gender"], c["value"], c["status"], c["notation"]) for c in missing} == {
        ("K", None, "no_data", None),
        ("M", None, "no_data", None),
        ("T", None, "no_data", "Bortfall"),
    }


async def test_a_value_kolada_withdrew_stops_counting_and_stays_as_history(
    client: httpx.AsyncClient, token: Callable, register: None
) -> None:
    await client.post(KOLADA, params=REASON, json=PAGE, headers=token())
    withdrawn = {
        "count": 1,
        "values": [
            {
                "kpi": "N31816",
                "municipality": "0580",
                "period": 2017,
                "values": [{**value("T", 1.2), "isdeleted": True}],
            }
        ],
    }
    r = await client.post(KOLADA, params=REASON, json=withdrawn, headers=token())
    assert r.status_code == 200 and r.json()["corrected"] == 1, r.text
    exported = (await client.get(KOLADA, params={"kpi": "N31816"})).json()
    assert exported["values"][0]["values"] == [value("T", None)]
    history = [c for c in await changes(client) if c["indicator_code"] == "langvarigt-bistand"]
    assert [(c["value"], c["status"]) for c in history] == [("1.2", "normal"), (None, "no_data")]


async def test_the_reason_travels_as_a_query_parameter_or_as_before_in_the_body(
    client: httpx.AsyncClient, token: Callable, register: None
) -> None:
    assert_problem(await client.post(KOLADA, json=PAGE, headers=token()), 422, "/reason")
    in_body = {**PAGE, "reason": "Import från Kolada"}
    r = await client.post(KOLADA, params={"reason": "Något annat"}, json=in_body, headers=token())
    assert_problem(r, 422, "/reason")
    assert await changes(client) == []
    r = await client.post(KOLADA, json=in_body, headers=token())
    assert r.status_code == 200 and r.json()["created"] == 10, r.text
    audit = (await client.get(f"{SN}/audit", headers=token())).json()["items"]
    assert audit[-1]["reason"] == "Import från Kolada"


async def test_a_page_whose_count_disagrees_is_refused_whole(
    client: httpx.AsyncClient, token: Callable, register: None
) -> None:
    cut_short = {**PAGE, "values": PAGE["values"][:3]}
    assert_problem(
        await client.post(KOLADA, params=REASON, json=cut_short, headers=token()), 422, "/count"
    )
    assert await changes(client) == []


async def test_values_that_do_not_fit_name_their_entry(
    client: httpx.AsyncClient, token: Callable, register: None
) -> None:
    wrong = copy.deepcopy(PAGE)
    wrong["values"][0]["kpi"] = "N00001"
    wrong["values"][2]["municipality"] = "0581"
    body = assert_problem(
        await client.post(KOLADA, params=REASON, json=wrong, headers=token()), 422
    )
    assert {e["pointer"] for e in body["errors"]} == {"/values/0/kpi", "/values/2/municipality"}
    assert await changes(client) == []


FOREIGN = {
    "Kolada itself": "https://api.kolada.se/v2/data/kpi/N31807/municipality/0580?page=2",
    "cloud metadata": "http://169.254.169.254/v2/data/latest",
    "a private address": "http://10.0.0.7/v2/data/kpi/N31807",
    "a name that resolves anywhere": "http://127.0.0.1.nip.io/v2/data/kpi/N31807",
    "an IPv4-mapped address": "http://[::ffff:10.0.0.7]/v2/data/kpi/N31807",
    "a file": "file:///v2/data/etc/passwd",
    "loopback, not a data path": "http://127.0.0.1:8003/v1/outbox",
    "loopback with credentials": "http://user:secret@127.0.0.1/v2/data/kpi/N31807",
}


@pytest.mark.parametrize("url", FOREIGN.values(), ids=list(FOREIGN))
def test_only_this_machines_test_server_is_followed(url: str) -> None:
    with pytest.raises(InvalidContent) as refused:
        kolada.followable(url)
    assert refused.value.extensions["errors"][0]["pointer"] == "/next_page"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8765/v2/data/kpi/N31807/municipality/0580?page=2&per_page=2",
        "http://localhost/v2/data/kpi/N31807",
        "http://[::1]:8080/v2/data/kpi/N31807",
    ],
)
def test_a_loopback_data_url_is_followable(url: str) -> None:
    assert kolada.followable(url) == url


class KoladaTestServer:
    """Kolada's data API on 127.0.0.1: serves the pages it is given by path and query, and
    keeps every request it received."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, bytes]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.probe: Callable[[], Any] = lambda: None
        self.probed: list[Any] = []  # what `probe` saw while each page was being fetched
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers)))
                server.probed.append(server.probe())
                status, body = server.pages.get(self.path, (404, b'{"error": "not found"}'))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.http.server_address[1]}"

    def serve(self, path: str, page: dict[str, Any], status: int = 200) -> str:
        self.pages[path] = (status, json.dumps(page).encode())
        return self.base + path


@pytest.fixture
def kolada_server() -> Iterator[KoladaTestServer]:
    server = KoladaTestServer()
    thread = threading.Thread(target=server.http.serve_forever, daemon=True)
    thread.start()
    yield server
    server.http.shutdown()
    server.http.server_close()


DATA = "/v2/data/kpi/N31807,N31816/municipality/0580"


def paged(first: int, last: int, **links: str) -> dict[str, Any]:
    values = PAGE["values"][first:last]
    return {"count": len(values), "values": values, **links}


async def test_next_page_on_the_test_server_is_followed(
    app: Any,
    client: httpx.AsyncClient,
    token: Callable,
    register: None,
    kolada_server: KoladaTestServer,
) -> None:
    kolada_server.probe = app.state.database.engine.pool.checkedout
    page1_url = kolada_server.base + DATA + "?page=1&per_page=2"
    page3 = kolada_server.serve(DATA + "?page=3&per_page=2", paged(3, 4, previous_page="x"))
    page2 = kolada_server.serve(
        DATA + "?page=2&per_page=2", paged(2, 3, next_page=page3, previous_page=page1_url)
    )
    bearer = token()
    r = await client.post(KOLADA, params=REASON, json=paged(0, 2, next_page=page2), headers=bearer)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 10
    exported = (await client.get(KOLADA)).json()
    assert exported["values"] == PAGE["values"]
    paths = [path for path, _ in kolada_server.requests]
    assert paths == [DATA + "?page=2&per_page=2", DATA + "?page=3&per_page=2"]
    # No token of ours travels to the page's server.
    sent = {name.lower() for _, headers in kolada_server.requests for name in headers}
    assert "authorization" not in sent and "cookie" not in sent
    # While a page was fetched, the import held no connection of the pool.
    assert kolada_server.probed == [0, 0]


async def test_a_bad_next_page_refuses_the_whole_import(
    client: httpx.AsyncClient, token: Callable, register: None, kolada_server: KoladaTestServer
) -> None:
    looping = kolada_server.base + DATA + "?page=2"
    kolada_server.serve(DATA + "?page=2", paged(2, 4, next_page=looping))
    leads_away = kolada_server.serve(
        DATA + "?page=5", paged(2, 4, next_page="http://10.0.0.7/v2/data/kpi/N31807?page=3")
    )
    cut_short = kolada_server.serve(DATA + "?page=6", {**paged(2, 4), "count": 9})
    not_kolada = kolada_server.serve(DATA + "?page=7", {"items": []})
    gone = kolada_server.base + DATA + "?page=8"
    for url in (looping, leads_away, cut_short, not_kolada, gone, FOREIGN["Kolada itself"]):
        body = paged(0, 2, next_page=url)
        r = await client.post(KOLADA, params=REASON, json=body, headers=token())
        assert_problem(r, 422, "/next_page")
    assert await changes(client) == []
    # The foreign hosts were never asked: every request went to the test server.
    assert all(path.startswith(DATA) for path, _ in kolada_server.requests)


async def test_a_redirect_is_not_followed(
    client: httpx.AsyncClient, token: Callable, register: None, kolada_server: KoladaTestServer
) -> None:
    moved = kolada_server.serve(DATA + "?page=2", {}, status=302)
    r = await client.post(KOLADA, params=REASON, json=paged(0, 2, next_page=moved), headers=token())
    assert_problem(r, 422, "/next_page")
    assert await changes(client) == []
