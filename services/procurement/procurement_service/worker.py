"""The background work of a procurement service process: publish dirty tertials into the
outbox and relay the outbox to the indicator service. Started in the app's lifespan; several
processes may run it on PostgreSQL (SKIP LOCKED), one per SQLite file."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI

from municipal_shared.kit.outbox import OutboxRelay
from municipal_shared.kit.peers import peer_client
from municipal_shared.kit.settings import AuthSettings
from procurement_service.models import OUTBOX
from procurement_service.rules.delivery import RegisterTarget
from procurement_service.settings import ProcurementSettings
from procurement_service.use_cases.delivery import publish_dirty
from procurement_service.use_cases.measurement import rule_for

logger = logging.getLogger("procurement_service.worker")
SERVICE_SUBJECT = "procurement-service"


async def _loop(app: FastAPI, relay: OutboxRelay, stop: asyncio.Event) -> None:
    settings: ProcurementSettings = app.state.settings
    target = RegisterTarget(board_code=settings.register_board_code)
    while not stop.is_set():
        try:
            published = await publish_dirty(app.state.database.sessions, OUTBOX, rule_for, target)
            result = await relay.run_once()
            busy = published or result.delivered or result.retried
        except Exception:  # keep relaying after a transient failure (database restart, ...)
            logger.exception("publishing or relaying failed; trying again")
            busy = False
        if not busy:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.relay_interval_seconds)


@contextlib.asynccontextmanager
async def background(app: FastAPI) -> AsyncIterator[None]:
    settings: ProcurementSettings = app.state.settings
    if not settings.relay_enabled:
        yield
        return
    auth: AuthSettings = app.state.auth_settings
    # The client's auth puts a current token on every delivery: an expired one is renewed
    # before it is sent, and a refused one (401) renewed and retried once, not dead-lettered.
    async with peer_client(
        auth,
        settings,
        fixed_token=settings.indicators_token,
        subject=SERVICE_SUBJECT,
        timeout_seconds=settings.relay_timeout_seconds,
    ) as client:
        relay = OutboxRelay(
            app.state.database.engine,
            OUTBOX,
            destinations={"indicators": settings.indicators_url},
            client=client,
            timeout=settings.relay_timeout_seconds,
        )
        app.state.relay = relay
        stop = asyncio.Event()
        task = asyncio.create_task(_loop(app, relay, stop))
        try:
            yield
        finally:
            stop.set()
            # A relay stuck on a stalled database or peer must not hold shutdown: after the
            # grace period it is cancelled and left to unwind.
            done, _ = await asyncio.wait({task}, timeout=settings.shutdown_grace_seconds)
            if not done:
                task.cancel()
