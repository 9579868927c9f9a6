"""The registry as each kind of reader sees it, on the demo region and both databases."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime

import pytest

from sidestream.adapters.datasets.demo import load_demo_tables
from sidestream.bootstrap.container import Container
from sidestream.domain.access import Access
from sidestream.domain.accounts import Principal
from sidestream.domain.streams import Need, SideStream, Visibility
from sidestream.services.accounts import set_partners
from sidestream.services.demo import build_demo_region
from sidestream.services.listings import registry_view

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


def _listings(container: Container) -> tuple[list[SideStream], list[Need]]:
    with container.unit_of_work() as uow:
        return uow.streams.list_all(), uow.needs.list_all()


def _owner_of_a_partner_tier_stream(container: Container) -> SideStream:
    streams, _ = _listings(container)
    return next(s for s in streams if s.visibility is Visibility.PARTNERS)


def test_the_public_sees_no_private_or_partner_listing_and_no_cost(demo: Container) -> None:
    view = registry_view(demo.unit_of_work, demo.reference, Principal.anonymous(), date.today())
    streams, needs = _listings(demo)
    tiers = {("stream", s.stream_id): s.visibility for s in streams}
    tiers |= {("need", n.need_id): n.visibility for n in needs}
    names = {s.stream_id: s.name for s in streams}
    costs = {s.stream_id: s.management_cost_eur_per_unit for s in streams}
    for listing in view.streams + view.needs:
        tier = tiers[(listing.kind, listing.listing_id)]
        assert tier in (Visibility.PUBLIC, Visibility.PUBLIC_ANONYMOUS)
        assert listing.cost_eur_per_unit is None and listing.visibility is None
        if tier is Visibility.PUBLIC_ANONYMOUS:
            assert listing.access is Access.ANONYMOUS
            assert listing.organisation_name is None and listing.site_name is None
            assert listing.description is None and listing.price_eur_per_unit is None
            name = names.get(listing.listing_id) if listing.kind == "stream" else None
            if name is not None and name != listing.material:  # a name may be the class's
                assert name not in str(asdict(listing))
        else:
            assert listing.access is Access.PUBLIC
    hidden = sum(1 for s in streams if s.visibility in (Visibility.PRIVATE, Visibility.PARTNERS))
    assert view.hidden_stream_count >= hidden > 0
    assert any(cost is not None for cost in costs.values())


def test_owners_and_facilitators_see_their_costs_and_tiers(demo: Container) -> None:
    stream = _owner_of_a_partner_tier_stream(demo)
    owner = Principal(user_id=1, organisation_ids=frozenset({stream.organisation_id}))
    view = registry_view(demo.unit_of_work, demo.reference, owner, date.today())
    own = {v.listing_id: v for v in view.streams if v.access is Access.FULL}
    assert stream.stream_id in own
    assert own[stream.stream_id].visibility is Visibility.PARTNERS
    assert own[stream.stream_id].cost_eur_per_unit == stream.management_cost_eur_per_unit
    streams, needs = _listings(demo)
    assert all(
        (v.access is Access.FULL)
        == (
            next(s for s in streams if s.stream_id == v.listing_id).organisation_id
            == stream.organisation_id
        )
        for v in view.streams
    )
    facilitator = Principal(user_id=2, is_facilitator=True)
    everything = registry_view(demo.unit_of_work, demo.reference, facilitator, date.today())
    assert len(everything.streams) == len(streams) and len(everything.needs) == len(needs)
    assert all(v.access is Access.FULL for v in everything.streams + everything.needs)


def test_partners_see_partner_listings_without_costs_once_named(demo: Container) -> None:
    stream = _owner_of_a_partner_tier_stream(demo)
    with demo.unit_of_work() as uow:
        others = [
            o.organisation_id
            for o in uow.organisations.list_all()
            if o.organisation_id not in (None, stream.organisation_id)
        ]
    partner = others[0]
    assert partner is not None
    reader = Principal(user_id=3, organisation_ids=frozenset({partner}))

    def seen() -> dict[int, Access]:
        view = registry_view(demo.unit_of_work, demo.reference, reader, date.today())
        return {v.listing_id: v.access for v in view.streams}

    assert stream.stream_id not in seen()
    set_partners(demo.unit_of_work, Principal.operator(), stream.organisation_id, [partner], NOW)
    assert seen()[stream.stream_id] is Access.PUBLIC
    view = registry_view(demo.unit_of_work, demo.reference, reader, date.today())
    shown = next(v for v in view.streams if v.listing_id == stream.stream_id)
    assert shown.cost_eur_per_unit is None and shown.organisation_name is not None


def test_expired_listings_are_shown_only_to_those_who_can_renew_them(demo: Container) -> None:
    streams, _ = _listings(demo)
    public = next(s for s in streams if s.visibility is Visibility.PUBLIC)
    later = date(2100, 1, 1)
    anonymous = registry_view(demo.unit_of_work, demo.reference, Principal.anonymous(), later)
    assert anonymous.streams == [] and anonymous.needs == []
    owner = Principal(user_id=1, organisation_ids=frozenset({public.organisation_id}))
    own = registry_view(demo.unit_of_work, demo.reference, owner, later)
    assert public.stream_id in {v.listing_id for v in own.streams}
