"""Frontend teams generate clients from /openapi.json: every operation must be complete."""

from __future__ import annotations

import httpx

from municipal_shared.kit.testing import assert_openapi_complete


async def test_every_operation_is_documented(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert assert_openapi_complete(spec, {"loadRegister"}) >= 13
