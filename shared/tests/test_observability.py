"""The app's edge (kit/edge.py): request metrics by route template, JSON access lines with the
request id and trace id, CORS for configured origins only, gzip for large answers, and the
trace context continued or started. A kit app with routes that need no database."""

from __future__ import annotations

import gzip
import io
import json
import logging
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import REGISTRY

from municipal_shared.kit.app import create_service_app
from municipal_shared.kit.logging_setup import RequestContextFilter, json_formatter
from municipal_shared.kit.settings import AuthSettings, EdgeSettings, ServiceSettings
from municipal_shared.kit.tracing import current_traceparent

ORIGIN = "https://steering.linkoping.example"
BIG = {"rows": [{"indicator": f"KS-{n:04d}", "value": "12.5"} for n in range(400)]}


def _app(**edge: object) -> FastAPI:
    router = APIRouter(tags=["test"])

    @router.get("/things/{thing_id}", operation_id="getThing")
    async def get_thing(thing_id: int) -> dict[str, object]:
        return {"id": thing_id, "traceparent": current_traceparent()}

    @router.get("/big", operation_id="getBig")
    async def get_big() -> dict[str, object]:
        return BIG

    @router.get("/picture", operation_id="getPicture")
    async def get_picture() -> Response:
        return Response(b"\x89PNG" + bytes(5000), media_type="image/png")

    @router.post("/things", operation_id="postThing", status_code=201)
    async def post_thing(request: Request) -> dict[str, int]:
        request.state.subject = "robot-7"  # what kit/auth.py records for a verified token
        return {"id": 1}

    settings = EdgeSettings(**edge)  # type: ignore[arg-type]  # the test's own fields
    return create_service_app(
        title="Edge",
        description="Kit test app",
        settings=ServiceSettings(),
        auth_settings=AuthSettings(),
        script_location="unused:migrations",
        version_table="unused",
        routers=[router],
        openapi_tags=[],
        edge_settings=settings,
    )


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app(cors_allow_origins=[ORIGIN]))
    async with httpx.AsyncClient(transport=transport, base_url="http://kit.test") as c:
        yield c


@pytest.fixture
def access_lines() -> Iterator[io.StringIO]:
    """The access log as JSON lines, as LOG_FORMAT=json writes them."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(json_formatter())
    log = logging.getLogger("municipal_shared.access")
    log.addHandler(handler)
    old_level = log.level
    log.setLevel(logging.INFO)
    try:
        yield out
    finally:
        log.removeHandler(handler)
        log.setLevel(old_level)


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_requests_are_counted_by_route_template_and_status(
    client: httpx.AsyncClient,
) -> None:
    ok = {"method": "GET", "route": "/things/{thing_id}", "status": "200"}
    bad = {**ok, "status": "422"}
    missing = {"method": "GET", "route": "unmatched", "status": "404"}
    head = {**ok, "method": "HEAD"}
    before = {
        name: _sample("http_requests_total", **labels)
        for name, labels in {"ok": ok, "bad": bad, "missing": missing, "head": head}.items()
    }
    buckets_before = _sample("http_request_duration_seconds_count", **ok)
    for thing in (1, 2, 3):
        assert (await client.get(f"/things/{thing}")).status_code == 200
    assert (await client.get("/things/not-a-number")).status_code == 422
    assert (await client.get("/no/such/thing/9f1c")).status_code == 404
    assert (await client.head("/things/4")).status_code == 200
    assert _sample("http_requests_total", **ok) == before["ok"] + 3
    assert _sample("http_requests_total", **bad) == before["bad"] + 1
    assert _sample("http_requests_total", **missing) == before["missing"] + 1
    assert _sample("http_requests_total", **head) == before["head"] + 1
    assert _sample("http_request_duration_seconds_count", **ok) == buckets_before + 3
    # The path a client made up is no label: only templates and the fixed "unmatched".
    routes = {
        sample.labels.get("route")
        for metric in REGISTRY.collect()
        if metric.name == "http_requests"
        for sample in metric.samples
    }
    assert "/no/such/thing/9f1c" not in routes and "/things/1" not in routes


async def test_access_lines_are_json_with_request_id_trace_route_status_and_subject(
    client: httpx.AsyncClient, access_lines: io.StringIO
) -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    await client.get(
        "/things/7",
        headers={
            "X-Request-ID": "robot-run-1",
            "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01",
        },
    )
    await client.post(
        "/things", json={}, headers={"X-Request-ID": "robot-run-2", "Authorization": "Bearer x.y"}
    )
    lines = [json.loads(line) for line in access_lines.getvalue().splitlines()]
    read, write = lines
    assert read["request_id"] == "robot-run-1" and read["trace_id"] == trace_id
    assert read["route"] == "/things/{thing_id}" and read["status"] == 200
    assert read["method"] == "GET" and read["duration_ms"] >= 0 and read["subject"] is None
    assert write["request_id"] == "robot-run-2" and write["subject"] == "robot-7"
    assert write["status"] == 201 and len(write["trace_id"]) == 32
    assert "Bearer" not in access_lines.getvalue()  # never a token


async def test_the_trace_is_continued_with_a_span_of_its_own(client: httpx.AsyncClient) -> None:
    trace_id, parent = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
    body = (
        await client.get("/things/1", headers={"traceparent": f"00-{trace_id}-{parent}-01"})
    ).json()
    version, trace, span, flags = body["traceparent"].split("-")
    assert (version, trace, flags) == ("00", trace_id, "01") and span != parent
    for invalid in ("garbage", f"ff-{trace_id}-{parent}-01", f"00-{'0' * 32}-{parent}-01"):
        started = (await client.get("/things/1", headers={"traceparent": invalid})).json()
        assert started["traceparent"].split("-")[1] not in (trace_id, "0" * 32)


async def test_a_preflight_from_a_configured_origin_is_answered(
    client: httpx.AsyncClient,
) -> None:
    response = await client.options(
        "/things/1",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization, if-match, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "PUT" in response.headers["access-control-allow-methods"]
    allowed = {h.strip() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "if-match", "content-type"} <= allowed
    assert "Origin" in response.headers["vary"]
    # And the request that follows may read the ETag and the request id.
    read = await client.get("/things/1", headers={"Origin": ORIGIN})
    assert read.headers["access-control-allow-origin"] == ORIGIN
    exposed = read.headers["access-control-expose-headers"]
    assert "ETag" in exposed and "X-Request-ID" in exposed


async def test_a_preflight_from_another_origin_is_refused(client: httpx.AsyncClient) -> None:
    preflight = {"Access-Control-Request-Method": "GET"}
    for origin in ("https://evil.example", ORIGIN + ".evil.example", "null"):
        response = await client.options("/things/1", headers={**preflight, "Origin": origin})
        assert response.status_code == 400
        assert "access-control-allow-origin" not in response.headers
        read = await client.get("/things/1", headers={"Origin": origin})
        assert read.status_code == 200 and "access-control-allow-origin" not in read.headers
    odd_header = {**preflight, "Origin": ORIGIN, "Access-Control-Request-Headers": "x-secret"}
    assert (await client.options("/things/1", headers=odd_header)).status_code == 400


async def test_without_configured_origins_cors_stays_off() -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://kit.test") as c:
        response = await c.options(
            "/things/1", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
        )
        assert response.status_code == 405
        assert "access-control-allow-origin" not in response.headers
        read = await c.get("/things/1", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in read.headers and "vary" not in read.headers


async def test_a_large_answer_is_gzipped_for_a_client_that_accepts_it(
    client: httpx.AsyncClient,
) -> None:
    plain = await client.get("/big", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    zipped = await client.get("/big", headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["vary"]
    raw = zipped.content  # httpx decodes; the length on the wire is the header's
    assert json.loads(raw) == BIG
    assert int(zipped.headers["content-length"]) < len(plain.content) // 4
    assert zipped.headers["etag"] == plain.headers["etag"]  # one resource, one validator
    assert gzip.decompress(gzip.compress(raw)) == raw
    # Small answers, HEAD, a 304 and what is already compressed go out as they are.
    small = await client.get("/things/1", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers
    head = await client.head("/big", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in head.headers and head.content == b""
    again = await client.get(
        "/big", headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["etag"]}
    )
    assert again.status_code == 304 and "content-encoding" not in again.headers
    picture = await client.get("/picture", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in picture.headers and len(picture.content) == 5004


async def test_every_answer_carries_the_edge_headers(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get("/things/1", headers={"Authorization": "Bearer x"}),
        await client.get("/missing"),
        await client.post("/things", content=b"{"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert len(response.headers["x-request-id"]) == 32
        assert response.headers.get_list("x-request-id") == [response.headers["x-request-id"]]
    assert (
        "no-store"
        in (await client.get("/things/1", headers={"Authorization": "B x"})).headers[
            "cache-control"
        ]
    )
