"""The route class every service's routers use: JSON numbers in a request body reach the
model exactly as written.

FastAPI reads a JSON body with `json.loads`, which turns `11200.5` into a binary float before
any model sees it; a Decimal field then gets the float's digits (or, for exact amounts that
refuse floats, a 422). Here the body is parsed with `parse_float=Decimal`, so `11200.5` is
`Decimal("11200.5")` and `0.1` stays `0.1`. Only bodies that are models get this: a free
`dict[str, Any]` body (an OCDS package) keeps plain JSON values for the code that stores it.
Numbers that are not finite (`1e400`, `NaN`) never get here: kit/limits.py answers 422 first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Iterable
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from municipal_shared.kit.limits import PARSED_BODY


class ExactJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            # kit/limits.py parsed the body already, the same way, while checking it.
            parsed = self.scope.get(PARSED_BODY)
            if parsed is not None:
                self._json = parsed[0]
            else:
                self._json = json.loads(await self.body(), parse_float=Decimal)
        return self._json


class ExactJsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if not takes_model_body(self):
            return handler

        async def exact(request: Request) -> Response:
            return await handler(ExactJsonRequest(request.scope, request.receive))

        return exact


def takes_model_body(route: APIRoute) -> bool:
    annotations = [field.field_info.annotation for field in route.dependant.body_params]
    return bool(annotations) and all(
        isinstance(a, type) and issubclass(a, BaseModel) for a in annotations
    )


def service_router(**options: Any) -> APIRouter:
    """An APIRouter whose routes read JSON numbers exactly (every service's api/ modules)."""
    return APIRouter(route_class=ExactJsonRoute, **options)


def inexact_routes(routers: Iterable[APIRouter]) -> list[str]:
    """Routes made with a plain APIRouter, which would read 11200.5 as a float (each
    service's tests/test_openapi.py requires none)."""
    return [
        route.path
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and not isinstance(route, ExactJsonRoute)
    ]
