"""The knowledge base: valorisation routes, the List of Waste → material class mapping and the
transport modes, each entry with its cited source (sidestream/data/reference/)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property


class RegulatoryPath(StrEnum):
    """The usual legal path for a use (Waste Framework Directive, Finnish Waste Act, MARA)."""

    BY_PRODUCT = "by_product"
    END_OF_WASTE = "end_of_waste"
    MARA_NOTIFICATION = "mara_notification"
    ENVIRONMENTAL_PERMIT = "environmental_permit"
    PRODUCT_REACH = "product_reach"
    NONE = "none"


@dataclass(frozen=True)
class RouteRequirement:
    property_code: str
    unit: str
    min_value: float | None
    max_value: float | None
    source: str


@dataclass(frozen=True)
class ValorisationRoute:
    route_id: str
    name: str
    description: str
    input_material_class_codes: tuple[str, ...]
    product: str
    replaces_virgin_material_code: str
    substitution_ratio: float  # virgin units replaced per unit of side stream
    receiving_nace_codes: tuple[str, ...]
    trl: int
    regulatory_path: RegulatoryPath
    permit_notes: str
    requirements: tuple[RouteRequirement, ...]
    sources: tuple[str, ...]
    source_urls: tuple[str, ...]


@dataclass(frozen=True)
class WasteCodeClass:
    """One List of Waste code's link to a material class, with how sure the link is."""

    ewc_code: str
    material_class_code: str
    confidence: float  # 0..1
    basis: str


class TransportModeName(StrEnum):
    ROAD = "road"
    RAIL = "rail"
    SEA = "sea"


@dataclass(frozen=True)
class TransportMode:
    mode: TransportModeName
    circuity_factor: float  # network distance / great-circle distance
    circuity_source: str
    co2e_kg_per_tkm: float  # tank-to-wheel plus well-to-tank where the source gives it
    co2e_sources: tuple[str, ...]
    cost_eur_per_tkm: float | None
    cost_source: str
    requires: str | None  # None (road), "rail_siding" or "port"


@dataclass(frozen=True)
class VirginMaterialFactor:
    """Cradle-to-gate emissions of a virgin material, from the cited factor table."""

    virgin_material_code: str
    co2e_t_per_unit: float  # t CO2e per t (or MWh) of the virgin material
    item: str
    source: str
    is_verified: bool
    note: str


@dataclass(frozen=True)
class KnowledgeBase:
    routes: tuple[ValorisationRoute, ...]
    waste_code_classes: tuple[WasteCodeClass, ...]
    transport_modes: tuple[TransportMode, ...]  # road, rail, sea
    virgin_factors: dict[str, VirginMaterialFactor]

    @cached_property
    def routes_by_id(self) -> dict[str, ValorisationRoute]:
        return {route.route_id: route for route in self.routes}

    def classes_of_waste_code(self, ewc_code: str) -> list[WasteCodeClass]:
        return [link for link in self.waste_code_classes if link.ewc_code == ewc_code]
