"""OCDS out, fetched over HTTP and validated with jsonschema against the published OCDS 1.1
package schemas (the reference copies in ../shared/reference/ocds, release schema patched with
the three extensions the packages declare): record packages and the release feed, for native
outcomes, for releases posted in OCDS (ours and another publisher's, a linked record too), with
no sole trader in clear, and the `since` cursor. Runs on the backend the environment selects."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import referencing
import referencing.jsonschema
from ocds_fixture import (
    BUYER,
    BUYER_PARTY,
    OCID,
    RELEASES,
    linked_record_package,
    release_package,
)
from procurement_testkit import BIDDER, SET, SOLE_TRADER

from municipal_shared.kit.testing import assert_problem
from procurement_service.rules.attribution import LINKOPING, for_ocds
from procurement_service.rules.ocds import compile_releases
from procurement_service.rules.ocds_mapping import to_procurement

OCDS = "/v1/procurements/0580/ocds"
FEED = f"{OCDS}/releases"
RELEASE_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
NATIVE_PREFIX = "ocds-local-0580-"


def _reference_dir() -> Path:
    configured = os.environ.get("OCDS_REFERENCE_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "ocds"


def _schema(name: str) -> dict[str, Any]:
    path = _reference_dir() / name
    if not path.is_file():
        pytest.skip(f"reference copy {path} absent (set OCDS_REFERENCE_DIR to validate)")
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396, as an OCDS tool applies the extensions a package declares."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = _merge_patch(merged.get(key), value)
    return merged


@cache
def _validator(package_schema: str) -> jsonschema.Draft4Validator:
    release = _schema("release-schema.json")
    for extension in ("partyScale", "bids", "sustainability"):
        release = _merge_patch(release, _schema(f"extensions/{extension}/release-schema.json"))
    resource = referencing.Resource.from_contents(
        release, default_specification=referencing.jsonschema.DRAFT4
    )
    registry = referencing.Registry().with_resource(RELEASE_URL, resource)
    cls = jsonschema.Draft4Validator
    return cls(_schema(package_schema), registry=registry, format_checker=cls.FORMAT_CHECKER)


def assert_valid(package: dict[str, Any], schema: str) -> None:
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _validator(schema).iter_errors(package)
    ]
    assert errors == [], errors


async def fetch_record(client: httpx.AsyncClient, ocid: str) -> dict[str, Any]:
    r = await client.get(f"{OCDS}/records/{ocid}")
    assert r.status_code == 200, r.text
    package: dict[str, Any] = r.json()
    assert_valid(package, "record-package-schema.json")
    assert package["uri"] == str(r.url) and package["version"] == "1.1"
    [record] = package["records"]
    assert record["ocid"] == ocid
    return package


async def harvest(client: httpx.AsyncClient, url: str = FEED) -> tuple[list[dict], str]:
    """Every release from `url` on, following links.next to the empty page; and where to
    resume from."""
    releases: list[dict[str, Any]] = []
    while True:
        r = await client.get(url)
        assert r.status_code == 200, r.text
        page = r.json()
        if not page["releases"]:
            assert "links" not in page
            return releases, url
        assert_valid(page, "release-package-schema.json")
        releases += page["releases"]
        url = page["links"]["next"]


async def put_set(client: httpx.AsyncClient, token: Callable, refs: list[str]) -> None:
    items = [{"reference": ref, **SET[ref]} for ref in refs]
    r = await client.put("/v1/procurements/0580", json={"items": items}, headers=token())
    assert r.status_code == 200, r.text


@pytest.mark.must_run
async def test_native_outcomes_are_published_as_valid_record_and_release_packages(
    client: httpx.AsyncClient, token: Callable
) -> None:
    await put_set(client, token, list(SET))
    releases, _ = await harvest(client, f"{FEED}?limit=4")
    assert [r["ocid"] for r in releases] == [NATIVE_PREFIX + ref for ref in SET]
    assert [r["id"] for r in releases] == [f"{NATIVE_PREFIX}{ref}-1" for ref in SET]
    attribution = for_ocds({"0580": LINKOPING}, "0580", None)
    for ref in SET:
        package = await fetch_record(client, NATIVE_PREFIX + ref)
        [record] = package["records"]
        [release] = record["releases"]
        assert release == next(r for r in releases if r["ocid"] == NATIVE_PREFIX + ref)
        compiled = record["compiledRelease"]
        assert compiled["tag"] == ["compiled"]
        # Read back by the service's own OCDS intake, the release is the stored outcome.
        reference, read = to_procurement(compiled, attribution)
        stored = (await client.get(f"/v1/procurements/0580/{ref}")).json()
        assert reference == ref
        for field in ("title", "category", "procedure", "advertised", "status"):
            assert str(getattr(read, field)) == str(stored[field]), (ref, field)
        assert (read.award_date, read.contract_signed_date) == (
            _date(stored["award_date"]),
            _date(stored["contract_signed_date"]),
        )
        assert len(read.bidders) == len(stored["bidders"]), ref
        winners = sum(1 for b in stored["bidders"] if b["winner"])
        assert len(read.winners) == winners, ref


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


@pytest.mark.must_run
async def test_releases_posted_in_ocds_are_published_as_received_with_a_compiled_release(
    client: httpx.AsyncClient, token: Callable
) -> None:
    r = await client.post(OCDS, json=release_package(), headers=token())
    assert r.status_code == 200, r.text
    package = await fetch_record(client, OCID)
    [record] = package["records"]
    assert record["releases"] == RELEASES  # as received: none of them names a sole trader
    expected = compile_releases(copy.deepcopy(RELEASES))
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"] and compiled["ocid"] == OCID
    assert {k: v for k, v in compiled.items() if k not in ("id", "tag")} == {
        k: v for k, v in expected.items() if k not in ("id", "tag")
    }
    # The award release had no tender title: the compiled release keeps the tender's.
    assert compiled["tender"]["title"] == RELEASES[1]["tender"]["title"]
    assert compiled["awards"][0]["suppliers"] == RELEASES[2]["awards"][0]["suppliers"]
    releases, _ = await harvest(client)
    assert releases == RELEASES


def other_publisher() -> dict[str, Any]:
    """Another publisher's release as real feeds carry it: integer identifiers, items with
    CPV codes, documents, an amendment, a Danish tenderer without size, amounts in EUR with
    cents, and fields no extension the service reads knows."""
    ocid = "ocds-xyz789-2018-0220"
    danish = {"id": "DK-CVR-25313763", "name": "Nordic Cleaning ApS"}
    local = {"id": "SE-BLV-556036-0793", "name": "Nordisk Facilitetsservice AB"}
    return {
        "ocid": ocid,
        "id": f"{ocid}-2018-05-03T08:00:00Z",
        "date": "2018-05-03T08:00:00Z",
        "tag": ["award", "contract"],
        "initiationType": "tender",
        "language": "sv",
        "buyer": BUYER,
        "parties": [
            BUYER_PARTY,
            {
                **danish,
                "identifier": {"scheme": "DK-CVR", "id": "25313763"},
                "address": {"countryName": "Danmark", "locality": "København"},
                "roles": ["tenderer"],
            },
            {
                **local,
                "identifier": {"scheme": "SE-BLV", "id": "556036-0793"},
                "roles": ["tenderer", "supplier"],
                "details": {"scale": "large"},
            },
        ],
        "tender": {
            "id": 220,
            "title": "Fönsterputs",
            "status": "complete",
            "mainProcurementCategory": "services",
            "procurementMethod": "selective",
            "items": [
                {
                    "id": 1,
                    "description": "Fönsterputs två gånger per år",
                    "classification": {"scheme": "CPV", "id": "90911300"},
                    "quantity": 2,
                }
            ],
            "documents": [
                {
                    "id": "doc-1",
                    "documentType": "tenderNotice",
                    "url": "https://example.org/notices/220.pdf",
                    "format": "application/pdf",
                }
            ],
            "tenderers": [danish, local],
            "numberOfTenderers": 2,
            "amendments": [{"id": "am-1", "date": "2018-03-02T10:00:00Z", "rationale": "Datum"}],
            "x_sourceSystemId": "TendSign-4411",
        },
        "awards": [
            {
                "id": 1,
                "date": "2018-05-02T12:00:00Z",
                "status": "active",
                "suppliers": [local],
                "value": {"amount": 18250.75, "currency": "EUR"},
            }
        ],
        "contracts": [
            {
                "id": 1,
                "awardID": 1,
                "status": "active",
                "dateSigned": "2018-05-03T08:00:00Z",
                "value": {"amount": 18250.75, "currency": "EUR"},
            }
        ],
    }


@pytest.mark.must_run
async def test_another_publishers_release_and_a_linked_record_are_published_validly(
    client: httpx.AsyncClient, token: Callable
) -> None:
    theirs = other_publisher()
    r = await client.post(OCDS, json=release_package([theirs]), headers=token())
    assert r.status_code == 200, r.text
    [record] = (await fetch_record(client, theirs["ocid"]))["records"]
    assert record["releases"] == [theirs]  # the unknown field and the cents kept
    assert record["compiledRelease"]["tender"]["x_sourceSystemId"] == "TendSign-4411"

    compiled = {**other_publisher(), "ocid": "ocds-xyz789-2018-0221", "tag": ["compiled"]}
    compiled["id"] = "ocds-xyz789-2018-0221-compiled"
    compiled["tender"] = {**compiled["tender"], "id": 221}
    linked = linked_record_package(compiled, [compiled])
    r = await client.post(OCDS, json=linked, headers=token())
    assert r.status_code == 200, r.text
    [record] = (await fetch_record(client, compiled["ocid"]))["records"]
    assert record["compiledRelease"] == compiled
    assert record["releases"] == [{"url": None, "date": compiled["date"], "tag": ["compiled"]}]
    # Only releases are in the feed: a publisher's compiled release is not one.
    releases, _ = await harvest(client)
    assert [r["id"] for r in releases] == [theirs["id"]]


NUMBER = "811228-9874"
FORMS = ["811228-9874", "8112289874", "19811228-9874", "198112289874"]
NAME = "Karin Lindqvist Måleri"
EMAIL = "karin.lindqvist@example.se"


def sole_trader_release() -> dict[str, Any]:
    ocid = "ocds-pd0000-2018-700"
    reference = {"id": f"SE-BLV-{NUMBER}", "name": NAME}
    return {
        "ocid": ocid,
        "id": f"{ocid}-award",
        "date": "2018-05-02T10:00:00+02:00",
        "tag": ["award"],
        "initiationType": "tender",
        "buyer": BUYER,
        "parties": [
            BUYER_PARTY,
            {
                **reference,
                "identifier": {"scheme": "SE-BLV", "id": NUMBER, "legalName": NAME},
                "contactPoint": {"name": "Karin Lindqvist", "email": EMAIL},
                "roles": ["tenderer", "supplier"],
                "details": {"scale": "selfEmployed"},
            },
        ],
        "tender": {
            "id": "KS-2018-700",
            "title": "Målning av trapphus",
            "description": f"Anbud från {NAME} ({NUMBER}), kontakt {EMAIL}.",
            "mainProcurementCategory": "services",
            "procurementMethod": "open",
            "status": "complete",
            "tenderers": [reference],
        },
        "awards": [
            {
                "id": "1",
                "status": "active",
                "suppliers": [reference],
                "value": {"amount": 90000, "currency": "SEK"},
            }
        ],
    }


@pytest.mark.must_run
async def test_no_sole_trader_is_published_in_clear(
    client: httpx.AsyncClient, token: Callable
) -> None:
    r = await client.post(OCDS, json=release_package([sole_trader_release()]), headers=token())
    assert r.status_code == 200, r.text
    await put_set(client, token, ["KS-2018-003"])  # won by a sole trader, sent natively
    ocids = ["ocds-pd0000-2018-700", NATIVE_PREFIX + "KS-2018-003"]
    published = [json.dumps(await fetch_record(client, ocid), ensure_ascii=False) for ocid in ocids]
    releases, _ = await harvest(client)
    published.append(json.dumps(releases, ensure_ascii=False))
    native_name = BIDDER[SOLE_TRADER]["name"]
    needles = [*FORMS, NAME, EMAIL, "Karin Lindqvist", SOLE_TRADER, "1212121212", native_name]
    for text in published:
        assert not [n for n in needles if n in text]
    # Published by pseudonym: the same one in the release and in the parties.
    native = next(r for r in releases if r["ocid"] == ocids[1])
    [party] = [p for p in native["parties"] if "supplier" in p["roles"]]
    assert (
        party["identifier"]["id"].startswith("st:") and party["name"] == party["identifier"]["id"]
    )


async def test_the_since_cursor_resumes_after_the_last_release_kept(
    client: httpx.AsyncClient, token: Callable
) -> None:
    await put_set(client, token, ["KS-2018-001", "KS-2018-002"])
    first, resume = await harvest(client, f"{FEED}?limit=1")
    assert [r["id"] for r in first] == [
        NATIVE_PREFIX + "KS-2018-001-1",
        NATIVE_PREFIX + "KS-2018-002-1",
    ]
    nothing, again = await harvest(client, resume)
    assert (nothing, again) == ([], resume)  # nothing new: the same place to resume from

    changed = {**SET["KS-2018-001"], "title": "Städtjänster i stadshuset"}
    r = await client.put("/v1/procurements/0580/KS-2018-001", json=changed, headers=token())
    assert r.status_code == 200, r.text
    r = await client.post(OCDS, json=release_package(), headers=token())
    assert r.status_code == 200, r.text
    later, _ = await harvest(client, resume)
    # The changed outcome's new version, then the releases received: none of the first again.
    assert [r["id"] for r in later] == [
        NATIVE_PREFIX + "KS-2018-001-2",
        *(r["id"] for r in RELEASES),
    ]
    assert later[0]["tender"]["title"] == "Städtjänster i stadshuset"
    # From the start, every stored release once, each outcome in its current version.
    everything, _ = await harvest(client, f"{FEED}?limit=2")
    assert [r["id"] for r in everything] == [
        NATIVE_PREFIX + "KS-2018-002-1",
        NATIVE_PREFIX + "KS-2018-001-2",
        *(r["id"] for r in RELEASES),
    ]


@pytest.mark.parametrize("cursor", ["not-a-cursor", "MjAxOC0wMS0wMXwxfDE", "fA"])
async def test_a_cursor_that_is_not_ours_is_422_naming_it(
    client: httpx.AsyncClient, cursor: str
) -> None:
    assert_problem(await client.get(FEED, params={"since": cursor}), 422, "/since")


async def test_an_unknown_process_is_404_and_reads_need_what_other_reads_need(
    client: httpx.AsyncClient, token: Callable
) -> None:
    assert_problem(await client.get(f"{OCDS}/records/ocds-nothing-1"), 404)
    assert_problem(await client.get(f"{OCDS}/records/{NATIVE_PREFIX}KS-2099-1"), 404)
    assert_problem(await client.get("/v1/procurements/9999/ocds/releases"), 422)
    procurement = await client.get("/v1/procurements/0580")
    feed = await client.get(FEED)
    assert (feed.status_code, procurement.status_code) == (200, 200)
    assert feed.json()["releases"] == []
