"""Every GET of every service, read from its OpenAPI document, answers a repeat read that
names its ETag with 304 and no body, and HEAD with GET's headers and no body. Path parameters
come from the seeded data; a GET that needs a query parameter gets a typical one."""

from __future__ import annotations

import re

import httpx
import pytest
from system_kit import SERVICES

from municipal_shared.kit.auth import issue_development_token
from municipal_shared.kit.settings import AuthSettings

PARAMETERS = {
    "municipality_code": "0580",
    "board_code": "KS",
    "budget_year": "2018",
    "year": "2018",
    "tertial": "T2",
    "number": "1",
    "code": "personalomsattning",
    "reference": "KS-2018-0042",
    "ocid": "ocds-local-0580-KS-2018-0042",
    "representation": "csv",  # the composed report as a spreadsheet: quick to make
    "assignment_code": "bredband",
}
QUERIES = {
    "/v1/measurements/{municipality_code}": "?from=2018-01-01&to=2018-06-30",
    "/v1/registers/{municipality_code}/{board_code}/outcomes/changes": "?since=0",
    "/v1/registers/{municipality_code}/{board_code}/kolada/values": "?year=2018",
}
SCOPES = "budget:read indicators:read procurement:read"


def _headers() -> dict[str, str]:
    token = issue_development_token(AuthSettings(mode="development"), SCOPES.split(), "robot")
    return {"Authorization": f"Bearer {token}"}


def _paths(name: str) -> list[str]:
    document = next(s for s in SERVICES if s.name == name).load("app")().openapi()
    return [path for path, item in document["paths"].items() if "get" in item]


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
def test_every_get_answers_304_to_its_etag_and_head_without_a_body(
    urls: dict[str, str], service: str
) -> None:
    checked = []
    with httpx.Client(base_url=urls[service], headers=_headers(), timeout=30) as client:
        for template in _paths(service):
            path = re.sub(r"\{(\w+)\}", lambda m: PARAMETERS[m.group(1)], template)
            path += QUERIES.get(template, "")
            first = client.get(path)
            if first.status_code != 200:  # e.g. a procurement this stack does not have
                continue
            etag = first.headers["etag"]
            again = client.get(path, headers={"If-None-Match": etag})
            assert (again.status_code, again.content) == (304, b""), path
            assert again.headers["etag"] == etag, path
            head = client.head(path)
            assert (head.status_code, head.content) == (200, b""), path
            checked.append(template)
    assert len(checked) >= 6, checked  # the documents of the seeded data, at least
