"""OCDS packages in: every release stored as received (a record's compiledRelease marked as
compiled), each touched procurement rebuilt from the merge of all its releases. A package is
stored whole or not at all, and a refusal names every bad release and procurement at once."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.database import commit
from municipal_shared.kit.problems import Conflict, InvalidContent, field_error
from procurement_service import repository as repo_procurements
from procurement_service.models import AuditEntry, OcdsRelease
from procurement_service.repository import ocds as repo
from procurement_service.rules import ocds, ocds_mapping, personal_data
from procurement_service.rules.attribution import Buyer, for_ocds
from procurement_service.rules.ocds_validation import refuse_too_many_releases
from procurement_service.schemas import ReceivedProcurement
from procurement_service.schemas_out import OcdsResult
from procurement_service.use_cases.figures_upkeep import Upkeep
from procurement_service.use_cases.procurements import mark_tertials_dirty, store_outcome

_CARRIED = ("index", "record", "ocid", "id", "field")  # which release, and the native field


def _problem_errors(errors: list[dict[str, Any]], prefix: str = "") -> list[dict[str, Any]]:
    return [
        {
            **field_error(prefix + (e.get("path") or ""), e["message"], "invalid-ocds"),
            **{k: e[k] for k in _CARRIED if k in e},
        }
        for e in errors
    ]


def _by_release(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same errors grouped by release, so a publisher sees which releases to fix."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for e in errors:
        key = (e.get("record"), e.get("index"), e.get("ocid"), e.get("id"))
        group = groups.setdefault(
            key,
            {"record": key[0], "index": key[1], "ocid": key[2], "id": key[3], "errors": []},
        )
        group["errors"].append({"pointer": e["pointer"], "message": e["message"]})
    return list(groups.values())


def _invalid(title: str, errors: list[dict[str, Any]]) -> InvalidContent:
    return InvalidContent(title, errors=errors, releases=_by_release(errors))


async def receive_package(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    payload: dict[str, Any],
    secret: bytes,
    *,
    buyers: dict[str, Buyer],
    board: str | None,
    max_releases: int,
) -> OcdsResult:
    """Store the package's releases and rebuild every procurement they touch, or nothing."""
    refuse_too_many_releases(payload, max_releases)
    attribution = for_ocds(buyers, municipality_code, board)
    try:
        releases = ocds.parse_package(payload)
    except ocds.PackageError as exc:
        raise _invalid(
            "The OCDS package is not valid; nothing was stored", _problem_errors(exc.errors)
        ) from exc
    upkeep = await Upkeep.begin(session, municipality_code)  # first: before any row lock
    stored, unchanged, conflicts = 0, 0, []
    touched: list[str] = []
    known = await repo.release_hashes(
        session, municipality_code, list(dict.fromkeys(r.ocid for r in releases))
    )
    for index, release in enumerate(releases):
        # Redacted before it is hashed or stored: no sole trader's number, name or contact.
        body = personal_data.redact_release(release.as_received(), secret)
        digest = ocds.canonical_hash(body)
        existing = known.get((release.ocid, release.id))
        if existing is not None:
            if existing == digest:
                unchanged += 1
                continue
            message = "this (ocid, id) was received before with other content"
            conflicts.append(
                {
                    **field_error(f"/releases/{index}", message, "conflict"),
                    "ocid": release.ocid,
                    "id": release.id,
                }
            )
            continue
        session.add(
            OcdsRelease(
                municipality_code=municipality_code,
                ocid=release.ocid,
                release_id=release.id,
                content_hash=digest,
                body=body,
                compiled=release.is_compiled,
            )
        )
        known[(release.ocid, release.id)] = digest  # the same release again in this package
        stored += 1
        if release.ocid not in touched:
            touched.append(release.ocid)
    if conflicts:
        raise Conflict(
            "Releases conflict with ones received before; nothing was stored", errors=conflicts
        )
    await session.flush()
    mapped: list[tuple[str, str, ReceivedProcurement]] = []
    mapping_errors: list[dict[str, Any]] = []
    bodies = await repo.release_bodies(session, municipality_code, touched)
    for ocid in touched:
        compiled = ocds.compile_releases(bodies[ocid])
        try:
            mapped.append((ocid, *ocds_mapping.to_procurement(compiled, attribution)))
        except ocds_mapping.MappingError as exc:
            mapping_errors += _problem_errors(
                [{**e, "ocid": ocid, "id": compiled.get("id")} for e in exc.errors],
                f"/ocid/{ocid}",
            )
    if mapping_errors:  # every procurement's errors in one answer; nothing is stored
        raise _invalid(
            "Releases cannot be read as procurements; nothing was stored", mapping_errors
        )
    references = await _store_all(session, actor, municipality_code, mapped, secret, upkeep)
    record_audit(
        session,
        AuditEntry,
        actor=actor,
        action="ocds.received",
        target=municipality_code,
        reason="OCDS package",
        changes=[{"path": "/releases", "old": None, "new": stored}],
        municipality_code=municipality_code,
    )
    await upkeep.finish()
    await commit(session)
    return OcdsResult(stored=stored, unchanged=unchanged, procurements=references)


async def _store_all(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    mapped: list[tuple[str, str, ReceivedProcurement]],
    secret: bytes,
    upkeep: Upkeep,
) -> list[str]:
    """Every mapped procurement stored, counted for the summary as one batch (before and
    after), and the tertials they change marked once: one statement per step however many
    procurements, and locks taken in one order (procurement rows, tertial marks, summary),
    so two packages at once do not deadlock on each other's marks."""
    stored = await repo_procurements.procurements_by_reference(
        session, municipality_code, list(dict.fromkeys(reference for _, reference, _ in mapped))
    )
    await upkeep.before([p.id for p in stored.values()])
    references, dates = [], []
    for ocid, reference, procurement in mapped:
        try:
            stored[reference], _, changed = await store_outcome(
                session,
                actor,
                municipality_code,
                reference,
                procurement,
                secret,
                f"OCDS {ocid}",
                upkeep=None,
                source="ocds",
                existing=stored.get(reference),
                mark_dirty=False,
            )
        except InvalidContent as exc:
            for error in exc.extensions.get("errors", []):
                error["ocid"] = ocid
            raise
        references.append(reference)
        dates += changed
    await session.flush()
    await upkeep.after(list(dict.fromkeys(p.id for p in stored.values())))
    await mark_tertials_dirty(session, municipality_code, dates)
    return references
