"""An organisation number sent in its usual shape (NNNNNN-NNNN) is recognised without the
general parsing (rules/procurement.formatted_legal_person); the answer is the general one's."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procurement_service.rules import procurement
from procurement_service.rules.procurement import InvalidOrganisationNumber, identify

SECRET = b"k" * 32


def _general(number: str) -> procurement.Identity | None:
    """`identify` with the shortcut turned off."""
    original = procurement.formatted_legal_person
    procurement.formatted_legal_person = lambda _: False  # type: ignore[assignment]  # the general path only
    try:
        return identify(number, SECRET)
    except InvalidOrganisationNumber:
        return None
    finally:
        procurement.formatted_legal_person = original


def _shortcut(number: str) -> procurement.Identity | None:
    try:
        return identify(number, SECRET)
    except InvalidOrganisationNumber:
        return None


@pytest.mark.parametrize(
    "number",
    ["556036-0793", "556036-0794", "212000-0449", "121212-1212", "900101-1239", "801231-0000"],
)
def test_known_numbers_are_identified_as_before(number: str) -> None:
    assert _shortcut(number) == _general(number)


@given(st.from_regex(r"\A[0-9]{6}-[0-9]{4}\Z"))
def test_any_number_of_that_shape_is_identified_as_before(number: str) -> None:
    assert _shortcut(number) == _general(number)
