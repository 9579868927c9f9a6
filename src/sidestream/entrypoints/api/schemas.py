"""What the API modules share in their request and response models."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, field_validator

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


class RequirementRead(BaseModel):
    requirement: str
    name: str
    holder: str = Field(description="producer, receiver or either")
    legal_source: str
    source_locator: str
    locator_is_verified: bool = Field(description="The locator checked against the legal text")


class MissingParameterRead(BaseModel):
    parameter_code: str
    basis: str


class RegulatoryStepRead(BaseModel):
    """One step of a use's regulatory path: a requirement (its alternatives) or the screening."""

    state: str = Field(
        description="met, to_do, lab_test_needed, exceeds, within, or required (what the use "
        "asks, for a reader who may not see the stream's records)"
    )
    text: str
    is_open: bool
    requirements: list[RequirementRead] = Field(description="Alternatives: any one meets it")
    evidence_status_record_id: int | None = Field(description="The status record that meets it")
    rule_set_id: str | None
    missing_parameters: list[MissingParameterRead] = Field(
        description="Limits without a result, when a lab test is needed"
    )


class RegulatoryPathRead(BaseModel):
    """Decision support, not a legal opinion."""

    route_id: str
    needs_lab_test: bool
    exceeds: bool
    steps: list[RegulatoryStepRead]
