"""The import/export table format (docs/reference/tabular-format.md): cells to domain values and
back. Every parse error names the column and the reason; nothing here touches files."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TypeVar

from sidestream.domain.errors import FieldError, field_error
from sidestream.domain.streams import ALL_MONTHS, MeasuredProperty, PropertyLimit

Row = Mapping[str, str]
EnumT = TypeVar("EnumT", bound=StrEnum)

ORGANISATION_COLUMNS = (
    "organisation_name",
    "business_id",
    "nace_code",
    "size_class",
    "contact_name",
    "contact_email",
    "contact_phone",
    "site_name",
    "municipality_code",
    "latitude_deg",
    "longitude_deg",
    "has_rail_siding",
    "has_port",
    "facility_id_eprtr",
)
STREAM_COLUMNS = (
    "organisation_name",
    "site_name",
    "name",
    "description",
    "description_lang",
    "ewc_code",
    "hazard_assessment_basis",
    "hazard_assessed_on",
    "material_class_code",
    "physical_form",
    "quantity_amount",
    "quantity_low",
    "quantity_high",
    "quantity_unit",
    "recurrence",
    "recurrence_months",
    "temperature_c",
    "max_distance_km",
    "properties",
    "management_route",
    "management_cost_eur_per_unit",
    "asking_price_eur_per_unit",
    "visibility",
    "valid_until",
)
NEED_COLUMNS = (
    "organisation_name",
    "site_name",
    "name",
    "description",
    "description_lang",
    "accepted_material_class_codes",
    "accepted_ewc_codes",
    "replaces_virgin_material_code",
    "accepts_hazardous",
    "quantity_amount",
    "quantity_low",
    "quantity_high",
    "quantity_unit",
    "recurrence",
    "recurrence_months",
    "min_temperature_c",
    "property_limits",
    "max_distance_km",
    "willingness_to_pay_eur_per_unit",
    "visibility",
    "valid_until",
)

_TRUE = {"true", "yes", "1", "y", "kyllä", "ja"}
_FALSE = {"false", "no", "0", "n", "ei", "nej"}
_PROPERTY_PATTERN = re.compile(
    r"^\s*(?P<code>[a-z0-9_]+)\s*=\s*(?P<value>[-+0-9.,eE]+)\s*(?P<unit>[^\[\]]*?)\s*"
    r"\[\s*(?P<method>[^;\]]+?)\s*;\s*(?P<date>[0-9-]+)\s*"
    r"(?:;\s*(?P<laboratory>[^;\]]+?)\s*)?\]\s*$"
)
_LIMIT_PATTERN = re.compile(
    r"^\s*(?P<code>[a-z0-9_]+)\s*(?P<op><=|>=)\s*(?P<value>[-+0-9.,eE]+)\s*(?P<unit>.*?)\s*$"
)


@dataclass
class RowReader:
    """Reads typed values from one row, collecting every problem instead of stopping."""

    row: Row
    row_number: int | None  # None: a form or an API request, not a row of a file
    errors: list[FieldError] = field(default_factory=list)

    def fail(self, column: str, template: str, **params: object) -> None:
        """Record why the column is wrong: the template with its parameters (see field_error)."""
        self.errors.append(field_error(column, template, params, self.row_number))

    def text(self, column: str) -> str | None:
        value = self.row.get(column)
        if value is None:
            return None
        stripped = value.strip()
        return stripped or None

    def required_text(self, column: str) -> str:
        value = self.text(column)
        if value is None:
            self.fail(column, "is required")
            return ""
        return value

    def number(self, column: str, required: bool = False) -> float | None:
        text = self.text(column)
        if text is None:
            if required:
                self.fail(column, "is required")
            return None
        parsed = parse_number(text)
        if parsed is None:
            self.fail(column, "{text} is not a number", text=repr(text))
        return parsed

    def boolean(self, column: str) -> bool:
        text = self.text(column)
        if text is None:
            return False
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered not in _FALSE:
            self.fail(column, "{text} is not true or false", text=repr(text))
        return False

    def date(self, column: str, required: bool = False) -> date | None:
        text = self.text(column)
        if text is None:
            if required:
                self.fail(column, "is required")
            return None
        parsed = parse_date(text)
        if parsed is None:
            self.fail(column, "{text} is not a date YYYY-MM-DD", text=repr(text))
        return parsed

    def choice(self, column: str, enum: type[EnumT], required: bool = True) -> EnumT | None:
        text = self.text(column)
        if text is None:
            if required:
                self.fail(column, "is required")
            return None
        try:
            return enum(text)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            self.fail(column, "{text} is not one of {allowed}", text=repr(text), allowed=allowed)
            return None

    def codes(self, column: str) -> tuple[str, ...]:
        text = self.text(column)
        if text is None:
            return ()
        return tuple(part.strip() for part in text.split(";") if part.strip())

    def months(self, column: str) -> frozenset[int] | None:
        parts = self.codes(column)
        if not parts:
            return None
        months: set[int] = set()
        for part in parts:
            if not re.fullmatch(r"[0-9]{1,2}", part) or not 1 <= int(part) <= 12:
                self.fail(column, "{text} is not a month number 1 to 12", text=repr(part))
                return None
            months.add(int(part))
        return frozenset(months)

    def properties(self, column: str) -> tuple[MeasuredProperty, ...]:
        return tuple(
            measured
            for part in _split_entries(self.text(column))
            if (measured := self._measured_property(column, part)) is not None
        )

    def _measured_property(self, column: str, text: str) -> MeasuredProperty | None:
        match = _PROPERTY_PATTERN.match(text)
        if match is None:
            self.fail(
                column, "{text} is not 'code=value unit [method; YYYY-MM-DD]'", text=repr(text)
            )
            return None
        value = parse_number(match["value"])
        measured_on = parse_date(match["date"])
        if value is None or measured_on is None:
            self.fail(column, "{text} has a bad value or date", text=repr(text))
            return None
        return MeasuredProperty(
            property_code=match["code"],
            value=value,
            unit=match["unit"] or "-",
            method=match["method"],
            measured_on=measured_on,
            laboratory=match["laboratory"] or "",
        )

    def property_limits(self, column: str) -> tuple[PropertyLimit, ...]:
        bounds: dict[str, dict[str, float | str]] = {}
        for part in _split_entries(self.text(column)):
            match = _LIMIT_PATTERN.match(part)
            value = parse_number(match["value"]) if match else None
            if match is None or value is None:
                self.fail(
                    column,
                    "{text} is not 'code>=value unit' or 'code<=value unit'",
                    text=repr(part),
                )
                continue
            entry = bounds.setdefault(match["code"], {"unit": match["unit"] or "-"})
            bound = "min" if match["op"] == ">=" else "max"
            if bound in entry:
                if bound == "min":
                    self.fail(column, "{code} has two minimum limits", code=match["code"])
                else:
                    self.fail(column, "{code} has two maximum limits", code=match["code"])
            if entry["unit"] != (match["unit"] or "-"):
                self.fail(column, "{code}: give both limits in the same unit", code=match["code"])
            entry[bound] = value
        return tuple(
            PropertyLimit(
                property_code=code,
                unit=str(entry["unit"]),
                min_value=_optional_float(entry.get("min")),
                max_value=_optional_float(entry.get("max")),
            )
            for code, entry in bounds.items()
        )


def _optional_float(value: float | str | None) -> float | None:
    return None if value is None else float(value)


def _split_entries(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split("|") if part.strip()]


def parse_number(text: str) -> float | None:
    """A decimal number; a lone decimal comma (Finnish and Swedish spreadsheets) is accepted."""
    candidate = text.strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    if "_" in candidate:  # float() would read 1_000; a spreadsheet never means that
        return None
    if candidate.count(",") == 1 and "." not in candidate:
        candidate = candidate.replace(",", ".")
    try:
        value = float(candidate)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_date(text: str) -> date | None:
    """An ISO calendar date YYYY-MM-DD, nothing else (no week dates, no times)."""
    candidate = text.strip()
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", candidate):
        return None
    try:
        return date.fromisoformat(candidate)
    except ValueError:
        return None


# --- formatting: domain values to cells ------------------------------------------------------


def format_number(value: float | None) -> str:
    if value is None:
        return ""
    return repr(float(value)).removesuffix(".0") if float(value).is_integer() else repr(value)


def format_bool(value: bool) -> str:
    return "true" if value else "false"


def format_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def format_months(months: frozenset[int]) -> str:
    return "" if months == ALL_MONTHS else ";".join(str(month) for month in sorted(months))


def format_properties(properties: tuple[MeasuredProperty, ...]) -> str:
    return " | ".join(
        f"{p.property_code}={format_number(p.value)} {p.unit} [{p.method}; {p.measured_on}"
        + (f"; {p.laboratory}]" if p.laboratory else "]")
        for p in properties
    )


def format_property_limits(limits: tuple[PropertyLimit, ...]) -> str:
    parts = []
    for limit in limits:
        if limit.min_value is not None:
            parts.append(f"{limit.property_code}>={format_number(limit.min_value)} {limit.unit}")
        if limit.max_value is not None:
            parts.append(f"{limit.property_code}<={format_number(limit.max_value)} {limit.unit}")
    return " | ".join(parts)
