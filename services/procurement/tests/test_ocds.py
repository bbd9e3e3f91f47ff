"""OCDS intake: one real-looking procurement (Linköping, KS-2018-007, lokalvård) posted as four
releases is valid OCDS, compiles to the current state with the bidders kept, and maps to the
native format; invalid packages are refused with every bad release named."""

from __future__ import annotations

import copy
import itertools
import json
import os
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ocds_fixture import (
    AWARD,
    BUYER,
    BUYER_NUMBER,
    CONTRACT,
    EXPECTED,
    LARGE,
    LARGE_NUMBER,
    MEDIUM,
    MEDIUM_NUMBER,
    MICRO,
    MICRO_NUMBER,
    OCID,
    PACKAGE_URI,
    PLANNING,
    RELEASES,
    TENDER,
    TENDER_ID,
    TITLE,
    record_package,
    release_package,
)
from stdnum.se import orgnr

from procurement_service.rules.attribution import LINKOPING, Attribution
from procurement_service.rules.ocds import (
    PackageError,
    canonical_hash,
    compile_releases,
    parse_package,
)
from procurement_service.rules.ocds_mapping import MappingError, to_procurement
from procurement_service.schemas import ProcurementIn
from procurement_service.vocabulary import Procedure, SizeClass, Status


@pytest.fixture(autouse=True)
def clean_tables() -> None:
    """Pure functions, no database: overrides the package conftest's autouse table wipe (and
    with it the app and database it needs)."""


LINKOPING_KS = Attribution(
    municipality_code="0580",
    organisation_numbers=frozenset(LINKOPING.organisation_numbers),
    default_board="KS",
)


def compiled(*releases: dict) -> dict:
    return compile_releases(copy.deepcopy(list(releases or RELEASES)))


def test_fixture_organisation_numbers_are_valid() -> None:
    for number in (BUYER_NUMBER, MICRO_NUMBER, MEDIUM_NUMBER, LARGE_NUMBER):
        assert orgnr.is_valid(number), number


# --- the official schema (offline copies; skipped when absent) -----------------------------


def _reference_dir() -> Path:
    configured = os.environ.get("OCDS_REFERENCE_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "ocds"


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch: how OCDS extensions extend the release schema."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


@pytest.fixture(scope="module")
def ocds_schemas() -> dict[str, Any]:
    """Validators for the release schema (patched with the three extensions we read) and the
    two package schemas, resolving the release schema's URL locally."""
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    folder = _reference_dir()
    if not (folder / "release-schema.json").is_file():
        pytest.skip(f"OCDS reference schemas not found in {folder} (set OCDS_REFERENCE_DIR)")

    def load(name: str) -> dict:
        return json.loads((folder / name).read_text(encoding="utf-8"))

    release_schema = load("release-schema.json")
    for extension in ("partyScale", "bids", "sustainability"):
        patch = load(f"extensions/{extension}/release-schema.json")
        release_schema = _merge_patch(release_schema, patch)
    resource = referencing.Resource.from_contents(
        release_schema, default_specification=referencing.jsonschema.DRAFT4
    )
    registry = referencing.Registry().with_resource(release_schema["id"], resource)
    validators = {}
    for name, schema in (
        ("release", release_schema),
        ("release-package", load("release-package-schema.json")),
        ("record-package", load("record-package-schema.json")),
    ):
        cls = jsonschema.validators.validator_for(schema)
        assert cls is jsonschema.Draft4Validator  # the schema's declared draft
        cls.check_schema(schema)
        validators[name] = cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)
    return validators


def _schema_errors(validator: Any, instance: dict) -> list[str]:
    return [f"{error.json_path}: {error.message}" for error in validator.iter_errors(instance)]


@pytest.mark.must_run
@pytest.mark.parametrize("release", RELEASES, ids=lambda r: r["tag"][0])
def test_each_fixture_release_is_valid_ocds(ocds_schemas: dict, release: dict) -> None:
    assert _schema_errors(ocds_schemas["release"], release) == []


@pytest.mark.must_run
def test_the_compiled_release_is_valid_ocds(ocds_schemas: dict) -> None:
    assert _schema_errors(ocds_schemas["release"], compiled()) == []


@pytest.mark.must_run
def test_the_release_package_is_valid_ocds(ocds_schemas: dict) -> None:
    assert _schema_errors(ocds_schemas["release-package"], release_package()) == []


@pytest.mark.must_run
def test_the_record_package_is_valid_ocds(ocds_schemas: dict) -> None:
    assert _schema_errors(ocds_schemas["record-package"], record_package()) == []


@pytest.mark.must_run
def test_the_schema_check_is_live(ocds_schemas: dict) -> None:
    # The same amount as text, and a scale outside the partyScale codelist, fail the schema too.
    package = release_package()
    package["releases"][2]["awards"][0]["value"]["amount"] = "1849500"
    package["releases"][1]["parties"][1]["details"]["scale"] = "tiny"
    errors = _schema_errors(ocds_schemas["release-package"], package)
    assert any("amount" in error for error in errors)
    assert any("details.scale" in error for error in errors)


# --- parse_package ------------------------------------------------------------------------


def test_a_release_package_is_parsed_typed_and_kept_as_received() -> None:
    package = release_package()
    releases = parse_package(package)
    assert [r.id for r in releases] == [r["id"] for r in RELEASES]
    award = releases[2].awards[0]
    assert award.value.amount == Decimal("1849500")
    assert isinstance(award.value.amount, Decimal)
    assert releases[1].tender.tenderers[0].id == MICRO["id"]
    assert releases[1].parties[1].details.scale == "micro"
    # unknown fields are kept, and the release as received is the input, not a re-rendering
    assert releases[0].model_extra == {
        "language": "sv",
        "planning": {"rationale": "Nuvarande avtal om lokalvård löper ut 2018-08-31."},
    }
    assert releases[1].tender.model_extra["hasSustainability"] is True
    assert [r.as_received() for r in releases] == RELEASES
    package["releases"][0]["tag"].append("tender")  # the caller's dict is not shared
    assert releases[0].as_received()["tag"] == ["planning"]


def test_a_json_float_amount_becomes_an_exact_decimal() -> None:
    release = copy.deepcopy(AWARD)
    release["awards"][0]["value"]["amount"] = 1849500.1
    [parsed] = parse_package(release_package([release]))
    assert parsed.awards[0].value.amount == Decimal("1849500.1")


def test_a_record_package_is_parsed() -> None:
    releases = parse_package(record_package())
    assert [r.id for r in releases] == [r["id"] for r in RELEASES]
    assert {r.ocid for r in releases} == {OCID}
    assert compile_releases([r.as_received() for r in releases]) == compiled()


def test_every_invalid_release_is_reported_with_its_index() -> None:
    bad_amount = copy.deepcopy(AWARD)
    bad_amount["awards"][0]["value"]["amount"] = "1 849 500"
    no_ocid = copy.deepcopy(CONTRACT)
    del no_ocid["ocid"]
    package = release_package([PLANNING, bad_amount, TENDER, no_ocid])
    with pytest.raises(PackageError) as raised:
        parse_package(package)
    errors = raised.value.errors
    assert [(e["index"], e["ocid"], e["id"], e["path"]) for e in errors] == [
        (1, OCID, AWARD["id"], "/releases/1/awards/0/value/amount"),
        (3, None, CONTRACT["id"], "/releases/3/ocid"),
    ]
    assert all(e["message"] and e["record"] is None for e in errors)
    assert "number" in errors[0]["message"]


def test_invalid_releases_in_a_record_package_name_record_and_index() -> None:
    package = record_package()
    package["records"][0]["releases"][1]["tender"]["numberOfTenderers"] = "3"
    package["records"][0]["releases"][3]["ocid"] = "ocds-abc123-other"
    with pytest.raises(PackageError) as raised:
        parse_package(package)
    assert [(e["record"], e["index"], e["path"]) for e in raised.value.errors] == [
        (0, 1, "/records/0/releases/1/tender/numberOfTenderers"),
        (0, 3, "/records/0/releases/3/ocid"),
    ]


def test_package_level_problems_are_reported() -> None:
    package = release_package()
    del package["publisher"]
    package["version"] = "1.1.5"
    with pytest.raises(PackageError) as raised:
        parse_package(package)
    assert {(e["index"], e["path"]) for e in raised.value.errors} == {
        (None, "/publisher"),
        (None, "/version"),
    }
    with pytest.raises(PackageError):
        parse_package({"uri": PACKAGE_URI})  # neither releases nor records


def test_one_identity_with_two_contents_in_one_package_is_a_conflict() -> None:
    changed = copy.deepcopy(AWARD)
    changed["awards"][0]["value"]["amount"] = 1900000
    with pytest.raises(PackageError) as raised:
        parse_package(release_package([AWARD, changed]))
    assert [e["index"] for e in raised.value.errors] == [1]
    assert len(parse_package(release_package([AWARD, AWARD]))) == 2  # a repeat is no conflict


# --- canonical_hash -----------------------------------------------------------------------


def test_canonical_hash_ignores_key_order_and_whitespace() -> None:
    reordered = json.loads(json.dumps(TENDER, sort_keys=True, indent=4))
    reordered = dict(reversed(list(reordered.items())))
    reordered["tender"] = dict(reversed(list(reordered["tender"].items())))
    assert list(reordered) != list(TENDER)
    assert canonical_hash(reordered) == canonical_hash(TENDER)
    assert len(canonical_hash(TENDER)) == 64
    integral_float = copy.deepcopy(TENDER)
    integral_float["tender"]["value"]["amount"] = 2000000.0
    assert canonical_hash(integral_float) == canonical_hash(TENDER)


def test_canonical_hash_changes_with_the_content() -> None:
    changed = copy.deepcopy(TENDER)
    changed["tender"]["numberOfTenderers"] = 4
    assert canonical_hash(changed) != canonical_hash(TENDER)
    renamed = copy.deepcopy(TENDER)
    renamed["tender"]["title"] = TITLE.replace("å", "a")
    assert canonical_hash(renamed) != canonical_hash(TENDER)


# --- compile_releases ---------------------------------------------------------------------


def test_the_contract_release_without_tender_keeps_the_tenderers() -> None:
    result = compiled()
    assert "tender" not in CONTRACT
    assert result["tender"]["tenderers"] == [MICRO, MEDIUM, LARGE]
    assert result["tender"]["numberOfTenderers"] == 3
    assert result["tender"]["status"] == "complete"  # the award release's update
    assert result["tender"]["title"] == TITLE
    assert result["contracts"][0]["dateSigned"] == "2018-06-28T11:00:00+02:00"
    assert (result["id"], result["date"], result["tag"]) == (
        CONTRACT["id"],
        CONTRACT["date"],
        ["contract"],
    )


def test_parties_merge_by_id() -> None:
    parties = compiled()["parties"]
    assert [p["id"] for p in parties] == [BUYER["id"], MICRO["id"], MEDIUM["id"], LARGE["id"]]
    assert parties[1]["roles"] == ["tenderer", "supplier"]  # a string array is replaced
    assert parties[1]["details"] == {"scale": "micro"}


def test_merging_is_independent_of_the_posting_order() -> None:
    expected = compiled()
    for order in itertools.permutations(RELEASES):
        assert compile_releases(copy.deepcopy(list(order))) == expected


def test_compile_does_not_modify_its_input() -> None:
    releases = copy.deepcopy(RELEASES)
    compile_releases(releases)
    assert releases == RELEASES


def test_merge_rules_null_arrays_and_undated() -> None:
    base = {"ocid": OCID, "initiationType": "tender"}
    undated = {**base, "id": "u", "tender": {"id": "t", "title": "Gammal", "note": "x"}}
    first = {
        **base,
        "id": "a",
        "date": "2018-01-01T00:00:00Z",
        "tag": ["tender"],
        "tender": {
            "id": "t",
            "title": "Ny",
            "items": [{"id": "1", "description": "a", "quantity": 1}],
            "submissionMethod": ["electronicSubmission", "written"],
            "sustainability": [{"goal": "social"}],
        },
    }
    same_date = {
        **base,
        "id": "b",
        "date": "2018-01-01T01:00:00+01:00",  # the same instant as `first`
        "tag": ["tenderUpdate"],
        "tender": {
            "note": None,
            "items": [{"id": "1", "quantity": 2}, {"id": "2", "description": "b", "unit": None}],
            "submissionMethod": ["electronicSubmission"],
            "sustainability": [{"strategies": ["awardCriteria"]}],
        },
    }
    result = compile_releases([same_date, first, undated])
    # undated first, then dated; `same_date` is given before `first`, so it is merged first
    assert result["id"] == "a"
    assert result["tender"] == {
        "id": "t",
        "title": "Ny",
        "items": [
            {"id": "1", "description": "a", "quantity": 1},
            {"id": "2", "description": "b"},
        ],
        "submissionMethod": ["electronicSubmission", "written"],
        "sustainability": [{"goal": "social"}],
    }
    result = compile_releases([undated, first, same_date])
    assert result["id"] == "b"
    assert result["tag"] == ["tenderUpdate"]
    assert result["tender"] == {
        "id": "t",
        "title": "Ny",
        "items": [
            {"id": "1", "description": "a", "quantity": 2},
            {"id": "2", "description": "b"},
        ],
        "submissionMethod": ["electronicSubmission"],
        "sustainability": [{"strategies": ["awardCriteria"]}],
    }
    with pytest.raises(ValueError, match="more than one ocid"):
        compile_releases([first, {**same_date, "ocid": "ocds-abc123-x"}])


# --- to_procurement -----------------------------------------------------------------------


def test_the_compiled_procurement_maps_to_the_expected_native_object() -> None:
    reference, native = to_procurement(compiled(), LINKOPING_KS)
    assert reference == TENDER_ID
    assert native.model_dump(include=set(ProcurementIn.model_fields)) == EXPECTED.model_dump()
    assert (native.bidders_listed, native.notes) == (True, [])
    assert (native.estimated_value_currency, native.awarded_value_currency) == ("SEK", "SEK")


def test_status_follows_the_stage() -> None:
    stages = [
        (compiled(PLANNING), Status.PLANNED),
        (compiled(PLANNING, TENDER), Status.TENDERING),
        (compiled(PLANNING, TENDER, AWARD), Status.AWARDED),
    ]
    for release, status in stages:
        assert to_procurement(release, LINKOPING_KS)[1].status == status
    planned = to_procurement(compiled(PLANNING), LINKOPING_KS)[1]
    assert (planned.bidders, planned.winners, planned.awarded_value) == ([], [], None)


def test_board_from_the_request_else_the_administration_else_the_default() -> None:
    boards = {"kommunledningsförvaltningen": "KS", "samhällsbyggnadsförvaltningen": "SBN"}
    attribution = replace(LINKOPING_KS, default_board="TN", administration_boards=boards)
    release = compiled()
    release["buyer"]["name"] = release["parties"][0]["name"] = "Samhällsbyggnadsförvaltningen"
    assert to_procurement(release, attribution)[1].board_code == "SBN"
    assert to_procurement(release, replace(attribution, board="KS"))[1].board_code == "KS"
    release["buyer"]["name"] = release["parties"][0]["name"] = "Tekniska förvaltningen"
    assert to_procurement(release, attribution)[1].board_code == "TN"


def test_a_release_of_another_buyer_is_refused_with_its_name() -> None:
    release = compiled()
    release["parties"][0]["identifier"]["id"] = "212000-0142"  # Stockholms kommun
    release["parties"][0]["name"] = "Stockholms stad"
    with pytest.raises(MappingError) as raised:
        to_procurement(release, LINKOPING_KS)
    [error] = raised.value.errors
    assert error["path"] == "/parties/0/identifier"
    assert "Stockholms stad (SE-BLV 212000-0142)" in error["message"]
    assert "0580" in error["message"]
    release["parties"][0]["identifier"] = {"scheme": "DK-CVR", "id": "29189846"}
    with pytest.raises(MappingError):
        to_procurement(release, LINKOPING_KS)


def test_a_buyer_without_identifier_is_attributed_with_a_note() -> None:
    release = compiled()
    del release["parties"][0]["identifier"]
    native = to_procurement(release, LINKOPING_KS)[1]
    assert [n.code for n in native.notes] == ["buyer_without_identifier"]


def test_reference_falls_back_to_the_ocid() -> None:
    release = compiled()
    del release["tender"]["id"]
    assert to_procurement(release, LINKOPING_KS)[0] == OCID


def test_missing_scale_is_no_size_class_and_self_employed_is_micro() -> None:
    release = compiled()
    del release["parties"][2]["details"]
    release["parties"][3]["details"]["scale"] = "selfEmployed"
    bidders = to_procurement(release, LINKOPING_KS)[1].bidders
    assert [b.size_class for b in bidders] == [SizeClass.MICRO, None, SizeClass.MICRO]


@pytest.mark.parametrize(
    ("method", "details", "procedure", "advertised"),
    [
        ("open", None, Procedure.OPEN, True),
        ("selective", None, Procedure.SELECTIVE, True),
        ("limited", None, Procedure.NEGOTIATED, False),
        ("direct", None, Procedure.DIRECT_AWARD, False),
        ("limited", "Annonserad DIREKTUPPHANDLING", Procedure.DIRECT_AWARD, True),
        ("direct", "Direktupphandling utan annonsering", Procedure.DIRECT_AWARD, False),
    ],
)
def test_procedure_and_advertising(
    method: str, details: str | None, procedure: Procedure, advertised: bool
) -> None:
    release = compiled()
    release["tender"]["procurementMethod"] = method
    release["tender"]["procurementMethodDetails"] = details
    native = to_procurement(release, LINKOPING_KS)[1]
    assert (native.procedure, native.advertised) == (procedure, advertised)


def test_no_title_category_or_method_is_read_with_notes() -> None:
    releases = copy.deepcopy(RELEASES)
    for release in releases:
        for key in ("title", "mainProcurementCategory", "procurementMethod"):
            release.get("tender", {}).pop(key, None)
    native = to_procurement(compile_releases(releases), LINKOPING_KS)[1]
    assert (native.title, native.category, native.procedure, native.advertised) == (None,) * 4
    assert sorted(n.code for n in native.notes) == [
        "missing_category",
        "missing_procedure",
        "missing_title",
    ]


def test_foreign_bidders_keep_their_register_and_other_currencies_are_kept() -> None:
    release = compiled()
    release["tender"]["value"]["currency"] = "EUR"
    release["parties"][3]["identifier"] = {"scheme": "DK-CVR", "id": "25313763"}
    native = to_procurement(release, LINKOPING_KS)[1]
    assert (native.estimated_value, native.estimated_value_currency) == (Decimal(2000000), "EUR")
    assert [(b.scheme, b.organisation_number) for b in native.bidders] == [
        ("SE-BLV", MICRO_NUMBER),
        ("SE-BLV", MEDIUM_NUMBER),
        ("DK-CVR", "25313763"),
    ]
    assert [n.code for n in native.notes] == ["amount_not_in_sek"]


def test_a_bad_swedish_number_is_refused_without_repeating_it() -> None:
    release = compiled()
    release["parties"][2]["identifier"]["id"] = "556789-0124"  # wrong check digit
    with pytest.raises(MappingError) as raised:
        to_procurement(release, LINKOPING_KS)
    assert [e["path"] for e in raised.value.errors] == ["/parties/2/identifier/id"]
    assert all("556789" not in e["message"] for e in raised.value.errors)


def test_a_direct_award_without_tenderers_counts_the_reported_number() -> None:
    release = compiled()
    del release["tender"]["tenderers"]
    release["tender"]["numberOfTenderers"] = 1
    release["awards"][0]["suppliers"] = [MICRO]
    native = to_procurement(release, LINKOPING_KS)[1]
    assert native.bidders_listed is False and native.number_of_bidders_reported == 1
    assert [b.organisation_number for b in native.bidders] == [MICRO_NUMBER]
    assert native.winners == [MICRO_NUMBER]
    assert [n.code for n in native.notes] == ["bidder_count_reported"]


def test_values_the_native_model_refuses_are_reported_with_their_source() -> None:
    release = compiled()
    release["contracts"][0]["period"]["endDate"] = "2018-08-01T00:00:00+02:00"
    with pytest.raises(MappingError) as raised:
        to_procurement(release, LINKOPING_KS)
    [error] = raised.value.errors
    assert error["path"] == "/contracts/0/period"
    assert error["field"] == "contract_period"
