"""Builders for test budgets that are not the seed (other boards, so tests stay independent)."""

from __future__ import annotations

from typing import Any

import httpx

YEARS = ["2030", "2031", "2032", "2033"]


def per_year(*values: int) -> dict[str, int]:
    return dict(zip(YEARS, values, strict=True))


def small_content(reason: str = "Första utkast") -> dict[str, Any]:
    return {
        "reason": reason,
        "directive_lines": [
            {
                "kind": "earlier_decided_frame",
                "text": "Budgetram enligt tidigare beslut",
                "decision_reference": "KF 2029-11-20",
                "amounts": per_year(1000, 1000, 1000, 1000),
            },
            {
                "kind": "price_and_wage_indexation",
                "text": "Uppräkning",
                "amounts": per_year(20, 40, 60, 80),
            },
        ],
        "activity_areas": [
            {
                "code": "ekonomi",
                "name": "Ekonomi",
                "base_amounts": per_year(600, 600, 600, 600),
                "change_lines": [
                    {
                        "heading": "Övriga förändringar",
                        "kind": "frame_request",
                        "text": "Systemstöd",
                        "amounts": per_year(50, 0, 0, 0),
                    }
                ],
            },
            {
                "code": "personal",
                "name": "Personal",
                "base_amounts": per_year(420, 440, 460, 480),
                "change_lines": [],
            },
        ],
        "investments": {
            "frame": per_year(100, 100, 100, 100),
            "items": [
                {
                    "section": "within_frame",
                    "name": "Allmänt investeringsutrymme",
                    "expenditure": per_year(100, 100, 100, 100),
                    "income": per_year(10, 0, 0, 0),
                },
                {
                    "section": "beyond_frame",
                    "name": "Beslutsstöd",
                    "expenditure": per_year(500, 0, 0, 0),
                },
            ],
        },
    }


async def make_budget(
    client: httpx.AsyncClient, headers: dict[str, str], board: str = "TN"
) -> tuple[str, str]:
    """Register 0580/<board>, create its 2030 budget, fill version 1; returns (path, etag)."""
    await client.put(
        "/v1/municipalities/0580",
        json={"name": "Linköping", "reason": "test setup"},
        headers=headers,
    )
    r = await client.put(
        f"/v1/municipalities/0580/boards/{board}",
        json={"name": "Tekniska nämnden", "reason": "test setup"},
        headers=headers,
    )
    assert r.status_code in (200, 201), r.text
    r = await client.post(
        "/v1/budgets",
        headers=headers,
        json={
            "municipality_code": "0580",
            "board_code": board,
            "budget_year": 2030,
            "title": "Budget 2030 med plan för 2031-2033",
            "reason": "test setup",
        },
    )
    assert r.status_code == 201, r.text
    path = r.headers["location"]
    r = await client.put(
        f"{path}/versions/1",
        json=small_content(),
        headers={**headers, "If-Match": r.headers["etag"]},
    )
    assert r.status_code == 200, r.text
    return path, r.headers["etag"]
