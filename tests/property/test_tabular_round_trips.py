"""What the table formatters write, the row reader reads back unchanged."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from sidestream.domain.streams import ALL_MONTHS, MeasuredProperty, PropertyLimit
from sidestream.domain.units import UNITS_BY_DIMENSION
from sidestream.services.tabular_rows import (
    RowReader,
    format_months,
    format_number,
    format_properties,
    format_property_limits,
    parse_number,
)

finite_floats = st.floats(allow_nan=False, allow_infinity=False)
property_codes = st.from_regex(r"[a-z0-9_]{1,24}", fullmatch=True)
known_units = sorted({unit for units in UNITS_BY_DIMENSION.values() for unit in units})
units = st.sampled_from(known_units) | st.from_regex(
    r"[A-Za-z%/°µ³0-9]{1,6}( [A-Za-z%/°µ³0-9]{1,6})?", fullmatch=True
)
methods = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9 .:/()-]{0,20}[A-Za-z0-9)])?", fullmatch=True)

measured_properties = st.builds(
    MeasuredProperty,
    property_code=property_codes,
    value=finite_floats,
    unit=units,
    method=methods,
    measured_on=st.dates(),
    laboratory=st.just("") | methods,  # entered in a listing, or from a laboratory's file
)


@st.composite
def property_limits(draw: st.DrawFn) -> PropertyLimit:
    code = draw(property_codes)
    unit = draw(units)
    bounds = draw(st.sampled_from(["min", "max", "both"]))
    return PropertyLimit(
        property_code=code,
        unit=unit,
        min_value=draw(finite_floats) if bounds in ("min", "both") else None,
        max_value=draw(finite_floats) if bounds in ("max", "both") else None,
    )


def read(column: str, cell: str) -> RowReader:
    return RowReader(row={column: cell}, row_number=1)


@given(value=finite_floats)
def test_parse_number_reads_format_number_back(value: float) -> None:
    parsed = parse_number(format_number(value))
    assert parsed == value
    assert parsed is not None and math.copysign(1.0, parsed) == math.copysign(1.0, value)


@given(value=finite_floats)
def test_a_decimal_comma_reads_like_a_decimal_point(value: float) -> None:
    text = format_number(value)
    assert parse_number(text.replace(".", ",")) == value


@settings(max_examples=50)
@given(properties=st.lists(measured_properties, max_size=5).map(tuple))
def test_properties_read_back_what_format_properties_wrote(
    properties: tuple[MeasuredProperty, ...],
) -> None:
    row = read("properties", format_properties(properties))
    assert row.properties("properties") == properties
    assert row.errors == []


@settings(max_examples=50)
@given(limits=st.lists(property_limits(), max_size=5, unique_by=lambda limit: limit.property_code))
def test_property_limits_read_back_what_format_property_limits_wrote(
    limits: list[PropertyLimit],
) -> None:
    row = read("property_limits", format_property_limits(tuple(limits)))
    assert row.property_limits("property_limits") == tuple(limits)
    assert row.errors == []


@given(months=st.frozensets(st.integers(min_value=1, max_value=12), min_size=1))
def test_months_read_back_what_format_months_wrote(months: frozenset[int]) -> None:
    row = read("recurrence_months", format_months(months))
    expected = None if months == ALL_MONTHS else months  # all months is written as empty
    assert row.months("recurrence_months") == expected
    assert row.errors == []
