"""Phases as versions: decided versions are locked, revisions supersede, edits need If-Match."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from budget_testkit import make_budget, per_year, small_content

from municipal_shared.kit.testing import assert_problem

DECISION = {
    "decided_by": "KF",
    "decision_date": "2029-11-27",
    "paragraph": "§ 412",
    "reason": "Fullmäktiges beslut",
}


async def test_totals_are_derived(client: httpx.AsyncClient, token: Callable) -> None:
    path, _ = await make_budget(client, token())
    doc = (await client.get(path)).json()
    assert doc["directive"]["total"] == per_year(1020, 1040, 1060, 1080)
    areas = {a["code"]: a for a in doc["proposal"]["activity_areas"]}
    assert areas["ekonomi"]["total"] == per_year(650, 600, 600, 600)
    assert doc["proposal"]["total"] == per_year(1070, 1040, 1060, 1080)
    assert doc["proposal"]["of_which_change"] == per_year(50, 0, 0, 0)
    assert doc["investments"]["within_frame"]["total"] == per_year(90, 100, 100, 100)
    assert doc["investments"]["frame_remaining"] == per_year(10, 0, 0, 0)


async def test_decided_version_is_locked_and_a_revision_supersedes_it(
    client: httpx.AsyncClient, token: Callable
) -> None:
    h = token()
    path, etag = await make_budget(client, h)
    r = await client.post(
        f"{path}/versions/1/decision", json=DECISION, headers={**h, "If-Match": etag}
    )
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["version"]["status"] == "decided"
    assert decided["version"]["decision"]["paragraph"] == "§ 412"
    etag = r.headers["etag"]

    edit = await client.put(
        f"{path}/versions/1", json=small_content("ändring"), headers={**h, "If-Match": etag}
    )
    assert_problem(edit, 409)
    line = {
        "activity_area_code": "ekonomi",
        "heading": "Övriga förändringar",
        "kind": "other",
        "text": "Ny rad",
        "amounts": per_year(1, 1, 1, 1),
        "reason": "ändring",
    }
    assert_problem(
        await client.post(
            f"{path}/versions/1/change-lines", json=line, headers={**h, "If-Match": etag}
        ),
        409,
    )
    other_decision = {**DECISION, "paragraph": "§ 413"}
    assert_problem(
        await client.post(
            f"{path}/versions/1/decision", json=other_decision, headers={**h, "If-Match": etag}
        ),
        409,
    )
    # Recording the same decision again is a replay: answered, nothing written.
    replay = await client.post(f"{path}/versions/1/decision", json=DECISION, headers=h)
    assert replay.status_code == 200 and replay.json() == decided
    assert (await client.get(f"{path}/versions/1")).json() == decided
    assert (await client.get(f"{path}/audit", headers=token())).json()["total"] == 3

    r = await client.post(
        f"{path}/versions", json={"phase": "directive", "reason": "Revidering"}, headers=h
    )
    assert r.status_code == 201, r.text
    revision = r.json()["version"]
    assert revision["number"] == 2 and revision["supersedes_version"] == 1
    assert revision["status"] == "draft"
    first = (await client.get(f"{path}/versions/1")).json()["version"]
    assert first["superseded_by_version"] == 2
    # The revision starts from the decided content and can be edited.
    r = await client.post(
        f"{path}/versions/2/change-lines", json=line, headers={**h, "If-Match": r.headers["etag"]}
    )
    assert r.status_code == 201, r.text
    assert r.json()["proposal"]["total"] == per_year(1071, 1041, 1061, 1081)
    assert (await client.get(path)).json()["version"]["number"] == 2
    # A second successor of the same head is refused: the head is now a draft.
    assert_problem(
        await client.post(
            f"{path}/versions", json={"phase": "directive", "reason": "igen"}, headers=h
        ),
        409,
    )


async def test_next_phase_and_order(client: httpx.AsyncClient, token: Callable) -> None:
    h = token()
    path, etag = await make_budget(client, h)
    r = await client.post(
        f"{path}/versions/1/decision", json=DECISION, headers={**h, "If-Match": etag}
    )
    r = await client.post(
        f"{path}/versions", json={"phase": "board_proposal", "reason": "Nästa fas"}, headers=h
    )
    assert r.status_code == 201
    v2 = r.json()["version"]
    assert (v2["phase"], v2["based_on_version"], v2["supersedes_version"]) == (
        "board_proposal",
        1,
        None,
    )
    await client.post(
        f"{path}/versions/2/decision", json=DECISION, headers={**h, "If-Match": r.headers["etag"]}
    )
    back = await client.post(
        f"{path}/versions", json={"phase": "directive", "reason": "bakåt"}, headers=h
    )
    assert_problem(back, 422, "/phase")


async def test_stale_if_match_is_rejected_and_nothing_changes(
    client: httpx.AsyncClient, token: Callable
) -> None:
    h = token()
    path, etag = await make_budget(client, h)
    first_change = small_content("ändring ett")
    first_change["activity_areas"][0]["base_amounts"] = per_year(610, 610, 610, 610)
    first = await client.put(
        f"{path}/versions/1", json=first_change, headers={**h, "If-Match": etag}
    )
    assert first.status_code == 200
    before = (await client.get(path)).json()
    changed = small_content("ändring två")
    changed["activity_areas"][1]["base_amounts"] = per_year(1, 1, 1, 1)
    stale = await client.put(f"{path}/versions/1", json=changed, headers={**h, "If-Match": etag})
    body = assert_problem(stale, 412)
    assert body["current_etag"] == first.headers["etag"]
    assert_problem(await client.put(f"{path}/versions/1", json=changed, headers=h), 428)
    assert (await client.get(path)).json() == before


async def test_concurrent_writers_with_the_same_etag_one_wins(
    client: httpx.AsyncClient, token: Callable
) -> None:
    h = token()
    path, etag = await make_budget(client, h)
    bodies = []
    for i in range(4):
        body = small_content(f"samtidig {i}")
        body["activity_areas"][1]["base_amounts"] = per_year(i, i, i, i)
        bodies.append(body)
    responses = await asyncio.gather(
        *[client.put(f"{path}/versions/1", json=b, headers={**h, "If-Match": etag}) for b in bodies]
    )
    assert sorted(r.status_code for r in responses) == [200, 412, 412, 412]


async def test_discard_only_the_latest_draft(client: httpx.AsyncClient, token: Callable) -> None:
    h = token()
    path, etag = await make_budget(client, h)
    assert_problem(
        await client.delete(
            f"{path}/versions/1", params={"reason": "bort"}, headers={**h, "If-Match": etag}
        ),
        409,
    )
    await client.post(f"{path}/versions/1/decision", json=DECISION, headers={**h, "If-Match": etag})
    r = await client.post(
        f"{path}/versions", json={"phase": "directive", "reason": "rev"}, headers=h
    )
    gone = await client.delete(
        f"{path}/versions/2",
        params={"reason": "ångrad revision"},
        headers={**h, "If-Match": r.headers["etag"]},
    )
    assert gone.status_code == 204
    assert (await client.get(path)).json()["version"]["number"] == 1


async def test_audit_lists_who_what_when_why(client: httpx.AsyncClient, token: Callable) -> None:
    h = token(subject="ekonom@linkoping.se")
    path, etag = await make_budget(client, h)
    await client.post(f"{path}/versions/1/decision", json=DECISION, headers={**h, "If-Match": etag})
    entries = (await client.get(f"{path}/audit", headers=token())).json()
    actions = [e["action"] for e in entries["items"]]
    assert actions == ["budget.created", "version.content_replaced", "version.decided"]
    replaced = entries["items"][1]
    assert replaced["actor"] == "ekonom@linkoping.se" and replaced["reason"] == "Första utkast"
    assert {
        "path": "/directive_lines/0/text",
        "old": None,
        "new": "Budgetram enligt tidigare beslut",
    } in replaced["changes"]
    paged = (
        await client.get(f"{path}/audit", params={"page": 2, "page_size": 2}, headers=token())
    ).json()
    assert paged["total"] == 3 and len(paged["items"]) == 1


async def test_a_replayed_put_is_answered_without_a_second_write(
    client: httpx.AsyncClient, token: Callable
) -> None:
    """A client that lost the response retries with its old ETag: same content, same answer."""
    h = token()
    path, etag = await make_budget(client, h)
    audit = (await client.get(f"{path}/audit", headers=token())).json()["total"]
    replay = await client.put(
        f"{path}/versions/1", json=small_content("igen"), headers={**h, "If-Match": '"stale"'}
    )
    assert replay.status_code == 200 and replay.headers["etag"] == etag
    assert (await client.get(f"{path}/audit", headers=token())).json()["total"] == audit
