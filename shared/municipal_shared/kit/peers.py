"""Talking to a peer service: one httpx client per app, opened and closed by the app's
lifespan, that carries a current peer token (peer_tokens) and the request id of the request
being served, so one id follows a composed report through every service's log.

`read_contract` reads one peer document and checks it against the shared contract: a peer that
is down, refuses, or drifts from its contract gives an `unavailable` reading with the reason,
never an exception, so the reader decides what a missing section means.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from prometheus_client import Counter
from pydantic import BaseModel, Field, SecretStr, ValidationError

from municipal_shared.kit.coalesce import Coalescer
from municipal_shared.kit.database import utc_now
from municipal_shared.kit.peer_tokens import PeerClientSettings, peer_auth
from municipal_shared.kit.request_id import HEADER as REQUEST_ID_HEADER
from municipal_shared.kit.request_id import current_request_id
from municipal_shared.kit.settings import AuthSettings
from municipal_shared.kit.tracing import HEADER as TRACEPARENT_HEADER
from municipal_shared.kit.tracing import current_traceparent

FAILURES = Counter(
    "peer_read_failures",
    "Peer documents that could not be read (a composed-report section marked unavailable), "
    "by shared contract and reason (unreachable, status, contract).",
    ("contract", "reason"),
)


async def _propagate_request_id(request: httpx.Request) -> None:
    """The request id and trace context of the request being served go to the peer (a
    header set by the caller wins; with OpenTelemetry on, its httpx span replaces the
    traceparent with its own, in the same trace)."""
    request_id = current_request_id()
    if request_id is not None and REQUEST_ID_HEADER not in request.headers:
        request.headers[REQUEST_ID_HEADER] = request_id
    traceparent = current_traceparent()
    if traceparent is not None and TRACEPARENT_HEADER not in request.headers:
        request.headers[TRACEPARENT_HEADER] = traceparent


@asynccontextmanager
async def peer_client(
    auth: AuthSettings,
    client_settings: PeerClientSettings,
    *,
    fixed_token: SecretStr | None,
    subject: str,
    timeout_seconds: float,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """The app's client for its peers: bearer auth renewed before expiry (and once on a 401),
    the current request id on every request, `timeout_seconds` on every phase. `transport`
    replaces the network in tests."""
    async with (
        peer_auth(
            auth,
            client_settings,
            fixed_token=fixed_token,
            subject=subject,
            token_timeout=timeout_seconds,
        ) as bearer,
        httpx.AsyncClient(
            timeout=timeout_seconds,
            auth=bearer,
            event_hooks={"request": [_propagate_request_id]},
            transport=transport,
        ) as client,
    ):
        yield client


class PeerReading(BaseModel):
    """One document read from a peer, or why it could not be."""

    source: str = Field(description="Where the section was read.")
    retrieved_at: dt.datetime
    status: str = Field(description="available or unavailable")
    detail: str | None = Field(default=None, description="Why a section is unavailable.")
    data: dict[str, Any] | None = None


async def read_contract(
    client: httpx.AsyncClient, url: str, contract: type[BaseModel]
) -> PeerReading:
    """GET `url` and check the body against `contract`; any failure is an unavailable
    reading naming the cause."""
    reading, _ = await _read(client, url, contract, kept=None)
    return reading


class RevalidatingReader:
    """Peer documents kept per URL with their ETag and revalidated, not re-read: the next
    read sends If-None-Match, and a 304 reuses the kept body (the peer still decides that it
    is current, so nothing is ever served stale). Holds at most `max_entries` documents.

    Reads of one URL that arrive while its revalidation is on its way share the next one
    (kit/coalesce.py): each is answered by a request that left after it arrived."""

    def __init__(self, client: httpx.AsyncClient, max_entries: int = 256) -> None:
        self.client = client
        self.max_entries = max_entries
        self._kept: OrderedDict[str, tuple[str, PeerReading]] = OrderedDict()
        self._rounds: Coalescer[tuple[PeerReading, str | None]] = Coalescer()

    async def read(self, url: str, contract: type[BaseModel]) -> tuple[PeerReading, str | None]:
        """The reading and the peer's validator (None when unavailable or untagged)."""
        return await self._rounds.ask(url, lambda: self._revalidate(url, contract))

    async def _revalidate(
        self, url: str, contract: type[BaseModel]
    ) -> tuple[PeerReading, str | None]:
        reading, etag = await _read(self.client, url, contract, kept=self._kept.get(url))
        if etag is not None and reading.data is not None:
            self._kept[url] = (etag, reading)
            self._kept.move_to_end(url)
            while len(self._kept) > self.max_entries:
                self._kept.popitem(last=False)
        else:
            self._kept.pop(url, None)
        return reading, etag


async def _read(
    client: httpx.AsyncClient,
    url: str,
    contract: type[BaseModel],
    kept: tuple[str, PeerReading] | None,
) -> tuple[PeerReading, str | None]:
    now = utc_now()
    headers = {"If-None-Match": kept[0]} if kept is not None else {}
    try:
        response = await client.get(url, headers=headers)
    except httpx.HTTPError as exc:
        FAILURES.labels(contract.__name__, "unreachable").inc()
        return _unavailable(url, now, f"unreachable: {type(exc).__name__}"), None
    if response.status_code == 304 and kept is not None:  # the kept reading, as of now
        return kept[1].model_copy(update={"retrieved_at": now}), kept[0]
    if response.status_code != 200:
        FAILURES.labels(contract.__name__, "status").inc()
        detail = f"answered {response.status_code}"
        if response.headers.get("content-type", "").startswith("application/problem+json"):
            try:
                detail += f": {response.json().get('title', '')}"
            except ValueError:
                pass  # the status alone says enough
        return _unavailable(url, now, detail), None
    try:  # the shared contract: a provider that stops matching it is visible here
        body = response.json()
        contract.model_validate(body)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError too
        why = (
            f"{exc.error_count()} error(s), first at /{'/'.join(map(str, exc.errors()[0]['loc']))}"
            if isinstance(exc, ValidationError)
            else "not JSON"
        )
        FAILURES.labels(contract.__name__, "contract").inc()
        detail = f"does not match the shared contract {contract.__name__}: {why}"
        return _unavailable(url, now, detail), None
    reading = PeerReading(source=url, retrieved_at=now, status="available", data=body)
    return reading, response.headers.get("etag")


def _unavailable(url: str, at: dt.datetime, detail: str) -> PeerReading:
    return PeerReading(source=url, retrieved_at=at, status="unavailable", detail=detail)
