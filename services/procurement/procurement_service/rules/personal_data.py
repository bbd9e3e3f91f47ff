"""Personal data of sole traders: pseudonyms instead of personal identity numbers, and
releases redacted before they are stored.

A sole trader's organisation number is the owner's personal identity number (personnummer),
personal data that the service must not keep (dataskyddslagen 3 kap. 10 §). It is replaced on
arrival by a pseudonym, `st:` + the number's deterministic AES-SIV encryption (RFC 5297)
under a key derived from PROCUREMENT_PERSONAL_DATA_KEY:
- deterministic, so the same sole trader gets the same pseudonym in every procurement and is
  counted once;
- keyed with a secret, so a leaked database alone cannot be reversed; a plain or published-key
  hash can be (there are only a few million personal identity numbers a year);
- reversible with the key, only so that `python -m procurement_service.rekey` can move every
  pseudonym to a new key (a key that leaked is then worthless); nothing else decrypts.
An OCDS release is redacted before it is stored or hashed: every personal identity number in
any string (with or without century and dash) becomes its pseudonym, and a sole trader's party
keeps only its pseudonym, roles and size: its name (wherever it appears), legal name, contact
points, address and other identifiers go.
"""

from __future__ import annotations

import base64
import binascii
import copy
import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from stdnum.se import personnummer

PREFIX = "st:"
_INFO = b"municipal-steering procurement sole-trader pseudonym v1"
# 6 or 8 digits, an optional separator (- or + for those over 100), 4 digits; not inside a
# longer run of digits.
_CANDIDATE = re.compile(r"(?<![0-9])([0-9]{6}|[0-9]{8})([-+]?)([0-9]{4})(?![0-9])")
# A pseudonym: the prefix and unpadded base64url of 16 bytes of tag + 10 bytes of number.
PSEUDONYM = re.compile(r"st:[A-Za-z0-9_-]{35}")
SOLE_TRADER_FIELDS = ("contactPoint", "additionalContactPoints", "address", "additionalIdentifiers")


@cache
def _cipher(secret: bytes) -> AESSIV:
    key = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=_INFO).derive(secret)
    return AESSIV(key)


def is_personal_identity_number(text: str) -> bool:
    """A valid personnummer or coordination number (Luhn, a real date); an organisation
    number of a legal person (month digits 20 or more) is not one."""
    return personnummer.is_valid(text)


def _ten_digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isascii() and ch.isdigit())[-10:]


def pseudonym(number: str, secret: bytes) -> str:
    """`st:` + the encryption of the 10-digit form, so 19900101-1234, 900101-1234 and
    9001011234 are one person."""
    sealed = _cipher(secret).encrypt(_ten_digits(number).encode(), None)
    return PREFIX + base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def number_of(pseudonym_text: str, secret: bytes) -> str | None:
    """The 10 digits behind a pseudonym made with this key, else None (forged, or another
    key). Used to re-key, and to accept a pseudonym only when it is ours."""
    if not PSEUDONYM.fullmatch(pseudonym_text):
        return None
    try:
        sealed = base64.urlsafe_b64decode(pseudonym_text[len(PREFIX) :] + "=")
        return _cipher(secret).decrypt(sealed, None).decode()
    except (InvalidTag, ValueError, binascii.Error):
        return None


def personal_numbers(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, number) of every personal identity number written in `text`."""
    for match in _CANDIDATE.finditer(text):
        if is_personal_identity_number(match.group(0)):
            yield match.start(), match.end(), match.group(0)


def redact_text(text: str, secret: bytes) -> str:
    parts, last = [], 0
    for start, end, number in personal_numbers(text):
        parts += [text[last:start], pseudonym(number, secret)]
        last = end
    return "".join(parts) + text[last:] if parts else text


def redact_release(release: dict[str, Any], secret: bytes) -> dict[str, Any]:
    """A copy of the release with no sole trader's number, name or contact in it."""
    redacted = copy.deepcopy(release)
    names: dict[str, str] = {}
    for party in redacted.get("parties") or []:
        if isinstance(party, dict) and _is_sole_trader(party):
            name = party.get("name")
            identifier = party.get("identifier") or {}
            stand_in = pseudonym(str(identifier["id"]), secret)
            for known in (name, identifier.get("legalName"), *_contact_texts(party)):
                if isinstance(known, str) and len(known.strip()) > 2:
                    names[known] = stand_in
            party["name"] = stand_in
            identifier.pop("legalName", None)
            for field in SOLE_TRADER_FIELDS:
                party.pop(field, None)
    walked: dict[str, Any] = _walk(
        redacted, lambda text: _replace_names(redact_text(text, secret), names)
    )
    return walked


def _contact_texts(party: dict[str, Any]) -> list[Any]:
    """Who the contact is and how to reach them: replaced wherever else they are written."""
    points = [party.get("contactPoint"), *(party.get("additionalContactPoints") or [])]
    fields = ("name", "email", "telephone", "faxNumber", "url")
    return [point.get(field) for point in points if isinstance(point, dict) for field in fields]


def _is_sole_trader(party: dict[str, Any]) -> bool:
    identifier = party.get("identifier")
    if not isinstance(identifier, dict) or identifier.get("scheme") != "SE-BLV":
        return False
    return is_personal_identity_number(str(identifier.get("id") or ""))


def _replace_names(text: str, names: dict[str, str]) -> str:
    # Longest first, so a full name goes before the shorter contact name inside it.
    for name, stand_in in sorted(names.items(), key=lambda item: -len(item[0])):
        text = text.replace(name, stand_in)
    return text


def _walk(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {key: _walk(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, change) for item in value]
    return value


def rekey_text(text: str, old: bytes, new: bytes) -> str:
    """Every pseudonym made with `old` in `text`, made again with `new`."""

    def again(match: re.Match[str]) -> str:
        number = number_of(match.group(0), old)
        return match.group(0) if number is None else pseudonym(number, new)

    return PSEUDONYM.sub(again, text)


def rekey_release(body: Any, old: bytes, new: bytes) -> Any:
    return _walk(body, lambda text: rekey_text(text, old, new))
