"""Every error a service can produce is problem+json, and a 500 discloses nothing."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from pydantic import BaseModel

from municipal_shared.kit.problems import Conflict, install_problem_handlers
from municipal_shared.kit.request_id import RequestIdMiddleware
from municipal_shared.kit.testing import assert_problem


class Body(BaseModel):
    amount: int


def _app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(RequestIdMiddleware)
    install_problem_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret connection string postgres://user:pw@db")

    @app.get("/conflict")
    async def conflict() -> None:
        raise Conflict("already decided", field="/status", version=3)

    @app.post("/items")
    async def items(body: Body) -> Body:
        return body

    return app


def _client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://kit.test")


async def test_unexpected_error_is_a_bare_500_with_the_request_id() -> None:
    async with _client() as client:
        r = await client.get("/boom", headers={"X-Request-ID": "trace-1"})
    body = assert_problem(r, 500)
    assert "secret" not in r.text and "RuntimeError" not in r.text
    assert body["request_id"] == "trace-1" and r.headers["x-request-id"] == "trace-1"


async def test_domain_error_carries_its_extensions_and_field() -> None:
    async with _client() as client:
        r = await client.get("/conflict")
    body = assert_problem(r, 409, "/status")
    assert body["version"] == 3 and body["type"].endswith("/conflict")


async def test_validation_errors_point_at_the_field() -> None:
    async with _client() as client:
        r = await client.post("/items", json={"amount": "many"})
        assert_problem(r, 422, "/amount")
        assert_problem(await client.get("/nowhere"), 404)
        assert_problem(await client.delete("/items"), 405)
