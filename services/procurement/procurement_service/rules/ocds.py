"""Reading OCDS 1.1 packages: validate, fingerprint and merge (mapping: ocds_mapping.py).

Procurement systems publish tender outcomes as Open Contracting Data Standard releases: one
release per event (planning, tender, award, contract), each carrying only what changed. The
measurements the board asks for (bidders, SME shares, winners, employment requirements) need
the current state of a procurement, so this module
1. validates a release or record package as a whole against the OCDS schemas
   (ocds_validation.py) and reports every invalid release at once (a publisher fixes a batch
   in one go, not one error per round trip);
2. fingerprints a release's canonical JSON, so that the same (`ocid`, `id`) posted twice is a
   no-op and the same identity with other content is a conflict, never a silent overwrite;
3. compiles the releases of one `ocid` with the OCDS merge rules, so that a contract release
   without `tender` does not lose the bidders named earlier;
and ocds_mapping.py (with ocds_reading.py) maps the compiled release to a `ReceivedProcurement`.
Pure functions only: no I/O, no database, no clock, so the rules can be tested in isolation.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from typing import Any, NamedTuple

from pydantic import ValidationError

from procurement_service.rules import ocds_validation
from procurement_service.schemas_ocds import Release

__all__ = [
    "PackageError",
    "Release",
    "canonical_hash",
    "canonical_json",
    "compile_releases",
    "parse_package",
]


class PackageError(ValueError):
    """The package is not one we can read. Each error: `index` (of the release in `releases`,
    or in its record's `releases`), `record` (index in `records`, else None), `ocid`, `id`
    (as sent, when they are strings), `path` (JSON Pointer from the package root) and
    `message`. Package-level errors have `index` None."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        super().__init__(f"invalid OCDS package: {len(errors)} error(s)")


def json_pointer(parts: tuple[str | int, ...] | list[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


# --- 1. parsing -----------------------------------------------------------------------------


class _Located(NamedTuple):
    loc: tuple[str | int, ...]  # where the release sits in the package
    record: int | None
    # In its `releases` list; None for a record's compiledRelease. Not `index`: that name is
    # tuple's own method, which a NamedTuple field must not shadow.
    position: int | None
    raw: Any
    record_ocid: Any
    compiled: bool


def parse_package(payload: Any) -> list[Release]:
    """The releases of a release package, or of a record package: its embedded releases (in
    record order), or its `compiledRelease` where the record only links its releases.

    Everything is checked first, the envelope against the package schema and every release
    against the release schema (ocds_validation.py) and our models; raises `PackageError`
    listing every problem of every release."""
    if not isinstance(payload, dict):
        raise PackageError([_package_error(None, None, None, (), "must be a JSON object")])
    if ("releases" in payload) == ("records" in payload):
        message = "must have either `releases` (release package) or `records` (record package)"
        raise PackageError([_package_error(None, None, None, (), message)])
    is_records = "records" in payload
    errors = [
        _package_error(None, None, None, (), e["message"], e["path"])
        for e in ocds_validation.envelope_errors(payload, is_records)
    ]
    located, located_errors = _located_releases(payload, is_records)
    errors += located_errors
    releases: list[Release] = []
    for item in located:
        found = ocds_validation.release_errors(item.raw, item.loc)
        if not found:
            try:
                release = Release.model_validate(item.raw)
            except ValidationError as exc:
                found = [
                    {"path": json_pointer((*item.loc, *e["loc"])), "message": e["msg"]}
                    for e in exc.errors(include_url=False, include_input=False)
                ]
            else:
                release._received = copy.deepcopy(item.raw)
                release._compiled = item.compiled
                releases.append(release)
        errors += [
            _package_error(item.record, item.position, item.raw, (), e["message"], e["path"])
            for e in found
        ]
    errors += _structural_errors(located)
    if errors:
        errors.sort(key=lambda e: (e["record"] or 0, -1 if e["index"] is None else e["index"]))
        raise PackageError(errors)
    return releases


def _located_releases(
    payload: dict[str, Any], is_records: bool
) -> tuple[list[_Located], list[dict[str, Any]]]:
    if not is_records:
        raw = payload.get("releases")
        items = raw if isinstance(raw, list) else []
        return [
            _Located(("releases", i), None, i, item, None, False) for i, item in enumerate(items)
        ], []
    records = payload.get("records")
    located: list[_Located] = []
    errors: list[dict[str, Any]] = []
    for r, record in enumerate(records if isinstance(records, list) else []):
        if not isinstance(record, dict):
            continue
        raw = record.get("releases")
        if ocds_validation.is_linked_list(raw):
            compiled = record.get("compiledRelease")
            if isinstance(compiled, dict):
                loc: tuple[str | int, ...] = ("records", r, "compiledRelease")
                located.append(_Located(loc, r, None, compiled, record.get("ocid"), True))
            else:
                message = "the record links its releases and has no compiledRelease to read"
                errors.append(_package_error(r, None, None, (), message, f"/records/{r}/releases"))
            continue
        for i, item in enumerate(raw if isinstance(raw, list) else []):
            loc = ("records", r, "releases", i)
            located.append(_Located(loc, r, i, item, record.get("ocid"), False))
    return located, errors


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _package_error(
    record: int | None,
    index: int | None,
    raw: Any,
    loc: tuple[str | int, ...],
    message: str,
    path: str | None = None,
) -> dict[str, Any]:
    release = raw if isinstance(raw, dict) else {}
    return {
        "index": index,
        "record": record,
        "ocid": _text(release.get("ocid")),
        "id": _text(release.get("id")),
        "path": json_pointer(loc) if path is None else path,
        "message": message,
    }


def _structural_errors(located: list[_Located]) -> list[dict[str, Any]]:
    """What the schema cannot see: a release filed under another record's ocid, and one
    (ocid, id) with two different contents in the same package."""
    errors: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], str] = {}
    for item in located:
        if not isinstance(item.raw, dict):
            continue
        ocid, release_id = _text(item.raw.get("ocid")), _text(item.raw.get("id"))
        if item.record is not None and ocid is not None and ocid != item.record_ocid:
            message = "the release's ocid differs from its record's ocid"
            loc = (*item.loc, "ocid")
            errors.append(_package_error(item.record, item.position, item.raw, loc, message))
        if ocid is None or release_id is None:
            continue
        try:
            digest = canonical_hash(item.raw)
        except (TypeError, ValueError):
            continue  # a value that is not JSON: the schema check reports it
        if seen.setdefault((ocid, release_id), digest) != digest:
            message = "another release in this package has the same ocid and id but other content"
            errors.append(_package_error(item.record, item.position, item.raw, item.loc, message))
    return errors


# --- 2. fingerprint -------------------------------------------------------------------------


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text (not \\u escapes); a float with an integral
    value is written as an integer, since 100 and 100.0 are the same JSON number."""
    return json.dumps(
        _normalise_numbers(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def canonical_hash(release_json: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON: equal for the same content in any key order."""
    return hashlib.sha256(canonical_json(release_json).encode("utf-8")).hexdigest()


def _normalise_numbers(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _normalise_numbers(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise_numbers(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --- 3. compiling ---------------------------------------------------------------------------

_UNDATED = dt.datetime.min.replace(tzinfo=dt.UTC)


def compile_releases(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The compiled release (current state) of one ocid, by the OCDS 1.1 merge rules.

    Releases are merged in date order; equal dates keep the given order, undated releases
    come first in the given order. Objects merge field by field; an array whose items are all
    objects with an `id` merges item by item on `id` (new ids are appended); any other array
    (including an empty one) replaces the earlier array; a null removes the field. `id`,
    `date` and `tag` are those of the last release. The inputs are not modified.
    """
    if not releases:
        raise ValueError("no releases to compile")
    ocids = {release.get("ocid") for release in releases}
    if len(ocids) != 1:
        raise ValueError("releases of more than one ocid cannot be compiled together")
    ordered = sorted(range(len(releases)), key=lambda i: _date_key(releases[i], i))
    compiled: dict[str, Any] = {}
    for i in ordered:
        _merge_object(compiled, releases[i])
    last = releases[ordered[-1]]
    for key in ("id", "date", "tag"):
        if last.get(key) is None:
            compiled.pop(key, None)
        else:
            compiled[key] = copy.deepcopy(last[key])
    return compiled


def _date_key(release: dict[str, Any], index: int) -> tuple[int, dt.datetime]:
    value = release.get("date")
    if value is None:
        return (0, _UNDATED)
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise ValueError(f"release {index}: `date` is not a date-time")
    # A date-time without an offset is taken as UTC, only to order it among the others.
    return (1, moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC))


def _merge_object(target: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """Merge `source` into `target` (owned by the caller) and return `target`."""
    for key, value in source.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            earlier = target.get(key)
            target[key] = _merge_object(earlier if isinstance(earlier, dict) else {}, value)
        elif isinstance(value, list):
            target[key] = _merge_array(target.get(key), value)
        else:
            target[key] = value
    return target


def _identified(items: Any) -> bool:
    return (
        isinstance(items, list)
        and bool(items)
        and all(
            isinstance(item, dict)
            and isinstance(item.get("id"), str | int)
            and not isinstance(item.get("id"), bool)
            for item in items
        )
    )


def _merge_array(earlier: Any, items: list[Any]) -> list[Any]:
    if not _identified(items):
        return [_merge_object({}, i) if isinstance(i, dict) else copy.deepcopy(i) for i in items]
    merged: list[dict[str, Any]] = list(earlier) if _identified(earlier) else []
    position = {item["id"]: n for n, item in enumerate(merged)}
    for item in items:
        n = position.get(item["id"])
        if n is None:
            position[item["id"]] = len(merged)
            merged.append(_merge_object({}, item))
        else:
            merged[n] = _merge_object(merged[n], item)
    return merged
