"""Value types the three services share: codes, years, tertials and exact amounts."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, Strict

# Path parameters use the same patterns, so a code no response could carry is a 422 at the door.
MUNICIPALITY_CODE_PATTERN = r"^(0[1-9]|1[0-9]|2[0-5])[0-9]{2}$"
BOARD_CODE_PATTERN = r"^[A-ZÅÄÖ][A-ZÅÄÖ0-9-]{0,15}$"

MunicipalityCode = Annotated[
    str,
    Field(
        pattern=MUNICIPALITY_CODE_PATTERN,
        description="Official four-digit municipality code (county 01-25 + two digits), e.g. 0580.",
        examples=["0580"],
    ),
]

BoardCode = Annotated[
    str,
    Field(
        pattern=BOARD_CODE_PATTERN,
        description="Short code of a board within its municipality, upper case, e.g. KS.",
        examples=["KS"],
    ),
]

BudgetYear = Annotated[int, Strict(), Field(ge=2000, le=2100, examples=[2018])]

# Budget amounts are whole thousand SEK (tkr). Strict: 1.0, 1.5 and "1" are refused, so a
# float can never slip into a decided frame.
ThousandSEK = Annotated[
    int,
    Strict(),
    Field(ge=-(10**12), le=10**12, description="Whole thousand SEK (tkr).", examples=[344009]),
]


def json_number(value: Decimal) -> int | float:
    """A Decimal as a JSON number for formats that want numbers (OCDS, Kolada): integral
    values as integers, others as the float whose shortest text is the same decimal (true
    for amounts of up to 15 significant digits, which covers kronor and öre). The stored
    value stays an exact Decimal."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _refuse_float(value: Any) -> Any:
    # A JSON number reaches the model as a Decimal, exactly as written (kit/routing.py); a
    # float here came from Python code, its digits already rounded.
    if isinstance(value, float):
        raise ValueError("give exact amounts as a number or a string, never a binary float")
    return value


def _at_most_three_decimals(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("amount must be a finite number")
    exponent = value.as_tuple().exponent  # an int once finite ("n", "N", "F" mark the rest)
    if isinstance(exponent, int) and exponent < -3:
        raise ValueError("thousand SEK is exact to the krona: at most 3 decimals")
    return value


# Outcomes and forecasts in thousand SEK, exact to the krona: a JSON number or string, read
# exactly as written (11200.5 stays 11200.5); answered as a string.
ExactThousandSEK = Annotated[
    Decimal,
    BeforeValidator(_refuse_float),
    AfterValidator(_at_most_three_decimals),
    Field(
        ge=-(10**14),
        le=10**14,  # fits NUMERIC(18, 3) on every backend
        description="Thousand SEK, exact to the krona: a JSON number or string, kept exactly "
        "as written (at most 3 decimals); answered as a string.",
        examples=["123456.789"],
    ),
]


PeriodCode = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{4}(-T[1-3])?$",
        description="A year (2018) or a tertial of a year, cumulative from January (2018-T2).",
        examples=["2018-T2"],
    ),
]


def split_period(period: str) -> tuple[int, Tertial | None]:
    """'2018' -> (2018, None); '2018-T2' -> (2018, Tertial.T2)."""
    year, _, tertial = period.partition("-")
    return int(year), Tertial(tertial) if tertial else None


def plain(number: Decimal) -> str:
    """12.300000 -> '12.3', 4E+4 -> '40000': exact, without trailing zeros or exponents."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


# A stored decimal, shown in JSON as its shortest exact string (no float, no padding).
PlainDecimal = Annotated[Decimal, PlainSerializer(plain, return_type=str, when_used="json")]


class Tertial(enum.StrEnum):
    """Four-month follow-up period; figures are cumulative from 1 January."""

    T1 = "T1"
    T2 = "T2"
    T3 = "T3"

    def period_end(self, year: int) -> dt.date:
        month_day = {"T1": (4, 30), "T2": (8, 31), "T3": (12, 31)}[self.value]
        return dt.date(year, *month_day)
