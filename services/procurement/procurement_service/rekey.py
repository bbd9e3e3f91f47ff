"""`python -m procurement_service.rekey`: move every sole trader's pseudonym to a new key.

Run it with PROCUREMENT_PERSONAL_DATA_PREVIOUS_KEY set to the key in use until now and
PROCUREMENT_PERSONAL_DATA_KEY to the new one, with the service stopped (or not receiving), then
start the service with the new key only. One transaction: the bidders' pseudonyms and every
stored release (its pseudonyms and its fingerprint) change together or not at all. Running it
again changes nothing: only pseudonyms made with the previous key are rewritten.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.database import Database, commit
from procurement_service import ocds, personal_data
from procurement_service.models import AuditEntry
from procurement_service.repository import rekey as repo
from procurement_service.settings import ProcurementSettings

ACTOR = "procurement_service.rekey"
BATCH = 500  # rows read at a time: a large store is never loaded whole


@dataclass(frozen=True)
class Rekeyed:
    bidders: int
    releases: int


async def rekey(session: AsyncSession, old: bytes, new: bytes) -> Rekeyed:
    """Rewrite, in the caller's transaction, every pseudonym made with `old`."""
    bidders = releases = 0
    async for batch in repo.sole_trader_batches(session, BATCH):
        for bidder in batch:
            again = personal_data.rekey_text(bidder.org_key, old, new)
            if again != bidder.org_key:
                bidder.org_key, bidders = again, bidders + 1
    with_pseudonyms = repo.release_batches_containing(session, personal_data.PREFIX, BATCH)
    async for release_batch in with_pseudonyms:
        for release in release_batch:
            body = personal_data.rekey_release(release.body, old, new)
            if body != release.body:
                release.body, release.content_hash = body, ocds.canonical_hash(body)
                releases += 1
    return Rekeyed(bidders=bidders, releases=releases)


async def run(settings: ProcurementSettings) -> Rekeyed:
    if settings.personal_data_previous_key is None:
        raise SystemExit("set PROCUREMENT_PERSONAL_DATA_PREVIOUS_KEY to the key in use until now")
    old = settings.personal_data_previous_key.get_secret_value().encode()
    new = settings.personal_data_key.get_secret_value().encode()
    if old == new:
        raise SystemExit("the new PROCUREMENT_PERSONAL_DATA_KEY equals the previous key")
    database = Database(settings.database_url)
    try:
        async with database.sessions() as session:
            done = await rekey(session, old, new)
            record_audit(
                session,
                AuditEntry,
                actor=ACTOR,
                action="personal_data.rekeyed",
                target="sole-trader pseudonyms",
                reason="Byte av nyckel för pseudonymer (PROCUREMENT_PERSONAL_DATA_KEY)",
                changes=[
                    {"path": "/bidders", "old": None, "new": done.bidders},
                    {"path": "/ocds_releases", "old": None, "new": done.releases},
                ],
                municipality_code="0000",  # the whole store, every municipality
            )
            await commit(session)
        return done
    finally:
        await database.dispose()


def main() -> int:
    done = asyncio.run(run(ProcurementSettings()))
    sys.stdout.write(f"re-keyed {done.bidders} bidder(s) and {done.releases} OCDS release(s)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
