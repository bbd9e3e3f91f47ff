"""Each service's OpenAPI document is a valid OpenAPI 3.1 document (frontend teams generate
clients from them), read from the running services."""

from __future__ import annotations

import httpx
import pytest
from openapi_spec_validator import validate


@pytest.mark.parametrize("service", ["budget", "indicators", "procurement"])
def test_openapi_document_validates(urls: dict[str, str], service: str) -> None:
    spec = httpx.get(f"{urls[service]}/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    validate(spec)
