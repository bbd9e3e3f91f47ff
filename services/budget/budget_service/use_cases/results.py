"""What a use case hands back to its route: the body, the ETag the answer carries, and whether
the call created the resource (201 rather than 200)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

from municipal_shared.kit.documents import Rendered

Body = TypeVar("Body", bound=BaseModel)


@dataclass(frozen=True)
class Tagged(Generic[Body]):
    body: Body
    etag: str | None
    created: bool = False

    def headers(self) -> dict[str, str]:
        return {"ETag": self.etag} if self.etag else {}

    def rendered(self) -> Rendered:
        """The answer as bytes to store (kit/documents.py), as FastAPI would have sent it."""
        return Rendered.of(self.body, self.etag)
