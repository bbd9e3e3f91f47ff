"""Bearer tokens for one service calling another, renewed before they expire.

Where a peer token comes from, first match wins:

1. production with client credentials configured (`AUTH_TOKEN_URL` plus the service's
   `<PREFIX>CLIENT_ID` and `<PREFIX>CLIENT_SECRET`): the OAuth2 client credentials grant
   (RFC 6749 §4.4) at the identity provider's token endpoint. The token is cached and renewed
   before it expires; a peer answering 401 makes it fetch a new one and retry once;
2. a fixed token set by the operator (`PROCUREMENT_INDICATORS_TOKEN`, `INDICATORS_PEER_TOKEN`);
3. development: a short-lived token minted with the development secret;
4. otherwise none: production without credentials reaches only public reads.

`peer_auth` gives an `httpx.Auth` for the peer client, so every request (the relay's and the
composed report's) carries a current token without the caller asking for one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote_plus

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from municipal_shared.kit.auth import issue_development_token
from municipal_shared.kit.settings import AuthSettings

logger = logging.getLogger("municipal_shared.peer_tokens")

RENEW_BEFORE_SECONDS = 60.0
"""Renew when this little of a token's life remains (covers clock skew and a slow request)."""
RENEW_BEFORE_FRACTION = 0.1
"""... or a tenth of its lifetime, when that is less: a 2-minute token is not renewed at once."""
DEVELOPMENT_MINUTES = 15
ERROR_LIMIT = 300


class PeerTokenError(httpx.HTTPError):
    """No token could be obtained for a peer. An `httpx.HTTPError`, so callers that already
    treat a failed peer request as "unavailable, try later" treat this one alike."""


class PeerClientSettings(BaseSettings):
    """A service's OAuth2 client at the identity provider; mixed into its settings, so the
    names carry the service's prefix (PROCUREMENT_CLIENT_ID, INDICATORS_CLIENT_ID, ...)."""

    # Merged into the service's settings: a refused setting must not print the client secret.
    model_config = SettingsConfigDict(hide_input_in_errors=True)

    client_id: str | None = None
    """The service's client id at the identity provider (production, with AUTH_TOKEN_URL)."""
    client_secret: SecretStr | None = None
    client_scope: str = ""
    """Scopes requested for peer tokens (space separated); each service sets its default."""

    @model_validator(mode="after")
    def _client_id_with_secret(self) -> PeerClientSettings:
        prefix = str(self.model_config.get("env_prefix", ""))
        secret = self.client_secret.get_secret_value() if self.client_secret else ""
        if bool(self.client_id) != bool(secret):
            missing = "CLIENT_SECRET" if self.client_id else "CLIENT_ID"
            given = "CLIENT_ID" if self.client_id else "CLIENT_SECRET"
            raise ValueError(f"{prefix}{missing} is required when {prefix}{given} is set")
        return self


@dataclass(frozen=True)
class ClientCredentials:
    token_url: str
    client_id: str
    client_secret: SecretStr
    scope: str


def client_credentials(
    auth: AuthSettings, settings: PeerClientSettings
) -> ClientCredentials | None:
    """The service's client credentials in production, None when none are configured (or in
    development, where tokens are minted). Half a configuration is refused, naming what is
    missing, so the service does not start and then dead-letter every delivery."""
    if auth.mode != "production":
        return None
    prefix = str(settings.model_config.get("env_prefix", ""))
    token_url = auth.token_url or ""
    client_id = settings.client_id or ""
    secret = settings.client_secret or SecretStr("")
    parts = {
        "AUTH_TOKEN_URL": token_url,
        f"{prefix}CLIENT_ID": client_id,
        f"{prefix}CLIENT_SECRET": secret.get_secret_value(),
    }
    missing = [name for name, value in parts.items() if not value]
    if len(missing) == len(parts):
        return None
    if missing:
        given = [name for name in parts if name not in missing]
        raise ValueError(
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} required when "
            f"{' and '.join(given)} {'is' if len(given) == 1 else 'are'} set "
            "(OAuth2 client credentials for peer tokens)"
        )
    return ClientCredentials(token_url, client_id, secret, settings.client_scope)


class _TokenResponse(BaseModel):
    """RFC 6749 §5.1; what else the provider sends is ignored."""

    model_config = ConfigDict(extra="ignore")

    access_token: str = Field(min_length=1)
    token_type: str
    expires_in: float | None = Field(default=None, gt=0)


@dataclass(frozen=True)
class _Cached:
    token: str
    renew_at: float | None  # monotonic seconds; None: lifetime unknown, kept until refused


class ClientCredentialsTokens:
    """Tokens from the token endpoint, cached and renewed before they expire.

    One fetch at a time: concurrent callers wait on the lock and then find the token the
    first one fetched. `client` is owned by the caller; `clock` exists for tests."""

    def __init__(
        self,
        credentials: ClientCredentials,
        client: httpx.AsyncClient,
        *,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.credentials = credentials
        self.client = client
        self.timeout = timeout
        self.clock = clock
        self._cached: _Cached | None = None
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        cached = self._cached
        if cached is not None and self._fresh(cached):
            return cached.token
        async with self._lock:
            cached = self._cached
            if cached is None or not self._fresh(cached):  # not fetched while we waited
                cached = self._cached = await self._fetch()
            return cached.token

    async def renew(self, refused: str) -> str:
        """A new token after a peer refused `refused`; when another caller has renewed it
        meanwhile, that one (one fetch for many requests refused at once)."""
        async with self._lock:
            cached = self._cached
            if cached is None or cached.token == refused:
                cached = self._cached = await self._fetch()
            return cached.token

    def _fresh(self, cached: _Cached) -> bool:
        return cached.renew_at is None or self.clock() < cached.renew_at

    async def _fetch(self) -> _Cached:
        c = self.credentials
        # RFC 6749 §2.3.1: id and secret are form-encoded before HTTP Basic.
        basic = httpx.BasicAuth(
            quote_plus(c.client_id), quote_plus(c.client_secret.get_secret_value())
        )
        form = {"grant_type": "client_credentials"}
        if c.scope:
            form["scope"] = c.scope
        asked_at = self.clock()  # the lifetime counts from the request: never overestimated
        try:
            response = await self.client.post(
                c.token_url,
                data=form,
                auth=basic,
                headers={"Accept": "application/json"},
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise PeerTokenError(f"token endpoint unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise PeerTokenError(_refusal(response))
        try:
            body = _TokenResponse.model_validate_json(response.content)
        except ValidationError as exc:
            raise PeerTokenError("token endpoint answered without a usable access_token") from exc
        if body.token_type.lower() != "bearer":  # RFC 6749 §7.1: case-insensitive
            raise PeerTokenError(f"token endpoint issued a {body.token_type[:40]!r} token")
        if body.expires_in is None:
            return _Cached(body.access_token, None)
        margin = min(RENEW_BEFORE_SECONDS, body.expires_in * RENEW_BEFORE_FRACTION)
        return _Cached(body.access_token, asked_at + body.expires_in - margin)


def _refusal(response: httpx.Response) -> str:
    """The provider's `error` and `error_description` (RFC 6749 §5.2), never the request."""
    why = ""
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        why = " ".join(str(payload[k]) for k in ("error", "error_description") if payload.get(k))
    return f"token endpoint answered {response.status_code}: {why}".strip(" :")[:ERROR_LIMIT]


class TokenSource(Protocol):
    async def token(self) -> str: ...

    async def renew(self, refused: str) -> str | None:
        """A different token to retry with, or None when there is none to get."""
        ...


class FixedToken:
    """The operator's token: sent as it is; nothing to renew it with."""

    def __init__(self, token: SecretStr) -> None:
        self._token = token

    async def token(self) -> str:
        return self._token.get_secret_value()

    async def renew(self, refused: str) -> str | None:
        return None


class DevelopmentTokens:
    """Minted with the development secret and reused for half its life (signing one per
    request costs both sides more than the request); a refusal is a configuration error
    (another secret), which a new token would not mend."""

    def __init__(self, settings: AuthSettings, scopes: list[str], subject: str) -> None:
        self.settings, self.scopes, self.subject = settings, scopes, subject
        self._minted: tuple[str, float] | None = None

    async def token(self) -> str:
        now = time.monotonic()
        if self._minted is None or now >= self._minted[1]:
            token = issue_development_token(
                self.settings, self.scopes, self.subject, minutes=DEVELOPMENT_MINUTES
            )
            self._minted = (token, now + DEVELOPMENT_MINUTES * 30)
        return self._minted[0]

    async def renew(self, refused: str) -> str | None:
        return None


class BearerAuth(httpx.Auth):
    """Adds the source's token; on a 401 asks for another and retries the request once.
    Once: a second 401 is the peer's answer (wrong audience, missing grant), not a stale
    token, and goes back to the caller."""

    requires_request_body = True  # the retry sends the body again

    def __init__(self, source: TokenSource) -> None:
        self.source = source

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("BearerAuth fetches tokens asynchronously: use httpx.AsyncClient")

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.source.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        renewed = await self.source.renew(token)
        if renewed is None or renewed == token:
            return
        request.headers["Authorization"] = f"Bearer {renewed}"
        yield request


@asynccontextmanager
async def peer_auth(
    auth: AuthSettings,
    client_settings: PeerClientSettings,
    *,
    fixed_token: SecretStr | None,
    subject: str,
    token_timeout: float = 5.0,
) -> AsyncIterator[httpx.Auth | None]:
    """The auth of a service's peer client (see the module docstring for the order). Raises
    ValueError, naming the settings, on half-configured client credentials."""
    credentials = client_credentials(auth, client_settings)
    scopes = client_settings.client_scope.split()
    if credentials is not None:
        if fixed_token is not None:
            logger.warning("client credentials are configured: the fixed peer token is not used")
        # Its own client: the token request must not pass through the peer client's auth.
        async with httpx.AsyncClient() as idp:
            yield BearerAuth(ClientCredentialsTokens(credentials, idp, timeout=token_timeout))
    elif fixed_token is not None:
        yield BearerAuth(FixedToken(fixed_token))
    elif auth.mode == "development":
        yield BearerAuth(DevelopmentTokens(auth, scopes, subject))
    else:
        yield None
