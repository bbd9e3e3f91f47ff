"""The composed report reads its peers with the app's one client (kit peer_client, opened in
the lifespan): the request id of the request being served reaches every peer, so one id
follows the report through every service's log. The peer here is a tiny ASGI app on a
loopback socket that records what it was sent and answers 404."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.types import Receive, Scope, Send

from indicator_service.main import create_app
from indicator_service.seed import bundled_files, load_file
from indicator_service.settings import IndicatorSettings
from municipal_shared.kit.settings import AuthSettings
from municipal_shared.kit.testing_idp import LoopbackServer

COMPOSED = "/v1/registers/0580/KS/reports/2018/T2/composed"


class RecordingPeer:
    """Answers every request with a 404 problem and keeps (path, headers) of each."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        self.seen.append((scope["path"], headers))
        body = b'{"type":"about:blank","title":"Not found","status":404}'
        await send(
            {
                "type": "http.response.start",
                "status": 404,
                "headers": [(b"content-type", b"application/problem+json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
def peer() -> Iterator[tuple[RecordingPeer, str]]:
    recording = RecordingPeer()
    server = LoopbackServer()
    server.start(recording, lifespan="off")
    try:
        yield recording, server.url
    finally:
        server.close()


async def test_the_request_id_reaches_every_peer(
    peer: tuple[RecordingPeer, str], database_url: str, auth_settings: AuthSettings
) -> None:
    recording, url = peer
    app = create_app(
        IndicatorSettings(database_url=database_url, budget_url=url, procurement_url=url),
        auth_settings,
    )
    async with LifespanManager(app):
        await load_file(app.state.database, bundled_files()[0])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://indicators.test") as c:
            response = await c.get(COMPOSED, headers={"X-Request-ID": "composed-t2-0580"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "composed-t2-0580"
    sections = response.json()["sections"]
    for name in ("budget", "procurement"):
        assert sections[name]["status"] == "unavailable"
        assert sections[name]["detail"] == "answered 404: Not found"
    assert sorted(path for path, _ in recording.seen) == [
        "/v1/budgets/0580/KS/2018/follow-up/T2",
        "/v1/measurements/0580/2018/T2",
    ]
    assert [headers.get("x-request-id") for _, headers in recording.seen] == [
        "composed-t2-0580",
        "composed-t2-0580",
    ]
