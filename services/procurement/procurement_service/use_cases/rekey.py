"""Moving every sole trader's pseudonym to a new key (the operator command `python -m
procurement_service rekey`, also `python -m procurement_service.rekey`).

One transaction: the bidders' pseudonyms and every stored release (its pseudonyms and its
fingerprint) change together or not at all, with one audit entry. Running it again changes
nothing: only pseudonyms made with the previous key are rewritten."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from municipal_shared.kit.audit import record_audit
from municipal_shared.kit.database import commit
from procurement_service.models import AuditEntry
from procurement_service.repository import rekey as repo
from procurement_service.rules import ocds, personal_data

ACTOR = "procurement_service.rekey"
BATCH = 500  # rows read at a time: a large store is never loaded whole
WHOLE_STORE = "0000"  # the audit entry's municipality: the change spans every municipality


@dataclass(frozen=True)
class Rekeyed:
    bidders: int
    releases: int


async def rekey(session: AsyncSession, old: bytes, new: bytes) -> Rekeyed:
    """Rewrite every pseudonym made with `old` under `new`, record it and commit once."""
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
    record_audit(
        session,
        AuditEntry,
        actor=ACTOR,
        action="personal_data.rekeyed",
        target="sole-trader pseudonyms",
        reason="Byte av nyckel för pseudonymer (PROCUREMENT_PERSONAL_DATA_KEY)",
        changes=[
            {"path": "/bidders", "old": None, "new": bidders},
            {"path": "/ocds_releases", "old": None, "new": releases},
        ],
        municipality_code=WHOLE_STORE,
    )
    await commit(session)
    return Rekeyed(bidders=bidders, releases=releases)
