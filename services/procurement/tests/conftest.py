"""Procurement service tests: the shared service fixtures. The outbox relay is off here; it is
tested on its own (shared/tests/test_outbox.py) and across processes (tests/)."""

from __future__ import annotations

import pytest

from municipal_shared.kit.pytest_service import (
    ServiceUnderTest,
    app,
    auth_settings,
    clean_tables,
    client,
    database_url,
    token,
)
from procurement_service.main import create_app
from procurement_service.models import Base
from procurement_service.rules.attribution import LINKOPING, Buyer
from procurement_service.settings import SCRIPT_LOCATION, VERSION_TABLE, ProcurementSettings

# A second municipality (a made-up organisation number) for tests that compare the two.
SECOND_MUNICIPALITY = Buyer(organisation_numbers=["212000-1009"], boards=["KS"], default_board="KS")


@pytest.fixture(scope="session")
def service_under_test() -> ServiceUnderTest:
    return ServiceUnderTest(
        name="procurement",
        env_var="PROCUREMENT_TEST_DATABASE_URL",
        script_location=SCRIPT_LOCATION,
        version_table=VERSION_TABLE,
        metadata=Base.metadata,
        make_app=lambda url, auth: create_app(
            ProcurementSettings(
                database_url=url,
                relay_enabled=False,
                buyers={"0580": LINKOPING, "0581": SECOND_MUNICIPALITY},
            ),
            auth,
        ),
        scopes="procurement:read procurement:write procurement:admin",
        subject="upphandlingssystemet",
    )
