"""After loading the seed, the register lists every indicator with its outcomes and targets
exactly as the data file (and the printed document) give them."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import anyio
import httpx

from indicator_service.seed import bundled_files, load_file

KS = "/v1/registers/0580/KS"


async def _all_indicators(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    page = (await client.get(f"{KS}/indicators", params={"page_size": 500})).json()
    assert page["total"] == len(page["items"])
    return page["items"]


def _same_number(served: str | None, given: str | None) -> bool:
    return (served is None and given is None) or Decimal(served) == Decimal(given)  # type: ignore[arg-type]  # None raises: a failure


async def test_every_indicator_of_the_data_file_is_served_exactly(
    client: httpx.AsyncClient, seeded: str
) -> None:
    data = json.loads(await anyio.Path(bundled_files()[0]).read_text(encoding="utf-8"))
    listed = await _all_indicators(client)
    assert [i["code"] for i in listed] == [i["code"] for i in data["indicators"]]
    for given in data["indicators"]:
        served = (await client.get(f"{KS}/indicators/{given['code']}")).json()
        assert (served["name"], served["unit"], served["group"], served["polarity"]) == (
            given["name"],
            given["unit"],
            given.get("group"),
            given["polarity"],
        )
        assert served["council_goals"] == given["council_goals"]
        assert served["focus_areas"] == given["focus_areas"]
        assert len(served["targets"]) == len(given["targets"])
        for s, g in zip(served["targets"], given["targets"], strict=True):
            assert (s["year"], s["kind"], s["wording"], s["footnote"]) == (
                g["year"],
                g["kind"],
                g["wording"],
                g.get("footnote"),
            )
            for p in ("value", "baseline_value", "percent"):
                assert _same_number(s[p], g.get(p)), (given["code"], p)
            assert (s["baseline_year"], s["count"]) == (g.get("baseline_year"), g.get("count"))
        outcomes = {o["period"]: o for o in served["outcomes"]}
        assert set(outcomes) == {o["period"] for o in given["outcomes"]}
        for g in given["outcomes"]:
            s = outcomes[g["period"]]
            assert s["status"] == g.get("status", "normal") and s["notation"] == g.get("notation")
            assert _same_number(s["value"], g.get("value"))


async def test_spot_checks_typed_from_the_seed(client: httpx.AsyncClient, seeded: str) -> None:
    """Independent of the data file: cells read off the printed table and focus areas."""
    by_name = {i["name"]: i["code"] for i in await _all_indicators(client)}

    async def get(name: str) -> dict[str, Any]:
        return (await client.get(f"{KS}/indicators/{by_name[name]}")).json()

    turnover = await get("Personalomsättning")
    assert {o["period"]: o["value"] for o in turnover["outcomes"]} == {"2015": "4.8", "2016": "7.9"}
    assert [(t["year"], t["wording"]) for t in turnover["targets"]] == [
        (y, "ska minska") for y in range(2017, 2022)
    ]
    email = await get("Tillgänglighet, e-post")
    assert [t["value"] for t in email["targets"]] == ["74", "80", "86", "88", "90"]
    assert {o["period"]: (o["value"], o["notation"]) for o in email["outcomes"]} == {
        "2015": (None, "-"),
        "2016": ("68", None),
    }
    broadband = await get("Andel med tillgång till bredband om minst 100 Mbit/s.")
    assert [t["wording"] for t in broadband["targets"]] == ["ufm", "ufm", "ufm", "95", "95"]
    assert broadband["targets"][3]["footnote"].startswith("Regeringens mål i bredbandsstrategin")
    sme = await get("Andel små och medelstora (SME)")
    assert [o["status"] for o in sme["outcomes"]] == ["no_data", "no_data"]
    assert all(o["value"] is None for o in sme["outcomes"])
    assert sme["targets"][1]["footnote"] == "Uppgifter tas fram från och med 2018"
    avi = await get("Linköpings kommuns Attraktiv Arbetsgivarindex (AVI).")
    assert avi["targets"][0]["wording"] == (
        "Ska öka i förhållande till 2016 års värde som uppgår till 111 poäng"
    )
    assert (avi["targets"][0]["baseline_value"], avi["unit"]) == ("111", "poäng")
    flats = await get("Antal lägenheter i gällande översiktsplan")
    assert [t["value"] for t in flats["targets"]] == ["40000", "50000", "50000", "50000", "50000"]
    register = (await client.get(KS)).json()
    linked = [g["number"] for g in register["council_goals"] if g["board_linked"]]
    assert linked == [1, 2, 4, 5, 6, 7, 8, 9, 10, 11]
    assert [a["council_goals"] for a in register["focus_areas"]] == [[9], [5], []]


async def test_loading_the_seed_twice_changes_nothing(
    app: Any, client: httpx.AsyncClient, seeded: str
) -> None:
    assert seeded.endswith("created")
    before = (await client.get(f"{KS}/outcomes/changes", params={"limit": 500})).json()
    etag = (await client.get(KS)).headers["etag"]
    assert (await load_file(app.state.database, bundled_files()[0])).endswith("unchanged")
    after = (await client.get(f"{KS}/outcomes/changes", params={"limit": 500})).json()
    assert after == before and (await client.get(KS)).headers["etag"] == etag


async def test_a_new_order_of_indicators_is_audited_as_the_list_of_codes(
    client: httpx.AsyncClient, token: Any, seeded: str
) -> None:
    data = json.loads(await anyio.Path(bundled_files()[0]).read_text(encoding="utf-8"))
    codes = [i["code"] for i in data["indicators"]]
    data["indicators"][0], data["indicators"][1] = data["indicators"][1], data["indicators"][0]
    etag = (await client.get(KS)).headers["etag"]
    r = await client.put(KS, json=data, headers={**token(), "If-Match": etag})
    assert r.status_code == 200, r.text
    listed = [i["code"] for i in await _all_indicators(client)]
    assert listed == [codes[1], codes[0], *codes[2:]]
    entry = (await client.get(f"{KS}/audit", headers=token())).json()["items"][-1]
    assert entry["changes"] == [{"path": "/indicators", "old": codes, "new": listed}]
