"""Transactional outbox: deliver messages to a peer service over HTTP, at least once.

A use case writes its business rows and an outbox row in one transaction (`enqueue`), so a
message exists exactly when the change it announces was committed. An `OutboxRelay` then
sends due rows to the peer with an `Idempotency-Key` header equal to the row's key.

Delivery is at least once, never exactly once: the relay can crash after the peer answered
2xx and before the outcome is stored, or a lease can run out while a slow request is still
in flight, and the message is then sent again. The receiver must record processed keys in a
unique table and treat a repeated key as already done.

The relay never holds a database transaction open while it waits on the network:

1. claim: one short transaction selects due rows (on PostgreSQL `FOR UPDATE SKIP LOCKED`,
   so several relays share the work) and moves their `next_attempt_at` forward by a lease;
   the guarded update only takes rows that are still due, so a row has one owner at a time;
2. send: the claimed messages go out concurrently, each under a total deadline of `timeout`;
3. record: one short transaction stores each outcome (delivered, retry later, dead).

If the relay dies between 1 and 3, the lease expires and another pass sends the messages
again. On SQLite `FOR UPDATE` does not exist (SQLAlchemy drops it silently): the guarded
update still keeps two passes from claiming one row, but SQLite serialises writers, so run
one relay per database file.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import random as _random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import httpx
from prometheus_client import Counter
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    CursorResult,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from municipal_shared.kit.database import UTCDateTime, utc_now
from municipal_shared.kit.peer_tokens import PeerTokenError
from municipal_shared.kit.request_id import HEADER as REQUEST_ID_HEADER
from municipal_shared.kit.request_id import current_request_id, set_request_id
from municipal_shared.kit.tracing import HEADER as TRACEPARENT_HEADER
from municipal_shared.kit.tracing import current_traceparent, set_traceparent, traceparent_for

logger = logging.getLogger("municipal_shared.outbox")
ATTEMPTS = Counter(
    "outbox_delivery_attempts",
    "Outbox deliveries tried, by destination and outcome (delivered, retry, dead).",
    ("destination", "outcome"),
)
_OUTCOME_LABEL = {"delivered": "delivered", "pending": "retry", "dead": "dead"}

PENDING = "pending"
DELIVERED = "delivered"
DEAD = "dead"

ERROR_LIMIT = 2000
"""Longest `last_error` stored: enough for a problem detail, never a whole error page."""


def outbox_table(metadata: MetaData, name: str = "outbox_message") -> Table:
    """The outbox table inside a service's own metadata, so its alembic migration creates it
    and `enqueue` can share the transaction of the business write."""
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("destination", String(64), nullable=False),
        Column("method", String(10), nullable=False),
        Column("path", String(500), nullable=False),
        Column("body", JSON, nullable=False),
        Column("idempotency_key", String(200), nullable=False, unique=True),
        Column("status", String(16), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("next_attempt_at", UTCDateTime, nullable=False),
        Column("last_error", Text, nullable=True),
        Column("last_status_code", Integer, nullable=True),
        Column("created_at", UTCDateTime, nullable=False),
        Column("delivered_at", UTCDateTime, nullable=True),
        CheckConstraint(f"status IN ('{PENDING}', '{DELIVERED}', '{DEAD}')", name="status"),
        # The relay's claim filters on both columns; status first keeps delivered rows,
        # the bulk of the table, out of the range it scans.
        Index(f"ix_{name}_status_next_attempt_at", "status", "next_attempt_at"),
    )


async def enqueue(
    session: AsyncSession,
    table: Table,
    *,
    destination: str,
    method: str,
    path: str,
    body: Any,
    idempotency_key: str,
) -> None:
    """Add a pending message in the caller's transaction; the caller commits it together
    with the business rows. `body` must be JSON-ready (e.g. `model.model_dump(mode="json")`).

    A key already stored means this message was enqueued before (a retried request), so
    nothing is added; the unique constraint stops a concurrent duplicate at commit."""
    existing = await session.scalar(
        select(table.c.id).where(table.c.idempotency_key == idempotency_key)
    )
    if existing is not None:
        return
    now = utc_now()
    await session.execute(
        insert(table).values(
            destination=destination,
            method=method.upper(),
            path=path,
            body=body,
            idempotency_key=idempotency_key,
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )


def dead_letters_query(table: Table) -> Select[Any]:
    """Messages the relay gave up on, oldest first, for an operator endpoint."""
    return select(table).where(table.c.status == DEAD).order_by(table.c.id)


def pending_count_query(table: Table) -> Select[Any]:
    """How many messages still wait for delivery (a backlog gauge for health or metrics)."""
    return select(func.count()).select_from(table).where(table.c.status == PENDING)


@dataclass(frozen=True)
class Backlog:
    pending: int
    dead: int
    oldest_pending: dt.datetime | None


async def backlog(engine: AsyncEngine, table: Table) -> Backlog:
    """Pending and dead messages and when the oldest pending one was enqueued, in one
    aggregate statement (for /metrics)."""
    pending = table.c.status == PENDING
    query = select(
        func.count().filter(pending),
        func.count().filter(table.c.status == DEAD),
        func.min(table.c.created_at).filter(pending),
    ).select_from(table)
    async with engine.connect() as conn:
        row = (await conn.execute(query)).one()
    return Backlog(pending=row[0], dead=row[1], oldest_pending=row[2])


async def requeue(
    session: AsyncSession, table: Table, message_id: int, *, now: dt.datetime | None = None
) -> bool:
    """Give a dead message a fresh set of attempts, due at once; the caller commits.
    Returns False when there is no dead message with that id. The last error stays until
    the next attempt replaces it, so the operator still sees why it had died."""
    result = await session.execute(
        update(table)
        .where(table.c.id == message_id, table.c.status == DEAD)
        .values(status=PENDING, attempts=0, next_attempt_at=now or utc_now())
    )
    # An UPDATE answers a CursorResult, the Result that has a row count.
    return bool(cast("CursorResult[Any]", result).rowcount)


@dataclass(frozen=True)
class RelayResult:
    """What one relay pass did with the messages it claimed."""

    delivered: int = 0
    retried: int = 0
    dead: int = 0

    @property
    def claimed(self) -> int:
        return self.delivered + self.retried + self.dead


@dataclass(frozen=True)
class _Outcome:
    """The result of one send, before it is stored."""

    kind: str  # DELIVERED, PENDING (retry) or DEAD
    status_code: int | None = None
    error: str | None = None


def _is_retryable(status_code: int) -> bool:
    """Worth trying again later: the peer is overloaded, restarting or timed out."""
    return status_code in (408, 429) or status_code >= 500


def _error_text(response: httpx.Response) -> str:
    """The peer's own explanation: the problem's `detail` (or `title`) when the body is
    problem+json or JSON, else the start of the raw body."""
    text = ""
    try:
        payload = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        payload = None
    if isinstance(payload, dict):
        found = payload.get("detail") or payload.get("title")
        text = found if isinstance(found, str) else json.dumps(found) if found else ""
    if not text:
        text = response.text or response.reason_phrase
    return f"HTTP {response.status_code}: {text}"[:ERROR_LIMIT]


class OutboxRelay:
    """Sends due outbox rows to their peers; see the module docstring for the guarantees.

    `destinations` maps a peer name stored in the rows ("indicators") to its base URL.
    `client` is shared and owned by the caller (its lifespan opens and closes it).
    `headers` is called for every send, so a rotating bearer token stays fresh.
    `clock` and `random` exist for tests: time can be advanced without sleeping.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        table: Table,
        *,
        destinations: Mapping[str, str],
        client: httpx.AsyncClient,
        headers: Callable[[], Mapping[str, str]] = dict,
        timeout: float = 5.0,
        max_attempts: int = 12,
        base_delay: float = 1.0,
        max_delay: float = 300.0,
        batch_size: int = 50,
        clock: Callable[[], dt.datetime] = utc_now,
        random: _random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.table = table
        self.destinations = dict(destinations)
        self.client = client
        self.headers = headers
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.batch_size = batch_size
        self.clock = clock
        self.random = random or _random.Random()  # noqa: S311 - jitter, not secrecy
        # Long enough for a whole batch: the sends run concurrently, each bounded by timeout.
        self.lease = dt.timedelta(seconds=timeout * 2)

    def retry_delay(self, attempts: int) -> float:
        """Seconds to wait after the `attempts`-th failed attempt (1 for the first).

        Equal jitter: half of the exponential step is fixed, half random. Unlike full jitter
        it keeps a floor, so a peer that is down is not hit again at once, and until the cap
        a delay is never shorter than the one before (the floor doubles with the step); the
        random half still spreads messages that failed together."""
        exponent = min(max(attempts - 1, 0), 60)  # 2**60 s is past any max_delay; no overflow
        factor: int = 2**exponent  # typeshed types int ** int as Any (a negative power is a float)
        step = min(self.max_delay, self.base_delay * factor)
        return step / 2 + self.random.uniform(0, step / 2)

    async def run_once(self) -> RelayResult:
        """Claim the due messages, send them, store the outcomes; one pass."""
        claimed = await self._claim()
        if not claimed:
            return RelayResult()
        outcomes = await asyncio.gather(*(self._send(row) for row in claimed))
        return await self._record(claimed, outcomes)

    async def run_forever(self, stop: asyncio.Event, interval: float = 1.0) -> None:
        """Relay until `stop` is set: back to back while full batches come, else every
        `interval` seconds. A failing pass (database down) is logged and tried again."""
        while not stop.is_set():
            try:
                result = await self.run_once()
            except Exception:
                logger.exception("outbox relay pass failed")
                result = RelayResult()
            if result.claimed >= self.batch_size:
                continue
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except TimeoutError:
                pass

    async def _claim(self) -> list[Row[Any]]:
        t = self.table
        now = self.clock()
        due = (t.c.status == PENDING) & (t.c.next_attempt_at <= now)
        query = select(t.c.id).where(due).order_by(t.c.id).limit(self.batch_size)
        if self.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        async with self.engine.begin() as conn:
            ids = list((await conn.scalars(query)).all())
            if not ids:
                return []
            # Guarded: a row another relay claimed meanwhile is no longer due and is skipped.
            claimed = await conn.execute(
                update(t)
                .where(t.c.id.in_(ids), due)
                .values(next_attempt_at=now + self.lease)
                .returning(
                    t.c.id,
                    t.c.destination,
                    t.c.method,
                    t.c.path,
                    t.c.body,
                    t.c.idempotency_key,
                    t.c.attempts,
                )
            )
            rows = list(claimed.all())
        return sorted(rows, key=lambda row: row.id)

    async def _send(self, row: Row[Any]) -> _Outcome:
        """One attempt, in its own task (gather): the context variables set here are this
        delivery's only. Sent in the background, not on behalf of a request, each attempt has
        a request id naming the message, and every attempt at one message the same trace id,
        so the log lines of a message are found by either on both sides."""
        attempt = row.attempts + 1
        set_request_id(f"outbox-{row.id}-{attempt}")
        set_traceparent(traceparent_for(row.idempotency_key))
        outcome = await self._deliver(row)
        logger.info(
            "outbox delivery: message %s attempt %s to %s: %s %s",
            row.id,
            attempt,
            row.destination,
            outcome.kind,
            outcome.status_code or outcome.error,
            extra={"idempotency_key": row.idempotency_key},
        )
        return outcome

    async def _deliver(self, row: Row[Any]) -> _Outcome:
        base_url = self.destinations.get(row.destination)
        if base_url is None:
            return _Outcome(DEAD, error=f"no base URL configured for {row.destination!r}")
        headers = {
            **self.headers(),
            "Idempotency-Key": row.idempotency_key,
            REQUEST_ID_HEADER: current_request_id() or "",
            TRACEPARENT_HEADER: current_traceparent() or "",
        }
        try:
            # httpx's timeout bounds each phase; this bounds the whole exchange, which is
            # what the claim's lease assumes.
            async with asyncio.timeout(self.timeout):
                response = await self.client.request(
                    row.method,
                    base_url.rstrip("/") + row.path,
                    json=row.body,
                    headers=headers,
                    timeout=self.timeout,
                )
        except (TimeoutError, httpx.TimeoutException):
            return _Outcome(PENDING, error=f"timed out after {self.timeout:g} s")
        except httpx.TransportError as exc:
            return _Outcome(PENDING, error=f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT])
        except PeerTokenError as exc:
            # The identity provider is down or refuses this client: the message is not at
            # fault, so it waits like for a peer that is down (max_attempts still ends it).
            logger.warning("outbox message %s not sent: %s", row.id, exc)
            return _Outcome(PENDING, error=f"no peer token: {exc}"[:ERROR_LIMIT])
        except Exception as exc:
            # Unexpected, but never lose the message: retry, and max_attempts ends it.
            logger.exception("outbox message %s failed to send", row.id)
            return _Outcome(PENDING, error=f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT])
        if response.is_success:
            return _Outcome(DELIVERED, status_code=response.status_code)
        kind = PENDING if _is_retryable(response.status_code) else DEAD
        return _Outcome(kind, status_code=response.status_code, error=_error_text(response))

    async def _record(self, rows: Sequence[Row[Any]], outcomes: Sequence[_Outcome]) -> RelayResult:
        counts = {DELIVERED: 0, PENDING: 0, DEAD: 0}
        now = self.clock()
        async with self.engine.begin() as conn:
            for row, outcome in zip(rows, outcomes, strict=True):
                kind = await self._store(conn, row, outcome, now)
                counts[kind] += 1
                ATTEMPTS.labels(row.destination, _OUTCOME_LABEL[kind]).inc()
        return RelayResult(delivered=counts[DELIVERED], retried=counts[PENDING], dead=counts[DEAD])

    async def _store(
        self, conn: AsyncConnection, row: Row[Any], outcome: _Outcome, now: dt.datetime
    ) -> str:
        t = self.table
        attempts = row.attempts + 1
        common = {
            "attempts": attempts,
            "last_status_code": outcome.status_code,
            "last_error": outcome.error,
        }
        if outcome.kind == DELIVERED:
            # The peer has it, whatever another relay recorded meanwhile.
            await conn.execute(
                update(t)
                .where(t.c.id == row.id, t.c.status != DELIVERED)
                .values(status=DELIVERED, delivered_at=now, **common)
            )
            return DELIVERED
        kind = outcome.kind
        if kind == PENDING and attempts >= self.max_attempts:
            kind = DEAD
        values: dict[str, Any] = {"status": kind, **common}
        if kind == PENDING:
            values["next_attempt_at"] = now + dt.timedelta(seconds=self.retry_delay(attempts))
        # Only a row still pending: never undo a delivery recorded meanwhile.
        await conn.execute(
            update(t).where(t.c.id == row.id, t.c.status == PENDING).values(**values)
        )
        if kind == DEAD:
            logger.warning(
                "outbox message dead: id=%s destination=%s idempotency_key=%s "
                "status_code=%s attempts=%s",
                row.id,
                row.destination,
                row.idempotency_key,
                outcome.status_code,
                attempts,
            )
        return kind
