"""The clients generated from the OpenAPI documents (`make clients`, clients/build.sh) call a
running service: the Python client (openapi-python-client) reads a tertial measurement from
procurement as typed objects, and the TypeScript client (openapi-typescript and openapi-fetch,
compiled by tsc) reads the same measurement with node. Both must read what the service sent.

They need what `make clients` builds (CI runs it first); without it they skip, and CI's
PostgreSQL pass fails on that skip (must_run)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from municipal_shared.kit.auth import issue_development_token
from municipal_shared.kit.settings import AuthSettings

CLIENTS = Path(__file__).resolve().parents[1] / "clients"
PYTHON_CLIENTS = CLIENTS / "generated" / "python"
NODE_CHECK = CLIENTS / "dist" / "check" / "measurement.js"
MEASUREMENT = "/v1/measurements/0580/2018/T2"


def _token() -> str:
    return issue_development_token(
        AuthSettings(mode="development"), ["procurement:read"], "client-test"
    )


@pytest.fixture(scope="module")
def procurement_client() -> Iterator[ModuleType]:
    if not (PYTHON_CLIENTS / "procurement_client").is_dir():
        pytest.skip("no generated Python client: run `make clients` first")
    sys.path.insert(0, str(PYTHON_CLIENTS))
    try:
        yield importlib.import_module("procurement_client")
    finally:
        sys.path.remove(str(PYTHON_CLIENTS))


@pytest.mark.must_run
def test_the_python_client_reads_a_tertial_measurement_as_typed_objects(
    urls: dict[str, str], procurement_client: ModuleType
) -> None:
    operation = importlib.import_module(
        "procurement_client.api.measurements.get_tertial_measurement"
    )
    models = importlib.import_module("procurement_client.models")
    client = procurement_client.AuthenticatedClient(base_url=urls["procurement"], token=_token())
    with client:
        measurement = operation.sync(
            municipality_code="0580", year=2018, tertial=models.Tertial.T2, client=client
        )
    assert isinstance(measurement, models.ProcurementMeasurement), measurement
    assert isinstance(measurement.start, dt.date) and isinstance(measurement.end, dt.date)
    assert isinstance(measurement.competition.procurements, int)
    share = measurement.size_classes.sme_share_of_bidders_with_known_size
    assert share.value is None or Decimal(share.value) >= 0  # exact: a string, never a float
    # Typed, and nothing lost on the way: the objects give back what the service sent.
    sent = httpx.get(urls["procurement"] + MEASUREMENT, timeout=30).json()
    assert measurement.to_dict() == sent


@pytest.mark.must_run
def test_the_typescript_client_reads_the_same_measurement_with_node(
    urls: dict[str, str],
) -> None:
    node = shutil.which("node")
    if node is None or not NODE_CHECK.is_file():
        pytest.skip("no compiled TypeScript client check: run `make clients` (needs node)")
    run = subprocess.run(
        [node, str(NODE_CHECK), urls["procurement"], _token()],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    read: dict[str, Any] = json.loads(run.stdout)
    sent = httpx.get(urls["procurement"] + MEASUREMENT, timeout=30).json()
    assert read["measurement"] == sent
    assert read["period"] == sent["period"] == "2018-T2"
    assert read["procurements"] == sent["competition"]["procurements"]
    assert (
        read["smeShareOfBidders"]
        == sent["size_classes"]["sme_share_of_bidders_with_known_size"]["value"]
    )
