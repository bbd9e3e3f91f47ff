"""The procurement service's outbox relay keeps delivering when its peer token expires or is
refused: the token comes from an identity provider by client credentials (a small real one
over loopback, kit/testing_idp.py), and the receiver is the real indicator service in
production mode, verifying tokens against that provider's key set over HTTP.

The indicator service is imported here, by a test, only to serve it; the service packages
never import each other. Databases are temporary SQLite files, or PostgreSQL when
PEER_TOKEN_INDICATORS_TEST_DATABASE_URL / PEER_TOKEN_PROCUREMENT_TEST_DATABASE_URL name
databases of their own."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select

from indicator_service import settings as indicator_settings
from indicator_service.main import create_app as create_indicator_app
from indicator_service.seed import bundled_files, load_file
from municipal_shared.contracts.indicators import DeliveredOutcome, DeliveredOutcomes
from municipal_shared.kit.database import Database
from municipal_shared.kit.outbox import DEAD, DELIVERED, PENDING, enqueue
from municipal_shared.kit.settings import AuthSettings
from municipal_shared.kit.testing import migrated_database
from municipal_shared.kit.testing_idp import IdentityProvider, LoopbackServer, identity_provider
from procurement_service import settings as procurement_settings
from procurement_service.main import create_app as create_procurement_app
from procurement_service.models import OUTBOX

CLIENT_ID = "procurement-service"
SECRET = "relay-secret-for-tests"
INDICATOR = "antal-anbudsgivare-per-upphandling"
REGISTER = "/v1/registers/0580/KS"

# Production mode needs a personal-data key of its own (not the development one).
PERSONAL_DATA_KEY = "a-test-personal-data-key-of-forty-chars!"


def production(idp: IdentityProvider, **extra: Any) -> AuthSettings:
    return AuthSettings(mode="production", jwks_url=idp.jwks_url, issuer=idp.issuer, **extra)


class IndicatorService:
    """The real indicator service, production mode, served on a pre-bound loopback socket.
    `restart` starts a new process of it on the same port (a deployment): its token
    verifier then knows only the provider's key set as it is now."""

    def __init__(self, idp: IdentityProvider, database_url: str) -> None:
        self.idp = idp
        self.database_url = database_url
        self.server = LoopbackServer()
        self.url = self.server.url

    def app(self) -> FastAPI:
        settings = indicator_settings.IndicatorSettings(
            database_url=self.database_url,
            budget_url="http://127.0.0.1:9",
            procurement_url="http://127.0.0.1:9",
        )
        return create_indicator_app(settings, production(self.idp))

    def start(self) -> None:
        self.server.start(self.app())

    def restart(self) -> None:
        self.server.stop()
        self.start()


@dataclass
class Relay:
    """The procurement service with its background relay running (lifespan), in production
    mode with client credentials."""

    app: FastAPI

    async def enqueue(self, key: str, value: str) -> None:
        body = DeliveredOutcomes(
            items=[
                DeliveredOutcome(
                    indicator_code=INDICATOR,
                    period="2021-T1",
                    value=Decimal(value),
                    source="procurement-service",
                )
            ],
            reason="Upphandlingsmätning 2021-T1 från upphandlingstjänsten",
        ).model_dump(mode="json", exclude_none=True)
        async with self.app.state.database.sessions() as session:
            await enqueue(
                session,
                OUTBOX,
                destination="indicators",
                method="PUT",
                path=f"{REGISTER}/outcomes",
                body=body,
                idempotency_key=key,
            )
            await session.commit()

    async def rows(self) -> list[Any]:
        async with self.app.state.database.engine.connect() as conn:
            return list((await conn.execute(select(OUTBOX).order_by(OUTBOX.c.id))).all())

    async def settled(self, key: str, seconds: float = 15) -> Any:
        """The row of `key` once the relay is done with it (delivered or dead)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for row in await self.rows():
                if row.idempotency_key == key and row.status != PENDING:
                    return row
            await asyncio.sleep(0.05)
        raise AssertionError(f"{key} still pending: {await self.rows()}")


@pytest.fixture
def idp() -> Iterator[IdentityProvider]:
    with identity_provider({CLIENT_ID: (SECRET, "indicators:write")}, lifetime=2) as provider:
        yield provider


@pytest.fixture
async def indicators(idp: IdentityProvider, tmp_path: Path) -> AsyncIterator[IndicatorService]:
    url = await asyncio.to_thread(  # alembic runs its own event loop
        migrated_database,
        "PEER_TOKEN_INDICATORS_TEST_DATABASE_URL",
        tmp_path,
        "indicators",
        indicator_settings.SCRIPT_LOCATION,
        indicator_settings.VERSION_TABLE,
    )
    database = Database(url)
    await load_file(database, bundled_files()[0])  # the register the figures go into
    await database.dispose()
    service = IndicatorService(idp, url)
    service.start()
    yield service
    service.server.close()


@pytest.fixture
async def relay(
    idp: IdentityProvider, indicators: IndicatorService, tmp_path: Path
) -> AsyncIterator[Relay]:
    url = await asyncio.to_thread(  # alembic runs its own event loop
        migrated_database,
        "PEER_TOKEN_PROCUREMENT_TEST_DATABASE_URL",
        tmp_path,
        "procurement",
        procurement_settings.SCRIPT_LOCATION,
        procurement_settings.VERSION_TABLE,
    )
    settings = procurement_settings.ProcurementSettings(
        database_url=url,
        indicators_url=indicators.url,
        client_id=CLIENT_ID,
        client_secret=SecretStr(SECRET),
        personal_data_key=SecretStr(PERSONAL_DATA_KEY),
        relay_interval_seconds=0.05,
        relay_timeout_seconds=5,
    )
    app = create_procurement_app(settings, production(idp, token_url=idp.token_url))
    async with LifespanManager(app):
        yield Relay(app)


async def outcomes(indicators: IndicatorService) -> list[tuple[str, str]]:
    """The register's current 2021-T1 outcome: its value and who recorded it (the subject
    of the token it arrived with)."""
    async with httpx.AsyncClient(base_url=indicators.url) as client:
        answer = await client.get(f"{REGISTER}/indicators/{INDICATOR}")
    assert answer.status_code == 200, answer.text
    current = [o for o in answer.json()["outcomes"] if o["period"] == "2021-T1"]
    return [(o["value"], o["recorded_by"]) for o in current]


async def test_an_expired_peer_token_is_renewed_by_the_relay_without_a_dead_letter(
    idp: IdentityProvider, indicators: IndicatorService, relay: Relay
) -> None:
    await relay.enqueue("figures-1", "3.5")
    first = await relay.settled("figures-1")
    assert (first.status, first.attempts, first.last_status_code) == (DELIVERED, 1, 200)
    assert len(idp.granted()) == 1

    await asyncio.sleep(idp.lifetime + 1.1)  # the token's exp has passed
    async with httpx.AsyncClient(base_url=indicators.url) as client:
        stale = await client.put(
            f"{REGISTER}/outcomes",
            json=DeliveredOutcomes(
                items=[
                    DeliveredOutcome(
                        indicator_code=INDICATOR, period="2021-T1", value=Decimal(9), source="x"
                    )
                ],
                reason="sent with the relay's first token, now expired",
            ).model_dump(mode="json"),
            headers={"Authorization": f"Bearer {idp.issued[0]}", "Idempotency-Key": "probe"},
        )
    assert stale.status_code == 401 and "expired" in stale.json()["detail"]

    await relay.enqueue("figures-2", "4.5")
    second = await relay.settled("figures-2")
    assert (second.status, second.attempts, second.last_status_code) == (DELIVERED, 1, 200)
    assert [row.status for row in await relay.rows()] == [DELIVERED, DELIVERED]
    assert not [row for row in await relay.rows() if row.status == DEAD]
    assert [(r.client_id, r.scope) for r in idp.granted()] == [
        (CLIENT_ID, "indicators:write"),
        (CLIENT_ID, "indicators:write"),
    ]
    assert await outcomes(indicators) == [("4.5", CLIENT_ID)]


async def test_a_token_refused_after_the_providers_key_rotation_is_renewed_and_retried_once(
    idp: IdentityProvider, indicators: IndicatorService, relay: Relay
) -> None:
    idp.lifetime = 600  # long-lived: only the refusal can make the relay renew it
    await relay.enqueue("figures-1", "3.5")
    assert (await relay.settled("figures-1")).status == DELIVERED
    assert len(idp.granted()) == 1

    # The provider rotates its key and withdraws the old one; the indicator service is
    # redeployed and knows only the new key: the relay's cached token is refused (401).
    idp.rotate_key()
    indicators.restart()
    await relay.enqueue("figures-2", "4.5")
    second = await relay.settled("figures-2")
    # Delivered in the same attempt: the 401 was answered by one renewal and one retry.
    assert (second.status, second.attempts, second.last_status_code) == (DELIVERED, 1, 200)
    assert not [row for row in await relay.rows() if row.status == DEAD]
    assert len(idp.granted()) == 2
    assert await outcomes(indicators) == [("4.5", CLIENT_ID)]


async def test_production_does_not_start_with_half_configured_client_credentials(
    idp: IdentityProvider, tmp_path: Path
) -> None:
    settings = procurement_settings.ProcurementSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'half'}.db",
        indicators_token=SecretStr("an-operator-token"),
        personal_data_key=SecretStr(PERSONAL_DATA_KEY),
    )
    app = create_procurement_app(settings, production(idp, token_url=idp.token_url))
    with pytest.raises(ValueError, match="PROCUREMENT_CLIENT_ID and PROCUREMENT_CLIENT_SECRET"):
        async with LifespanManager(app):
            pass
