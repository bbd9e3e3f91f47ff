"""Frontend teams and the procurement system generate clients from /openapi.json."""

from __future__ import annotations

import httpx

from municipal_shared.kit.testing import assert_openapi_complete


async def test_every_operation_is_documented(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert assert_openapi_complete(spec, set()) >= 11
