"""Which tertials a change touches, and what the register receives, without HTTP."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from municipal_shared.types import Tertial
from procurement_service.delivery import RegisterTarget, affected_tertials, register_items


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


def _figures(mean: Decimal | None, share: Decimal | None, signed: int | None) -> dict:
    return {
        "competition": {"bidders_per_procurement_mean": {"value": mean}},
        "size_classes": {"sme_share_of_bidders": {"value": share}},
        "employment_requirement": {"set_and_contract_signed": {"value": signed}},
    }


def test_no_procurement_is_no_data_never_zero() -> None:
    items = register_items(_figures(None, None, None), "2018-T1", RegisterTarget())
    assert [i["status"] for i in items] == ["no_data"] * 3
    assert all("value" not in i for i in items)


def test_the_share_is_delivered_in_per_cent() -> None:
    items = register_items(
        _figures(Decimal("2.40"), Decimal("0.6667"), 0), "2018-T2", RegisterTarget()
    )
    assert [i["value"] for i in items] == ["2.40", "66.67", "0"]
    assert {i["source"] for i in items} == {"procurement-service"}
