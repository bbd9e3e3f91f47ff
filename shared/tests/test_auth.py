"""Production tokens are verified against the identity provider's key set (JWKS)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from municipal_shared.kit.auth import TokenVerifier, service_headers
from municipal_shared.kit.problems import Unauthorized
from municipal_shared.kit.settings import AuthSettings

ISSUER = "https://login.linkoping.se"


@pytest.fixture
def key_set() -> Iterator[tuple[rsa.RSAPrivateKey, str]]:
    """An identity provider stand-in: its key set served over real HTTP on loopback."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="k1", use="sig", alg="RS256")
    payload = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield key, f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()


def _token(key: rsa.RSAPrivateKey, **overrides: object) -> str:
    now = dt.datetime.now(dt.UTC)
    claims = {
        "sub": "anna@linkoping.se",
        "iss": ISSUER,
        "aud": "municipal-steering",
        "exp": now + dt.timedelta(minutes=5),
        "scp": ["budget:write"],
    }
    claims.update(overrides)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})


async def test_a_token_signed_by_the_identity_provider_is_accepted(key_set: tuple) -> None:
    key, url = key_set
    verifier = TokenVerifier(AuthSettings(mode="production", jwks_url=url, issuer=ISSUER))
    principal = await verifier.verify(_token(key))
    assert principal.subject == "anna@linkoping.se" and "budget:write" in principal.scopes


@pytest.mark.parametrize(
    "overrides",
    [
        {"iss": "https://evil.example"},
        {"aud": "another-system"},
        {"exp": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)},
    ],
)
async def test_wrong_issuer_audience_or_expiry_is_refused(key_set: tuple, overrides: dict) -> None:
    key, url = key_set
    verifier = TokenVerifier(AuthSettings(mode="production", jwks_url=url, issuer=ISSUER))
    with pytest.raises(Unauthorized):
        await verifier.verify(_token(key, **overrides))


async def test_a_development_token_is_refused_in_production(key_set: tuple) -> None:
    _, url = key_set
    dev = AuthSettings(mode="development")
    token = jwt.encode(
        {"sub": "x", "iss": dev.issuer, "aud": dev.audience, "exp": 4102444800},
        dev.dev_secret.get_secret_value(),
        algorithm="HS256",
    )
    verifier = TokenVerifier(AuthSettings(mode="production", jwks_url=url, issuer=dev.issuer))
    with pytest.raises(Unauthorized):
        await verifier.verify(token)


def test_production_without_a_key_set_does_not_start() -> None:
    with pytest.raises(ValueError, match="AUTH_JWKS_URL"):
        AuthSettings(mode="production")


async def test_one_service_calls_another_with_a_configured_or_minted_token() -> None:
    configured = service_headers(SecretStr("abc.def.ghi"), AuthSettings(), ["x:read"], "svc")
    assert configured == {"Authorization": "Bearer abc.def.ghi"}
    development = AuthSettings(mode="development")
    minted = service_headers(None, development, ["budget:read", "procurement:read"], "svc")
    principal = await TokenVerifier(development).verify(minted["Authorization"].split()[1])
    assert principal.subject == "svc"
    assert {"budget:read", "procurement:read"} <= set(principal.scopes)
    production = AuthSettings(mode="production", jwks_url="https://login.example/jwks.json")
    assert service_headers(None, production, ["budget:read"], "svc") == {}
