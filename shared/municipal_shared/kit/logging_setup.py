"""Log lines for a developer (text, the default) or for a collector (`LOG_FORMAT=json`: one
JSON object per line). Every line carries the request id and the trace id of the request
being served ("-" outside one); the access line adds method, route template, status,
duration and the token's subject. Nothing logs a header, a token or a request body."""

from __future__ import annotations

import logging

from municipal_shared.kit.request_id import current_request_id
from municipal_shared.kit.tracing import current_trace_id

TEXT_FORMAT = "%(asctime)s %(levelname)s %(service)s %(name)s [%(request_id)s] %(message)s"


class RequestContextFilter(logging.Filter):
    """Adds the request id, the trace id and the service's name (so the lines of several
    services in one stream, as `make run` prints them, stay apart)."""

    def __init__(self, service: str = "-") -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.request_id = current_request_id() or "-"
        record.trace_id = current_trace_id() or "-"
        return True


def json_formatter() -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        "%(levelname)s %(service)s %(name)s %(message)s %(request_id)s %(trace_id)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",  # ISO 8601 in UTC
    )


def configure_logging(level: str, log_format: str = "text", service: str = "-") -> None:
    """The root logger's one handler, on standard error."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestContextFilter(service))
    handler.setFormatter(
        json_formatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
