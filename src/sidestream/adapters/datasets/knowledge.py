"""Load and check the matcher's knowledge base: valorisation routes and their requirements,
the List of Waste → material class mapping, transport modes and virgin-material factors."""

from __future__ import annotations

import math
from collections import defaultdict

from sidestream.adapters.datasets.files import read_data_csv, require_columns
from sidestream.domain.emission_factors import EmissionFactor
from sidestream.domain.errors import InvalidInput, ReferenceDataError
from sidestream.domain.reference import ReferenceData
from sidestream.domain.routes import (
    KnowledgeBase,
    RegulatoryPath,
    RouteRequirement,
    TransportMode,
    TransportModeName,
    ValorisationRoute,
    VirginMaterialFactor,
    WasteCodeClass,
)
from sidestream.domain.units import check_unit


def load_knowledge_base(reference: ReferenceData) -> KnowledgeBase:
    factors = {factor.item: factor for factor in reference.emission_factors}
    return KnowledgeBase(
        routes=load_routes(reference),
        waste_code_classes=load_waste_code_classes(reference),
        transport_modes=load_transport_modes(factors),
        virgin_factors=load_virgin_factors(reference, factors),
    )


def _split(cell: str, separator: str = ";") -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(separator) if part.strip())


def _number(cell: str, where: str) -> float | None:
    if not cell.strip():
        return None
    try:
        value = float(cell)
    except ValueError as error:
        raise ReferenceDataError(f"{where}: {cell!r} is not a number") from error
    if not math.isfinite(value):
        raise ReferenceDataError(f"{where}: {cell!r} is not finite")
    return value


def _load_requirements(reference: ReferenceData) -> dict[str, list[RouteRequirement]]:
    name = "reference/route_requirements.csv"
    rows = read_data_csv(name)
    require_columns(
        rows, ("route_id", "property_code", "min_value", "max_value", "unit", "source"), name
    )
    requirements: dict[str, list[RouteRequirement]] = defaultdict(list)
    for row in rows:
        where = f"{name} {row['route_id']} {row['property_code']}"
        definition = reference.properties.get(row["property_code"])
        if definition is None:
            raise ReferenceDataError(f"{where}: unknown property")
        try:
            unit = check_unit(definition.dimension, row["unit"], "unit")
        except InvalidInput as error:
            raise ReferenceDataError(f"{where}: {error}") from error
        low, high = _number(row["min_value"], where), _number(row["max_value"], where)
        if (low is None and high is None) or (low is not None and high is not None and low > high):
            raise ReferenceDataError(f"{where}: needs a minimum or maximum, minimum ≤ maximum")
        if not row["source"].strip():
            raise ReferenceDataError(f"{where}: no source")
        requirements[row["route_id"]].append(
            RouteRequirement(row["property_code"], unit, low, high, row["source"])
        )
    return requirements


def load_routes(reference: ReferenceData) -> tuple[ValorisationRoute, ...]:
    name = "reference/valorisation_routes.csv"
    rows = read_data_csv(name)
    columns = (
        "route_id",
        "name",
        "input_material_class_codes",
        "replaces_virgin_material_code",
        "substitution_ratio",
        "receiving_nace_codes",
        "trl",
        "regulatory_path",
        "sources",
    )
    require_columns(rows, columns, name)
    requirements = _load_requirements(reference)
    routes = []
    for row in rows:
        where = f"{name} {row['route_id']}"
        inputs = _split(row["input_material_class_codes"])
        unknown = [code for code in inputs if code not in reference.material_classes]
        nace = _split(row["receiving_nace_codes"])
        unknown += [code for code in nace if code not in reference.nace_activities]
        if row["replaces_virgin_material_code"] not in reference.virgin_materials:
            unknown.append(row["replaces_virgin_material_code"])
        if unknown or not inputs or not nace:
            raise ReferenceDataError(f"{where}: unknown or missing codes {unknown}")
        ratio = _number(row["substitution_ratio"], where)
        trl = int(row["trl"])
        sources = _split(row["sources"], "|")
        if ratio is None or ratio <= 0 or not 1 <= trl <= 9 or not sources:
            raise ReferenceDataError(f"{where}: needs a ratio > 0, TRL 1-9 and a source")
        routes.append(
            ValorisationRoute(
                route_id=row["route_id"],
                name=row["name"],
                description=row["description"],
                input_material_class_codes=inputs,
                product=row["product"],
                replaces_virgin_material_code=row["replaces_virgin_material_code"],
                substitution_ratio=ratio,
                receiving_nace_codes=nace,
                trl=trl,
                regulatory_path=RegulatoryPath(row["regulatory_path"]),
                permit_notes=row["permit_notes"],
                requirements=tuple(requirements.pop(row["route_id"], ())),
                sources=sources,
                source_urls=_split(row["source_urls"], "|"),
            )
        )
    if requirements:
        raise ReferenceDataError(f"requirements name unknown routes: {sorted(requirements)}")
    if len({route.route_id for route in routes}) != len(routes):
        raise ReferenceDataError(f"{name}: repeated route_id")
    return tuple(routes)


def load_waste_code_classes(reference: ReferenceData) -> tuple[WasteCodeClass, ...]:
    name = "reference/ewc_material_classes.csv"
    rows = read_data_csv(name)
    require_columns(rows, ("ewc_code", "material_class_code", "confidence", "basis"), name)
    links = []
    for row in rows:
        where = f"{name} {row['ewc_code']} {row['material_class_code']}"
        confidence = _number(row["confidence"], where)
        if (
            row["ewc_code"] not in reference.waste_codes
            or row["material_class_code"] not in reference.material_classes
            or confidence is None
            or not 0 < confidence <= 1
        ):
            raise ReferenceDataError(f"{where}: unknown code or confidence outside 0..1")
        links.append(
            WasteCodeClass(row["ewc_code"], row["material_class_code"], confidence, row["basis"])
        )
    return tuple(links)


def _kg_per_tkm(factors: dict[str, EmissionFactor], item: str, where: str) -> EmissionFactor:
    factor = factors.get(item)
    if factor is None or factor.unit != "kg CO2e/tkm":
        raise ReferenceDataError(f"{where}: {item!r} is not a kg CO2e/tkm factor")
    return factor


def load_transport_modes(factors: dict[str, EmissionFactor]) -> tuple[TransportMode, ...]:
    name = "reference/transport_modes.csv"
    rows = read_data_csv(name)
    require_columns(
        rows, ("mode", "circuity_factor", "circuity_source", "emission_factor_item"), name
    )
    modes = {}
    for row in rows:
        where = f"{name} {row['mode']}"
        circuity = _number(row["circuity_factor"], where)
        if circuity is None or circuity < 1 or not row["circuity_source"].strip():
            raise ReferenceDataError(f"{where}: circuity must be ≥ 1 and cited")
        used = [_kg_per_tkm(factors, row["emission_factor_item"], where)]
        if row["wtt_emission_factor_item"].strip():
            used.append(_kg_per_tkm(factors, row["wtt_emission_factor_item"], where))
        mode = TransportModeName(row["mode"])
        modes[mode] = TransportMode(
            mode=mode,
            circuity_factor=circuity,
            circuity_source=row["circuity_source"],
            co2e_kg_per_tkm=sum(factor.value for factor in used),
            co2e_sources=tuple(f"{factor.item}: {factor.value:g} {factor.unit}" for factor in used),
            cost_eur_per_tkm=_number(row["cost_eur_per_tkm"], where),
            cost_source=row["cost_source"],
            requires=row["requires"] or None,
        )
    if set(modes) != set(TransportModeName):
        raise ReferenceDataError(f"{name}: needs exactly road, rail and sea")
    return tuple(modes[mode] for mode in TransportModeName)


def load_virgin_factors(
    reference: ReferenceData, factors: dict[str, EmissionFactor]
) -> dict[str, VirginMaterialFactor]:
    name = "reference/virgin_material_factors.csv"
    rows = read_data_csv(name)
    require_columns(rows, ("virgin_material_code", "emission_factor_item"), name)
    found = {}
    for row in rows:
        where = f"{name} {row['virgin_material_code']}"
        factor = factors.get(row["emission_factor_item"])
        if row["virgin_material_code"] not in reference.virgin_materials or factor is None:
            raise ReferenceDataError(f"{where}: unknown virgin material or factor item")
        scale = (
            0.001
            if factor.unit.startswith("kg ")
            else 1.0
            if factor.unit.startswith("t ")
            else None
        )
        if scale is None or not factor.unit.split()[1].startswith("CO2"):
            raise ReferenceDataError(f"{where}: cannot read unit {factor.unit!r} as CO2e per unit")
        found[row["virgin_material_code"]] = VirginMaterialFactor(
            virgin_material_code=row["virgin_material_code"],
            co2e_t_per_unit=factor.value * scale,
            item=factor.item,
            source=factor.source,
            is_verified=factor.is_verified,
            note=row["note"],
        )
    return found
