"""Security headers on every response, the catch-all 500 included (the edge, kit/edge.py,
adds them; the lists are built once per app).

- X-Content-Type-Options: nosniff, and X-Frame-Options: DENY: nothing here is to be framed.
- Content-Security-Policy: default-src 'none'; frame-ancestors 'none': an API answers JSON,
  nothing a browser should run or load. The interactive documentation (/docs, its OAuth2
  redirect, /redoc) is exempt: FastAPI's pages load Swagger UI and ReDoc from a CDN and start
  them with an inline script. They carry no data, only the OpenAPI document.
  A route may send its own, stated policy instead (the composed report's page: default-src
  'none' with its own style block allowed by hash); the edge then adds none.
- Cache-Control: no-store on every answer to a request that carries Authorization: what a
  token may read must not stay in a shared or browser cache.
- Strict-Transport-Security only when hsts_max_age_seconds is set: TLS ends at the proxy in
  front, and a service reached over plain HTTP on an internal network must stay reachable.
"""

from __future__ import annotations

API_CSP = "default-src 'none'; frame-ancestors 'none'"
NO_STORE = (b"cache-control", b"no-store")


def security_headers(hsts_max_age_seconds: int = 0) -> list[tuple[bytes, bytes]]:
    """The headers every response carries."""
    headers = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY")]
    if hsts_max_age_seconds > 0:
        headers.append((b"strict-transport-security", f"max-age={hsts_max_age_seconds}".encode()))
    return headers


def with_csp(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [*headers, (b"content-security-policy", API_CSP.encode())]
