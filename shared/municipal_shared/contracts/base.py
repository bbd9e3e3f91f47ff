from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


class ContractModel(BaseModel):
    """A response another service or a robot reads: unknown fields are ignored, so a provider
    can add fields without breaking its readers."""

    model_config = ConfigDict(extra="ignore")


class RequestModel(BaseModel):
    """A request body: unknown fields are refused, so a typo (or an injected sum) is a 422."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL: refuse it here as a 422, not later as a 500.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("text cannot contain the NUL character")
        return value
