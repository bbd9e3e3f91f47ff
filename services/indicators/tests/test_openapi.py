"""Frontend teams generate clients from /openapi.json: every operation must be complete."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi import FastAPI

from municipal_shared.kit.pytest_service import ServiceUnderTest
from municipal_shared.kit.testing import assert_openapi_complete
from municipal_shared.kit.testing_openapi import (
    assert_document_complete,
    assert_scopes_enforced,
    operations,
)


async def test_every_operation_is_documented(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert assert_openapi_complete(spec, {"loadRegister"}) >= 13


async def test_the_document_is_complete_for_a_generated_client(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    assert_document_complete((await client.get("/openapi.json")).json(), app)


async def test_every_operation_enforces_exactly_the_scopes_it_declares(
    client: httpx.AsyncClient,
    app: FastAPI,
    token: Callable[..., dict[str, str]],
    service_under_test: ServiceUnderTest,
) -> None:
    spec = (await client.get("/openapi.json")).json()
    checked = await assert_scopes_enforced(client, app, spec, token, service_under_test.scopes)
    assert checked == len(list(operations(spec)))
