"""Units of measured properties and of listing quantities."""

from __future__ import annotations

import math

import pytest

from sidestream.domain.errors import InvalidInput
from sidestream.domain.units import (
    UNITS_BY_DIMENSION,
    QuantityUnit,
    canonical_unit,
    check_unit,
    convert,
    normalise_unit_symbol,
    to_canonical,
)


@pytest.mark.parametrize("dimension", sorted(UNITS_BY_DIMENSION))
def test_canonical_unit_of_every_dimension_has_factor_one(dimension: str) -> None:
    assert UNITS_BY_DIMENSION[dimension][canonical_unit(dimension)] == 1.0


@pytest.mark.parametrize(
    ("dimension", "expected"),
    [("mass_fraction", "mg/kg"), ("length", "mm"), ("temperature", "°C"), ("density", "t/m3")],
)
def test_canonical_unit_is_the_first_entry(dimension: str, expected: str) -> None:
    assert canonical_unit(dimension) == expected


@pytest.mark.parametrize(
    ("symbol", "expected"),
    [
        ("C", "°C"),
        ("degC", "°C"),
        ("pH", "-"),
        ("m³/yr", "m3/yr"),
        ("t/m³", "t/m3"),
        ("  %  ", "%"),
        (" degC ", "°C"),
        ("mg/kg", "mg/kg"),
    ],
)
def test_normalise_unit_symbol_strips_and_resolves_aliases(symbol: str, expected: str) -> None:
    assert normalise_unit_symbol(symbol) == expected


@pytest.mark.parametrize(
    ("dimension", "unit", "expected"),
    [
        ("mass_fraction", "%", "%"),
        ("mass_fraction", " ppm ", "ppm"),
        ("temperature", "C", "°C"),
        ("dimensionless", "pH", "-"),
        ("length", "µm", "µm"),
        ("density", "t/m³", "t/m3"),
    ],
)
def test_check_unit_returns_the_normal_symbol(dimension: str, unit: str, expected: str) -> None:
    assert check_unit(dimension, unit, "properties.x") == expected


def test_check_unit_rejects_a_unit_of_another_dimension_naming_field_and_units() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_unit("mass_fraction", "mm", "properties.cao")
    (error,) = caught.value.errors
    assert error.field == "properties.cao"
    assert "'mm'" in error.reason
    assert "mass fraction" in error.reason
    assert "mg/kg, %, g/kg, g/t, ppm" in error.reason


def test_check_unit_rejects_an_unknown_dimension() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_unit("luminosity", "cd", "properties.glow")
    assert caught.value.errors[0].field == "properties.glow"
    assert "unknown dimension 'luminosity'" in caught.value.errors[0].reason


def test_check_unit_is_case_sensitive() -> None:
    with pytest.raises(InvalidInput):
        check_unit("stress", "mpa", "properties.compressive_strength")


@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit", "dimension", "expected"),
    [
        (1.0, "%", "mg/kg", "mass_fraction", 10_000.0),
        (2.5, "g/kg", "%", "mass_fraction", 0.25),
        (7.0, "ppm", "g/t", "mass_fraction", 7.0),
        (1.0, "%", "ppm", "volume_fraction", 10_000.0),
        (32.0, "mm", "cm", "length", 3.2),
        (250.0, "µm", "mm", "length", 0.25),
        (250.0, "um", "µm", "length", 250.0),
        (1.0, "m", "mm", "length", 1000.0),
        (1.2, "t/m3", "kg/m3", "density", 1200.0),
        (2.4, "g/cm3", "t/m3", "density", 2.4),
        (500.0, "kPa", "MPa", "stress", 0.5),
        (1.0, "MWh/t", "MJ/kg", "specific_energy", 3.6),
        (18.0, "GJ/t", "kWh/kg", "specific_energy", 5.0),
        (100.0, "µS/cm", "mS/m", "conductivity", 10.0),
        (1.0, "mS/cm", "mS/m", "conductivity", 100.0),
        (40.0, "C", "°C", "temperature", 40.0),
        (7.5, "pH", "-", "dimensionless", 7.5),
    ],
)
def test_convert_examples(
    value: float, from_unit: str, to_unit: str, dimension: str, expected: float
) -> None:
    assert math.isclose(convert(value, from_unit, to_unit, dimension), expected, rel_tol=1e-12)


def test_convert_rejects_a_unit_outside_the_dimension() -> None:
    with pytest.raises(KeyError):
        convert(1.0, "%", "mm", "mass_fraction")


def test_to_canonical_converts_to_the_first_unit() -> None:
    assert math.isclose(to_canonical(12.0, "%", "mass_fraction"), 120_000.0)
    assert math.isclose(to_canonical(1.5, "m", "length"), 1500.0)
    assert to_canonical(3.0, "MPa", "stress") == 3.0


@pytest.mark.parametrize(
    ("unit", "basis"),
    [
        (QuantityUnit.TONNES_PER_YEAR, "t"),
        (QuantityUnit.TONNES_PER_BATCH, "t"),
        (QuantityUnit.MWH_PER_YEAR, "MWh"),
        (QuantityUnit.CUBIC_METRES_PER_YEAR, "m3"),
    ],
)
def test_quantity_unit_basis(unit: QuantityUnit, basis: str) -> None:
    assert unit.basis == basis


def test_quantity_units_parse_from_their_symbols() -> None:
    assert QuantityUnit("t/yr") is QuantityUnit.TONNES_PER_YEAR
    assert QuantityUnit("MWh/yr") is QuantityUnit.MWH_PER_YEAR
    with pytest.raises(ValueError, match="t/month"):
        QuantityUnit("t/month")
