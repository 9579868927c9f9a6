"""The packaged outlines load, agree with the reference data, and a broken file stops loading
with a ReferenceDataError that says what is wrong."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from sidestream.adapters.datasets import geo
from sidestream.domain.errors import ReferenceDataError
from sidestream.domain.reference import ReferenceData


def test_the_packaged_outlines_match_the_reference_data(reference: ReferenceData) -> None:
    outlines = geo.load_area_outlines(reference)
    assert len(outlines.municipalities) == 309 and len(outlines.regions) == 19
    assert {o.area_code for o in outlines.municipalities} == set(reference.municipalities)
    lapland = next(o for o in outlines.regions if o.area_code == "19")
    assert (lapland.name_fi, lapland.name_sv) == ("Lappi", "Lappland")
    assert all(o.geometry["type"] in ("Polygon", "MultiPolygon") for o in outlines.municipalities)


@pytest.fixture
def municipalities_file() -> dict[str, Any]:
    data = geo._read(geo.MUNICIPALITIES_FILE)
    assert isinstance(data, dict)
    return data


def _load_with(
    monkeypatch: pytest.MonkeyPatch, reference: ReferenceData, municipalities: object
) -> None:
    read = geo._read
    monkeypatch.setattr(
        geo, "_read", lambda name: municipalities if name == geo.MUNICIPALITIES_FILE else read(name)
    )
    geo.load_area_outlines(reference)


def _feature(data: dict[str, Any], code: str) -> dict[str, Any]:
    feature: dict[str, Any] = next(
        f for f in data["features"] if f["properties"]["NATCODE"] == code
    )
    return feature


def _first_ring(feature: dict[str, Any]) -> list[list[float]]:
    geometry = feature["geometry"]
    if geometry["type"] == "Polygon":
        ring: list[list[float]] = geometry["coordinates"][0]
    else:
        ring = geometry["coordinates"][0][0]
    return ring


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda d: d["features"].pop(), "outlines missing for"),
        (lambda d: _feature(d, "851")["properties"].update(NATCODE="999"), "unknown codes ['999']"),
        (lambda d: _feature(d, "851")["properties"].update(NATCODE="85"), "bad NATCODE '85'"),
        (lambda d: _feature(d, "851")["properties"].update(NAMEFIN="Torne"), "names differ"),
        (lambda d: _feature(d, "851").update(geometry={"type": "Point"}), "is not a polygon"),
        (lambda d: _first_ring(_feature(d, "851")).pop(), "not closed"),
        (lambda d: _first_ring(_feature(d, "851"))[1].reverse(), "not a point in Finland"),
        (lambda d: d.update(type="Feature"), "not a GeoJSON FeatureCollection"),
    ],
)
def test_a_broken_file_is_refused(
    monkeypatch: pytest.MonkeyPatch,
    reference: ReferenceData,
    municipalities_file: dict[str, Any],
    breakage: Any,
    message: str,
) -> None:
    broken = copy.deepcopy(municipalities_file)
    breakage(broken)
    with pytest.raises(ReferenceDataError, match=re.escape(message)):
        _load_with(monkeypatch, reference, broken)
