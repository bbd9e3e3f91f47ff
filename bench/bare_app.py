"""The framework's floor for bench/http_load.py: a bare FastAPI app whose only work is to
return a precomputed JSON document of a given byte size.

    BENCH_BARE_SIZES="budget=41234,register=23456" \\
        .venv/bin/python -m uvicorn --factory --app-dir bench bare_app:create_app

`GET /static/{name}` answers the bytes built at start for that name (a JSON array of small
records, compact like FastAPI's own responses, exactly the asked size); nothing is read or
serialised per request. No middleware, no database, no authentication.
"""

from __future__ import annotations

import json
import os

from fastapi import FastAPI, HTTPException, Response

SIZES_ENV = "BENCH_BARE_SIZES"


def _compact(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _record(i: int) -> dict[str, object]:
    return {
        "code": f"{i:04d}",
        "name": f"Verksamhetsområde {i}",
        "amount": 1000 + 37 * i,
        "share": round((i % 97) / 97, 4),
        "reported": i % 3 == 0,
    }


def json_of_size(size: int) -> bytes:
    """A JSON document of exactly `size` bytes: records, then a final string that fills up."""
    empty = len(_compact({"rows": [], "note": ""}))
    records: list[dict[str, object]] = []
    used = empty
    while True:
        record = _record(len(records))
        extra = len(_compact(record)) + (1 if records else 0)  # the comma between records
        if used + extra > size:
            break
        records.append(record)
        used += extra
    if used > size:
        raise ValueError(f"{size} bytes is too small for a JSON document")
    body = _compact({"rows": records, "note": "x" * (size - used)})
    assert len(body) == size and json.loads(body)  # a precondition of the bench
    return body


def parse_sizes(text: str) -> dict[str, int]:
    """`budget=41234,register=23456` -> {"budget": 41234, "register": 23456}."""
    pairs = (item.split("=", 1) for item in text.split(",") if item.strip())
    return {name.strip(): int(size) for name, size in pairs}


def create_app() -> FastAPI:
    bodies = {name: json_of_size(size) for name, size in parse_sizes(os.environ[SIZES_ENV]).items()}
    app = FastAPI(title="bare", openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    @app.get("/static/{name}")
    async def static(name: str) -> Response:
        body = bodies.get(name)
        if body is None:
            raise HTTPException(404)
        return Response(content=body, media_type="application/json")

    return app
