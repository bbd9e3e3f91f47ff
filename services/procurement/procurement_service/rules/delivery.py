"""Delivery of the measured figures to the indicator register: the rules (which tertials a
change touches, the message, its sequence and key); use_cases/delivery.py publishes.

A write marks the tertials it changes as dirty (same transaction). The publisher takes each
dirty tertial in one transaction: it locks the mark, measures, and compares the message it
would send with the last one it published for that tertial and register (`DeliveryState`).
Unchanged: the mark is cleared and nothing is sent. Changed: the tertial's sequence goes up
by one and one outbox message carries the register's rows under the Idempotency-Key
`procurement:<municipality>:<board>:<period>:<sequence>:<digest>`; the relay delivers it
with retries.

Why a sequence and not the content alone: the register remembers every key it processed,
so a key made of the content would turn a return to an earlier state (2 -> 3 -> 2) into a
replay of the first answer, and the register would keep 3. Each publication has a key of
its own; every resend of one publication (relay retry, crash after send) reuses it, so the
register applies it once. The digest in the key only keeps keys of a rebuilt database (its
sequences start again at 1) from being refused as the same key with other content.

Order: a tertial is not published again while its last message is still pending (register
down, backing off): the mark stays and waits. So at most one message per tertial is ever
pending, the relay cannot send two states of a tertial at once or retry an older one after
a newer one succeeded, and what is published after the wait is the latest state. A dead
message does not hold the tertial back; a later change supersedes it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from municipal_shared.contracts.indicators import DeliveredOutcome, DeliveredOutcomes
from municipal_shared.types import Tertial
from procurement_service.rules.measurement import Figures

SOURCE = "procurement-service"
HUNDRED = Decimal(100)


# The figures by their stable keys. Which indicator of a register records each one is the
# register's data (an indicator's `fed_by`), never a municipality's codes kept here.
BIDDERS_PER_PROCUREMENT = "procurement.bidders_per_procurement"
SME_SHARE = "procurement.sme_share_of_bidders_with_known_size"
REQUIREMENT_SET_AND_SIGNED = "procurement.employment_requirement_set_and_signed"


@dataclass(frozen=True)
class RegisterTarget:
    """Where the figures go: the register of `board_code`."""

    board_code: str = "KS"


def affected_tertials(dates: list[dt.date | None]) -> set[tuple[int, Tertial]]:
    """Cumulative figures: a date in T1 changes T1, T2 and T3 of its year."""
    out: set[tuple[int, Tertial]] = set()
    for date in dates:
        if date is None:
            continue
        first = next(t for t in Tertial if date <= t.period_end(date.year))
        out |= {(date.year, t) for t in Tertial if t >= first}
    return out


def _entry(figure: str, period: str, value: Decimal | int | None) -> DeliveredOutcome:
    if value is None:  # no procurement qualifies: no data, never a zero
        return DeliveredOutcome(figure=figure, period=period, status="no_data", source=SOURCE)
    return DeliveredOutcome(figure=figure, period=period, value=Decimal(value), source=SOURCE)


def register_items(figures: Figures, period: str) -> list[DeliveredOutcome]:
    mean = figures.competition.bidders_per_procurement_mean.value
    # SME among the bidders of known size: an unknown size is no data, never "not SME".
    share = figures.size_classes.sme_share_of_bidders_with_known_size.value
    signed = figures.employment_requirement.set_and_contract_signed.value
    return [
        _entry(BIDDERS_PER_PROCUREMENT, period, mean),
        _entry(
            SME_SHARE,
            period,
            None if share is None else (share * HUNDRED).quantize(Decimal("0.01")),
        ),
        _entry(REQUIREMENT_SET_AND_SIGNED, period, signed),
    ]


def register_body(figures: Figures, period: str) -> dict[str, Any]:
    """The message body: the register's rows of the period, as the register receives them."""
    return DeliveredOutcomes(
        items=register_items(figures, period),
        reason=f"Upphandlingsmätning {period} från upphandlingstjänsten",
    ).model_dump(mode="json", exclude_none=True)


def register_path(municipality_code: str, board_code: str) -> str:
    return f"/v1/registers/{municipality_code}/{board_code}/outcomes"


def body_digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def next_sequence(last_sequence: int | None, last_digest: str | None, digest: str) -> int | None:
    """The sequence of the next publication, or None when the message would repeat the last
    one published (nothing to send)."""
    if last_sequence is not None and last_digest == digest:
        return None
    return (last_sequence or 0) + 1


def idempotency_key(
    municipality_code: str, board_code: str, period: str, sequence: int, digest: str
) -> str:
    return f"procurement:{municipality_code}:{board_code}:{period}:{sequence}:{digest[:24]}"
