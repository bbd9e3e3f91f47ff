"""Input an attacker would send: each is a quick 4xx problem naming the field or the limit,
never a 500, and nothing is stored. Runs on the backend the environment selects (SQLite, or
PostgreSQL with PROCUREMENT_TEST_DATABASE_URL)."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from ocds_fixture import OCID, RELEASES, release_package
from procurement_testkit import SET

from municipal_shared.kit.testing import assert_problem
from procurement_service.settings import ProcurementSettings

OCDS = "/v1/procurements/0580/ocds"
JSON = {"content-type": "application/json"}
DEFAULTS = ProcurementSettings()


def raw(body: Any) -> bytes:
    """JSON with non-ASCII escaped, so a lone surrogate travels as the text `\\ud800`."""
    return json.dumps(body).encode()


async def nothing_stored(client: httpx.AsyncClient) -> None:
    listed = (await client.get("/v1/procurements/0580")).json()
    assert listed["items"] == [], listed


async def test_an_ocds_package_over_its_limit_is_413_before_reading(
    client: httpx.AsyncClient, token: Callable
) -> None:
    package = release_package()
    package["releases"][0]["x_padding"] = "x" * (21 * 1024 * 1024)  # the 21 MB probe
    r = await client.post(OCDS, content=raw(package), headers={**token(), **JSON})
    body = assert_problem(r, 413)
    assert body["max_body_bytes"] == DEFAULTS.max_package_bytes == 10 * 1024 * 1024
    await nothing_stored(client)


async def test_a_chunked_ocds_package_over_its_limit_is_413(
    client: httpx.AsyncClient, token: Callable
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"releases": [], "x_padding": "'
        for _ in range(11 * 1024):  # 11 MB, no Content-Length
            yield b"x" * 1024
        yield b'"}'

    r = await client.post(OCDS, content=chunks(), headers={**token(), **JSON})
    assert "content-length" not in r.request.headers
    body = assert_problem(r, 413)
    assert body["max_body_bytes"] == DEFAULTS.max_package_bytes


async def test_a_single_outcome_keeps_the_default_limit(
    client: httpx.AsyncClient, token: Callable
) -> None:
    body = {**SET["KS-2018-001"], "x_padding": "x" * DEFAULTS.max_body_bytes}
    r = await client.put("/v1/procurements/0580/KS-2018-001", json=body, headers=token())
    assert assert_problem(r, 413)["max_body_bytes"] == DEFAULTS.max_body_bytes


async def test_an_extension_nested_500_levels_is_422_naming_where_and_logs_little(
    client: httpx.AsyncClient, token: Callable, caplog: pytest.LogCaptureFixture
) -> None:
    package = release_package()
    deep: Any = "bottom"
    for _ in range(500):
        deep = {"x": deep}
    package["releases"][1]["tender"]["x_extension"] = deep
    caplog.set_level(logging.DEBUG)
    r = await client.post(OCDS, content=raw(package), headers={**token(), **JSON})
    limit = DEFAULTS.max_json_depth
    # The root is level 1, releases 2, the release 3, tender 4, x_extension 5 ...
    where = "/releases/1/tender/x_extension" + "/x" * (limit - 4)
    body = assert_problem(r, 422, where)
    assert body["max_json_depth"] == limit and str(limit) in body["errors"][0]["message"]
    lines = sum(1 + record.getMessage().count("\n") for record in caplog.records)
    assert lines < 20, f"{lines} log lines for one refused request"
    await nothing_stored(client)


def stub_release(n: int) -> dict[str, Any]:
    return {
        "ocid": f"ocds-abc123-0580-KS-2018-{n:05d}",
        "id": f"{n}",
        "date": "2018-03-01T00:00:00Z",
        "tag": ["tender"],
        "initiationType": "tender",
    }


async def test_30000_releases_are_refused_at_once_while_another_write_succeeds(
    client: httpx.AsyncClient, token: Callable
) -> None:
    package = release_package([stub_release(n) for n in range(30_000)])
    content = raw(package)
    assert len(content) < DEFAULTS.max_package_bytes  # within the byte limit: counted instead

    async def post_package() -> tuple[httpx.Response, float]:
        started = time.perf_counter()
        response = await client.post(OCDS, content=content, headers={**token(), **JSON})
        return response, time.perf_counter() - started

    native = client.put(
        "/v1/procurements/0580/KS-2018-001", json=SET["KS-2018-001"], headers=token()
    )
    (refused, seconds), written = await asyncio.gather(post_package(), native)
    body = assert_problem(refused, 422, "/releases")
    assert body["max_releases"] == DEFAULTS.max_releases == 1000
    assert "30000" in body["errors"][0]["message"]
    assert seconds < 5, f"refusing took {seconds:.1f} s"  # was 53 s holding the write lock
    assert written.status_code == 201, written.text
    listed = (await client.get("/v1/procurements/0580")).json()
    assert [p["reference"] for p in listed["items"]] == ["KS-2018-001"]


async def test_a_record_package_counts_the_releases_of_its_records(
    client: httpx.AsyncClient, token: Callable
) -> None:
    record = {"ocid": OCID, "releases": copy.deepcopy(RELEASES)}
    package = {**release_package(), "records": [record] * 251}  # 1004 releases
    del package["releases"]
    r = await client.post(OCDS, json=package, headers=token())
    assert "1004" in assert_problem(r, 422, "/records")["errors"][0]["message"]


async def test_a_bulk_of_30000_items_is_refused_at_once(
    client: httpx.AsyncClient, token: Callable
) -> None:
    item = {**SET["KS-2018-006"], "reference": "KS-2018-006"}
    content = raw({"items": [item] * 30_000})
    # Larger than the default limit but within the bulk's own: the item count refuses it.
    assert DEFAULTS.max_body_bytes < len(content) < DEFAULTS.max_package_bytes
    started = time.perf_counter()
    r = await client.put("/v1/procurements/0580", content=content, headers={**token(), **JSON})
    seconds = time.perf_counter() - started
    assert_problem(r, 422, "/items")
    assert seconds < 5, f"refusing took {seconds:.1f} s"
    await nothing_stored(client)


BAD_TEXT = {"lone surrogate": "L\ud800ink", "NUL": "L\x00ink"}


@pytest.mark.parametrize("case", BAD_TEXT, ids=list(BAD_TEXT))
async def test_unstorable_text_in_a_native_outcome_is_422_naming_it(
    client: httpx.AsyncClient, token: Callable, case: str
) -> None:
    body = copy.deepcopy(SET["KS-2018-001"])
    body["bidders"][1]["name"] = BAD_TEXT[case]
    r = await client.put(
        "/v1/procurements/0580/KS-2018-001", content=raw(body), headers={**token(), **JSON}
    )
    assert_problem(r, 422, "/bidders/1/name")
    bulk = {"items": [{**body, "reference": "KS-2018-001"}]}
    r = await client.put("/v1/procurements/0580", content=raw(bulk), headers={**token(), **JSON})
    assert_problem(r, 422, "/items/0/bidders/1/name")
    await nothing_stored(client)


@pytest.mark.parametrize("case", BAD_TEXT, ids=list(BAD_TEXT))
async def test_unstorable_text_in_an_ocds_release_is_422_naming_it(
    client: httpx.AsyncClient, token: Callable, case: str
) -> None:
    package = release_package()
    package["releases"][1]["tender"]["title"] = BAD_TEXT[case]
    package["releases"][2]["x_note"] = {"text": BAD_TEXT[case]}  # an extension field
    r = await client.post(OCDS, content=raw(package), headers={**token(), **JSON})
    body = assert_problem(r, 422, "/releases/1/tender/title")
    assert "/releases/2/x_note/text" in [e["pointer"] for e in body["errors"]]
    await nothing_stored(client)


async def test_nul_in_a_query_parameter_is_422_naming_it(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/procurements/0580?administration=Kommunledning%00")
    assert assert_problem(r, 422, "/administration")["errors"][0]["location"] == "query"


async def test_an_amount_that_is_not_finite_is_422_naming_it(
    client: httpx.AsyncClient, token: Callable
) -> None:
    package = release_package()
    package["releases"][2]["awards"][0]["value"] = {"amount": "AMOUNT", "currency": "SEK"}
    content = raw(package).replace(b'"AMOUNT"', b"1e400")
    r = await client.post(OCDS, content=content, headers={**token(), **JSON})
    assert_problem(r, 422, "/releases/2/awards/0/value/amount")
    await nothing_stored(client)
