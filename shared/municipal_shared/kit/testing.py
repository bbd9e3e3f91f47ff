"""Assertions the services' test suites share (imported by tests only)."""

from __future__ import annotations

from typing import Any

import httpx


def assert_problem(
    response: httpx.Response, status: int, pointer: str | None = None
) -> dict[str, Any]:
    """The response is RFC 9457 problem+json with `status`, naming `pointer` when given."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["type"] and body["title"]
    if pointer is not None:
        pointers = [e["pointer"] for e in body.get("errors", [])]
        assert pointer in pointers, pointers
    return body
