"""Prospecting a side stream before any need exists: routes and receiving industries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sidestream.domain.errors import FieldError, InvalidInput
from sidestream.domain.prospecting import MeasuredValue, ProspectResult, prospect
from sidestream.domain.reference import ReferenceData
from sidestream.domain.routes import KnowledgeBase
from sidestream.domain.units import check_unit

MAX_RESULTS = 50


class TextSimilarity(Protocol):
    def similarities(self, text: str) -> dict[str, float]:
        """Material class code -> similarity of the text to how that class is described."""
        ...


def prospect_stream(
    reference: ReferenceData,
    base: KnowledgeBase,
    text_matcher: TextSimilarity,
    *,
    ewc_code: str | None,
    nace_code: str | None = None,
    text: str | None = None,
    measured: Sequence[MeasuredValue] = (),
    limit: int = 10,
) -> ProspectResult:
    """Rank valorisation routes and receiving industries for a stream, with reasons."""
    errors: list[FieldError] = []
    code = None
    if ewc_code is not None:
        try:
            code = reference.waste_code(ewc_code).ewc_code
        except InvalidInput as error:
            errors.extend(error.errors)
    if nace_code is not None:
        try:
            activity = reference.nace_activity(nace_code)
            if activity.level_name == "section":
                errors.append(
                    FieldError("nace_code", f"{nace_code!r} is a section: give a division or finer")
                )
        except InvalidInput as error:
            errors.extend(error.errors)
    if code is None and not (text and text.strip()) and not errors:
        errors.append(FieldError("ewc_code", "give a List of Waste code or a description"))
    if not 1 <= limit <= MAX_RESULTS:
        errors.append(FieldError("limit", f"{limit} is not between 1 and {MAX_RESULTS}"))
    values = {}
    for value in measured:
        field = f"properties.{value.property_code}"
        try:
            definition = reference.property_definition(value.property_code, "properties")
            unit = check_unit(definition.dimension, value.unit, field)
            values[value.property_code] = MeasuredValue(value.property_code, value.value, unit)
        except InvalidInput as error:
            errors.extend(error.errors)
    if errors:
        raise InvalidInput(errors)
    similarity = text_matcher.similarities(text) if text else {}
    return prospect(code, similarity, values, base, reference, nace_code, limit)
