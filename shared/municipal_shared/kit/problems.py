"""RFC 9457 problem details for every error a service returns.

Services raise `ProblemError` subclasses; the handlers here also turn Starlette's 404/405,
request validation errors and unexpected exceptions into problem+json. A 500 never carries
internals: the request id is the thread an operator follows into the logs.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from municipal_shared.kit.request_id import current_request_id

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://municipal-steering.example/problems/"
logger = logging.getLogger("municipal_shared.problems")


class FieldError(BaseModel):
    model_config = ConfigDict(extra="allow")  # e.g. the index and ocid of a bad OCDS release

    pointer: str = Field(description="JSON pointer into the request, e.g. /amounts/2025.")
    location: str = Field(description="Where the field is: body, path, query or header.")
    message: str
    type: str


class Problem(BaseModel):
    """application/problem+json (RFC 9457)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=[TYPE_BASE + "version-locked"])
    title: str = Field(examples=["Version is locked"])
    status: int = Field(examples=[409])
    detail: str | None = Field(default=None, examples=["Version 2 is decided; make a revision."])
    instance: str | None = Field(default=None, examples=["/v1/budgets/0580/KS/2018/versions/2"])
    request_id: str | None = None
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """Base of every domain error a service raises; subclasses set status, slug and title."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions
        if field is not None:
            self.extensions["errors"] = [field_error(field, detail, self.slug)]


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "Conflict"


class InvalidContent(ProblemError):
    """Well-formed input that breaks a domain rule (unknown reference, disagreeing sum)."""

    status, slug, title = 422, "invalid-content", "Content breaks a rule"


def field_error(
    pointer: str, message: str, kind: str = "invalid-content", location: str = "body"
) -> dict[str, str]:
    """One entry of a problem's `errors`: which field (a JSON pointer), where, and why."""
    return {"pointer": pointer, "location": location, "message": message, "type": kind}


def raise_if(errors: list[dict[str, str]], summary: str) -> None:
    """Refuse with 422 naming every bad field, when a rule found any."""
    if errors:
        pointers = ", ".join(e["pointer"] for e in errors[:5])
        raise InvalidContent(f"{summary}: {pointers}", errors=errors)


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "stale-version", "The resource changed since you read it"


class PreconditionRequired(ProblemError):
    status, slug, title = 428, "if-match-required", "If-Match is required for this write"


class Unauthorized(ProblemError):
    status, slug, title = 401, "unauthorized", "Authentication required"


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Missing scope"


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str | None,
    request: Request,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = Problem(
        type=TYPE_BASE + slug,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        request_id=getattr(request.state, "request_id", None) or current_request_id(),
        **extensions,
    )
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _pointer(loc: tuple[Any, ...]) -> tuple[str, str]:
    where = str(loc[0]) if loc else "body"
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in loc[1:]]
    return "/" + "/".join(parts), where


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    errors = []
    for err in exc.errors():
        pointer, where = _pointer(tuple(err.get("loc", ())))
        errors.append(
            {"pointer": pointer, "location": where, "message": err["msg"], "type": err["type"]}
        )
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(
            exc.status, exc.slug, exc.title, exc.detail, request, exc.headers, **exc.extensions
        )

    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slugs = {404: "not-found", 405: "method-not-allowed"}
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
        return problem_response(
            exc.status_code,
            slugs.get(exc.status_code, f"http-{exc.status_code}"),
            title,
            str(exc.detail) if exc.detail else None,
            request,
            dict(exc.headers) if exc.headers else None,
        )

    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        fields = ", ".join(e["pointer"] for e in errors[:5])
        return problem_response(
            422,
            "validation-error",
            "Request is not valid",
            f"Invalid field(s): {fields}",
            request,
            errors=errors,
        )

    async def on_stale(request: Request, exc: StaleDataError) -> JSONResponse:
        # A concurrent writer bumped the row version between our read and our flush.
        return problem_response(
            412,
            PreconditionFailed.slug,
            PreconditionFailed.title,
            "The resource was changed concurrently; read it again",
            request,
        )

    async def on_integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # A unique key taken by a concurrent writer; the transaction was rolled back whole.
        logger.info("integrity conflict: %s", exc.orig)
        return problem_response(
            409,
            Conflict.slug,
            Conflict.title,
            "The write conflicts with data stored meanwhile; read it again",
            request,
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        return internal_error(request, exc)

    # The decorator form registers the same way; unlike add_exception_handler its type takes
    # a handler of one exception class (Starlette's wants one taking any Exception).
    app.exception_handler(ProblemError)(on_problem)
    app.exception_handler(StarletteHTTPException)(on_http)
    app.exception_handler(RequestValidationError)(on_validation)
    app.exception_handler(StaleDataError)(on_stale)
    app.exception_handler(IntegrityError)(on_integrity)
    app.add_exception_handler(Exception, on_unexpected)


def internal_error(request: Request, exc: BaseException) -> JSONResponse:
    """The 500 that leaks nothing; the request id leads the operator to the logged trace."""
    logger.error("unhandled error", exc_info=exc, extra={"path": request.url.path})
    return problem_response(
        500,
        "internal-error",
        "Internal error",
        "The service failed; quote the request id to the operator.",
        request,
        # The catch-all 500 bypasses the request-id middleware, so echo the id here.
        headers={"x-request-id": getattr(request.state, "request_id", "") or ""},
    )


_STANDARD = {
    400: "Bad request",
    401: "Missing or invalid bearer token",
    403: "Token lacks the scope",
    404: "No such resource",
    409: "Conflicts with the resource's state",
    412: "If-Match does not match the current ETag",
    422: "A field is invalid; `errors` points at it",
    428: "If-Match header missing",
    503: "Unavailable for now (database or peer); retry after Retry-After seconds",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries documenting the problem+json a route can return."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in (*statuses, 500, 503):
        out[status] = {
            "description": _STANDARD.get(status, "Internal error, no internals disclosed"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return out
