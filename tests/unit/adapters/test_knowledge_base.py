"""The shipped knowledge base loads, is cited and covers the region's practical cases."""

from __future__ import annotations

from sidestream.domain.reference import ReferenceData
from sidestream.domain.routes import KnowledgeBase, TransportModeName


def test_routes_are_many_cited_and_cover_the_showcase_cases(
    knowledge_base: KnowledgeBase, reference: ReferenceData
) -> None:
    routes = knowledge_base.routes
    assert len(routes) >= 40
    assert all(route.sources and 1 <= route.trl <= 9 for route in routes)
    replaced = {route.replaces_virgin_material_code for route in routes}
    assert {"calcium_chloride", "clay_till_cover", "mineral_fertiliser", "cement"} <= replaced
    geopolymer = [r for r in routes if "geopolymer" in r.route_id]
    assert geopolymer and any(
        "slag" in code for r in geopolymer for code in r.input_material_class_codes
    )
    for route in routes:
        for requirement in route.requirements:
            assert requirement.source
            assert requirement.property_code in reference.properties


def test_transport_modes_carry_cited_emission_factors(knowledge_base: KnowledgeBase) -> None:
    modes = {mode.mode: mode for mode in knowledge_base.transport_modes}
    assert list(modes) == list(TransportModeName)
    assert modes[TransportModeName.ROAD].requires is None
    assert modes[TransportModeName.RAIL].requires == "rail_siding"
    assert modes[TransportModeName.SEA].requires == "port"
    road = modes[TransportModeName.ROAD]
    # DEFRA 2025 articulated >33 t, average laden, plus its well-to-tank add-on
    assert abs(road.co2e_kg_per_tkm - (0.07703 + 0.01799)) < 1e-9
    assert all(mode.circuity_factor >= 1 and mode.circuity_source for mode in modes.values())


def test_every_waste_code_link_is_valid(
    knowledge_base: KnowledgeBase, reference: ReferenceData
) -> None:
    totals: dict[str, float] = {}
    for link in knowledge_base.waste_code_classes:
        assert link.ewc_code in reference.waste_codes
        assert link.material_class_code in reference.material_classes
        totals[link.ewc_code] = totals.get(link.ewc_code, 0.0) + link.confidence
    assert max(totals.values()) <= 1.0 + 1e-9
    assert totals["100105"] == 1.0  # FGD gypsum is named by its code
