"""Matching the registry: proposals are stored with reasons, decisions teach the matcher."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from sidestream.adapters.datasets.demo import load_demo_tables
from sidestream.bootstrap.container import Container
from sidestream.domain.errors import InvalidInput, NotFound
from sidestream.domain.proposals import Decision, ProposalStatus, Side, standing_declines
from sidestream.services.demo import build_demo_region
from sidestream.services.matching import (
    MatchingReport,
    decide_proposal,
    match_listing,
    run_matching,
)

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.fixture
def demo(container: Container) -> Container:
    build_demo_region(
        load_demo_tables(),
        container.unit_of_work,
        container.reference,
        container.regulatory_knowledge,
        container.today(),
        container.clock.now(),
    )
    return container


def _match(container: Container, top_k: int = 20) -> MatchingReport:
    return run_matching(
        container.unit_of_work,
        container.reference,
        container.knowledge_base,
        container.today(),
        top_k,
    )


def test_matching_the_demo_region_stores_explained_proposals(demo: Container) -> None:
    report = _match(demo)
    again = _match(demo)

    assert report.proposals >= 60 and report.created == report.proposals
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    with demo.unit_of_work() as uow:
        records = uow.proposals.list_all()
        streams = {s.stream_id: s for s in uow.streams.list_all()}
        needs = {n.need_id: n for n in uow.needs.list_all()}
    assert len(records) == report.proposals
    for record in records:
        proposal = record.proposal
        factors = {factor.factor: factor for factor in proposal.factors}
        assert set(factors) >= {"distance", "quantity", "evidence", "months"}
        assert "km by" in factors["distance"].sentence
        assert 0 < proposal.score <= 1.5
        assert proposal.benefit.trace
        stream, need = streams[proposal.stream_id], needs[proposal.need_id]
        assert not stream.is_expired(demo.today()) and not need.is_expired(demo.today())
    # the four showcase cases of the region lead to proposals
    replaced = {needs[r.proposal.need_id].replaces_virgin_material_code for r in records}
    assert {"calcium_chloride", "clay_till_cover"} <= replaced
    assert replaced & {"mineral_fertiliser", "topsoil"}
    routes = {r.proposal.route_id for r in records}
    assert "mine_road_dust_binder" in routes
    # every listing without a proposal says why
    assert all(item.reasons for item in report.unmatched)


def test_property_sentences_quote_the_measurement_and_the_limit(demo: Container) -> None:
    _match(demo)
    with demo.unit_of_work() as uow:
        records = uow.proposals.list_all()
    sentences = [reason for r in records for reason in r.proposal.reasons]
    assert any("meets the minimum of" in s or "meets the maximum of" in s for s in sentences)
    assert any(" is not measured: a lab test must show" in s for s in sentences)


def test_a_declined_pair_stays_out_until_a_listing_changes(demo: Container) -> None:
    _match(demo)
    with demo.unit_of_work() as uow:
        record = uow.proposals.list_all()[0]
    assert record.proposal_id is not None
    with pytest.raises(InvalidInput, match="reason"):
        decide_proposal(demo.unit_of_work, record.proposal_id, Side.NEED, Decision.DECLINED, NOW)
    declined = decide_proposal(
        demo.unit_of_work,
        record.proposal_id,
        Side.NEED,
        Decision.DECLINED,
        NOW,
        reason="moisture too high for our mixer",
    )
    assert declined.status is ProposalStatus.DECLINED

    _match(demo)
    with demo.unit_of_work() as uow:
        kept = uow.proposals.get(record.proposal_id)
        assert kept is not None and kept.status is ProposalStatus.DECLINED  # decisions are kept
        stream = uow.streams.get(record.proposal.stream_id)
        assert stream is not None
        # a material change to the stream: twice the quantity
        uow.streams.update(
            replace(stream, quantity=replace(stream.quantity, amount=stream.quantity.amount * 2))
        )
        uow.commit()
    # the declined pair is matched again once the listing has changed (it is no longer blocked)
    with demo.unit_of_work() as uow:
        records = uow.proposals.list_all()
        streams = {s.stream_id: s for s in uow.streams.list_all()}
        needs = {n.need_id: n for n in uow.needs.list_all()}
    assert record.pair not in standing_declines(records, streams, needs)


def test_outcomes_adjust_later_scores_and_say_so(demo: Container) -> None:
    _match(demo)
    with demo.unit_of_work() as uow:
        first = uow.proposals.list_all()[0]
    assert first.proposal_id is not None
    for side in (Side.STREAM, Side.NEED):
        decide_proposal(demo.unit_of_work, first.proposal_id, side, Decision.ACCEPTED, NOW)
    _match(demo)
    with demo.unit_of_work() as uow:
        records = uow.proposals.list_all()
        streams = {s.stream_id: s for s in uow.streams.list_all()}
        needs = {n.need_id: n for n in uow.needs.list_all()}
    taught = streams[first.proposal.stream_id].material_class_code
    virgin = needs[first.proposal.need_id].replaces_virgin_material_code
    similar = [
        r
        for r in records
        if streams[r.proposal.stream_id].material_class_code == taught
        and needs[r.proposal.need_id].replaces_virgin_material_code == virgin
    ]
    learning = [f for r in similar for f in r.proposal.factors if f.factor == "learning"]
    assert learning
    assert all(f.value > 1.0 and "accepted 1 of 1 times" in f.sentence for f in learning)


def test_a_new_need_is_matched_without_a_full_run(demo: Container) -> None:
    _match(demo)
    with demo.unit_of_work() as uow:
        template = next(
            n for n in uow.needs.list_all() if n.replaces_virgin_material_code == "calcium_chloride"
        )
        new = uow.needs.add(replace(template, need_id=None, name="Second dust binder need"))
        uow.commit()
    assert new.need_id is not None
    proposals = match_listing(
        demo.unit_of_work, demo.reference, demo.knowledge_base, demo.today(), need_id=new.need_id
    )
    assert proposals and all(p.need_id == new.need_id for p in proposals)
    with demo.unit_of_work() as uow:
        stored = uow.proposals.for_listing(need_id=new.need_id)
    assert [r.proposal.stream_id for r in stored] == [
        p.stream_id for p in sorted(proposals, key=lambda p: (-p.score, p.stream_id))
    ]
    with pytest.raises(InvalidInput):
        match_listing(demo.unit_of_work, demo.reference, demo.knowledge_base, demo.today())


def test_a_listing_the_matcher_cannot_read_is_reported_not_dropped(demo: Container) -> None:
    with demo.unit_of_work() as uow:
        template = uow.streams.list_all()[0]
        odd = uow.streams.add(
            replace(
                template,
                stream_id=None,
                name="Stream with a retired property",
                properties=(replace(template.properties[0], property_code="unobtainium"),)
                if template.properties
                else (),
                material_class_code="retired_class",
            )
        )
        uow.commit()
    report = _match(demo)
    assert [(item.kind, item.listing_id) for item in report.not_evaluated] == [
        ("stream", odd.stream_id)
    ]
    assert "material class 'retired_class' is unknown" in report.not_evaluated[0].reasons[0]
    assert report.proposals > 0  # the others are matched as before
    assert odd.stream_id is not None
    with pytest.raises(InvalidInput, match="cannot be matched"):
        match_listing(
            demo.unit_of_work,
            demo.reference,
            demo.knowledge_base,
            demo.today(),
            stream_id=odd.stream_id,
        )
    with pytest.raises(NotFound):
        match_listing(
            demo.unit_of_work, demo.reference, demo.knowledge_base, demo.today(), need_id=99999
        )
