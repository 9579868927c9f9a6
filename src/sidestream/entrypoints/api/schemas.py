"""What the API modules share in their request and response models."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, field_validator

# Database ids are 32-bit integers: a larger number is no id, and must not reach the database.
MAX_RECORD_ID = 2**31 - 1

OrganisationId = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="The organisation's id")]
StreamId = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="The stream's id")]
NeedId = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="The need's id")]
SynergyId = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="The synergy's id")]


# No text we store may hold a NUL character: PostgreSQL refuses it, SQLite would keep it.
NO_NUL = r"^[^\x00]*$"


class RequestModel(BaseModel):
    """A request body: unknown fields are refused (they are typos), numbers must be finite
    (1e309 is not a quantity), text is trimmed and holds no NUL character."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value: object) -> object:
        values = value if isinstance(value, list) else [value]
        if any(isinstance(item, str) and "\x00" in item for item in values):
            raise ValueError("must not contain NUL characters")
        return value
