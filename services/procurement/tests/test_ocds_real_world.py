"""OCDS as other publishers send it, through the API: schema-valid releases that lack what OCDS
leaves optional are stored with warnings and measured; bidders from abroad and amounts in EUR
are kept; a direct award that only reports its count is counted; schema-invalid packages and
releases of another buyer are refused whole, each named."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from ocds_fixture import (
    AWARD,
    BUYER,
    BUYER_PARTY,
    CONTRACT,
    MEDIUM,
    MEDIUM_NUMBER,
    MICRO,
    MICRO_NUMBER,
    OCID,
    PLANNING,
    TENDER,
    linked_record_package,
    release_package,
)
from sqlalchemy import select
from test_ocds_validation import FIVE_POINTERS, five_kinds_of_invalid

from municipal_shared.kit.testing import assert_problem
from procurement_service.models import OcdsRelease

OCDS = "/v1/procurements/0580/ocds"
DANISH = {"id": "DK-CVR-25313763", "name": "Nordic Cleaning ApS"}


def foreign_release() -> dict[str, Any]:
    """A release as many feeds publish it: no title, no category, one bidder registered in
    Denmark (no size given), the award in EUR."""
    ocid = "ocds-xyz789-2018-0113"
    return {
        "ocid": ocid,
        "id": f"{ocid}-award",
        "date": "2018-03-20T09:00:00+01:00",
        "tag": ["award"],
        "initiationType": "tender",
        "buyer": BUYER,
        "parties": [
            BUYER_PARTY,
            {
                **MICRO,
                "identifier": {"scheme": "SE-BLV", "id": MICRO_NUMBER},
                "roles": ["tenderer", "supplier"],
                "details": {"scale": "micro"},
            },
            {
                **DANISH,
                "identifier": {"scheme": "DK-CVR", "id": "25313763"},
                "address": {"countryName": "Danmark"},
                "roles": ["tenderer"],
            },
        ],
        "tender": {
            "id": "KS-2018-0113",
            "status": "complete",
            "procurementMethod": "open",
            "tenderers": [MICRO, DANISH],
            "numberOfTenderers": 2,
        },
        "awards": [
            {
                "id": "KS-2018-0113-1",
                "date": "2018-03-20T09:00:00+01:00",
                "status": "active",
                "suppliers": [MICRO],
                "value": {"amount": 48000, "currency": "EUR"},
            }
        ],
    }


def direct_award() -> dict[str, Any]:
    """A direct award as real feeds show it: numberOfTenderers 1, no tenderers, the supplier
    only in awards."""
    ocid = "ocds-xyz789-2018-0114"
    return {
        "ocid": ocid,
        "id": f"{ocid}-award",
        "date": "2018-03-22T09:00:00+01:00",
        "tag": ["award"],
        "initiationType": "tender",
        "buyer": BUYER,
        "parties": [
            BUYER_PARTY,
            {
                **MEDIUM,
                "identifier": {"scheme": "SE-BLV", "id": MEDIUM_NUMBER},
                "roles": ["supplier"],
                "details": {"scale": "medium"},
            },
        ],
        "tender": {
            "id": "KS-2018-0114",
            "title": "Konsultstöd för e-arkiv",
            "mainProcurementCategory": "services",
            "procurementMethod": "direct",
            "procurementMethodDetails": "Direktupphandling",
            "numberOfTenderers": 1,
        },
        "awards": [
            {
                "id": "KS-2018-0114-1",
                "date": "2018-03-22T09:00:00+01:00",
                "status": "active",
                "suppliers": [MEDIUM],
                "value": {"amount": 250000, "currency": "SEK"},
            }
        ],
    }


async def test_a_release_without_title_and_category_from_abroad_in_eur_is_stored(
    client: httpx.AsyncClient, token: Callable
) -> None:
    r = await client.post(OCDS, json=release_package([foreign_release()]), headers=token())
    assert r.status_code == 200, r.text
    assert r.json()["procurements"] == ["KS-2018-0113"]
    stored = (await client.get("/v1/procurements/0580/KS-2018-0113")).json()
    assert (stored["title"], stored["category"]) == (None, None)
    assert (stored["awarded_value"], stored["awarded_value_currency"]) == ("48000", "EUR")
    assert [
        (b["scheme"], b["organisation_number"], b["size_class"]) for b in stored["bidders"]
    ] == [
        ("SE-BLV", MICRO_NUMBER, "micro"),
        ("DK-CVR", "25313763", "no_data"),
    ]
    assert {w["code"] for w in stored["warnings"]} == {
        "missing_title",
        "missing_category",
        "amount_not_in_sek",
    }
    assert (stored["bidder_count"], stored["bidder_count_provenance"]) == (2, "listed")


async def test_five_invalid_releases_are_named_in_one_answer_and_nothing_is_stored(
    client: httpx.AsyncClient, token: Callable
) -> None:
    releases = five_kinds_of_invalid()
    body = assert_problem(
        await client.post(OCDS, json=release_package(releases), headers=token()), 422
    )
    assert [(e["index"], e["ocid"], e["id"], e["pointer"]) for e in body["errors"]] == [
        (n, OCID, release["id"], pointer)
        for n, (release, pointer) in enumerate(zip(releases, FIVE_POINTERS, strict=True))
    ]
    assert [g["index"] for g in body["releases"]] == [0, 1, 2, 3, 4]
    assert (await client.get("/v1/procurements/0580")).json()["total"] == 0
    # The valid releases alone are then stored: nothing of the refused package was kept.
    valid = release_package([PLANNING, TENDER, AWARD, CONTRACT])
    assert (await client.post(OCDS, json=valid, headers=token())).json()["stored"] == 4


async def test_a_release_of_another_buyer_is_refused_with_its_name(
    client: httpx.AsyncClient, token: Callable
) -> None:
    other = foreign_release()
    other["parties"][0] = {
        "id": "SE-BLV-212000-0142",
        "name": "Stockholms stad",
        "identifier": {"scheme": "SE-BLV", "id": "212000-0142"},
        "roles": ["buyer"],
    }
    other["buyer"] = {"id": "SE-BLV-212000-0142", "name": "Stockholms stad"}
    package = release_package([direct_award(), other])
    body = assert_problem(await client.post(OCDS, json=package, headers=token()), 422)
    [error] = body["errors"]
    assert error["ocid"] == other["ocid"] and error["id"] == other["id"]
    assert (
        "Stockholms stad (SE-BLV 212000-0142) is not an organisation of municipality 0580"
        in (error["message"])
    )
    assert (await client.get("/v1/procurements/0580")).json()["total"] == 0


async def test_an_unknown_board_or_municipality_is_named(
    client: httpx.AsyncClient, token: Callable
) -> None:
    package = release_package([direct_award()])
    body = assert_problem(
        await client.post(f"{OCDS}?board=SBN", json=package, headers=token()), 422
    )
    assert body["errors"][0]["pointer"] == "/board" and "SBN" in body["errors"][0]["message"]
    body = assert_problem(
        await client.post("/v1/procurements/2580/ocds", json=package, headers=token()), 422
    )
    assert body["errors"][0]["pointer"] == "/municipality_code"
    assert "2580" in body["detail"]
    r = await client.post(f"{OCDS}?board=KS", json=package, headers=token())
    assert r.status_code == 200, r.text
    stored = (await client.get("/v1/procurements/0580/KS-2018-0114")).json()
    assert stored["board_code"] == "KS"


async def test_a_native_outcome_for_an_unknown_board_is_named(
    client: httpx.AsyncClient, token: Callable
) -> None:
    from ocds_fixture import EXPECTED

    native = {**EXPECTED.model_dump(mode="json"), "board_code": "SBN"}
    body = assert_problem(
        await client.put("/v1/procurements/0580/KS-2018-0200", json=native, headers=token()), 422
    )
    assert body["errors"][0]["pointer"] == "/board_code"


def v(value: Any, based_on: int) -> dict[str, Any]:
    return {"value": value, "based_on": based_on}


async def test_real_world_releases_are_measured_on_what_they_tell(
    client: httpx.AsyncClient, token: Callable
) -> None:
    """The foreign release (no title, no category, EUR), the direct award that only reports its
    count, and the fixture's full procurement, measured together."""
    package = release_package([foreign_release(), direct_award(), PLANNING, TENDER, AWARD])
    r = await client.post(OCDS, json=package, headers=token())
    assert r.status_code == 200, r.text
    direct = (await client.get("/v1/procurements/0580/KS-2018-0114")).json()
    assert (direct["bidder_count"], direct["bidder_count_provenance"]) == (1, "reported")
    assert [(b["organisation_number"], b["winner"]) for b in direct["bidders"]] == [
        (MEDIUM_NUMBER, True)
    ]

    t1 = (await client.get("/v1/measurements/0580/2018/T1")).json()
    c = t1["competition"]
    # The direct award counts 1 bidder and is a single-bid procurement.
    assert c["bidders"] == v(3, 2) and c["single_bidder_share"] == v("0.5000", 2)
    assert c["procurements_with_reported_bidder_count"] == 1
    assert c["bids"] == v(2, 1)  # tenders are known only where bidders are listed

    m = (await client.get("/v1/measurements/0580/2018/T2")).json()
    assert m["competition"]["procurements"] == 3
    assert m["competition"]["bidders_per_procurement_mean"] == v("2.00", 3)
    e = m["employment_requirement"]
    # No category (foreign) and no employee count (direct award): the rule cannot be decided
    # for them, so the figure rests on one procurement, not three.
    assert e["meeting_the_objective_criteria"] == v(1, 1)
    assert e["procurements_rule_undecided"] == 2
    d = m["direct_awards"]
    assert d["above_threshold"] == v(1, 3) and d["left_out_not_in_sek"] == 0
    assert {q["code"]: q["procurements"] for q in m["quality"]} == {
        "amount_not_in_sek": 1,
        "bidder_count_reported": 1,
        "missing_category": 1,
        "missing_employee_count": 1,
        "missing_title": 1,
    }


async def test_a_direct_award_in_eur_is_left_out_of_the_sek_threshold(
    client: httpx.AsyncClient, token: Callable
) -> None:
    award = direct_award()
    award["awards"][0]["value"] = {"amount": 30000, "currency": "EUR"}
    r = await client.post(OCDS, json=release_package([award]), headers=token())
    assert r.status_code == 200, r.text
    d = (await client.get("/v1/measurements/0580/2018/T1")).json()["direct_awards"]
    assert d["above_threshold"] == v(None, 0) and d["left_out_not_in_sek"] == 1


async def test_a_linked_record_is_stored_as_its_compiled_release(
    app: Any, client: httpx.AsyncClient, token: Callable
) -> None:
    compiled = direct_award()
    compiled["id"], compiled["tag"] = f"{compiled['ocid']}-compiled", ["compiled"]
    package = linked_record_package(compiled, [direct_award()])
    r = await client.post(OCDS, json=package, headers=token())
    assert r.status_code == 200, r.text
    assert r.json() == {"stored": 1, "unchanged": 0, "procurements": ["KS-2018-0114"]}
    async with app.state.database.sessions() as session:
        rows = (await session.execute(select(OcdsRelease))).scalars().all()
    assert [(row.release_id, row.compiled, row.body == compiled) for row in rows] == [
        (compiled["id"], True, True)
    ]
