"""Validating OCDS 1.1 packages against the published schemas, at run time and offline.

Why the full schema and not only our models: a publisher fixing a feed needs every place where
it breaks the standard, and the standard is the contract between publishers and readers, not
the handful of fields we happen to read. The release schema is patched (RFC 7396, as OCDS
extensions are applied) with the three extensions the service reads: partyScale, bids and
sustainability. The schemas are package data (`ocds_schemas/`, see its NOTICE.md).

The package envelope and each release are checked separately, so that every error belongs to
one release (named by index, ocid and id) and a record's linked releases can be told from its
embedded ones. Messages name the rule that failed but never repeat the value: an identifier may
be a sole trader's personal identity number. Before any of it, the releases are counted.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import referencing
import referencing.jsonschema

from municipal_shared.kit.problems import InvalidContent, field_error

RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
VERSIONED_SCHEMA_URL = (
    "https://standard.open-contracting.org/schema/1__1__5/versioned-release-validation-schema.json"
)
EXTENSIONS = ("partyScale", "bids", "sustainability")
_REQUIRED = re.compile(r"^'(.+)' is a required property$")
MAX_ERRORS_PER_RELEASE = 50  # enough to fix a release; a broken feed must not flood the answer


def _load(name: str) -> dict[str, Any]:
    text = resources.files("procurement_service").joinpath("ocds_schemas", name).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch: how an OCDS extension extends the release schema."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@cache
def release_schema() -> dict[str, Any]:
    schema = _load("release-schema.json")
    for extension in EXTENSIONS:
        schema = merge_patch(schema, _load(f"extensions/{extension}/release-schema.json"))
    return schema


def _validator(schema: dict[str, Any], registry: referencing.Registry) -> Any:
    cls = jsonschema.Draft4Validator  # the draft the OCDS 1.1 schemas declare
    return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


def _resource(contents: dict[str, Any]) -> referencing.Resource:
    return referencing.Resource.from_contents(
        contents, default_specification=referencing.jsonschema.DRAFT4
    )


@cache
def _validators() -> dict[str, Any]:
    """The release validator, and package validators that check only the envelope: releases
    are validated one by one afterwards, so inside a package they resolve to a stand-in."""
    release = release_schema()
    full = referencing.Registry().with_resource(RELEASE_SCHEMA_URL, _resource(release))
    stand_in = {"type": "object"}  # an embedded release: checked on its own afterwards
    envelope = referencing.Registry().with_resources(
        [(RELEASE_SCHEMA_URL, _resource(stand_in)), (VERSIONED_SCHEMA_URL, _resource({}))]
    )
    record_package = _load("record-package-schema.json")
    release_list = record_package["definitions"]["record"]["properties"]["releases"]
    record_package["definitions"]["record"]["properties"]["releases"] = {"type": "array"}
    return {
        "release": _validator(release, full),
        "release-package": _validator(_envelope(_load("release-package-schema.json")), envelope),
        "record-package": _validator(record_package, envelope),
        "linked-releases": _validator(release_list["oneOf"][0], full),
    }


def _envelope(package_schema: dict[str, Any]) -> dict[str, Any]:
    # uniqueItems over whole releases is left to the identity check (same ocid and id).
    package_schema["properties"]["releases"].pop("uniqueItems", None)
    return package_schema


def pointer(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _message(error: jsonschema.ValidationError) -> str:
    """What rule failed, without the value that failed it."""
    rule, expected, schema = error.validator, error.validator_value, error.schema
    if rule == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return "must be of type " + " or ".join(str(k) for k in kinds)
    if rule == "enum":
        codelist = schema.get("codelist") if isinstance(schema, dict) else None
        if codelist:
            return f"is not a code of the closed codelist {codelist}"
        return "is not one of the allowed values"
    if rule == "required":
        return "is required"
    if rule == "format":
        return f"must be a valid {expected} (RFC 3339 for date-time)"
    if rule in {"minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum"}:
        return f"violates {rule} {expected}"
    if rule == "uniqueItems":
        return "has duplicate items"
    if rule == "pattern":
        return f"does not match the pattern {expected}"
    if rule == "oneOf":
        return "matches none (or more than one) of the allowed forms"
    return f"violates the schema rule {rule}"


def _located(error: jsonschema.ValidationError) -> tuple[Any, ...]:
    """A missing property is located where it belongs, not at the object that lacks it."""
    if error.validator == "required":
        missing = _REQUIRED.match(error.message)
        if missing:
            return (*error.absolute_path, missing.group(1))
    return tuple(error.absolute_path)


def _errors(validator: Any, instance: Any, prefix: tuple[Any, ...]) -> list[dict[str, str]]:
    found = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, _located(e))))
    return [
        {"path": pointer((*prefix, *_located(error))), "message": _message(error)}
        for error in found
    ]


def envelope_errors(payload: dict[str, Any], is_records: bool) -> list[dict[str, str]]:
    """Errors of the package itself (uri, publisher, version, the records' structure)."""
    name = "record-package" if is_records else "release-package"
    return _errors(_validators()[name], payload, ())


def release_errors(release: Any, at: tuple[Any, ...]) -> list[dict[str, str]]:
    """Every way the release breaks the release schema (at most MAX_ERRORS_PER_RELEASE)."""
    return _errors(_validators()["release"], release, at)[:MAX_ERRORS_PER_RELEASE]


def is_linked_list(releases: Any) -> bool:
    """A record's `releases` given as links (url, date, tag) rather than embedded releases."""
    return (
        isinstance(releases, list)
        and bool(releases)
        and _validators()["linked-releases"].is_valid(releases)
        and not any(isinstance(r, dict) and "ocid" in r for r in releases)
    )


def refuse_too_many_releases(payload: dict[str, Any], limit: int) -> None:
    """Counted before the schema check and the database: 30 000 stub releases would take
    minutes to check and hold the (SQLite) write lock while stored."""
    records = payload.get("records")
    if isinstance(records, list):
        # A record counts its releases (embedded or linked), at least one: its compiledRelease.
        pointer = "/records"
        count = sum(
            max(1, len(r["releases"]))
            if isinstance(r, dict) and isinstance(r.get("releases"), list)
            else 1
            for r in records
        )
    else:
        releases = payload.get("releases")
        pointer, count = "/releases", len(releases) if isinstance(releases, list) else 0
    if count > limit:
        message = f"{count} releases; a package may hold at most {limit}"
        raise InvalidContent(
            f"Too many releases: send at most {limit} per package",
            errors=[field_error(pointer, message, "too_long")],
            max_releases=limit,
        )
