"""The map's GeoJSON over real HTTP on SQLite and PostgreSQL: every listing where the reader may
see it (an anonymous listing at its municipality's centre, never its site), none the reader may
not see, the material class filter, the outlines served from the package, and the map page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from sidestream.adapters.datasets.demo import load_demo_tables
from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import Principal
from sidestream.domain.organisations import Site
from sidestream.domain.streams import Need, SideStream, Visibility
from sidestream.entrypoints.server import create_app
from sidestream.services.demo import build_demo_region
from sidestream.services.listings import registry_view
from tests.integration.test_api_flows import Readers, add_readers
from tests.integration.test_web_auth import INLINE_SCRIPT, _prepare
from tests.support.server import running_server

LISTINGS = "/api/v1/map/listings.geojson"


@dataclass
class MapSite:
    url: str
    container: Container
    readers: Readers
    listings: dict[tuple[str, int], SideStream | Need]
    sites: dict[int, Site]

    def get(self, path: str, token: str | None = None, **headers: str) -> httpx.Response:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.get(self.url + path, headers=headers, timeout=30)

    def site_of(self, feature: dict[str, object]) -> Site:
        properties = feature["properties"]
        assert isinstance(properties, dict)
        listing = self.listings[(properties["kind"], properties["listing_id"])]
        return self.sites[listing.site_id]


def _serve(container: Container, **settings: object) -> Iterator[MapSite]:
    _prepare(container, **settings)
    build_demo_region(
        load_demo_tables(),
        container.unit_of_work,
        container.reference,
        container.regulatory_knowledge,
        container.today(),
        container.clock.now(),
    )
    with container.unit_of_work() as uow:
        listings: dict[tuple[str, int], SideStream | Need] = {
            ("stream", s.stream_id): s for s in uow.streams.list_all() if s.stream_id
        }
        listings |= {("need", n.need_id): n for n in uow.needs.list_all() if n.need_id}
        organisations = uow.organisations.list_all()
    sites = {site.site_id: site for o in organisations for site in o.sites if site.site_id}
    owner = next(iter(listings.values())).organisation_id
    readers = add_readers(container, owner)
    with running_server(create_app(container)) as url:
        yield MapSite(url, container, readers, listings, sites)


@pytest.fixture
def site(container: Container) -> Iterator[MapSite]:
    yield from _serve(container)


def _point(feature: dict[str, object]) -> tuple[float, float]:
    geometry = feature["geometry"]
    assert isinstance(geometry, dict) and geometry["type"] == "Point"
    longitude, latitude = geometry["coordinates"]
    return latitude, longitude


def test_the_public_sees_an_anonymous_listing_at_its_municipality_not_its_site(
    site: MapSite,
) -> None:
    response = site.get(LISTINGS)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    anonymous = [f for f in collection["features"] if f["properties"]["access"] == "anonymous"]
    public = [f for f in collection["features"] if f["properties"]["access"] == "public"]
    assert anonymous and public
    municipalities = site.container.reference.municipalities
    for feature in anonymous:
        properties = feature["properties"]
        where = site.site_of(feature)
        assert where.municipality_code is not None
        centre = municipalities[where.municipality_code]
        assert _point(feature) == (centre.centre_latitude_deg, centre.centre_longitude_deg)
        assert _point(feature) != (where.latitude_deg, where.longitude_deg)
        assert properties["location"] == "municipality_centre"
        assert properties["municipality"] == centre.name_fi
        assert properties["organisation_name"] is None and properties["site_name"] is None
        # The site's point is nowhere in the answer (unless a public listing shares the site).
        shared = any(site.site_of(other) == where for other in public)
        pair = f"[{where.longitude_deg},{where.latitude_deg}]"
        assert shared or pair not in response.text.replace(" ", "")
    for feature in public:
        where = site.site_of(feature)
        assert _point(feature) == (where.latitude_deg, where.longitude_deg)
        assert feature["properties"]["location"] == "site"
        assert feature["properties"]["organisation_name"]


def test_private_and_partner_listings_are_absent_for_the_public(site: MapSite) -> None:
    features = site.get(LISTINGS).json()["features"]
    shown = {(f["properties"]["kind"], f["properties"]["listing_id"]) for f in features}
    hidden = {
        key
        for key, listing in site.listings.items()
        if listing.visibility in (Visibility.PRIVATE, Visibility.PARTNERS)
    }
    assert hidden and not shown & hidden
    view = registry_view(
        site.container.unit_of_work,
        site.container.reference,
        Principal.anonymous(),
        site.container.today(),
    )
    assert shown == {(v.kind, v.listing_id) for v in view.streams + view.needs}


def test_facilitators_see_every_listing_at_its_site(site: MapSite) -> None:
    response = site.get(LISTINGS, site.readers.facilitator_token)
    features = response.json()["features"]
    assert len(features) == len(site.listings)
    for feature in features:
        where = site.site_of(feature)
        assert _point(feature) == (where.latitude_deg, where.longitude_deg)
        assert feature["properties"]["access"] == "full"
    assert response.headers["cache-control"] == "private, no-store"


def test_members_see_their_own_private_listings_at_their_sites(site: MapSite) -> None:
    owner = site.readers.member_organisation_id
    features = site.get(LISTINGS, site.readers.member_token).json()["features"]
    own = {
        (f["properties"]["kind"], f["properties"]["listing_id"])
        for f in features
        if f["properties"]["access"] == "full"
    }
    assert own == {
        key for key, listing in site.listings.items() if listing.organisation_id == owner
    }


def test_the_material_class_filter_keeps_its_streams_and_the_needs_accepting_it(
    site: MapSite,
) -> None:
    everything = site.get(LISTINGS).json()
    code = "ferrochrome_slag"
    assert code in everything["material_class_names"]
    filtered = site.get(f"{LISTINGS}?material_class_code={code}").json()
    expected = [
        f for f in everything["features"] if code in f["properties"]["material_class_codes"]
    ]
    assert 0 < len(filtered["features"]) == len(expected) < len(everything["features"])
    assert all(code in f["properties"]["material_class_codes"] for f in filtered["features"])
    refused = site.get(f"{LISTINGS}?material_class_code=unobtainium")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "material_class_code"


def test_outlines_come_from_the_package_and_may_be_cached(site: MapSite) -> None:
    reference = site.container.reference
    response = site.get("/api/v1/map/municipalities.geojson")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=86400"
    municipalities = response.json()["features"]
    assert {f["properties"]["municipality_code"] for f in municipalities} == set(
        reference.municipalities
    )
    tornio = next(f for f in municipalities if f["properties"]["municipality_code"] == "851")
    assert tornio["properties"]["name_fi"] == "Tornio"
    assert tornio["geometry"]["type"] in ("Polygon", "MultiPolygon")
    regions = site.get("/api/v1/map/regions.geojson").json()["features"]
    assert {f["properties"]["region_code"] for f in regions} == {
        m.region_code for m in reference.municipalities.values()
    }
    again = site.get(
        "/api/v1/map/municipalities.geojson", **{"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""


def test_the_map_page_loads_its_libraries_from_the_package(site: MapSite) -> None:
    response = site.get("/map")
    assert response.status_code == 200
    assert not INLINE_SCRIPT.search(response.text)
    assert ' style="' not in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    scripts = re.findall(r'<script src="([^"]+)"', response.text)
    assert "/static/vendor/leaflet/leaflet.js" in scripts and "/static/map.js" in scripts
    for path in [*scripts, *re.findall(r'<link rel="stylesheet" href="([^"]+)"', response.text)]:
        assert path.startswith("/static/"), path
        assert site.get(path).status_code == 200, path
    assert 'data-tile-url=""' in response.text
    twin = site.get("/map.json").json()
    assert twin["features"] == site.get(LISTINGS).json()["features"]


@pytest.fixture
def tiled(sqlite_container: Container) -> Iterator[MapSite]:
    yield from _serve(
        sqlite_container,
        map_tile_url="https://{s}.tiles.example.org/{z}/{x}/{y}.png",
        map_tile_attribution='© Example <contributors> & "friends"',
    )


def test_a_configured_tile_server_is_named_on_the_page_and_allowed_by_its_policy(
    tiled: MapSite,
) -> None:
    response = tiled.get("/map")
    policy = response.headers["content-security-policy"]
    assert policy.startswith("default-src 'self'")
    assert policy.endswith("img-src 'self' https://*.tiles.example.org")
    assert 'data-tile-url="https://{s}.tiles.example.org/{z}/{x}/{y}.png"' in response.text
    assert "&lt;contributors&gt; &amp; &#34;friends&#34;" in response.text
    # Only the map page widens the policy.
    assert "img-src" not in tiled.get("/").headers["content-security-policy"]
