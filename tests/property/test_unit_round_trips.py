"""Unit conversions are exact definitions: converting there and back is the identity."""

from __future__ import annotations

import math
from itertools import permutations

from hypothesis import given
from hypothesis import strategies as st

from sidestream.domain.units import (
    UNIT_ALIASES,
    UNITS_BY_DIMENSION,
    canonical_unit,
    check_unit,
    convert,
    to_canonical,
)

# Every ordered pair of distinct units of one dimension.
UNIT_PAIRS = [
    (dimension, a, b)
    for dimension, units in sorted(UNITS_BY_DIMENSION.items())
    for a, b in permutations(units, 2)
]
# Stay far from overflow and from subnormals, where no conversion can be exact.
values = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-250)


def test_every_dimension_with_several_units_has_pairs() -> None:
    dimensions = {dimension for dimension, _, _ in UNIT_PAIRS}
    assert dimensions == {d for d, units in UNITS_BY_DIMENSION.items() if len(units) > 1}


@given(value=values)
def test_convert_there_and_back_is_the_identity_for_every_pair(value: float) -> None:
    for dimension, unit_a, unit_b in UNIT_PAIRS:
        there = convert(value, unit_a, unit_b, dimension)
        back = convert(there, unit_b, unit_a, dimension)
        assert close(back, value), (dimension, unit_a, unit_b)


@given(value=values)
def test_convert_agrees_with_the_canonical_unit_for_every_pair(value: float) -> None:
    for dimension, unit_a, unit_b in UNIT_PAIRS:
        converted = convert(value, unit_a, unit_b, dimension)
        expected = to_canonical(value, unit_a, dimension)
        assert close(to_canonical(converted, unit_b, dimension), expected), (unit_a, unit_b)


@given(value=values)
def test_canonical_unit_converts_to_itself(value: float) -> None:
    for dimension in UNITS_BY_DIMENSION:
        assert to_canonical(value, canonical_unit(dimension), dimension) == value


@given(data=st.data(), dimension=st.sampled_from(sorted(UNITS_BY_DIMENSION)), value=values)
def test_aliases_and_padding_convert_like_the_symbol(
    data: st.DataObject, dimension: str, value: float
) -> None:
    units = UNITS_BY_DIMENSION[dimension]
    spellings = [alias for alias, symbol in UNIT_ALIASES.items() if symbol in units]
    spellings += [f" {unit} " for unit in units]
    spelling = data.draw(st.sampled_from(spellings))
    symbol = check_unit(dimension, spelling, "properties.x")
    assert symbol in units
    assert to_canonical(value, spelling, dimension) == to_canonical(value, symbol, dimension)
