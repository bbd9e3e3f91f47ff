"""Which tertials a change touches, and what the register receives, without HTTP."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from municipal_shared.contracts.indicators import DeliveredOutcomes
from municipal_shared.contracts.procurement import (
    Competition,
    DirectAwards,
    EmploymentRequirement,
    MeasuredCount,
    MeasuredRatio,
    SizeClasses,
)
from municipal_shared.types import Tertial
from procurement_service.delivery import RegisterTarget, affected_tertials, register_items
from procurement_service.measurement import Figures


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


def _figures(mean: Decimal | None, share: Decimal | None, signed: int | None) -> Figures:
    # Only the three figures the register receives; the rest of each section is left out.
    based_on = 0 if mean is None else 5
    return Figures(
        competition=Competition.model_construct(
            bidders_per_procurement_mean=MeasuredRatio(value=mean, based_on=based_on)
        ),
        size_classes=SizeClasses.model_construct(
            sme_share_of_bidders=MeasuredRatio(value=share, based_on=based_on)
        ),
        employment_requirement=EmploymentRequirement.model_construct(
            set_and_contract_signed=MeasuredCount(value=signed, based_on=based_on)
        ),
        direct_awards=DirectAwards.model_construct(),
    )


def _delivered(figures: Figures, period: str) -> list[dict]:
    """The items as they travel, in the shared contract's JSON."""
    body = DeliveredOutcomes(
        items=register_items(figures, period, RegisterTarget()), reason="Upphandlingsmätning"
    )
    return body.model_dump(mode="json", exclude_none=True)["items"]


def test_no_procurement_is_no_data_never_zero() -> None:
    items = _delivered(_figures(None, None, None), "2018-T1")
    assert [i["status"] for i in items] == ["no_data"] * 3
    assert all("value" not in i for i in items)


def test_the_share_is_delivered_in_per_cent() -> None:
    items = _delivered(_figures(Decimal("2.40"), Decimal("0.6667"), 0), "2018-T2")
    assert [i["value"] for i in items] == ["2.40", "66.67", "0"]
    assert {i["source"] for i in items} == {"procurement-service"}
