"""Load and check the factors of impact accounting (reference/impact_factors.csv,
processing_steps.csv, route_processing.csv, virgin_material_prices.csv)."""

from __future__ import annotations

import math

from sidestream.adapters.datasets.files import read_data_csv, require_columns
from sidestream.domain.errors import ReferenceDataError
from sidestream.domain.impact import CitedValue, ImpactFactors, ProcessStep
from sidestream.domain.reference import ReferenceData
from sidestream.domain.routes import KnowledgeBase


def _number(cell: str, where: str) -> float:
    try:
        value = float(cell)
    except ValueError as error:
        raise ReferenceDataError(f"{where}: {cell!r} is not a number") from error
    if not math.isfinite(value):
        raise ReferenceDataError(f"{where}: {cell!r} is not finite")
    return value


def _cited(
    factor_id: str,
    cells: tuple[str, str, str],
    unit: str,
    source: str,
    verification: str,
    where: str,
) -> CitedValue:
    value, low, high = (_number(cell, where) for cell in cells)
    if not low <= value <= high:
        raise ReferenceDataError(f"{where}: needs low <= value <= high, got {low}, {value}, {high}")
    return CitedValue(factor_id, value, low, high, unit, source, verification)


def load_impact_factors(reference: ReferenceData, knowledge: KnowledgeBase) -> ImpactFactors:
    return ImpactFactors(
        factors=_load_factors(),
        processes=_load_processes(),
        route_processes=_load_route_processes(knowledge),
        virgin_co2e_t_per_unit={
            code: CitedValue(
                f"virgin_co2e:{code}",
                factor.co2e_t_per_unit,
                factor.co2e_t_per_unit,
                factor.co2e_t_per_unit,
                f"t CO2e/{reference.virgin_materials[code].quantity_basis}",
                f"{factor.item}; {factor.source}",
                "verified" if factor.is_verified else "recalled; re-check",
            )
            for code, factor in knowledge.virgin_factors.items()
        },
        virgin_prices_eur_per_unit=_load_virgin_prices(reference),
    )


def _load_factors() -> dict[str, CitedValue]:
    name = "reference/impact_factors.csv"
    rows = read_data_csv(name)
    require_columns(
        rows, ("factor_id", "value", "low", "high", "unit", "source", "verification"), name
    )
    factors: dict[str, CitedValue] = {}
    for row in rows:
        factor_id = row["factor_id"]
        where = f"{name} {factor_id}"
        if factor_id in factors:
            raise ReferenceDataError(f"{where}: listed twice")
        factors[factor_id] = _cited(
            factor_id,
            (row["value"], row["low"], row["high"]),
            row["unit"],
            row["source"],
            row["verification"],
            where,
        )
    return factors


_STEP_COLUMNS = {
    "electricity_kwh_per_unit": ("electricity_kwh_per_t", "electricity_low", "electricity_high"),
    "diesel_l_per_unit": ("diesel_l_per_t", "diesel_low", "diesel_high"),
    "other_co2e_kg_per_unit": ("other_co2e_kg_per_t", "other_co2e_low", "other_co2e_high"),
    "cost_eur_per_unit": ("cost_eur_per_t", "cost_low", "cost_high"),
}
_STEP_UNITS = {
    "electricity_kwh_per_unit": "kWh/t",
    "diesel_l_per_unit": "l/t",
    "other_co2e_kg_per_unit": "kg CO2e/t",
    "cost_eur_per_unit": "EUR/t",
}


def _load_processes() -> dict[str, ProcessStep]:
    name = "reference/processing_steps.csv"
    rows = read_data_csv(name)
    columns = tuple(column for group in _STEP_COLUMNS.values() for column in group)
    require_columns(rows, ("process_code", "name", "source", "verification", *columns), name)
    steps = {}
    for row in rows:
        code = row["process_code"]
        where = f"{name} {code}"
        values = {
            field_name: _cited(
                f"{code}.{cells[0]}",
                (row[cells[0]], row[cells[1]], row[cells[2]]),
                _STEP_UNITS[field_name],
                row["source"],
                row["verification"],
                where,
            )
            for field_name, cells in _STEP_COLUMNS.items()
        }
        steps[code] = ProcessStep(
            process_code=code,
            name=row["name"],
            electricity_kwh_per_unit=values["electricity_kwh_per_unit"],
            diesel_l_per_unit=values["diesel_l_per_unit"],
            other_co2e_kg_per_unit=values["other_co2e_kg_per_unit"],
            cost_eur_per_unit=values["cost_eur_per_unit"],
        )
    return steps


def _load_route_processes(knowledge: KnowledgeBase) -> dict[str, str]:
    name = "reference/route_processing.csv"
    rows = read_data_csv(name)
    require_columns(rows, ("route_id", "process_code"), name)
    known = {route.route_id for route in knowledge.routes}
    found = {row["route_id"]: row["process_code"] for row in rows}
    unknown = sorted(set(found) - known)
    if unknown:
        raise ReferenceDataError(f"{name}: unknown routes {unknown}")
    return found


def _load_virgin_prices(reference: ReferenceData) -> dict[str, CitedValue]:
    name = "reference/virgin_material_prices.csv"
    rows = read_data_csv(name)
    require_columns(
        rows,
        ("virgin_material_code", "price_eur_per_unit", "low", "high", "unit", "source"),
        name,
    )
    prices = {}
    for row in rows:
        code = row["virgin_material_code"]
        where = f"{name} {code}"
        if code not in reference.virgin_materials:
            raise ReferenceDataError(f"{where}: unknown virgin material")
        prices[code] = _cited(
            f"price:{code}",
            (row["price_eur_per_unit"], row["low"], row["high"]),
            row["unit"],
            row["source"],
            row.get("verification", ""),
            where,
        )
    return prices
