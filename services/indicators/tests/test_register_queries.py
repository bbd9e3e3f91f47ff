"""Listing registers reads a page in a fixed number of queries, however many registers it
holds (no query per register), and answers as it did."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpx
from sqlalchemy import event

from indicator_service.seed import bundled_files


@contextmanager
def counted(app: Any) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = app.state.database.engine.sync_engine

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_listing_registers_takes_the_same_queries_for_one_or_four(
    app: Any, client: httpx.AsyncClient, token: Callable[..., dict[str, str]], seeded: str
) -> None:
    with counted(app) as one:
        first = (await client.get("/v1/registers", headers=token())).json()
    assert first["total"] == 1
    body = json.loads(await anyio.Path(bundled_files()[0]).read_text(encoding="utf-8"))
    for board in ("BUN", "SBN", "TN"):
        body["board_code"] = board
        r = await client.put(f"/v1/registers/0580/{board}", json=body, headers=token())
        assert r.status_code == 201, r.text
    with counted(app) as four:
        listed = (await client.get("/v1/registers", headers=token())).json()
    assert listed["total"] == 4
    assert len(four) == len(one)
    ks = next(r for r in listed["items"] if r["board_code"] == "KS")
    assert ks == first["items"][0]
    single = (await client.get("/v1/registers/0580/KS", headers=token())).json()
    assert single == ks
    assert ks["indicator_count"] == len(body["indicators"])
    assert len(ks["council_goals"]) == len(body["council_goals"])
    assert [a["code"] for a in ks["focus_areas"]] == [a["code"] for a in body["focus_areas"]]
