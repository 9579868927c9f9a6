"""The matcher uses the screening: a stream whose lab results exceed the limits of the use
ranks lower and its proposal says why; missing results are named as a lab test to do; the
other party, before acceptance, learns only that limits are exceeded, not the values."""

from __future__ import annotations

from datetime import date

import pytest

from sidestream.domain.access import Access
from sidestream.domain.disclosure import explain_proposal
from sidestream.domain.matching import (
    ExplanationContext,
    MatchingKnowledge,
    MatchingVocabulary,
    Proposal,
    evaluate_listing_pair,
)
from sidestream.domain.proposals import Side
from sidestream.domain.reference import ReferenceData
from sidestream.domain.regulation import Basis, LabResult, LimitValue, RuleSet, Screening, screen
from sidestream.domain.routes import KnowledgeBase
from tests.unit.domain.test_disclosure import MILL, MINE, TODAY, _need, _stream

ROUTE = "mine_road_dust_binder"  # lime mud for a need replacing calcium chloride
RULE_SET = RuleSet(
    rule_set_id="road_spreading",
    name="Limits for spreading on roads",
    use="dust binding",
    legal_source="a test's own rule set",
    source_locator="here",
    in_force_from=date(2020, 1, 1),
    limits=(
        LimitValue("cadmium", Basis.TOTAL, 2.5, "mg/kg", True),
        LimitValue("arsenic", Basis.TOTAL, 25.0, "mg/kg", True),
    ),
)


def _screening(*results: tuple[str, float]) -> Screening:
    return screen(
        RULE_SET,
        [
            LabResult(code, Basis.TOTAL, value, "mg/kg", "EN 13657", "Lab", date(2026, 5, 1))
            for code, value in results
        ],
    )


def _proposal(
    reference: ReferenceData, knowledge_base: KnowledgeBase, screening: Screening | None
) -> Proposal:
    knowledge = MatchingKnowledge(
        MatchingVocabulary.from_reference(reference),
        knowledge_base,
        screenings={} if screening is None else {(1, ROUTE): screening},
    )
    context = ExplanationContext(reference, knowledge)
    proposal = evaluate_listing_pair(_stream(), _need(), MILL, MINE, context, TODAY)
    assert isinstance(proposal, Proposal), proposal
    assert proposal.route_id == ROUTE
    return proposal


def test_exceeding_the_limits_of_the_use_halves_the_score_and_says_why(
    reference: ReferenceData, knowledge_base: KnowledgeBase
) -> None:
    plain = _proposal(reference, knowledge_base, None)
    # Cadmium 5 mg/kg is twice the 2.5 mg/kg limit; arsenic 10 is within 25.
    exceeding = _proposal(
        reference, knowledge_base, _screening(("cadmium", 5.0), ("arsenic", 10.0))
    )
    assert exceeding.score == pytest.approx(plain.score * 0.5)
    factor = next(f for f in exceeding.factors if f.factor == "regulation")
    assert factor.value == 0.5
    assert "score ×0.50" in factor.sentence
    assert (
        "lab results exceed 1 limit values of 'Limits for spreading on roads' "
        "(cadmium, total content: 2.0× the limit)" in exceeding.reasons
    )
    assert not any(f.factor == "regulation" for f in plain.factors)

    receiver = explain_proposal(
        exceeding,
        _stream(),
        _need(),
        reference,
        knowledge_base,
        Side.NEED,
        Access.ANONYMOUS,
    )
    (shown,) = [f for f in receiver.factors if f.factor == "regulation"]
    assert "exceed limit values of this use" in shown.sentence
    words = " ".join([*receiver.reasons, *(f.sentence for f in receiver.factors)])
    assert "cadmium" not in words and "2.0×" not in words


def test_results_within_or_missing_keep_the_score_and_name_the_lab_test_to_do(
    reference: ReferenceData, knowledge_base: KnowledgeBase
) -> None:
    plain = _proposal(reference, knowledge_base, None)
    within = _proposal(reference, knowledge_base, _screening(("cadmium", 2.5), ("arsenic", 1)))
    assert within.score == pytest.approx(plain.score)
    assert "lab results are within the limit values of 'Limits for spreading on roads'" in (
        within.reasons
    )
    missing = _proposal(reference, knowledge_base, _screening(("cadmium", 1.0)))
    assert missing.score == pytest.approx(plain.score)
    assert (
        "lab test needed: 1 limit values of 'Limits for spreading on roads' have no result"
        in missing.reasons
    )


def test_a_screening_of_another_stream_or_route_changes_nothing(
    reference: ReferenceData, knowledge_base: KnowledgeBase
) -> None:
    plain = _proposal(reference, knowledge_base, None)
    knowledge = MatchingKnowledge(
        MatchingVocabulary.from_reference(reference),
        knowledge_base,
        screenings={
            (2, ROUTE): _screening(("cadmium", 50.0)),
            (1, "slag_geopolymer_cover"): _screening(("cadmium", 50.0)),
        },
    )
    context = ExplanationContext(reference, knowledge)
    other = evaluate_listing_pair(_stream(), _need(), MILL, MINE, context, TODAY)
    assert isinstance(other, Proposal)
    assert other.score == pytest.approx(plain.score)
