"""The map's read model over an in-memory fake of the unit of work: where each listing is drawn
for each reader, the material class filter, and the GeoJSON it becomes."""

from __future__ import annotations

from datetime import date

import pytest

from sidestream.domain.accounts import Principal
from sidestream.domain.errors import InvalidInput
from sidestream.domain.organisations import Organisation, Site
from sidestream.domain.reference import ReferenceData
from sidestream.domain.streams import (
    ManagementRoute,
    Need,
    PhysicalForm,
    SideStream,
    Visibility,
)
from sidestream.services.geo import (
    AreaOutline,
    LocationKind,
    listings_feature_collection,
    map_listings,
    outline_feature_collection,
)
from tests.unit.services.test_flows import FakeUnitOfWork, _quantity

TODAY = date(2026, 11, 23)
TORNIO = "851"


def _stream(stream_id: int, site_id: int, material: str, visibility: Visibility) -> SideStream:
    return SideStream(
        1,
        site_id,
        f"Secret works stream {stream_id}",
        material,
        PhysicalForm.SOLID,
        _quantity(1234),
        ManagementRoute.LANDFILL,
        visibility,
        date(2030, 1, 1),
        stream_id=stream_id,
    )


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    sites = [
        Site("Röyttä works", 65.764, 24.189, TORNIO, site_id=10, organisation_id=1),
        Site("Luleå office", 65.58, 22.15, None, site_id=11, organisation_id=1),
    ]
    fake.organisations.items = [Organisation("Steel Oy", sites=sites, organisation_id=1)]
    fake.streams.items = [
        _stream(1, 10, "ferrochrome_slag", Visibility.PUBLIC),
        _stream(2, 10, "ferrochrome_slag", Visibility.PUBLIC_ANONYMOUS),
        _stream(3, 10, "mill_scale", Visibility.PRIVATE),
        _stream(4, 11, "mill_scale", Visibility.PUBLIC_ANONYMOUS),
    ]
    fake.needs.items = [
        Need(
            1,
            10,
            "Aggregate wanted",
            _quantity(500),
            100.0,
            Visibility.PUBLIC,
            date(2030, 1, 1),
            accepted_material_class_codes=("ferrochrome_slag", "crushed_concrete"),
            need_id=1,
        )
    ]
    return fake


def test_each_reader_sees_a_listing_where_their_access_allows(
    uow: FakeUnitOfWork, reference: ReferenceData
) -> None:
    public = {
        (listing.view.kind, listing.view.listing_id): listing
        for listing in map_listings(uow, reference, Principal.anonymous(), TODAY).listings
    }
    assert set(public) == {("stream", 1), ("stream", 2), ("stream", 4), ("need", 1)}
    at_site = public[("stream", 1)]
    assert at_site.location is LocationKind.SITE
    assert (at_site.latitude_deg, at_site.longitude_deg) == (65.764, 24.189)
    anonymous = public[("stream", 2)]
    tornio = reference.municipalities[TORNIO]
    assert anonymous.location is LocationKind.MUNICIPALITY_CENTRE
    assert (anonymous.latitude_deg, anonymous.longitude_deg) == (
        tornio.centre_latitude_deg,
        tornio.centre_longitude_deg,
    )
    assert anonymous.municipality == "Tornio"
    abroad = public[("stream", 4)]  # anonymous, with no municipality to stand in for its site
    assert abroad.location is None and abroad.latitude_deg is None
    facilitator = map_listings(uow, reference, Principal(1, is_facilitator=True), TODAY)
    assert {listing.location for listing in facilitator.listings} == {LocationKind.SITE}
    assert len(facilitator.listings) == 5


def test_the_filter_keeps_a_class_and_the_needs_accepting_it(
    uow: FakeUnitOfWork, reference: ReferenceData
) -> None:
    shown = map_listings(uow, reference, Principal.anonymous(), TODAY, "ferrochrome_slag")
    keys = [(listing.view.kind, listing.view.listing_id) for listing in shown.listings]
    assert keys == [("stream", 1), ("stream", 2), ("need", 1)]
    assert shown.material_class_names == {
        "crushed_concrete": "Crushed concrete",
        "ferrochrome_slag": "Ferrochrome slag",
    }
    with pytest.raises(InvalidInput) as refused:
        map_listings(uow, reference, Principal.anonymous(), TODAY, "kryptonite")
    assert refused.value.errors[0].field == "material_class_code"


def test_the_geojson_withholds_what_the_view_withholds(
    uow: FakeUnitOfWork, reference: ReferenceData
) -> None:
    collection = listings_feature_collection(
        map_listings(uow, reference, Principal.anonymous(), TODAY)
    )
    assert collection["type"] == "FeatureCollection"
    features = {feature["id"]: feature for feature in collection["features"]}
    anonymous = features["stream-2"]
    assert anonymous["properties"]["organisation_name"] is None
    assert anonymous["properties"]["site_name"] is None
    assert anonymous["properties"]["title"] == "Ferrochrome slag"
    assert "Secret works" not in str(anonymous)
    assert anonymous["geometry"]["coordinates"] != [24.189, 65.764]
    assert features["stream-4"]["geometry"] is None
    public = features["stream-1"]
    assert public["geometry"] == {"type": "Point", "coordinates": [24.189, 65.764]}
    assert public["properties"]["material_class_codes"] == ["ferrochrome_slag"]
    assert public["properties"]["organisation_name"] == "Steel Oy"


def test_outlines_name_their_code_as_asked() -> None:
    square = {"type": "Polygon", "coordinates": [[[25, 66], [26, 66], [26, 67], [25, 66]]]}
    collection = outline_feature_collection(
        [AreaOutline("19", "Lappi", "Lappland", square)], "region_code"
    )
    assert collection["features"][0]["properties"] == {
        "region_code": "19",
        "name_fi": "Lappi",
        "name_sv": "Lappland",
    }
    assert collection["features"][0]["geometry"] == square
