"""OCDS packages in: every release stored as received, each touched procurement rebuilt from
the merge of all its releases. A package is stored whole or not at all."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.database import commit
from municipal_shared.kit.problems import Conflict, InvalidContent
from procurement_service import ocds, ocds_mapping, service
from procurement_service.models import AuditEntry, OcdsRelease


def _problem_errors(errors: list[dict[str, Any]], prefix: str = "") -> list[dict[str, Any]]:
    return [
        {
            "pointer": prefix + (e.get("path") or ""),
            "location": "body",
            "message": e["message"],
            "type": "invalid-ocds",
            **{k: e[k] for k in ("index", "record", "ocid", "id") if k in e},
        }
        for e in errors
    ]


async def ingest(
    session: AsyncSession,
    actor: str,
    municipality_code: str,
    payload: dict[str, Any],
    secret: bytes,
    default_board_code: str,
) -> dict[str, Any]:
    try:
        releases = ocds.parse_package(payload)
    except ocds.PackageError as exc:
        raise InvalidContent(
            "The OCDS package is not valid; nothing was stored", errors=_problem_errors(exc.errors)
        ) from exc
    stored, unchanged, conflicts = 0, 0, []
    touched: list[str] = []
    for index, release in enumerate(releases):
        body = release.as_received()
        digest = ocds.canonical_hash(body)
        existing = (
            await session.execute(
                select(OcdsRelease).where(
                    OcdsRelease.municipality_code == municipality_code,
                    OcdsRelease.ocid == release.ocid,
                    OcdsRelease.release_id == release.id,
                )
            )
        ).scalar_one_or_none()
        if existing is not None:
            if existing.content_hash == digest:
                unchanged += 1
                continue
            conflicts.append(
                {
                    "pointer": f"/releases/{index}",
                    "location": "body",
                    "type": "conflict",
                    "message": "this (ocid, id) was received before with other content",
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
            )
        )
        stored += 1
        if release.ocid not in touched:
            touched.append(release.ocid)
    if conflicts:
        raise Conflict(
            "Releases conflict with ones received before; nothing was stored", errors=conflicts
        )
    await session.flush()
    references = []
    for ocid in touched:
        rows = (
            await session.execute(
                select(OcdsRelease.body)
                .where(
                    OcdsRelease.municipality_code == municipality_code,
                    OcdsRelease.ocid == ocid,
                )
                .order_by(OcdsRelease.id)
            )
        ).scalars()
        compiled = ocds.compile_releases(list(rows))
        try:
            reference, procurement = ocds_mapping.to_procurement(compiled, default_board_code)
        except ocds_mapping.MappingError as exc:
            raise InvalidContent(
                f"Releases of {ocid} cannot be read as a procurement",
                errors=_problem_errors(exc.errors, f"/ocid/{ocid}"),
            ) from exc
        try:
            await service.put_procurement(
                session,
                actor,
                municipality_code,
                reference,
                procurement,
                secret,
                f"OCDS {ocid}",
                source="ocds",
            )
        except InvalidContent as exc:
            for error in exc.extensions.get("errors", []):
                error["ocid"] = ocid
            raise
        references.append(reference)
    session.add(
        AuditEntry(
            municipality_code=municipality_code,
            actor=actor,
            action="ocds.received",
            target=municipality_code,
            reason="OCDS package",
            changes=[{"path": "/releases", "old": None, "new": stored}],
        )
    )
    await commit(session)
    return {"stored": stored, "unchanged": unchanged, "procurements": references}
