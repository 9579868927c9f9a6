"""Prospecting ranks routes and receiving industries from the knowledge base, with reasons."""

from __future__ import annotations

import pytest

from sidestream.adapters.text_similarity import MaterialTextMatcher
from sidestream.domain.errors import InvalidInput
from sidestream.domain.prospecting import MeasuredValue, class_weights
from sidestream.domain.reference import ReferenceData
from sidestream.domain.routes import KnowledgeBase
from sidestream.services.prospecting import prospect_stream


def _prospect(reference: ReferenceData, base: KnowledgeBase, matcher: MaterialTextMatcher, **kw):  # type: ignore[no-untyped-def]
    return prospect_stream(reference, base, matcher, **kw)


def test_green_liquor_dregs_lead_to_their_routes(
    reference: ReferenceData, knowledge_base: KnowledgeBase, text_matcher: MaterialTextMatcher
) -> None:
    result = _prospect(reference, knowledge_base, text_matcher, ewc_code="03 03 02")
    assert result.material_classes[0][0] == "green_liquor_dregs"
    routes = {route.route_id: route for route in result.routes}
    assert "mine_road_dust_binder" in routes or "waste_rock_cover_sealing_layer" in routes
    for route in result.routes:
        assert any("green liquor dregs" in reason for reason in route.reasons)
        assert any(reason.startswith("TRL ") for reason in route.reasons)
    scores = [route.score for route in result.routes]
    assert scores == sorted(scores, reverse=True)
    assert all(len(industry.nace_code) == 2 for industry in result.industries)
    assert all(industry.reasons[0].startswith("via '") for industry in result.industries)


def test_a_missed_requirement_lowers_the_route_and_says_so(
    reference: ReferenceData, knowledge_base: KnowledgeBase, text_matcher: MaterialTextMatcher
) -> None:
    plain = _prospect(reference, knowledge_base, text_matcher, ewc_code="03 03 02", limit=50)
    wet = _prospect(
        reference,
        knowledge_base,
        text_matcher,
        ewc_code="03 03 02",
        limit=50,
        measured=[MeasuredValue("moisture", 90, "%")],
    )
    before = {r.route_id: r for r in plain.routes}["mine_road_dust_binder"]
    after = {r.route_id: r for r in wet.routes}["mine_road_dust_binder"]
    assert after.score < before.score
    assert any("Moisture content 90 % misses the route's maximum 60 %" in r for r in after.reasons)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("puun lentotuhkaa kuorikattilalta", "fly_ash_biomass"),
        ("grönlutslam från massabruket", "green_liquor_dregs"),
        ("rikastushiekkaa kaivokselta", "mine_tailings"),
        ("spillvärme från kylvatten", "waste_heat_low"),
        ("crushed concrete from demolition", "crushed_concrete"),
    ],
)
def test_descriptions_in_three_languages_are_read(
    text_matcher: MaterialTextMatcher, text: str, expected: str
) -> None:
    similarity = text_matcher.similarities(text)
    assert max(similarity, key=lambda code: similarity[code]) == expected


def test_a_description_alone_is_enough(
    reference: ReferenceData, knowledge_base: KnowledgeBase, text_matcher: MaterialTextMatcher
) -> None:
    result = _prospect(
        reference, knowledge_base, text_matcher, ewc_code=None, text="meesa ja kalkkiliete"
    )
    assert result.material_classes[0][0] == "lime_mud"
    assert any("the description reads like lime mud" in r for r in result.routes[0].reasons)


def test_the_code_outweighs_the_description(knowledge_base: KnowledgeBase) -> None:
    weights = class_weights("100202", {"glass_cullet": 0.2}, knowledge_base)
    assert "glass_cullet" not in weights  # a weak resemblance does not override the code
    assert abs(sum(weights.values()) - 1.0) < 1e-9


def test_bad_input_names_the_field(
    reference: ReferenceData, knowledge_base: KnowledgeBase, text_matcher: MaterialTextMatcher
) -> None:
    with pytest.raises(InvalidInput) as rejected:
        _prospect(
            reference,
            knowledge_base,
            text_matcher,
            ewc_code="99 99 99",
            nace_code="C",
            measured=[MeasuredValue("cao", 5, "km"), MeasuredValue("unobtainium", 1, "%")],
        )
    fields = {error.field for error in rejected.value.errors}
    assert fields == {"ewc_code", "nace_code", "properties.cao", "properties"}
    with pytest.raises(InvalidInput, match="give a List of Waste code or a description"):
        _prospect(reference, knowledge_base, text_matcher, ewc_code=None, text="  ")
    with pytest.raises(InvalidInput, match="limit"):
        _prospect(reference, knowledge_base, text_matcher, ewc_code="100202", limit=0)
