"""Great-circle distances between WGS84 points."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sidestream.domain.geography import EARTH_MEAN_RADIUS_KM, great_circle_distance_km

latitudes = st.floats(min_value=-90, max_value=90)
longitudes = st.floats(min_value=-180, max_value=180)


def test_kemi_to_tornio_centres_is_about_23_km() -> None:
    # Municipal centres from fi_municipalities.csv (GeoNames): Kemi 65.73641 N 24.56371 E,
    # Tornio 65.84811 N 24.14662 E.
    assert great_circle_distance_km(65.73641, 24.56371, 65.84811, 24.14662) == pytest.approx(
        22.8, abs=0.3
    )


def test_a_quarter_meridian() -> None:
    assert great_circle_distance_km(0, 0, 90, 0) == pytest.approx(
        math.pi / 2 * EARTH_MEAN_RADIUS_KM
    )


@given(latitudes, longitudes, latitudes, longitudes)
def test_distance_is_symmetric_and_bounded(
    lat_a: float, lon_a: float, lat_b: float, lon_b: float
) -> None:
    there = great_circle_distance_km(lat_a, lon_a, lat_b, lon_b)
    back = great_circle_distance_km(lat_b, lon_b, lat_a, lon_a)
    assert there == pytest.approx(back, abs=1e-6)
    assert 0 <= there <= math.pi * EARTH_MEAN_RADIUS_KM + 1e-6
