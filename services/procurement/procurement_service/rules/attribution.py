"""Whose procurements these are: the municipalities this service receives outcomes for, their
organisation numbers, boards and buying administrations.

Why configuration (`PROCUREMENT_BUYERS`) and not the budget service's registry: attributing a
release is part of receiving it, and a delivery from the procurement system must not fail
because another service is down; the registry also holds no organisation numbers. An operator
adds a municipality or a board by changing the setting (see README, "Settings")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel, Field, field_validator, model_validator
from stdnum.se import orgnr

from municipal_shared.kit.problems import InvalidContent, field_error
from municipal_shared.types import BoardCode


@dataclass(frozen=True)
class Attribution:
    """Whose procurement a release is: the municipality's organisation numbers (its buyer must
    be one of them) and how a buying administration becomes a board."""

    municipality_code: str
    organisation_numbers: frozenset[str]  # NNNNNN-NNNN
    default_board: str
    board: str | None = None  # from the request: wins over everything
    administration_boards: Mapping[str, str] = field(default_factory=dict)  # casefolded name

    def board_for(self, administration: str | None) -> str:
        if self.board is not None:
            return self.board
        mapped = self.administration_boards.get((administration or "").strip().casefold())
        return mapped or self.default_board


class Buyer(BaseModel):
    """One municipality as a buyer."""

    organisation_numbers: list[str] = Field(
        min_length=1, description="NNNNNN-NNNN: a release's buyer must be one of them."
    )
    boards: list[BoardCode] = Field(min_length=1)
    default_board: BoardCode
    administration_boards: dict[str, BoardCode] = Field(
        default_factory=dict,
        description="Buying administration (the buyer's name as published) -> its board.",
    )

    @field_validator("organisation_numbers")
    @classmethod
    def _valid_numbers(cls, numbers: list[str]) -> list[str]:
        for number in numbers:
            if not orgnr.is_valid(number):
                raise ValueError("not a valid Swedish organisation number")
        return [orgnr.format(orgnr.compact(number)) for number in numbers]

    @model_validator(mode="after")
    def _boards_known(self) -> Buyer:
        for board in [self.default_board, *self.administration_boards.values()]:
            if board not in self.boards:
                raise ValueError(f"board {board} is not one of the boards {self.boards}")
        return self


# Linköping, the first customer: Linköpings kommun, 212000-0449, receiving for its executive
# board (Kommunstyrelsen, KS). Other boards are added by configuration.
LINKOPING = Buyer(organisation_numbers=["212000-0449"], boards=["KS"], default_board="KS")


def buyer_of(buyers: dict[str, Buyer], municipality_code: str) -> Buyer:
    buyer = buyers.get(municipality_code)
    if buyer is None:
        message = f"municipality {municipality_code} is not configured as a buyer here"
        error = field_error("/municipality_code", message, "attribution", location="path")
        raise InvalidContent(message, errors=[error])
    return buyer


def check_board(buyer: Buyer, municipality_code: str, board: str, pointer: str) -> None:
    check_boards(buyer, municipality_code, [(pointer, board)])


def check_boards(buyer: Buyer, municipality_code: str, boards: list[tuple[str, str]]) -> None:
    """Every (pointer, board) must be a board of the municipality; names each one that is not."""
    errors = [
        field_error(
            pointer,
            f"board {board} is not a board of municipality {municipality_code}",
            "attribution",
            location="query" if pointer == "/board" else "body",
        )
        for pointer, board in boards
        if board not in buyer.boards
    ]
    if errors:
        raise InvalidContent(errors[0]["message"], errors=errors)


def check_native(
    buyers: dict[str, Buyer], municipality_code: str, boards: list[tuple[str, str]]
) -> None:
    """Native outcomes: the municipality is configured and every board is one of its boards."""
    check_boards(buyer_of(buyers, municipality_code), municipality_code, boards)


def for_ocds(buyers: dict[str, Buyer], municipality_code: str, board: str | None) -> Attribution:
    """How the releases of one package are attributed; the `board` query parameter wins."""
    buyer = buyer_of(buyers, municipality_code)
    if board is not None:
        check_board(buyer, municipality_code, board, "/board")
    return Attribution(
        municipality_code=municipality_code,
        organisation_numbers=frozenset(buyer.organisation_numbers),
        default_board=buyer.default_board,
        board=board,
        administration_boards={
            name.strip().casefold(): code for name, code in buyer.administration_boards.items()
        },
    )
