"""Load and validate the outlines of Finland's municipalities and regions shipped in
sidestream/data/reference/geo/ (National Land Survey of Finland, simplified; see PROVENANCE.md).

A malformed file is a packaging defect: ReferenceDataError. The outlines must name exactly the
municipalities and regions of the reference data, with the same Finnish names."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from importlib import resources
from typing import Any

from sidestream.domain.errors import ReferenceDataError
from sidestream.domain.reference import ReferenceData
from sidestream.services.geo import AreaOutline, AreaOutlines

MUNICIPALITIES_FILE = "reference/geo/kuntarajat_2024_nls_simplified.geojson"
REGIONS_FILE = "reference/geo/maakuntarajat_2024_nls_simplified.geojson"
# Finland with Åland and a margin, in degrees: a point outside is a broken file.
FINLAND_LONGITUDE_DEG = (19.0, 32.0)
FINLAND_LATITUDE_DEG = (59.0, 70.5)


def load_area_outlines(reference: ReferenceData) -> AreaOutlines:
    municipalities = _load(MUNICIPALITIES_FILE, code_digits=3)
    expected = {
        code: municipality.name_fi for code, municipality in reference.municipalities.items()
    }
    _check_names(MUNICIPALITIES_FILE, municipalities, expected)
    regions = _load(REGIONS_FILE, code_digits=2)
    expected_regions = {
        municipality.region_code: municipality.region_name_fi
        for municipality in reference.municipalities.values()
    }
    _check_names(REGIONS_FILE, regions, expected_regions)
    return AreaOutlines(municipalities=municipalities, regions=regions)


def _read(name: str) -> Any:
    resource = resources.files("sidestream").joinpath("data", *name.split("/"))
    try:
        return json.loads(resource.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ReferenceDataError(f"packaged data file {name} is missing") from error
    except ValueError as error:
        raise ReferenceDataError(f"{name} is not JSON: {error}") from error


def _load(name: str, code_digits: int) -> tuple[AreaOutline, ...]:
    data = _read(name)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ReferenceDataError(f"{name} is not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ReferenceDataError(f"{name} has no features")
    outlines = []
    for number, feature in enumerate(features, start=1):
        where = f"{name} feature {number}"
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            raise ReferenceDataError(f"{where} has no properties")
        code = properties.get("NATCODE")
        if not (isinstance(code, str) and code.isdigit() and len(code) == code_digits):
            raise ReferenceDataError(f"{where}: bad NATCODE {code!r}")
        names = properties.get("NAMEFIN"), properties.get("NAMESWE")
        if not all(isinstance(text, str) and text for text in names):
            raise ReferenceDataError(f"{where} ({code}) lacks its Finnish or Swedish name")
        geometry = feature.get("geometry")
        _check_geometry(geometry, f"{where} ({code})")
        outlines.append(AreaOutline(code, str(names[0]), str(names[1]), geometry))
    return tuple(sorted(outlines, key=lambda outline: outline.area_code))


def _check_geometry(geometry: object, where: str) -> None:
    if not isinstance(geometry, dict):
        raise ReferenceDataError(f"{where} has no geometry")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon" and isinstance(coordinates, list):
        polygons = coordinates
    else:
        raise ReferenceDataError(f"{where}: geometry {kind!r} is not a polygon")
    if not polygons:
        raise ReferenceDataError(f"{where}: empty geometry")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ReferenceDataError(f"{where}: a polygon without rings")
        for ring in polygon:
            _check_ring(ring, where)


def _check_ring(ring: object, where: str) -> None:
    if not isinstance(ring, list) or len(ring) < 4 or ring[0] != ring[-1]:
        raise ReferenceDataError(f"{where}: a ring is not closed or has fewer than 4 positions")
    low_lon, high_lon = FINLAND_LONGITUDE_DEG
    low_lat, high_lat = FINLAND_LATITUDE_DEG
    for position in ring:
        if not (
            isinstance(position, list)
            and len(position) == 2
            and all(isinstance(value, int | float) and math.isfinite(value) for value in position)
            and low_lon <= position[0] <= high_lon
            and low_lat <= position[1] <= high_lat
        ):
            raise ReferenceDataError(f"{where}: position {position!r} is not a point in Finland")


def _check_names(name: str, outlines: tuple[AreaOutline, ...], expected: Mapping[str, str]) -> None:
    found = {outline.area_code: outline.name_fi for outline in outlines}
    if len(found) != len(outlines):
        raise ReferenceDataError(f"{name} repeats a code")
    missing = sorted(set(expected) - set(found))
    unknown = sorted(set(found) - set(expected))
    if missing or unknown:
        raise ReferenceDataError(f"{name}: outlines missing for {missing}, unknown codes {unknown}")
    renamed = sorted(code for code in found if found[code] != expected[code])
    if renamed:
        raise ReferenceDataError(f"{name}: names differ from the reference data for {renamed}")
