"""Which tertials a change touches, what the register receives, and when the publisher puts
a message into the outbox: rules as plain functions, the publisher on the test database
(outcomes are written through the API in-process; nothing is sent anywhere)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
from procurement_testkit import BIDDER, D, E, outcome
from sqlalchemy import select, update

from municipal_shared.contracts.indicators import DeliveredOutcomes
from municipal_shared.contracts.procurement import (
    Competition,
    DirectAwards,
    EmploymentRequirement,
    MeasuredCount,
    MeasuredRatio,
    SizeClasses,
)
from municipal_shared.kit.outbox import DELIVERED, PENDING
from municipal_shared.types import Tertial
from procurement_service.models import OUTBOX, DeliveryState, DirtyPeriod
from procurement_service.rules.delivery import (
    RegisterTarget,
    affected_tertials,
    idempotency_key,
    next_sequence,
    register_items,
)
from procurement_service.rules.measurement import Figures
from procurement_service.use_cases.delivery import publish_dirty
from procurement_service.use_cases.measurement import rule_for


def test_a_change_touches_its_tertial_and_the_later_cumulative_ones() -> None:
    assert affected_tertials([dt.date(2018, 4, 30)]) == {
        (2018, Tertial.T1),
        (2018, Tertial.T2),
        (2018, Tertial.T3),
    }
    assert affected_tertials([dt.date(2018, 5, 1), None]) == {
        (2018, Tertial.T2),
        (2018, Tertial.T3),
    }
    assert affected_tertials([dt.date(2018, 12, 31), dt.date(2019, 1, 1)]) == {
        (2018, Tertial.T3),
        (2019, Tertial.T1),
        (2019, Tertial.T2),
        (2019, Tertial.T3),
    }
    assert affected_tertials([]) == set()


def _figures(
    mean: Decimal | None,
    share: Decimal | None,
    signed: int | None,
    share_of_all: Decimal | None = None,
) -> Figures:
    # Only the figures the register receives (and the share it must not); the rest of each
    # section is left out.
    based_on = 0 if mean is None else 5
    return Figures(
        competition=Competition.model_construct(
            bidders_per_procurement_mean=MeasuredRatio(value=mean, based_on=based_on)
        ),
        size_classes=SizeClasses.model_construct(
            sme_share_of_bidders=MeasuredRatio(value=share_of_all, based_on=based_on),
            sme_share_of_bidders_with_known_size=MeasuredRatio(
                value=share, based_on=0 if share is None else based_on
            ),
        ),
        employment_requirement=EmploymentRequirement.model_construct(
            set_and_contract_signed=MeasuredCount(value=signed, based_on=based_on)
        ),
        direct_awards=DirectAwards.model_construct(),
        quality=[],
    )


def _delivered(figures: Figures, period: str) -> list[dict]:
    """The items as they travel, in the shared contract's JSON."""
    body = DeliveredOutcomes(items=register_items(figures, period), reason="Upphandlingsmätning")
    return body.model_dump(mode="json", exclude_none=True)["items"]


def test_no_procurement_is_no_data_never_zero() -> None:
    items = _delivered(_figures(None, None, None), "2018-T1")
    assert [i["status"] for i in items] == ["no_data"] * 3
    assert all("value" not in i for i in items)


def test_the_share_is_delivered_in_per_cent() -> None:
    items = _delivered(_figures(Decimal("2.40"), Decimal("0.6667"), 0), "2018-T2")
    assert [i["value"] for i in items] == ["2.40", "66.67", "0"]
    assert {i["source"] for i in items} == {"procurement-service"}


def test_the_sme_share_is_the_share_among_bidders_of_known_size() -> None:
    # 1 SME among 2 bidders of known size, 2 more of unknown size: 50 %, not 25 %.
    items = _delivered(
        _figures(Decimal("4.00"), Decimal("0.5000"), 0, Decimal("0.2500")), "2018-T1"
    )
    assert items[1] == {
        "figure": "procurement.sme_share_of_bidders_with_known_size",
        "period": "2018-T1",
        "value": "50.00",
        "status": "normal",
        "source": "procurement-service",
    }


def test_no_bidder_of_known_size_is_no_data_for_the_share_only() -> None:
    items = _delivered(_figures(Decimal("2.00"), None, 1), "2018-T1")
    assert [(i["status"], i.get("value")) for i in items] == [
        ("normal", "2.00"),
        ("no_data", None),
        ("normal", "1"),
    ]


def test_every_change_gets_the_next_sequence_and_a_repeat_none() -> None:
    assert next_sequence(None, None, "a") == 1
    assert next_sequence(1, "a", "a") is None  # unchanged since the last publication
    assert next_sequence(1, "a", "b") == 2
    assert next_sequence(2, "b", "a") == 3  # back to an earlier state: a new publication
    keys = [
        idempotency_key("0580", "KS", "2018-T1", n, digest)
        for n, digest in ((1, "a" * 64), (2, "b" * 64), (3, "a" * 64))
    ]
    assert len(set(keys)) == 3
    # A resend of one publication is the same key: the register applies it once.
    assert idempotency_key("0580", "KS", "2018-T1", 3, "a" * 64) == keys[2]
    assert keys[2] == "procurement:0580:KS:2018-T1:3:" + "a" * 24


# ---- the publisher, on the test database ----------------------------------------------------

REF = "/v1/procurements/0580/KS-2018-201"


def _tender(bidders: list[Any]) -> dict[str, Any]:
    return outcome(bidders=bidders, winners=[], award_date="2018-02-01")


async def _write(client: httpx.AsyncClient, token: Callable, bidders: list[Any]) -> None:
    r = await client.put(REF, json=_tender(bidders), headers=token())
    assert r.status_code in (200, 201), r.text


async def _publish(app: Any) -> int:
    return await publish_dirty(app.state.database.sessions, OUTBOX, rule_for, RegisterTarget())


async def _messages(app: Any, period: str = "2018-T1") -> list[Any]:
    """The outbox messages of one tertial, oldest first."""
    async with app.state.database.sessions() as session:
        rows = await session.execute(select(OUTBOX).order_by(OUTBOX.c.id))
        return [r for r in rows if any(i["period"] == period for i in r.body["items"])]


async def _relay_delivers_all(app: Any) -> None:
    """What the relay records after a 2xx: no HTTP needed for the publisher's rules."""
    async with app.state.database.sessions() as session, session.begin():
        await session.execute(
            update(OUTBOX).where(OUTBOX.c.status == PENDING).values(status=DELIVERED)
        )


def _mean(message: Any) -> str:
    return next(
        i["value"]
        for i in message.body["items"]
        if i["figure"] == "procurement.bidders_per_procurement"
    )


def _known_bidder(n: int) -> dict[str, Any]:
    # Distinct valid organisation numbers of companies of known size.
    numbers = ["556036-0793", "556677-8899", "556123-4567"]
    return {"organisation_number": numbers[n], "name": f"Bolag {n}", "size_class": "small"}


async def test_a_return_to_an_earlier_figure_is_published_again(
    app: Any, client: httpx.AsyncClient, token: Callable
) -> None:
    for bidders in ([0, 1], [0, 1, 2], [0, 1]):
        await _write(client, token, [_known_bidder(n) for n in bidders])
        assert await _publish(app) == 3  # T1, T2 and T3 of 2018
        await _relay_delivers_all(app)
    sent = await _messages(app)
    assert [_mean(m) for m in sent] == ["2.00", "3.00", "2.00"]
    keys = [m.idempotency_key for m in sent]
    assert [k.split(":")[4] for k in keys] == ["1", "2", "3"]
    assert keys[0] != keys[2] and sent[0].body == sent[2].body


async def test_an_unchanged_tertial_is_not_published_again(
    app: Any, client: httpx.AsyncClient, token: Callable
) -> None:
    await _write(client, token, [_known_bidder(0), _known_bidder(1)])
    await _publish(app)
    await _relay_delivers_all(app)
    # Another change of the procurement that leaves the delivered figures as they were.
    body = {**_tender([_known_bidder(0), _known_bidder(1)]), "title": "Nytt namn"}
    assert (await client.put(REF, json=body, headers=token())).status_code == 200
    async with app.state.database.sessions() as session:
        assert len((await session.execute(select(DirtyPeriod))).all()) == 3
    assert await _publish(app) == 3  # the marks are cleared...
    assert len(await _messages(app)) == 1  # ...and nothing new is sent
    async with app.state.database.sessions() as session:
        assert (await session.execute(select(DirtyPeriod))).all() == []
        states = (await session.execute(select(DeliveryState))).scalars().all()
    assert {(s.tertial, s.sequence) for s in states} == {("T1", 1), ("T2", 1), ("T3", 1)}


async def test_a_tertial_waits_while_its_last_message_is_pending(
    app: Any, client: httpx.AsyncClient, token: Callable
) -> None:
    await _write(client, token, [_known_bidder(0), _known_bidder(1)])
    await _publish(app)  # 2, pending: the register is down
    await _write(client, token, [_known_bidder(n) for n in range(3)])
    await _write(client, token, [_known_bidder(0)])
    assert await _publish(app) == 0  # the marks stay until the register has the 2
    assert [_mean(m) for m in await _messages(app)] == ["2.00"]
    await _relay_delivers_all(app)
    assert await _publish(app) == 3
    # Only the latest state follows, once: the 3 in between was never published.
    sent = await _messages(app)
    assert [(_mean(m), m.status) for m in sent] == [("2.00", DELIVERED), ("1.00", PENDING)]


async def test_unknown_sizes_reach_the_outbox_as_no_data(
    app: Any, client: httpx.AsyncClient, token: Callable
) -> None:
    await _write(client, token, [BIDDER[E], {**BIDDER[D], "headcount": None, "turnover_eur": None}])
    await _publish(app)
    (message,) = await _messages(app)
    share = next(
        i for i in message.body["items"] if i["figure"].startswith("procurement.sme_share")
    )
    assert share == {
        "figure": "procurement.sme_share_of_bidders_with_known_size",
        "period": "2018-T1",
        "status": "no_data",
        "source": "procurement-service",
    }


async def test_two_publishers_at_once_publish_each_tertial_once(
    app: Any, client: httpx.AsyncClient, token: Callable
) -> None:
    # Several processes may publish (PostgreSQL: the mark is locked, SKIP LOCKED; SQLite:
    # transactions are serial): one message per tertial, one sequence.
    await _write(client, token, [_known_bidder(0), _known_bidder(1)])
    done = await asyncio.gather(_publish(app), _publish(app))
    assert sum(done) == 3
    async with app.state.database.sessions() as session:
        keys = (await session.execute(select(OUTBOX.c.idempotency_key))).scalars().all()
    assert sorted(k.split(":")[3:5] for k in keys) == [
        ["2018-T1", "1"],
        ["2018-T2", "1"],
        ["2018-T3", "1"],
    ]
