"""A sole trader's personal identity number, name and contact points: sent natively and in OCDS
in every way they are written, they are then in no table of the database, no response and no
log line. Pseudonyms are keyed, stable, and move to a new key with the re-keying command."""

from __future__ import annotations

import copy
import logging
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from ocds_fixture import BUYER, BUYER_PARTY, release_package
from procurement_testkit import SET
from sqlalchemy import MetaData, select, text

from municipal_shared.kit.settings import AuthSettings
from procurement_service.main import create_app
from procurement_service.models import Bidder, OcdsRelease
from procurement_service.rules import personal_data, procurement
from procurement_service.settings import ProcurementSettings
from procurement_service.use_cases.rekey import rekey

NUMBER = "811228-9874"
FORMS = ["811228-9874", "8112289874", "19811228-9874", "198112289874"]
NAME = "Karin Lindqvist Måleri"
EMAIL = "karin.lindqvist@example.se"
PHONE = "+46 70 555 12 34"
NEEDLES = [*FORMS, NAME, EMAIL, PHONE, "Karin Lindqvist"]
KEY = b"development-only-personal-data-key"


def sole_trader_release(ocid: str, number: str) -> dict[str, Any]:
    party_id = f"SE-BLV-{number}"
    reference = {"id": party_id, "name": NAME}
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
                "identifier": {"scheme": "SE-BLV", "id": number, "legalName": NAME},
                "contactPoint": {"name": "Karin Lindqvist", "email": EMAIL, "telephone": PHONE},
                "address": {"streetAddress": "Storgatan 1", "locality": "Linköping"},
                "roles": ["tenderer", "supplier"],
                "details": {"scale": "selfEmployed"},
            },
        ],
        "tender": {
            "id": ocid.rsplit("-", 1)[-1],
            "title": "Målning av trapphus",
            "description": f"Anbud från {NAME} ({number}), kontakt {EMAIL}.",
            "mainProcurementCategory": "services",
            "procurementMethod": "open",
            "status": "complete",
            "tenderers": [reference],
            "numberOfTenderers": 1,
        },
        "awards": [
            {
                "id": "1",
                "date": "2018-05-02T10:00:00+02:00",
                "status": "active",
                "suppliers": [reference],
                "value": {"amount": 90000, "currency": "SEK"},
            }
        ],
    }


async def every_row_as_text(app: Any) -> str:
    """Every row of every table of the service's database, as text."""
    engine = app.state.database.engine
    async with engine.connect() as connection:
        metadata = MetaData()
        await connection.run_sync(metadata.reflect)
        rows = []
        for table in metadata.sorted_tables:
            result = await connection.execute(select(table))
            rows += [f"{table.name}: {tuple(row)}" for row in result]
    assert any(row.startswith("ocds_release") for row in rows)  # the search saw the store
    return "\n".join(rows)


async def test_a_sole_trader_is_in_no_table_response_or_log_line(
    app: Any, client: httpx.AsyncClient, token: Callable, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []

    async def call(method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = await client.request(method, url, headers=token(), **kwargs)
        texts.append(response.text)
        return response

    for n, form in enumerate(FORMS):  # native, one procurement per way of writing the number
        body = copy.deepcopy(SET["KS-2018-003"])
        body["bidders"][0].update(organisation_number=form, name=NAME)
        body["winners"] = [form]
        r = await call("PUT", f"/v1/procurements/0580/KS-2018-30{n}", json=body)
        assert r.status_code == 201, r.text
    bulk = copy.deepcopy(SET["KS-2018-003"])
    bulk["bidders"][0].update(organisation_number=FORMS[2], name=NAME)
    bulk["winners"] = [FORMS[3]]
    r = await call("PUT", "/v1/procurements/0580", json={"items": [{**bulk, "reference": "B-1"}]})
    assert r.status_code == 200, r.text
    for n, form in enumerate(FORMS):  # OCDS, likewise
        release = sole_trader_release(f"ocds-pd0000-2018-40{n}", form)
        r = await call("POST", "/v1/procurements/0580/ocds", json=release_package([release]))
        assert r.status_code == 200, r.text
    refused = copy.deepcopy(sole_trader_release("ocds-pd0000-2018-499", FORMS[0]))
    refused["tender"]["status"] = "open"  # schema-invalid: the refusal must not echo it either
    r = await call("POST", "/v1/procurements/0580/ocds", json=release_package([refused]))
    assert r.status_code == 422, r.text
    for path in ("/v1/procurements/0580", "/v1/procurements/0580/ocds-pd0000-2018-400"):
        await call("GET", path)
    await call("GET", "/v1/procurements/0580/400")
    await call("GET", "/v1/measurements/0580/2018/T2")
    await call("GET", "/v1/outbox")  # the delivery queue, with its message bodies

    # One person however the number was written: one pseudonym for all nine procurements.
    stored = (await client.get("/v1/procurements/0580/400")).json()
    assert stored["bidders"][0]["sole_trader"] is True
    assert stored["bidders"][0]["organisation_number"] is None
    assert stored["bidders"][0]["name"] is None
    async with app.state.database.sessions() as session:
        keys = set((await session.execute(select(Bidder.org_key))).scalars())
    assert keys == {personal_data.pseudonym(NUMBER, KEY)}

    table_text = await every_row_as_text(app)
    log_text = "\n".join(record.getMessage() for record in caplog.records)
    for where, haystack in (("tables", table_text), ("responses", "\n".join(texts))):
        for needle in NEEDLES:
            assert needle not in haystack, f"{needle!r} found in {where}"
    for needle in NEEDLES:
        assert needle not in log_text, f"{needle!r} found in a log line"


def test_pseudonyms_are_keyed_stable_and_not_the_number() -> None:
    made = {personal_data.pseudonym(form, KEY) for form in FORMS}
    assert len(made) == 1
    [pseudonym] = made
    assert personal_data.PSEUDONYM.fullmatch(pseudonym)
    assert personal_data.number_of(pseudonym, KEY) == "8112289874"
    assert personal_data.number_of(pseudonym, b"another key of the same length!!") is None
    assert personal_data.pseudonym(NUMBER, b"another key") != pseudonym
    # A forged pseudonym is not accepted as a sole trader.
    with pytest.raises(procurement.InvalidOrganisationNumber):
        procurement.identify("st:" + "A" * 35, KEY)
    # Legal persons stay as they are, in both 10- and 12-digit forms.
    assert procurement.identify("165560360793", KEY).key == "556036-0793"


def test_redaction_keeps_the_release_usable() -> None:
    release = sole_trader_release("ocds-pd0000-2018-500", FORMS[2])
    redacted = personal_data.redact_release(release, KEY)
    pseudonym = personal_data.pseudonym(NUMBER, KEY)
    party = redacted["parties"][1]
    assert party["id"] == f"SE-BLV-{pseudonym}" and party["name"] == pseudonym
    assert party["identifier"] == {"scheme": "SE-BLV", "id": pseudonym}
    assert "contactPoint" not in party and "address" not in party
    assert party["details"] == {"scale": "selfEmployed"} and party["roles"][0] == "tenderer"
    assert redacted["tender"]["tenderers"] == [{"id": party["id"], "name": pseudonym}]
    assert redacted["tender"]["description"] == (
        f"Anbud från {pseudonym} ({pseudonym}), kontakt {pseudonym}."
    )
    # The buyer (a legal person) and everything else are untouched.
    assert redacted["parties"][0] == release["parties"][0]
    assert personal_data.redact_release(release, KEY) == redacted  # deterministic


async def test_rekeying_moves_every_pseudonym_to_the_new_key(
    app: Any, client: httpx.AsyncClient, token: Callable
) -> None:
    release = sole_trader_release("ocds-pd0000-2018-600", FORMS[0])
    r = await client.post(
        "/v1/procurements/0580/ocds", json=release_package([release]), headers=token()
    )
    assert r.status_code == 200, r.text
    new = b"a new key of forty characters or so, rnd"
    async with app.state.database.sessions() as session:
        done = await rekey(session, KEY, new)
    assert (done.bidders, done.releases) == (1, 1)
    moved = personal_data.pseudonym(NUMBER, new)
    async with app.state.database.sessions() as session:
        assert set((await session.execute(select(Bidder.org_key))).scalars()) == {moved}
        [body] = (await session.execute(select(OcdsRelease.body))).scalars()
    assert moved in str(body) and personal_data.pseudonym(NUMBER, KEY) not in str(body)
    async with app.state.database.sessions() as session:
        again = await rekey(session, KEY, new)
    assert (again.bidders, again.releases) == (0, 0)


def test_production_refuses_to_start_without_a_key_of_its_own() -> None:
    production = AuthSettings(mode="production", jwks_url="https://idp.example/jwks.json")
    with pytest.raises(ValueError, match="PROCUREMENT_PERSONAL_DATA_KEY"):
        create_app(ProcurementSettings(), production)
    with pytest.raises(ValueError, match="PROCUREMENT_PERSONAL_DATA_KEY"):
        create_app(ProcurementSettings(personal_data_key="short"), production)
    create_app(ProcurementSettings(personal_data_key="k" * 40), production)


def test_serve_in_production_without_the_key_exits_naming_it(tmp_path: Any) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "AUTH_MODE": "production",
        "AUTH_JWKS_URL": "https://idp.example/jwks.json",
        "PROCUREMENT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/p.db",
        "PROCUREMENT_PORT": "0",
    }
    done = subprocess.run(
        [sys.executable, "-m", "procurement_service", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "PROCUREMENT_PERSONAL_DATA_KEY" in done.stderr


async def test_no_release_text_holds_a_personal_identity_number(app: Any) -> None:
    """Belt and braces: whatever a publisher wrote, the store holds no valid personnummer."""
    async with app.state.database.sessions() as session:
        bodies = (await session.execute(text("SELECT body FROM ocds_release"))).scalars()
        assert not [b for b in bodies if list(personal_data.personal_numbers(str(b)))]
