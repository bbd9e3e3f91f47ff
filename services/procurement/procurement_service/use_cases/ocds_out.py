"""Use cases of OCDS out: a record package per contracting process, and the release package
feed of a municipality after a cursor. Reads only: nothing is written, so nothing commits.

The feed lists every release received in OCDS (as stored: redacted) and the current release of
every native outcome, in the order they were stored (time, then received before native, then
row). A page's `links.next` carries the cursor after its last release, so a harvester follows
it to the end (an empty page) and later resumes from the last one it kept. A write that
commits after a reader passed its moment can be missed: the stored time is taken before the
commit. It is a publication feed, not the changes feed of record for delivering figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.problems import InvalidContent, NotFound, field_error
from procurement_service.repository import ocds_out as repo
from procurement_service.rules import ocds_out
from procurement_service.rules.attribution import buyer_of
from procurement_service.rules.ocds_out import Position, Publisher
from procurement_service.settings import ProcurementSettings

_EMPTY_STORE = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def publisher_of(settings: ProcurementSettings, municipality_code: str) -> Publisher:
    buyer = buyer_of(settings.buyers, municipality_code)
    return Publisher(
        name=settings.publisher_names.get(municipality_code, f"Kommun {municipality_code}"),
        organisation_number=buyer.organisation_numbers[0],
        ocid_prefix=settings.ocid_prefix,
        license=settings.ocds_license,
    )


async def record_package(
    session: AsyncSession,
    settings: ProcurementSettings,
    municipality_code: str,
    ocid: str,
    uri: str,
) -> dict[str, Any]:
    """The record package of one contracting process, received in OCDS or native."""
    publisher = publisher_of(settings, municipality_code)
    stored = await repo.process_releases(session, municipality_code, ocid)
    releases = [body for _, body, compiled in stored if not compiled]
    compiled = [body for _, body, is_compiled in stored if is_compiled]
    published = max((at for at, _, _ in stored), default=None)
    if not stored:
        reference = publisher.reference_of(municipality_code, ocid)
        native = (
            await repo.native_procurement(session, municipality_code, reference)
            if reference
            else None
        )
        if native is None:
            raise NotFound(f"No contracting process {ocid} in municipality {municipality_code}")
        releases, published = [ocds_out.native_release(native, publisher)], native.updated_at
    assert published is not None  # a stored release or a native outcome was found
    item = ocds_out.record(ocid, releases, compiled)
    return ocds_out.package("records", [item], uri=uri, published=published, publisher=publisher)


async def release_feed(
    session: AsyncSession,
    settings: ProcurementSettings,
    municipality_code: str,
    since: str | None,
    limit: int,
    uri: str,
    page_uri: Callable[[str], str],
) -> dict[str, Any]:
    """The releases stored after the cursor `since` (from the start without one)."""
    publisher = publisher_of(settings, municipality_code)
    position = _position(since)
    received = await repo.received_after(session, municipality_code, position, limit)
    natives = await repo.native_after(session, municipality_code, position, limit)
    merged: list[tuple[Position, dict[str, Any]]] = sorted(
        [
            *received,
            *((at, ocds_out.native_release(p, publisher)) for at, p in natives),
        ],
        key=lambda item: item[0],
    )[:limit]
    last = merged[-1][0] if merged else None
    published = last.moment if last else position.moment if position else _EMPTY_STORE
    return ocds_out.package(
        "releases",
        [body for _, body in merged],
        uri=uri,
        published=published,
        publisher=publisher,
        next_uri=page_uri(last.cursor()) if last else None,
    )


def _position(since: str | None) -> Position | None:
    if since is None:
        return None
    try:
        return ocds_out.position_of(since)
    except ValueError:
        message = "not a cursor of this feed: give `links.next` of a page as it is"
        error = field_error("/since", message, location="query")
        raise InvalidContent(message, errors=[error]) from None
