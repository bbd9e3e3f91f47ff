"""The audit log of a municipality: who changed its outcomes and rules, when and why. Never
public: it needs procurement:read even where the outcomes themselves may be read openly."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from procurement_testkit import SET

from municipal_shared.kit.testing import assert_problem

AUDIT = "/v1/audit/0580"


async def test_the_audit_log_needs_a_token(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get(AUDIT), 401)


async def test_the_audit_log_needs_the_read_scope(
    client: httpx.AsyncClient, token: Callable
) -> None:
    assert_problem(await client.get(AUDIT, headers=token("procurement:write")), 403)


async def test_a_posted_outcome_is_in_the_audit_log(
    client: httpx.AsyncClient, token: Callable
) -> None:
    empty = await client.get(AUDIT, headers=token())
    assert empty.status_code == 200
    assert empty.json() == {"items": [], "page": 1, "page_size": 50, "total": 0}

    body = {**SET["KS-2018-001"], "reason": "Tilldelning enligt beslut"}
    r = await client.put("/v1/procurements/0580/KS-2018-001", json=body, headers=token())
    assert r.status_code == 201
    log = (await client.get(AUDIT, headers=token())).json()
    assert log["total"] == 1
    (entry,) = log["items"]
    assert entry["action"] == "procurement.created"
    assert entry["target"] == "0580/KS-2018-001"
    assert entry["actor"] == "upphandlingssystemet"
    assert entry["reason"] == "Tilldelning enligt beslut"
    assert entry["changes"][0]["path"] == "/content_hash"
    assert entry["changes"][0]["old"] is None
    assert {"id", "at"} <= entry.keys()
    # Another municipality's log does not show it.
    other = (await client.get("/v1/audit/0581", headers=token())).json()
    assert other["total"] == 0


async def test_the_audit_log_pages_newest_first(client: httpx.AsyncClient, token: Callable) -> None:
    for reference in ("KS-2018-001", "KS-2018-002", "KS-2018-003"):
        r = await client.put(
            f"/v1/procurements/0580/{reference}", json=SET[reference], headers=token()
        )
        assert r.status_code == 201
    rule = {
        "categories": ["services"],
        "more_than_days": 90,
        "min_employees": 2,
        "direct_award_threshold_sek": "100000",
    }
    r = await client.put("/v1/employment-rules/0580", json=rule, headers=token())
    assert r.status_code == 200

    first = (await client.get(AUDIT, params={"page_size": 2}, headers=token())).json()
    second = (await client.get(AUDIT, params={"page_size": 2, "page": 2}, headers=token())).json()
    assert first["total"] == second["total"] == 4
    assert (first["page"], first["page_size"], second["page"]) == (1, 2, 2)
    entries = first["items"] + second["items"]
    assert [e["action"] for e in entries] == [
        "employment_rule.set",
        "procurement.created",
        "procurement.created",
        "procurement.created",
    ]
    assert [e["target"] for e in entries[1:]] == [
        "0580/KS-2018-003",
        "0580/KS-2018-002",
        "0580/KS-2018-001",
    ]
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)
    beyond = (await client.get(AUDIT, params={"page_size": 2, "page": 3}, headers=token())).json()
    assert beyond["items"] == [] and beyond["total"] == 4


async def test_a_bulk_put_records_one_entry_naming_every_outcome_it_stored(
    client: httpx.AsyncClient, token: Callable
) -> None:
    refs = ("KS-2018-001", "KS-2018-002", "KS-2018-003")
    first = [{**SET[ref], "reference": ref} for ref in refs[:2]]
    r = await client.put("/v1/procurements/0580", json={"items": first}, headers=token())
    assert r.status_code == 200 and r.json()["created"] == 2
    log = (await client.get(AUDIT, headers=token())).json()
    (entry,) = log["items"]
    assert (entry["action"], entry["target"]) == ("procurements.stored", "0580")
    created = {c["path"]: c for c in entry["changes"]}
    assert set(created) == {"/KS-2018-001", "/KS-2018-002"}
    assert all(c["old"] is None and len(c["new"]) == 64 for c in created.values())

    # Again with one changed, one unchanged and one new: only the two stored are named,
    # the changed one with its old fingerprint; the same batch once more records nothing.
    again = [
        {**SET["KS-2018-001"], "reference": "KS-2018-001", "title": "Ny titel"},
        first[1],
        {**SET["KS-2018-003"], "reference": "KS-2018-003"},
    ]
    for _ in range(2):
        r = await client.put("/v1/procurements/0580", json={"items": again}, headers=token())
        assert r.status_code == 200
    assert r.json() == {"created": 0, "changed": 0, "unchanged": 3}
    log = (await client.get(AUDIT, headers=token())).json()
    assert log["total"] == 2
    changes = {c["path"]: c for c in log["items"][0]["changes"]}
    assert set(changes) == {"/KS-2018-001", "/KS-2018-003"}
    assert changes["/KS-2018-001"]["old"] == created["/KS-2018-001"]["new"]
    assert changes["/KS-2018-001"]["new"] != created["/KS-2018-001"]["new"]
    assert changes["/KS-2018-003"]["old"] is None


async def test_a_procurement_may_be_called_audit(
    client: httpx.AsyncClient, token: Callable
) -> None:
    """The log lives beside the outcomes, not among them: every reference stays readable."""
    body = SET["KS-2018-001"]
    assert (
        await client.put("/v1/procurements/0580/audit", json=body, headers=token())
    ).status_code == 201
    read = await client.get("/v1/procurements/0580/audit", headers=token())
    assert (read.status_code, read.json()["reference"]) == (200, "audit")
