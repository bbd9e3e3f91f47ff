"""Numbers the Swedish way: a space between thousands (non-breaking, so a figure never
wraps), a comma as the decimal sign, a real minus sign; exact to the digits the figure has."""

from __future__ import annotations

from decimal import Decimal

NBSP = "\u00a0"
MINUS = "\u2212"
NOTHING = "–"  # a figure that does not exist (yet): never a zero


def number(value: Decimal | int | str | None, places: int | None = None) -> str:
    """`places` rounds (half even, as Decimal does) to that many decimals; None keeps the
    digits the value has."""
    if value is None:
        return NOTHING
    exact = Decimal(value)
    if places is not None:
        exact = exact.quantize(Decimal(1).scaleb(-places))
    sign = MINUS if exact < 0 else ""
    whole, _, fraction = f"{abs(exact):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = NBSP.join(groups)
    return sign + text + ("," + fraction if fraction else "")


def amount(value: Decimal | int | str | None) -> str:
    """Thousand SEK as the budget document writes them: whole tkr with a space between
    thousands; a decimal that was reported is kept, trailing zeros are not (the budget
    service sends 1450.000 for 1 450)."""
    if value is None:
        return NOTHING
    exact = Decimal(value)
    if exact == exact.to_integral_value():
        return number(exact.to_integral_value())
    return number(exact.normalize())


def share(value: Decimal | int | str | None, places: int = 1) -> str:
    """A share (0.4567) as per cent: "45,7 %"."""
    if value is None:
        return NOTHING
    return number(Decimal(value) * 100, places) + NBSP + "%"


def decimal_or_none(value: Decimal | int | str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
