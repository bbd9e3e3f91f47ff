"""One request followed through the three services' JSON logs (LOG_FORMAT=json): a composed
report read at the indicator service, with the budget follow-up and the procurement
measurement it reads, all under the caller's request id and trace id; and an outbox delivery
found in the sender's and the receiver's log by its own request id and trace id. Real
processes and HTTP; skipped against a stack given by URL, whose logs the suite cannot read."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from municipal_shared.kit.auth import issue_development_token
from municipal_shared.kit.settings import AuthSettings

COMPOSED = "/v1/registers/0580/KS/reports/2018/T2/composed"


def _lines(log: Path) -> list[dict[str, Any]]:
    found = []
    for line in log.read_text(encoding="utf-8").splitlines():
        if line.startswith("{"):  # uvicorn's own lines at startup are not the kit's
            found.append(json.loads(line))
    return found


def _wait(log: Path, match: Any, seconds: float = 30) -> list[dict[str, Any]]:
    deadline = time.monotonic() + seconds
    while True:
        found = [line for line in _lines(log) if match(line)]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_a_composed_report_is_followed_through_three_logs(own_processes: dict) -> None:
    logs = {name: Path(service.log.name) for name, service in own_processes.items()}
    request_id = f"follow-{uuid.uuid4().hex[:12]}"
    trace_id = uuid.uuid4().hex
    response = httpx.get(
        own_processes["indicators"].url + COMPOSED,
        headers={"X-Request-ID": request_id, "traceparent": f"00-{trace_id}-{'a1' * 8}-01"},
        timeout=30,
    )
    assert response.status_code == 200 and response.headers["x-request-id"] == request_id

    def access(route_part: str) -> Any:
        return lambda line: (
            line.get("request_id") == request_id and route_part in str(line.get("route"))
        )

    expected = {"indicators": "/composed", "budget": "/follow-up/", "procurement": "/measurements/"}
    for name, route_part in expected.items():
        lines = _wait(logs[name], access(route_part))
        assert len(lines) == 1, (name, lines)
        line = lines[0]
        assert line["trace_id"] == trace_id, (name, line)
        assert line["status"] in (200, 304) and line["method"] == "GET", (name, line)
        assert line["logger"] == "municipal_shared.access" and line["duration_ms"] >= 0
    # The report's line closes after its peers' lines: it waited for them.
    assert _wait(logs["indicators"], access("/composed"))[0]["status"] == 200


def test_an_outbox_delivery_is_followed_from_sender_to_receiver(own_processes: dict) -> None:
    logs = {name: Path(service.log.name) for name, service in own_processes.items()}
    reference = f"OBS-{uuid.uuid4().hex[:8]}"
    token = issue_development_token(
        AuthSettings(mode="development"), ["procurement:write"], "system-test"
    )
    outcome = {
        "reference": reference,
        "administration": "Kommunledningsförvaltningen",
        "board_code": "KS",
        "title": "Loggspårning",
        "category": "services",
        "procedure": "open",
        "advertised": True,
        "status": "awarded",
        "award_date": "2018-10-15",
        "bidders": [
            {"organisation_number": "556036-0793", "name": "Alfa AB", "size_class": "small"}
        ],
        "winners": ["556036-0793"],
    }
    response = httpx.put(
        f"{own_processes['procurement'].url}/v1/procurements/0580",
        json={"items": [outcome]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    sent = _wait(
        logs["procurement"],
        lambda line: (
            line.get("logger") == "municipal_shared.outbox"
            and "outbox delivery" in line.get("message", "")
        ),
    )
    assert sent, "the relay logged no delivery"
    delivery = sent[-1]
    assert delivery["request_id"].startswith("outbox-") and len(delivery["trace_id"]) == 32
    received = _wait(
        logs["indicators"],
        lambda line: (
            line.get("request_id") == delivery["request_id"]
            and line.get("logger") == "municipal_shared.access"
        ),
    )
    assert len(received) == 1, received
    assert received[0]["trace_id"] == delivery["trace_id"]
    assert received[0]["method"] == "PUT" and received[0]["subject"] == "procurement-service"
