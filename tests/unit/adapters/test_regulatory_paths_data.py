"""What each use requires in law loads and validates: every route's regulation stated, every
requirement a known kind with its legal source, every rule set named one that ships; and
broken data stops the load."""

from __future__ import annotations

import pytest

from sidestream.adapters.datasets.files import read_data_csv
from sidestream.adapters.datasets.regulation import load_regulation_data
from sidestream.adapters.datasets.regulatory_paths import (
    build_regulatory_knowledge,
    load_regulatory_knowledge,
)
from sidestream.domain.errors import ReferenceDataError
from sidestream.domain.regulation import RegulatoryStatus
from sidestream.domain.routes import KnowledgeBase, RegulatoryPath


def _route_ids(knowledge_base: KnowledgeBase) -> list[str]:
    return [route.route_id for route in knowledge_base.routes]


def test_every_route_states_its_requirements_and_rule_sets(knowledge_base: KnowledgeBase) -> None:
    knowledge = load_regulatory_knowledge(_route_ids(knowledge_base), load_regulation_data())
    assert set(knowledge.routes) == set(_route_ids(knowledge_base))
    for kind in knowledge.kinds.values():
        assert kind.legal_source and kind.source_locator
    assert knowledge.kinds["by_product_assessment"].fulfilled_by_status is (
        RegulatoryStatus.BY_PRODUCT
    )
    assert not knowledge.kinds["reach_registration"].per_use
    # The routes' usual legal path and their requirements agree.
    for route in knowledge_base.routes:
        codes = {code for group in knowledge.routes[route.route_id].requirements for code in group}
        expected = {
            RegulatoryPath.MARA_NOTIFICATION: "mara_notification",
            RegulatoryPath.END_OF_WASTE: "end_of_waste_decision",
            RegulatoryPath.BY_PRODUCT: "by_product_assessment",
        }.get(route.regulatory_path)
        if expected is not None:
            assert expected in codes, route.route_id
        if route.regulatory_path is RegulatoryPath.NONE:
            assert not codes, route.route_id
    mara = knowledge.routes["ash_earth_construction_mara"]
    assert mara.requirements == (("mara_notification",),)
    assert mara.rule_set_ids == ("fi_mara_covered", "fi_mara_paved")
    assert knowledge.routes["crushed_concrete_road_base"].requirements == (
        ("end_of_waste_decision", "mara_notification"),
    )
    assert knowledge.routes["wood_ash_forest_fertiliser"].rule_set_ids == (
        "fi_forest_ash_fertiliser",
    )


@pytest.mark.parametrize(
    ("table", "change", "message"),
    [
        (0, {"holder": "somebody"}, "holder must be one of"),
        (0, {"legal_source": " "}, "legal_source is required"),
        (0, {"per_use": "maybe"}, "per_use must be one of"),
        (0, {"fulfilled_by_status": "treasure"}, "fulfilled_by_status must be one of"),
        (1, {"requirements": "environmental_permit;teleport_permit"}, "unknown requirement"),
        (1, {"rule_set_ids": "eu_landfill_lunar"}, "unknown rule set"),
        (1, {"route_id": "moon_base"}, "not a valorisation route"),
        (1, {"source": ""}, "no source"),
    ],
)
def test_broken_regulation_data_stops_the_load(
    knowledge_base: KnowledgeBase, table: int, change: dict[str, str], message: str
) -> None:
    tables = [
        read_data_csv("reference/regulatory_requirements.csv"),
        read_data_csv("reference/route_regulation.csv"),
    ]
    tables[table][0] = tables[table][0] | change
    with pytest.raises(ReferenceDataError, match=message):
        build_regulatory_knowledge(
            tables[0], tables[1], _route_ids(knowledge_base), load_regulation_data()
        )


def test_a_route_without_its_regulation_stops_the_load(knowledge_base: KnowledgeBase) -> None:
    routes = read_data_csv("reference/route_regulation.csv")[1:]
    with pytest.raises(ReferenceDataError, match="its regulation is not stated"):
        build_regulatory_knowledge(
            read_data_csv("reference/regulatory_requirements.csv"),
            routes,
            _route_ids(knowledge_base),
            load_regulation_data(),
        )
