"""Frontend teams generate clients from /openapi.json: every operation must be complete."""

from __future__ import annotations

import json

import httpx


def _has_example(node: object, schemas: dict, depth: int = 0) -> bool:
    if depth > 4:
        return False
    if isinstance(node, dict):
        if "example" in node or "examples" in node:
            return True
        if "$ref" in node:
            return _has_example(
                schemas.get(node["$ref"].rsplit("/", 1)[-1], {}), schemas, depth + 1
            )
        return any(_has_example(v, schemas, depth) for v in node.values())
    if isinstance(node, list):
        return any(_has_example(v, schemas, depth) for v in node)
    return False


async def test_every_operation_is_documented(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    assert "Problem" in schemas
    operations = [
        (path, method, op) for path, item in spec["paths"].items() for method, op in item.items()
    ]
    assert len(operations) >= 18
    ids = [op["operationId"] for _, _, op in operations]
    assert len(set(ids)) == len(ids)
    for path, method, op in operations:
        where = f"{method.upper()} {path}"
        assert op.get("summary"), where
        assert op.get("tags"), where
        assert _has_example(op, schemas), f"{where} has no example"
        problems = [
            status
            for status, resp in op["responses"].items()
            if "application/problem+json" in resp.get("content", {})
        ]
        if path not in ("/healthz", "/readyz"):
            assert "500" in problems and any(s.startswith("4") for s in problems), where
        if method in ("put", "post", "delete") and "{number}" in path:
            assert {"409", "412", "428"} <= set(problems), where
            assert any(p["name"] == "if-match" for p in op.get("parameters", [])), where
    json.dumps(spec)  # serialisable as is
