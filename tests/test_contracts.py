"""Consumers' contracts, read from the running services.

Each OpenAPI document is a valid OpenAPI 3.1 document (frontend teams generate clients from
them). What crosses a service boundary is described once, in `municipal_shared.contracts`: the
providers' responses must keep matching those models and their JSON Schemas, and the register's
documented intake must keep accepting what the procurement service delivers."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from pydantic import BaseModel, ValidationError

from municipal_shared.contracts.budget import BoardName, BudgetFollowUp, MunicipalityName
from municipal_shared.contracts.indicators import DeliveredOutcome, DeliveredOutcomes
from municipal_shared.contracts.procurement import ProcurementMeasurement

PROVIDED = [
    ("budget", "/v1/budgets/0580/KS/2018/follow-up/T2", BudgetFollowUp),
    ("procurement", "/v1/measurements/0580/2018/T2", ProcurementMeasurement),
    ("budget", "/v1/municipalities/0580", MunicipalityName),
    ("budget", "/v1/municipalities/0580/boards/KS", BoardName),
]


@pytest.mark.parametrize("service", ["budget", "indicators", "procurement"])
def test_openapi_document_validates(urls: dict[str, str], service: str) -> None:
    spec = httpx.get(f"{urls[service]}/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    validate(spec)


def _schema_errors(model: type[BaseModel], body: Any) -> list[str]:
    schema = model.model_json_schema(mode="serialization")
    validator = Draft202012Validator(schema)
    return [
        f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)
    ]


def _drop(body: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    broken = copy.deepcopy(body)
    node = broken
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return broken


@pytest.mark.parametrize(("service", "path", "contract"), PROVIDED)
def test_a_providers_response_matches_the_shared_contract(
    urls: dict[str, str], service: str, path: str, contract: type[BaseModel]
) -> None:
    body = httpx.get(urls[service] + path, timeout=30).json()
    contract.model_validate(body)
    assert _schema_errors(contract, body) == []


@pytest.mark.parametrize(
    ("service", "path", "contract", "removed"),
    [
        (*PROVIDED[0], ("total", "deviation")),
        (*PROVIDED[1], ("size_classes", "sme_share_of_bidders")),
    ],
)
def test_a_response_that_stops_matching_is_caught(
    urls: dict[str, str],
    service: str,
    path: str,
    contract: type[BaseModel],
    removed: tuple[str, ...],
) -> None:
    """The check above is not vacuous: the same response without one field fails it."""
    broken = _drop(httpx.get(urls[service] + path, timeout=30).json(), removed)
    with pytest.raises(ValidationError):
        contract.model_validate(broken)
    assert any(removed[-1] in error for error in _schema_errors(contract, broken))


def _intake_validator(urls: dict[str, str]) -> Draft202012Validator:
    """The register's documented request body for an outcome batch; its `#/components/...`
    references resolve against the components carried along."""
    spec = httpx.get(f"{urls['indicators']}/openapi.json").json()
    operation = spec["paths"]["/v1/registers/{municipality_code}/{board_code}/outcomes"]["put"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": spec["components"]})


def test_the_register_documents_that_it_accepts_what_procurement_delivers(
    urls: dict[str, str],
) -> None:
    delivered = DeliveredOutcomes(
        reason="Upphandlingsmätning 2018-T2 från upphandlingstjänsten",
        items=[
            DeliveredOutcome(
                figure="procurement.bidders_per_procurement",
                period="2018-T2",
                value="4.66",
                source="procurement-service",
            ),
            DeliveredOutcome(
                figure="procurement.employment_requirement_set_and_signed",
                period="2018-T2",
                status="no_data",
                source="procurement-service",
            ),
        ],
    ).model_dump(mode="json", exclude_none=True)
    validator = _intake_validator(urls)
    assert [e.message for e in validator.iter_errors(delivered)] == []
    # Other senders still address an indicator by its code: the change was additive.
    by_code = DeliveredOutcomes(
        reason="Leverans med indikatorkod",
        items=[
            DeliveredOutcome(
                indicator_code="antal-anbudsgivare-per-upphandling",
                period="2018-T2",
                value="4.66",
                source="other-service",
            )
        ],
    ).model_dump(mode="json", exclude_none=True)
    assert [e.message for e in validator.iter_errors(by_code)] == []
    broken = {**delivered, "items": [{**delivered["items"][0], "period": "2018-T4"}]}
    assert list(validator.iter_errors(broken)), "the register's schema must refuse a bad period"


def test_a_delivered_outcome_names_exactly_one_of_indicator_code_and_figure() -> None:
    common = {"period": "2018-T2", "value": "1", "source": "procurement-service"}
    for address in (
        {},
        {"indicator_code": "antal-anbudsgivare-per-upphandling", "figure": "procurement.x"},
        {"figure": "Not a key"},
    ):
        with pytest.raises(ValidationError):
            DeliveredOutcome.model_validate({**common, **address})


COMPOSED = "/v1/registers/{municipality_code}/{board_code}/reports/{year}/{tertial}/composed"


def _documented_errors(spec: dict[str, Any], path: str, body: Any) -> list[str]:
    """Where `body` breaks the 200 JSON schema the document declares for GET `path`."""
    response = spec["paths"][path]["get"]["responses"]["200"]
    schema = response["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": spec["components"]})
    return [
        f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)
    ]


def test_the_composed_report_is_the_typed_document_it_declares(urls: dict[str, str]) -> None:
    """Its sections are named, each available with its typed document or unavailable with the
    reason; the body the service sends keeps to that schema, and a section that loses a figure
    does not."""
    spec = httpx.get(f"{urls['indicators']}/openapi.json").json()
    schemas = spec["components"]["schemas"]
    sections = schemas["ComposedSections"]["properties"]
    assert set(sections) >= {"indicators", "budget", "procurement"}
    for section in sections.values():
        assert section["discriminator"]["propertyName"] == "status"
    url = urls["indicators"] + "/v1/registers/0580/KS/reports/2018/T2/composed"
    body = httpx.get(url, headers={"Accept": "application/json"}, timeout=60).json()
    assert {name: s["status"] for name, s in body["sections"].items()} == {
        "indicators": "available",
        "budget": "available",
        "procurement": "available",
    }
    assert _documented_errors(spec, COMPOSED, body) == []
    broken = _drop(body, ("sections", "budget", "data", "total"))
    assert _documented_errors(spec, COMPOSED, broken), "a budget section without its total"
    unavailable = copy.deepcopy(body)
    unavailable["sections"]["procurement"] |= {"status": "unavailable", "detail": "answered 503"}
    assert _documented_errors(spec, COMPOSED, unavailable), "unavailable but carrying data"
    unavailable["sections"]["procurement"]["data"] = None
    assert _documented_errors(spec, COMPOSED, unavailable) == []
