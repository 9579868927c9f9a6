"""Read models of the map: the streams and needs a reader may see, each as a point, and the
outlines of Finland's municipalities and regions, as GeoJSON (RFC 7946: WGS84, longitude first).

Where a listing is drawn follows how much of it the reader may see (domain.access, decided in
services.listings.registry_view): at PUBLIC or FULL access, at its site; at ANONYMOUS access, at
the centre of its municipality, the same point for every anonymous listing there, so the map
never shows more than the registry's anonymous row (which names the municipality only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sidestream.domain.access import Access
from sidestream.domain.accounts import Principal
from sidestream.domain.organisations import Site
from sidestream.domain.reference import ReferenceData
from sidestream.domain.visibility import ListingView
from sidestream.services.listings import registry_view
from sidestream.services.ports import UnitOfWorkFactory


@dataclass(frozen=True)
class AreaOutline:
    """The boundary of a municipality or a region (maakunta)."""

    area_code: str  # Statistics Finland: municipality three digits, region two
    name_fi: str
    name_sv: str
    geometry: Mapping[str, Any]  # GeoJSON Polygon or MultiPolygon, WGS84 degrees


@dataclass(frozen=True)
class AreaOutlines:
    municipalities: tuple[AreaOutline, ...]
    regions: tuple[AreaOutline, ...]


class LocationKind(StrEnum):
    SITE = "site"  # the listing's site itself
    MUNICIPALITY_CENTRE = "municipality_centre"  # the centre of the site's municipality


@dataclass(frozen=True)
class MapListing:
    """A listing as the reader may see it, with where the map draws it (None: nowhere, an
    anonymous listing whose site lies outside Finland's municipalities)."""

    view: ListingView
    material_class_codes: tuple[str, ...]  # a stream's class; the classes a need accepts
    municipality: str | None  # Finnish name
    location: LocationKind | None
    latitude_deg: float | None
    longitude_deg: float | None


@dataclass(frozen=True)
class MapListings:
    listings: tuple[MapListing, ...]
    material_class_names: Mapping[str, str]  # every class the listings name, code → name


def map_listings(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    reader: Principal,
    today: date,
    material_class_code: str | None = None,
) -> MapListings:
    """The streams and needs the reader may see, with their points; with a material class, only
    the streams of that class and the needs that accept it (an unknown code is InvalidInput)."""
    wanted = None
    if material_class_code is not None:
        wanted = reference.material_class(material_class_code).material_class_code
    registry = registry_view(unit_of_work, reference, reader, today)
    with unit_of_work() as uow:
        snapshot = uow.registry_snapshot()
    # The site and classes of each listing; which fields the reader sees came from above.
    sites = {
        site.site_id: site for organisation in snapshot.organisations for site in organisation.sites
    }
    placed: dict[tuple[str, int], tuple[Site, tuple[str, ...]]] = {}
    for stream in snapshot.streams:
        if stream.stream_id is not None and stream.site_id in sites:
            key = ("stream", stream.stream_id)
            placed[key] = (sites[stream.site_id], (stream.material_class_code,))
    for need in snapshot.needs:
        if need.need_id is not None and need.site_id in sites:
            key = ("need", need.need_id)
            placed[key] = (sites[need.site_id], tuple(need.accepted_material_class_codes))
    listings = []
    for view in [*registry.streams, *registry.needs]:
        found = placed.get((view.kind, view.listing_id))
        if found is None:  # removed between the two reads
            continue
        site, codes = found
        if wanted is not None and wanted not in codes:
            continue
        listings.append(_placed(view, site, codes, reference))
    names = {
        code: reference.material_classes[code].name
        for listing in listings
        for code in listing.material_class_codes
        if code in reference.material_classes
    }
    return MapListings(tuple(listings), dict(sorted(names.items(), key=lambda item: item[1])))


def _placed(
    view: ListingView, site: Site, codes: tuple[str, ...], reference: ReferenceData
) -> MapListing:
    municipality = (
        reference.municipalities.get(view.municipality_code) if view.municipality_code else None
    )
    name = municipality.name_fi if municipality else None
    if view.access >= Access.PUBLIC:
        return MapListing(
            view, codes, name, LocationKind.SITE, site.latitude_deg, site.longitude_deg
        )
    if municipality is None:
        return MapListing(view, codes, name, None, None, None)
    return MapListing(
        view,
        codes,
        name,
        LocationKind.MUNICIPALITY_CENTRE,
        municipality.centre_latitude_deg,
        municipality.centre_longitude_deg,
    )


def listings_feature_collection(listings: MapListings) -> dict[str, Any]:
    """The listings as a GeoJSON FeatureCollection; `material_class_names` is a foreign member
    naming the classes the features list."""
    return {
        "type": "FeatureCollection",
        "material_class_names": dict(listings.material_class_names),
        "features": [_listing_feature(listing) for listing in listings.listings],
    }


def _listing_feature(listing: MapListing) -> dict[str, Any]:
    view = listing.view
    geometry = None
    if listing.latitude_deg is not None and listing.longitude_deg is not None:
        geometry = {"type": "Point", "coordinates": [listing.longitude_deg, listing.latitude_deg]}
    return {
        "type": "Feature",
        "id": f"{view.kind}-{view.listing_id}",
        "geometry": geometry,
        "properties": {
            "kind": view.kind,
            "listing_id": view.listing_id,
            "access": view.access.name.lower(),
            "title": view.title,
            "material": view.material,
            "material_class_codes": list(listing.material_class_codes),
            "quantity": view.quantity,
            "municipality_code": view.municipality_code,
            "municipality": listing.municipality,
            "organisation_name": view.organisation_name,
            "site_name": view.site_name,
            "location": listing.location.value if listing.location else None,
        },
    }


def outline_feature_collection(outlines: Sequence[AreaOutline], code_name: str) -> dict[str, Any]:
    """Outlines as a GeoJSON FeatureCollection; each feature's code is named `code_name`
    (municipality_code or region_code)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": outline.area_code,
                "geometry": dict(outline.geometry),
                "properties": {
                    code_name: outline.area_code,
                    "name_fi": outline.name_fi,
                    "name_sv": outline.name_sv,
                },
            }
            for outline in outlines
        ],
    }
