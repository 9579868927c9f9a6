"""Units of measured properties and of listing quantities.

Each property has a dimension (properties.csv); a value may be given in any unit of that
dimension and is compared in the dimension's canonical unit. The factors are exact definitions,
not empirical data, so they live here rather than in a data file.
"""

from __future__ import annotations

from enum import StrEnum

from sidestream.domain.errors import InvalidInput

# dimension -> unit symbol -> factor to the dimension's canonical unit (the first entry)
UNITS_BY_DIMENSION: dict[str, dict[str, float]] = {
    "mass_fraction": {"mg/kg": 1.0, "%": 10_000.0, "g/kg": 1_000.0, "g/t": 1.0, "ppm": 1.0},
    "volume_fraction": {"%": 1.0, "ppm": 1e-4},
    "length": {"mm": 1.0, "µm": 1e-3, "um": 1e-3, "cm": 10.0, "m": 1_000.0},
    "temperature": {"°C": 1.0},
    "density": {"t/m3": 1.0, "kg/m3": 1e-3, "g/cm3": 1.0},
    "stress": {"MPa": 1.0, "kPa": 1e-3, "N/mm2": 1.0},
    "velocity": {"m/s": 1.0},
    "specific_energy": {"MJ/kg": 1.0, "GJ/t": 1.0, "MWh/t": 3.6, "kWh/kg": 3.6},
    "conductivity": {"mS/m": 1.0, "µS/cm": 0.1, "uS/cm": 0.1, "mS/cm": 100.0},
    "dimensionless": {"-": 1.0},
}

UNIT_ALIASES = {"C": "°C", "degC": "°C", "pH": "-", "m³/yr": "m3/yr", "t/m³": "t/m3"}


def canonical_unit(dimension: str) -> str:
    return next(iter(UNITS_BY_DIMENSION[dimension]))


def normalise_unit_symbol(symbol: str) -> str:
    stripped = symbol.strip()
    return UNIT_ALIASES.get(stripped, stripped)


def check_unit(dimension: str, unit: str, field: str) -> str:
    """Return the unit's normal symbol, or raise naming the field and the accepted units."""
    units = UNITS_BY_DIMENSION.get(dimension)
    if units is None:
        raise InvalidInput.single(field, f"unknown dimension {dimension!r}")
    symbol = normalise_unit_symbol(unit)
    if symbol not in units:
        accepted = ", ".join(units)
        raise InvalidInput.single(
            field, f"unit {unit!r} does not measure {dimension.replace('_', ' ')} (use {accepted})"
        )
    return symbol


def convert(value: float, from_unit: str, to_unit: str, dimension: str) -> float:
    """Convert between two units of one dimension."""
    units = UNITS_BY_DIMENSION[dimension]
    source = units[normalise_unit_symbol(from_unit)]
    target = units[normalise_unit_symbol(to_unit)]
    return value * source / target


def to_canonical(value: float, unit: str, dimension: str) -> float:
    return convert(value, unit, canonical_unit(dimension), dimension)


class QuantityUnit(StrEnum):
    """How much of a listing there is, always with its time basis."""

    TONNES_PER_YEAR = "t/yr"
    TONNES_PER_BATCH = "t/batch"
    MWH_PER_YEAR = "MWh/yr"
    CUBIC_METRES_PER_YEAR = "m3/yr"

    @property
    def basis(self) -> str:
        """The unit a per-unit price refers to: t, MWh or m3."""
        return self.value.split("/")[0]
