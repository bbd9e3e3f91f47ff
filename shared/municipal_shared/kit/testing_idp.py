"""A small OAuth2 identity provider for tests, over real HTTP on loopback.

The identity provider is outside the system, so the tests stand one up: its key set at
`/jwks.json` and a client credentials token endpoint (RFC 6749 §4.4) at `/token` that checks
the client's id and secret and issues RS256 JWTs (iss, sub, aud, scope, iat, exp) signed with
a key generated here. Lifetimes are short, so tokens expire while a test runs, and the key
can be rotated. Tests only: nothing in a service imports this.
"""

from __future__ import annotations

import asyncio
import base64
import math
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote_plus

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp


class LoopbackServer:
    """Serves an ASGI app with uvicorn in a thread, on a socket bound and listening before it
    starts: the URL is known up front, and the app can be stopped and started again on the
    same port (a restart), while callers' connections wait in the backlog."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self, app: ASGIApp, *, lifespan: Literal["auto", "on", "off"] = "auto") -> None:
        config = uvicorn.Config(
            app, log_level="warning", lifespan=lifespan, timeout_graceful_shutdown=1
        )
        server = uvicorn.Server(config)
        # uvicorn closes the socket it served on shutdown: give it a duplicate, keep the port.
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [self.socket.dup()]}, daemon=True
        )
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the app did not start (its lifespan failed)")
            if time.monotonic() > deadline:
                raise RuntimeError("the app did not start in time")
            time.sleep(0.01)
        self._server, self._thread = server, thread

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)
        self._server = self._thread = None

    def close(self) -> None:
        self.stop()
        self.socket.close()


@dataclass(frozen=True)
class TokenRequest:
    """One call of the token endpoint, as the provider saw it."""

    client_id: str | None
    scope: str | None
    status: int


class IdentityProvider:
    """`clients` maps a client id to (secret, the scopes it may be granted). `lifetime` is
    the tokens' `expires_in` in seconds. `delay` holds each token answer back (so concurrent
    callers overlap); `script` lists statuses for the next token requests (e.g. [503])."""

    def __init__(
        self,
        clients: dict[str, tuple[str, str]],
        *,
        lifetime: int = 2,
        audience: str = "municipal-steering",
    ) -> None:
        self.server = LoopbackServer()
        self.url = self.server.url
        self.issuer = self.url  # as real providers do: the issuer is the provider's URL
        self.jwks_url = f"{self.url}/jwks.json"
        self.token_url = f"{self.url}/token"
        self.clients = {
            cid: (secret, set(scopes.split())) for cid, (secret, scopes) in clients.items()
        }
        self.lifetime = lifetime
        self.audience = audience
        self.delay = 0.0
        self.script: list[int] = []
        self.token_requests: list[TokenRequest] = []
        self.issued: list[str] = []
        self.key_set_reads = 0
        self._lock = threading.Lock()
        self._generation = 0
        self.rotate_key()

    def rotate_key(self) -> None:
        """A new signing key; the key set publishes only it, the old one is withdrawn."""
        with self._lock:
            self._generation += 1
            self.kid = f"key-{self._generation}"
            self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def granted(self) -> list[TokenRequest]:
        return [r for r in self.token_requests if r.status == 200]

    def start(self) -> None:
        self.server.start(self._app(), lifespan="off")

    def stop(self) -> None:
        self.server.close()

    def _key_set(self, request: Request) -> JSONResponse:
        with self._lock:
            self.key_set_reads += 1
            jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
            jwk.update(kid=self.kid, use="sig", alg="RS256")
        return JSONResponse({"keys": [jwk]})

    def _client(self, request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
        """client_secret_basic (form-encoded id and secret, RFC 6749 §2.3.1) or _post."""
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:], validate=True).decode()
            except ValueError:
                return None, None
            cid, _, secret = decoded.partition(":")
            return unquote_plus(cid), unquote_plus(secret)
        return form.get("client_id"), form.get("client_secret")

    async def _token(self, request: Request) -> JSONResponse:
        form = dict(parse_qsl((await request.body()).decode()))
        cid, secret = self._client(request, form)
        scope = form.get("scope")
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            status = self.script.pop(0) if self.script else 200
            answer = self._answer(status, cid, secret, form.get("grant_type"), scope)
            self.token_requests.append(TokenRequest(cid, scope, answer.status_code))
        return answer

    def _answer(
        self, status: int, cid: str | None, secret: str | None, grant: str | None, scope: str | None
    ) -> JSONResponse:
        def error(code: int, name: str, **headers: str) -> JSONResponse:
            return JSONResponse({"error": name}, status_code=code, headers=headers)

        if status != 200:
            return error(status, "temporarily_unavailable")
        client = self.clients.get(cid or "")
        if client is None or client[0] != secret:
            return error(401, "invalid_client", **{"WWW-Authenticate": "Basic"})
        if grant != "client_credentials":
            return error(400, "unsupported_grant_type")
        wanted = set(scope.split()) if scope else client[1]
        if not wanted <= client[1]:
            return error(400, "invalid_scope")
        now = time.time()
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": cid,
            "aud": self.audience,
            "scope": " ".join(sorted(wanted)),
            "iat": int(now),
            # Rounded up: never shorter than expires_in says.
            "exp": math.ceil(now + self.lifetime),
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})
        self.issued.append(token)
        return JSONResponse(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.lifetime,
                "scope": claims["scope"],
            },
            headers={"Cache-Control": "no-store"},
        )

    def _app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/jwks.json", self._key_set, methods=["GET"]),
                Route("/token", self._token, methods=["POST"]),
            ]
        )


@contextmanager
def identity_provider(
    clients: dict[str, tuple[str, str]], *, lifetime: int = 2
) -> Iterator[IdentityProvider]:
    provider = IdentityProvider(clients, lifetime=lifetime)
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()
