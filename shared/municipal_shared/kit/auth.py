"""Bearer tokens with scopes.

Development: HS256 tokens signed with a local secret (`make token SCOPE=...`).
Production: tokens from the municipality's identity provider, verified against its published
key set (JWKS), issuer and audience. Scopes come from the OAuth2 `scope` claim (space
separated) or a `scp` list.

An operation names its scope once, as FastAPI `Security(..., scopes=[...])` on the bearer
scheme (`require_scope`, `read_access`): the same list is what the check reads
(`SecurityScopes`) and what the OpenAPI document declares, so the two cannot drift.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
import jwt
from fastapi import APIRouter, Depends, Request, Security
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes
from jwt.types import Options
from pydantic import SecretStr

from municipal_shared.kit.problems import Forbidden, Unauthorized
from municipal_shared.kit.settings import AuthSettings

ANONYMOUS = "anonymous"
_bearer = HTTPBearer(auto_error=False, description="JWT with the scopes the operation names.")


@dataclass(frozen=True)
class Principal:
    subject: str
    scopes: frozenset[str]

    @property
    def is_anonymous(self) -> bool:
        return self.subject == ANONYMOUS


class TokenVerifier:
    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self._jwks = (
            jwt.PyJWKClient(settings.jwks_url, cache_jwk_set=True, lifespan=300)
            if settings.mode == "production" and settings.jwks_url
            else None
        )

    async def verify(self, token: str) -> Principal:
        options: Options = {"require": ["exp", "iss", "sub"]}
        try:
            if self._jwks is None:
                key: Any = self.settings.dev_secret.get_secret_value()
                algorithms = ["HS256"]
            else:
                # PyJWKClient fetches with urllib (blocking): keep it off the event loop.
                signing_key = await anyio.to_thread.run_sync(
                    self._jwks.get_signing_key_from_jwt, token
                )
                key, algorithms = signing_key.key, self.settings.algorithms
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                options=options,
            )
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthorized(
                f"Bearer token rejected: {exc}",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            ) from exc
        scopes = claims.get("scope", "")
        scope_set = set(scopes.split()) if isinstance(scopes, str) else set()
        if isinstance(claims.get("scp"), list):
            scope_set |= {str(s) for s in claims["scp"]}
        subject = str(claims["sub"])
        if not 0 < len(subject) <= 200:  # the audit log keeps it whole
            raise Unauthorized(
                "Bearer token rejected: sub must be 1-200 characters",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return Principal(subject=subject, scopes=frozenset(scope_set))


def issue_development_token(
    settings: AuthSettings, scopes: list[str], subject: str, minutes: int = 480
) -> str:
    now = dt.datetime.now(dt.UTC)
    claims = {
        "sub": subject,
        "scope": " ".join(scopes),
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": now,
        "exp": now + dt.timedelta(minutes=minutes),
    }
    return jwt.encode(claims, settings.dev_secret.get_secret_value(), algorithm="HS256")


def service_headers(
    token: SecretStr | None, settings: AuthSettings, scopes: list[str], subject: str
) -> dict[str, str]:
    """Headers for one service calling another: the configured token or, in development, a
    short-lived one minted here; in production without a token, none (public reads only)."""
    if token is not None:
        return {"Authorization": f"Bearer {token.get_secret_value()}"}
    if settings.mode == "development":
        minted = issue_development_token(settings, scopes, subject, minutes=15)
        return {"Authorization": f"Bearer {minted}"}
    return {}


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def _principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    if credentials is None:
        if request.headers.get("authorization"):
            raise Unauthorized(
                "Authorization header is not a bearer token",
                headers={"WWW-Authenticate": 'Bearer error="invalid_request"'},
            )
        return Principal(ANONYMOUS, frozenset())
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = await verifier.verify(credentials.credentials)
    request.state.subject = principal.subject  # for the access log line (kit/edge.py)
    return principal


def _need(principal: Principal, scopes: list[str]) -> Principal:
    for scope in scopes:
        if principal.is_anonymous:
            raise Unauthorized(
                f"This operation needs a bearer token with scope {scope}",
                headers={"WWW-Authenticate": f'Bearer scope="{scope}"'},
            )
        if scope not in principal.scopes:
            raise Forbidden(
                f"The token lacks scope {scope}",
                headers={"WWW-Authenticate": f'Bearer error="insufficient_scope" scope="{scope}"'},
                required_scope=scope,
            )
    return principal


async def authorised(
    request: Request, security_scopes: SecurityScopes, credentials: Credentials
) -> Principal:
    """A valid token carrying every scope the operation declares."""
    return _need(await _principal(request, credentials), security_scopes.scopes)


async def public_read(
    request: Request, security_scopes: SecurityScopes, credentials: Credentials
) -> Principal:
    """A read: public unless AUTH_REQUIRE_READ_SCOPE is set, then like `authorised`. A token
    that is sent is always verified, so a malformed one is a 401 even on a public read."""
    principal = await _principal(request, credentials)
    if request.app.state.auth_settings.require_read_scope:
        return _need(principal, security_scopes.scopes)
    return principal


def require_scope(scope: str) -> Any:
    """For a write, or for a read that is never public whatever AUTH_REQUIRE_READ_SCOPE says
    (audit logs, dead letters): a valid token carrying `scope`."""
    return Security(authorised, scopes=[scope])


def read_access(scope: str) -> Any:
    """For a read: `scope` is needed only when AUTH_REQUIRE_READ_SCOPE is set."""
    return Security(public_read, scopes=[scope])


def operation_access(route: APIRoute) -> tuple[list[str], bool]:
    """The scopes a route checks and whether it is a public read, from its dependencies (what
    the OpenAPI document and the tests read)."""
    scopes: list[str] = []
    public = False
    pending = list(route.dependant.dependencies)
    while pending:
        dependant = pending.pop()
        if dependant.call in (authorised, public_read):
            scopes += [s for s in dependant.own_oauth_scopes or [] if s not in scopes]
            public = public or dependant.call is public_read
        pending += dependant.dependencies
    return scopes, public


def document_public_reads(
    document: dict[str, Any], routers: Sequence[APIRouter], public: bool
) -> None:
    """A public read may be called without a token: its OpenAPI security gets the empty
    alternative `{}` beside the bearer scope, unless AUTH_REQUIRE_READ_SCOPE makes it
    needed (`public` False)."""
    if not public:
        return
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute) or not operation_access(route)[1]:
                continue
            for method in route.methods or ():
                operation = document["paths"].get(route.path_format, {}).get(method.lower())
                if operation is not None and {} not in operation.setdefault("security", []):
                    operation["security"].append({})
