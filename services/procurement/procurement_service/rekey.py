"""`python -m procurement_service.rekey` (the same as `python -m procurement_service rekey`):
move every sole trader's pseudonym to a new key.

Run it with PROCUREMENT_PERSONAL_DATA_PREVIOUS_KEY set to the key in use until now and
PROCUREMENT_PERSONAL_DATA_KEY to the new one, with the service stopped (or not receiving), then
start the service with the new key only. This module only reads the command line and the
settings; the use case is use_cases/rekey.py."""

from __future__ import annotations

import argparse
import asyncio
import sys

from municipal_shared.kit.database import Database
from municipal_shared.kit.documents import tracking
from procurement_service.models import DOCUMENTS
from procurement_service.settings import ProcurementSettings
from procurement_service.use_cases.rekey import Rekeyed, rekey


def keys(settings: ProcurementSettings) -> tuple[bytes, bytes]:
    """(previous, new) key, or exit naming the setting that is wrong."""
    if settings.personal_data_previous_key is None:
        raise SystemExit("set PROCUREMENT_PERSONAL_DATA_PREVIOUS_KEY to the key in use until now")
    old = settings.personal_data_previous_key.get_secret_value().encode()
    new = settings.personal_data_key.get_secret_value().encode()
    if old == new:
        raise SystemExit("the new PROCUREMENT_PERSONAL_DATA_KEY equals the previous key")
    return old, new


async def run(settings: ProcurementSettings) -> Rekeyed:
    old, new = keys(settings)
    # Tracked like the app's sessions: a stored document must not outlive what it shows.
    database = Database(settings.database_url, session_factory=tracking(DOCUMENTS))
    try:
        async with database.sessions() as session:
            return await rekey(session, old, new)
    finally:
        await database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m procurement_service rekey",
        description="Move every sole trader's pseudonym from "
        "PROCUREMENT_PERSONAL_DATA_PREVIOUS_KEY to PROCUREMENT_PERSONAL_DATA_KEY.",
    )
    parser.parse_args(argv)
    done = asyncio.run(run(ProcurementSettings()))
    sys.stdout.write(f"re-keyed {done.bidders} bidder(s) and {done.releases} OCDS release(s)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
