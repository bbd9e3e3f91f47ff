"""Peer tokens by OAuth2 client credentials, against a real identity provider over loopback
HTTP (kit/testing_idp.py) and a peer that verifies tokens as the services do."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from municipal_shared.kit.auth import Principal, TokenVerifier, require_scope
from municipal_shared.kit.database import NAMING_CONVENTION, create_engine
from municipal_shared.kit.outbox import DELIVERED, PENDING, OutboxRelay, enqueue, outbox_table
from municipal_shared.kit.peer_tokens import (
    BearerAuth,
    ClientCredentials,
    ClientCredentialsTokens,
    PeerClientSettings,
    PeerTokenError,
    client_credentials,
    peer_auth,
)
from municipal_shared.kit.problems import install_problem_handlers
from municipal_shared.kit.settings import AuthSettings
from municipal_shared.kit.testing import database_url_for_tests
from municipal_shared.kit.testing_idp import IdentityProvider, LoopbackServer, identity_provider

CLIENT_ID = "procurement-service"
# Characters that HTTP Basic carries only once form-encoded (RFC 6749 §2.3.1).
SECRET = "s3cret:+&=~ /ä"
SCOPE = "indicators:write"


class RelaySettings(PeerClientSettings):
    """A service's settings as the procurement service mixes them in."""

    model_config = SettingsConfigDict(env_prefix="PROCUREMENT_", extra="ignore")
    client_scope: str = SCOPE


@dataclass(frozen=True)
class Seen:
    authorization: str | None
    body: bytes
    status: int


class Peer:
    """A peer service stand-in: verifies bearer tokens with the kit's TokenVerifier in
    production mode against the provider's key set, and needs `indicators:write`.
    `refuse` answers that many next requests 401, as a peer does that no longer accepts
    a token (its key was withdrawn) while the provider still thinks it valid."""

    def __init__(self, idp: IdentityProvider, audience: str = "municipal-steering") -> None:
        self.seen: list[Seen] = []
        self.refuse = 0
        self.server = LoopbackServer()
        self.url = self.server.url
        auth = AuthSettings(
            mode="production", jwks_url=idp.jwks_url, issuer=idp.issuer, audience=audience
        )
        app = FastAPI()
        app.state.auth_settings = auth
        app.state.token_verifier = TokenVerifier(auth)
        install_problem_handlers(app)

        @app.middleware("http")
        async def record(
            request: Request, call_next: Callable[[Request], Awaitable[Response]]
        ) -> Response:
            body = await request.body()
            if self.refuse:
                self.refuse -= 1
                response: Response = JSONResponse({"title": "Unauthorized"}, status_code=401)
            else:
                response = await call_next(request)
            self.seen.append(Seen(request.headers.get("authorization"), body, response.status_code))
            return response

        @app.put("/v1/figures")
        async def put(principal: Principal = require_scope(SCOPE)) -> dict[str, str]:
            return {"subject": principal.subject}

        self.server.start(app, lifespan="off")

    def tokens(self) -> list[str]:
        return [s.authorization.removeprefix("Bearer ") for s in self.seen if s.authorization]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def idp() -> Iterator[IdentityProvider]:
    with identity_provider({CLIENT_ID: (SECRET, SCOPE)}, lifetime=2) as provider:
        yield provider


@pytest.fixture
def peer(idp: IdentityProvider) -> Iterator[Peer]:
    stand_in = Peer(idp)
    yield stand_in
    stand_in.server.close()


@pytest.fixture
async def idp_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def credentials(idp: IdentityProvider, secret: str = SECRET) -> ClientCredentials:
    return ClientCredentials(idp.token_url, CLIENT_ID, SecretStr(secret), SCOPE)


def production(idp: IdentityProvider, **overrides: Any) -> AuthSettings:
    return AuthSettings(
        mode="production",
        jwks_url=idp.jwks_url,
        issuer=idp.issuer,
        token_url=idp.token_url,
        **overrides,
    )


async def test_a_token_is_fetched_once_and_cached(
    idp: IdentityProvider, idp_client: httpx.AsyncClient
) -> None:
    tokens = ClientCredentialsTokens(credentials(idp), idp_client)
    first = await tokens.token()
    assert await tokens.token() == first
    assert [(r.client_id, r.scope) for r in idp.token_requests] == [(CLIENT_ID, SCOPE)]
    principal = await TokenVerifier(production(idp)).verify(first)
    assert principal.subject == CLIENT_ID and principal.scopes == {SCOPE}


async def test_renewed_before_expiry_a_tenth_or_a_minute_before(
    idp: IdentityProvider, idp_client: httpx.AsyncClient
) -> None:
    clock = Clock()
    short = ClientCredentialsTokens(credentials(idp), idp_client, clock=clock)
    first = await short.token()  # lives 2 s: renewed when less than 0.2 s remain
    clock.now += 1.75
    assert await short.token() == first
    clock.now += 0.1
    second = await short.token()
    assert second != first and len(idp.token_requests) == 2

    idp.lifetime = 3600  # an hour: renewed when less than a minute remains
    long = ClientCredentialsTokens(credentials(idp), idp_client, clock=clock)
    third = await long.token()
    clock.now += 3539
    assert await long.token() == third
    clock.now += 2
    assert await long.token() != third
    assert len(idp.token_requests) == 4


async def test_concurrent_callers_share_one_fetch(
    idp: IdentityProvider, idp_client: httpx.AsyncClient
) -> None:
    idp.delay = 0.3  # every caller arrives while the first fetch is still out
    tokens = ClientCredentialsTokens(credentials(idp), idp_client)
    got = await asyncio.gather(*(tokens.token() for _ in range(20)))
    assert len(set(got)) == 1 and len(idp.token_requests) == 1


async def test_a_refused_token_is_renewed_and_the_request_retried_once(
    idp: IdentityProvider, peer: Peer, idp_client: httpx.AsyncClient
) -> None:
    tokens = ClientCredentialsTokens(credentials(idp), idp_client)
    async with httpx.AsyncClient(auth=BearerAuth(tokens)) as client:
        assert (await client.put(f"{peer.url}/v1/figures", json={"n": 1})).status_code == 200
        peer.refuse = 1
        answer = await client.put(f"{peer.url}/v1/figures", json={"n": 2})
    assert answer.status_code == 200 and answer.json() == {"subject": CLIENT_ID}
    assert [s.status for s in peer.seen] == [200, 401, 200]
    # The retry carries the same body and a new token.
    assert [json.loads(s.body) for s in peer.seen[1:]] == [{"n": 2}, {"n": 2}]
    first, refused, renewed = peer.tokens()
    assert first == refused != renewed
    assert len(idp.token_requests) == 2


async def test_many_requests_refused_at_once_renew_the_token_once(
    idp: IdentityProvider, peer: Peer, idp_client: httpx.AsyncClient
) -> None:
    tokens = ClientCredentialsTokens(credentials(idp), idp_client)
    await tokens.token()
    peer.refuse = 5
    async with httpx.AsyncClient(auth=BearerAuth(tokens)) as client:
        answers = await asyncio.gather(
            *(client.put(f"{peer.url}/v1/figures", json={"n": n}) for n in range(5))
        )
    assert [a.status_code for a in answers] == [200] * 5
    assert len(idp.token_requests) == 2


async def test_a_second_401_goes_back_to_the_caller_without_a_loop(
    idp: IdentityProvider, idp_client: httpx.AsyncClient
) -> None:
    wrong_audience = Peer(idp, audience="another-system")  # refuses every token it gets
    try:
        tokens = ClientCredentialsTokens(credentials(idp), idp_client)
        async with httpx.AsyncClient(auth=BearerAuth(tokens)) as client:
            answer = await client.put(f"{wrong_audience.url}/v1/figures", json={"n": 1})
    finally:
        wrong_audience.server.close()
    assert answer.status_code == 401
    assert [s.status for s in wrong_audience.seen] == [401, 401]
    assert len(idp.token_requests) == 2


async def test_the_providers_refusal_is_a_peer_token_error_that_keeps_the_secret(
    idp: IdentityProvider, idp_client: httpx.AsyncClient
) -> None:
    wrong = ClientCredentialsTokens(credentials(idp, secret="not-the-secret"), idp_client)
    with pytest.raises(PeerTokenError, match="answered 401: invalid_client") as refused:
        await wrong.token()
    assert "not-the-secret" not in str(refused.value)

    idp.script = [503]
    tokens = ClientCredentialsTokens(credentials(idp), idp_client)
    with pytest.raises(PeerTokenError, match="answered 503: temporarily_unavailable"):
        await tokens.token()
    assert await tokens.token()  # the provider is back: a token, nothing cached from before

    nowhere = ClientCredentials("http://127.0.0.1:9/token", CLIENT_ID, SecretStr(SECRET), SCOPE)
    with pytest.raises(PeerTokenError, match="unreachable"):
        await ClientCredentialsTokens(nowhere, idp_client, timeout=2).token()


async def test_client_credentials_take_precedence_over_a_fixed_token(
    idp: IdentityProvider, peer: Peer
) -> None:
    settings = RelaySettings(client_id=CLIENT_ID, client_secret=SecretStr(SECRET))
    fixed = SecretStr("operator-token")
    async with (
        peer_auth(production(idp), settings, fixed_token=fixed, subject="svc") as bearer,
        httpx.AsyncClient(auth=bearer) as client,
    ):
        assert (await client.put(f"{peer.url}/v1/figures", json={})).status_code == 200
    assert peer.tokens() == idp.issued and len(idp.issued) == 1


async def test_a_fixed_token_is_sent_as_it_is_and_not_retried(
    idp: IdentityProvider, peer: Peer
) -> None:
    auth = AuthSettings(mode="production", jwks_url=idp.jwks_url, issuer=idp.issuer)
    async with (
        peer_auth(
            auth, RelaySettings(), fixed_token=SecretStr("abc.def.ghi"), subject="svc"
        ) as bearer,
        httpx.AsyncClient(auth=bearer) as client,
    ):
        answer = await client.put(f"{peer.url}/v1/figures", json={})
    assert answer.status_code == 401  # not a token of the provider
    assert [s.authorization for s in peer.seen] == ["Bearer abc.def.ghi"]
    assert idp.token_requests == []


async def test_development_mints_and_production_without_credentials_sends_none() -> None:
    development = AuthSettings(mode="development")
    async with peer_auth(development, RelaySettings(), fixed_token=None, subject="svc") as bearer:
        assert isinstance(bearer, BearerAuth)
        principal = await TokenVerifier(development).verify(await bearer.source.token())
    assert principal.subject == "svc" and principal.scopes == {SCOPE}
    production_only = AuthSettings(mode="production", jwks_url="https://login.example/jwks")
    async with peer_auth(production_only, RelaySettings(), fixed_token=None, subject="s") as none:
        assert none is None


@pytest.mark.parametrize(
    ("auth", "client", "message"),
    [
        (
            {"token_url": "https://login.example/token"},
            {},
            "PROCUREMENT_CLIENT_ID and PROCUREMENT_CLIENT_SECRET are required when "
            "AUTH_TOKEN_URL is set",
        ),
        (
            {},
            {"client_id": CLIENT_ID, "client_secret": SECRET},
            "AUTH_TOKEN_URL is required when PROCUREMENT_CLIENT_ID and "
            "PROCUREMENT_CLIENT_SECRET are set",
        ),
    ],
)
def test_half_configured_client_credentials_do_not_start(
    auth: dict[str, str], client: dict[str, str], message: str
) -> None:
    settings = AuthSettings(mode="production", jwks_url="https://login.example/jwks", **auth)
    with pytest.raises(ValueError, match=message):
        client_credentials(settings, RelaySettings(**client))


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"client_id": CLIENT_ID}, "PROCUREMENT_CLIENT_SECRET is required"),
        ({"client_secret": SECRET}, "PROCUREMENT_CLIENT_ID is required"),
    ],
)
def test_a_client_id_needs_its_secret_and_the_error_keeps_the_secret(
    given: dict[str, str], named: str
) -> None:
    with pytest.raises(ValidationError, match=named) as refused:
        RelaySettings(**given)
    assert SECRET not in str(refused.value)


def test_the_token_url_is_https_except_on_loopback() -> None:
    base = {"mode": "production", "jwks_url": "https://login.example/jwks"}
    with pytest.raises(ValidationError, match="AUTH_TOKEN_URL must be an https URL"):
        AuthSettings(**base, token_url="http://login.example/token")
    assert AuthSettings(**base, token_url="https://login.example/token").token_url
    assert AuthSettings(**base, token_url="http://127.0.0.1:8080/token").token_url
    # Development ignores client credentials: tokens are minted there.
    assert (
        client_credentials(AuthSettings(), RelaySettings(client_id="x", client_secret="y")) is None
    )


async def test_the_relay_waits_for_a_provider_that_is_down_and_never_dead_letters(
    idp: IdentityProvider, peer: Peer, idp_client: httpx.AsyncClient, tmp_path: Path
) -> None:
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    table = outbox_table(metadata, "peer_token_outbox")
    engine = create_engine(database_url_for_tests("OUTBOX_TEST_DATABASE_URL", tmp_path, "tokens"))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
    try:
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        async with sessions() as session:
            await enqueue(
                session,
                table,
                destination="indicators",
                method="PUT",
                path="/v1/figures",
                body={"n": 1},
                idempotency_key="figures-1",
            )
            await session.commit()
        idp.script = [503]
        tokens = ClientCredentialsTokens(credentials(idp), idp_client)
        async with httpx.AsyncClient(auth=BearerAuth(tokens)) as client:
            relay = OutboxRelay(
                engine,
                table,
                destinations={"indicators": peer.url},
                client=client,
                base_delay=0.01,
                max_delay=0.02,
            )
            assert (await relay.run_once()).retried == 1
            async with engine.connect() as conn:
                row = (await conn.execute(select(table))).one()
            assert row.status == PENDING and row.last_status_code is None
            assert row.last_error == "no peer token: token endpoint answered 503: " + (
                "temporarily_unavailable"
            )
            assert peer.seen == []
            await asyncio.sleep(0.05)
            assert (await relay.run_once()).delivered == 1
        async with engine.connect() as conn:
            row = (await conn.execute(select(table))).one()
        assert (row.status, row.attempts, row.last_status_code) == (DELIVERED, 2, 200)
    finally:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)
        await engine.dispose()
