"""The seed's KS budget 2018-2021 comes out of the API line by line and total by total."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import anyio
import httpx
from fastapi import FastAPI

from budget_service.seed import bundled_files, load_file

KS = "/v1/budgets/0580/KS/2018"


def y(*values: int) -> dict[str, int]:
    return dict(zip(["2018", "2019", "2020", "2021"], values, strict=True))


async def test_seeded_totals_are_the_printed_ones(client: httpx.AsyncClient, seeded: Path) -> None:
    r = await client.get(KS)
    assert r.status_code == 200
    doc = r.json()
    assert doc["years"] == [2018, 2019, 2020, 2021]
    assert doc["directive"]["total"] == y(344009, 340927, 335927, 335927)
    assert doc["proposal"]["total"] == y(389504, 376127, 371127, 371127)
    assert doc["proposal"]["of_which_change"] == y(45495, 35200, 35200, 35200)
    assert doc["investments"]["within_frame"]["total"] == y(1000, 1000, 1000, 1000)
    assert doc["investments"]["within_frame"]["of_which_expenditure"] == y(1000, 1000, 1000, 1000)
    assert doc["investments"]["within_frame"]["of_which_income"] == y(0, 0, 0, 0)
    assert doc["investments"]["beyond_frame"]["total"] == y(5000, 0, 0, 0)
    assert doc["investments"]["frame"] == y(1000, 1000, 1000, 1000)
    assert doc["version"]["phase"] == "board_proposal"
    assert r.headers["etag"] == doc["version"]["etag"]


async def test_every_line_of_the_data_file_is_served(
    client: httpx.AsyncClient, seeded: Path
) -> None:
    content = json.loads(await anyio.Path(seeded).read_text(encoding="utf-8"))["content"]
    doc = (await client.get(KS)).json()
    served_directive = [
        (l["text"], l["kind"], l["decision_reference"], l["amounts"])
        for l in doc["directive"]["lines"]
    ]
    assert served_directive == [
        (l["text"], l["kind"], l.get("decision_reference"), l["amounts"])
        for l in content["directive_lines"]
    ]
    assert [a["code"] for a in doc["proposal"]["activity_areas"]] == [
        a["code"] for a in content["activity_areas"]
    ]
    for served, given in zip(
        doc["proposal"]["activity_areas"], content["activity_areas"], strict=True
    ):
        assert served["name"] == given["name"]
        assert served["base_amounts"] == given.get("base_amounts")
        assert [
            (c["heading"], c["kind"], c["text"], c["amounts"]) for c in served["change_lines"]
        ] == [(c["heading"], c["kind"], c["text"], c["amounts"]) for c in given["change_lines"]]
    items = (
        doc["investments"]["within_frame"]["items"] + doc["investments"]["beyond_frame"]["items"]
    )
    assert sorted(i["name"] for i in items) == sorted(
        i["name"] for i in content["investments"]["items"]
    )


async def test_spot_checks_typed_from_the_seed(client: httpx.AsyncClient, seeded: Path) -> None:
    """Independent of the data file: figures read off the printed tables."""
    doc = (await client.get(KS)).json()
    lines = {l["text"]: l for l in doc["directive"]["lines"]}
    base = lines["Budgetram enligt budget 2016-2017 med plan för 2018-2019"]
    assert base["amounts"] == y(329842, 329824, 329824, 329824)
    assert base["decision_reference"] == "KF 2015-11-24"
    assert lines["Övriga tekniska justeringar"]["amounts"] == y(-1477, -1477, -1477, -1477)
    areas = {a["name"]: a for a in doc["proposal"]["activity_areas"]}
    assert areas["Kommunövergripande"]["base_amounts"] == y(37805, 37723, 37723, 37723)
    assert areas["Säkerhet inkl. räddningstjänst"]["total"] == y(107305, 106005, 106005, 106005)
    assert areas["Näringsliv"]["total"] == y(34449, 28049, 28049, 28049)
    assert areas["Digitalisering"]["base_amounts"] is None
    assert areas["Digitalisering"]["total"] == y(5000, 5000, 5000, 5000)
    personal = {c["text"]: c for c in areas["Personal"]["change_lines"]}
    assert personal["Omdisponering, Äldrenämnd/Omsorgsnämnd - språkombud"]["amounts"] == y(
        -300, -300, -300, -300
    )
    assert areas["Personal"]["total"] == y(44428, 43778, 43778, 43778)
    flykting = {c["text"]: c for c in areas["Flyktingsamordning"]["change_lines"]}
    earlier = flykting["Tidigare beslut boendesamordning enl KS 2016-03-15 §97"]
    assert earlier["decision_reference"] == "KS 2016-03-15 §97"
    assert areas["Hållbarhet"]["total"] == y(25467, 25247, 20247, 20247)


async def test_loading_the_seed_twice_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, token: Callable[..., dict[str, str]], seeded: Path
) -> None:
    before = await client.get(KS)
    audit_before = (await client.get(f"{KS}/audit", headers=token())).json()["total"]
    async with app.state.database.sessions() as session:
        assert (await load_file(session, bundled_files()[0])).endswith("unchanged")
    after = await client.get(KS)
    assert after.json() == before.json()
    assert after.headers["etag"] == before.headers["etag"]
    assert (await client.get(f"{KS}/audit", headers=token())).json()["total"] == audit_before
