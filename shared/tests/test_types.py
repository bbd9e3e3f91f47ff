"""Exact amounts: whole thousand SEK are integers, outcomes are decimals, floats never pass."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from municipal_shared.types import ExactThousandSEK, MunicipalityCode, Tertial, ThousandSEK

whole = TypeAdapter(ThousandSEK)
exact = TypeAdapter(ExactThousandSEK)


@pytest.mark.parametrize("value", ["1000", "1000", 1000.0, 1.5, True])
def test_thousand_sek_refuses_anything_but_an_integer(value: object) -> None:
    with pytest.raises(ValidationError):
        whole.validate_json(f"{value!s}".lower() if not isinstance(value, str) else f'"{value}"')


def test_exact_amounts() -> None:
    assert exact.validate_json('"123456.789"') == Decimal("123456.789")
    assert exact.validate_json("42") == Decimal(42)
    for bad in ('"1.0001"', "1.5", '"NaN"'):
        with pytest.raises(ValidationError):
            exact.validate_json(bad)


def test_municipality_codes_and_tertials() -> None:
    TypeAdapter(MunicipalityCode).validate_python("0580")
    for bad in ("580", "9999", "0080"):
        with pytest.raises(ValidationError):
            TypeAdapter(MunicipalityCode).validate_python(bad)
    assert str(Tertial.T2.period_end(2018)) == "2018-08-31"


def test_json_number_writes_integers_as_integers_and_cents_as_the_same_decimal() -> None:
    from decimal import Decimal

    from municipal_shared.types import json_number

    assert json_number(Decimal("1500000.00")) == 1500000
    assert isinstance(json_number(Decimal("1500000.00")), int)
    for text in ("11200.5", "0.1", "1234567890123.45"):
        assert repr(json_number(Decimal(text))) == text
