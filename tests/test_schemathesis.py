"""Schemathesis runs every operation of each running service (bounded): no 5xx, every
response matches the document, every error is problem+json (content-type conformance). Its
stateful phase follows the links it infers between operations (a PUT, then the GET of what it
stored)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from municipal_shared.kit.auth import issue_development_token
from municipal_shared.kit.settings import AuthSettings

SCOPES = {
    "budget": "budget:read budget:write budget:decide budget:admin",
    "indicators": "indicators:read indicators:write indicators:assess indicators:admin "
    "reports:approve",
    "procurement": "procurement:read procurement:write procurement:admin",
}
CLI = Path(sys.executable).with_name("schemathesis")
# A few minutes per run: .ci/run sets SCHEMATHESIS=1 for its PostgreSQL pass only.
pytestmark = pytest.mark.skipif(
    os.environ.get("SCHEMATHESIS") != "1", reason="set SCHEMATHESIS=1 (CI does, on PostgreSQL)"
)


@pytest.mark.must_run
@pytest.mark.parametrize("service", list(SCOPES))
def test_no_server_error_and_every_response_as_documented(
    urls: dict[str, str], service: str, capsys: pytest.CaptureFixture[str]
) -> None:
    token = issue_development_token(
        AuthSettings(mode="development"), SCOPES[service].split(), "schemathesis"
    )
    done = subprocess.run(
        [
            str(CLI),
            "run",
            f"{urls[service]}/openapi.json",
            "--checks",
            "not_a_server_error,response_schema_conformance,content_type_conformance",
            "--max-examples",
            "10",
            "--no-color",
            "--seed",
            "2018",
            "-H",
            f"Authorization: Bearer {token}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    summary = [
        line.strip()
        for line in done.stdout.splitlines()
        if "generated" in line or "API Links" in line or "Scenarios" in line
    ]
    with capsys.disabled():  # how many requests and links, in every CI log
        print(f"\nschemathesis {service}: {'; '.join(summary)}")
    assert done.returncode == 0, done.stdout[-4000:]
    assert summary and "passed" in summary[-1]
