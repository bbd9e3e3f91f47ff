"""The run-time OCDS schema check: the packaged schemas are the published ones, and releases
that break the schema in the ways real feeds do are each named, with every error's pointer."""

from __future__ import annotations

import copy
import os
from importlib import resources
from pathlib import Path

import pytest
from ocds_fixture import (
    AWARD,
    CONTRACT,
    OCID,
    PLANNING,
    RELEASES,
    TENDER,
    linked_record_package,
    release_package,
)

from procurement_service.rules.ocds import PackageError, compile_releases, parse_package
from procurement_service.rules.ocds_validation import release_errors

PACKAGED = [
    "release-schema.json",
    "release-package-schema.json",
    "record-package-schema.json",
    "extensions/partyScale/release-schema.json",
    "extensions/bids/release-schema.json",
    "extensions/sustainability/release-schema.json",
]


@pytest.fixture(autouse=True)
def clean_tables() -> None:
    """Pure functions, no database (overrides the package conftest's table wipe)."""


def _reference_dir() -> Path:
    configured = os.environ.get("OCDS_REFERENCE_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "ocds"


@pytest.mark.must_run
@pytest.mark.parametrize("name", PACKAGED)
def test_the_packaged_schema_is_the_published_one(name: str) -> None:
    reference = _reference_dir() / name
    if not reference.is_file():
        pytest.skip(f"reference copy {reference} absent (set OCDS_REFERENCE_DIR to compare)")
    packaged = resources.files("procurement_service").joinpath("ocds_schemas", name)
    assert packaged.read_bytes() == reference.read_bytes()


def test_the_packaged_schemas_carry_their_notice() -> None:
    notice = resources.files("procurement_service").joinpath("ocds_schemas", "NOTICE.md")
    text = notice.read_text("utf-8")
    assert "Apache-2.0" in text and "af0d0d41c64be26d8bbd57dcca8b474937e5851c" in text


@pytest.mark.parametrize("release", [*RELEASES, compile_releases(copy.deepcopy(RELEASES))])
def test_the_fixture_releases_are_valid(release: dict) -> None:
    assert release_errors(release, ()) == []


def five_kinds_of_invalid() -> list[dict]:
    """One release per kind of schema error that real feeds show."""
    as_array = copy.deepcopy(PLANNING)
    as_array["planning"] = [as_array["planning"]]  # an array where an object belongs
    off_codelist = copy.deepcopy(TENDER)
    off_codelist["tender"]["status"] = "open"  # not in the closed tenderStatus codelist
    missing = copy.deepcopy(AWARD)
    del missing["awards"][0]["id"]  # a required field
    wrong_type = copy.deepcopy(CONTRACT)
    wrong_type["contracts"][0]["value"]["amount"] = "1 849 500"  # a string, not a number
    bad_date = copy.deepcopy(CONTRACT)
    bad_date["id"] = f"{OCID}-05-contract-amendment"
    bad_date["date"] = "2018-02-30T10:00:00+01:00"  # no such day
    return [as_array, off_codelist, missing, wrong_type, bad_date]


FIVE_POINTERS = [
    "/releases/0/planning",
    "/releases/1/tender/status",
    "/releases/2/awards/0/id",
    "/releases/3/contracts/0/value/amount",
    "/releases/4/date",
]


def test_five_invalid_releases_are_each_named_with_their_pointer() -> None:
    releases = five_kinds_of_invalid()
    with pytest.raises(PackageError) as raised:
        parse_package(release_package(releases))
    errors = raised.value.errors
    assert [(e["index"], e["ocid"], e["id"], e["path"]) for e in errors] == [
        (n, OCID, release["id"], pointer)
        for n, (release, pointer) in enumerate(zip(releases, FIVE_POINTERS, strict=True))
    ]
    messages = [e["message"] for e in errors]
    assert messages[1] == "is not a code of the closed codelist tenderStatus.csv"
    assert messages[2] == "is required"
    assert "1 849 500" not in " ".join(messages)  # values are never repeated


def test_a_record_that_links_its_releases_is_read_through_its_compiled_release() -> None:
    compiled = compile_releases(copy.deepcopy(RELEASES))
    compiled["id"], compiled["tag"] = f"{OCID}-compiled", ["compiled"]
    compiled["x_publisherNote"] = "extra keys outside OCDS occur in real feeds"
    package = linked_record_package(compiled, RELEASES)
    [release] = parse_package(package)
    assert release.is_compiled and release.id == f"{OCID}-compiled"
    assert release.as_received() == compiled
    del package["records"][0]["compiledRelease"]
    with pytest.raises(PackageError) as raised:
        parse_package(package)
    assert [(e["record"], e["path"]) for e in raised.value.errors] == [(0, "/records/0/releases")]


def test_a_package_level_error_and_a_release_error_come_together() -> None:
    package = release_package([PLANNING, {**TENDER, "initiationType": "auction"}])
    del package["publisher"]
    with pytest.raises(PackageError) as raised:
        parse_package(package)
    assert [(e["index"], e["path"]) for e in raised.value.errors] == [
        (None, "/publisher"),
        (1, "/releases/1/initiationType"),
    ]
