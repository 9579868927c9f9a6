"""Synthetic Finland-scale listings for benchmarks and randomised tests.

Sites scatter around the centres of Finland's municipalities; material classes, acceptance,
radii (50–300 km), quantities, seasons, properties and limits are drawn so that a realistic
share of pairs is feasible. Columns are built directly, without domain objects, so that a
million listings take seconds."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from sidestream.domain.matching import (
    NeedColumns,
    StreamColumns,
    reach_chord2,
    unit_sphere,
)

KM_PER_DEGREE_LATITUDE = 111.2
ALL_YEAR = (1 << 12) - 1


@dataclass(frozen=True)
class SyntheticRegion:
    centre_latitude_deg: np.ndarray  # municipal centres to scatter sites around
    centre_longitude_deg: np.ndarray
    class_count: int = 30
    property_count: int = 36
    heat_classes: tuple[int, ...] = (27, 28, 29)  # measured in MWh, not tonnes
    virgin_count: int = 20
    smallest_circuity: float = 1.2
    scatter_km: float = 15.0


def _places(
    region: SyntheticRegion, rng: np.random.Generator, count: int
) -> tuple[np.ndarray, ...]:
    which = rng.integers(0, region.centre_latitude_deg.size, count)
    latitude = region.centre_latitude_deg[which] + rng.normal(
        0, region.scatter_km / KM_PER_DEGREE_LATITUDE, count
    )
    stretch = np.cos(np.radians(latitude))
    longitude = (
        region.centre_longitude_deg[which]
        + rng.normal(0, region.scatter_km / KM_PER_DEGREE_LATITUDE, count) / stretch
    )
    return unit_sphere(latitude, longitude)


def _months(rng: np.random.Generator, count: int) -> np.ndarray:
    seasonal = rng.random(count) < 0.2
    start = rng.integers(0, 12, count)
    length = rng.integers(3, 9, count)
    months = np.full(count, ALL_YEAR, dtype=np.int64)
    for offset in range(8):
        in_season = seasonal & (offset < length)
        bit = (np.int64(1) << ((start + offset) % 12)).astype(np.int64)
        months = np.where(seasonal & (offset == 0), 0, months)
        months = np.where(in_season, months | bit, months)
    return months


def _basis(region: SyntheticRegion, classes: np.ndarray) -> np.ndarray:
    return np.isin(classes, region.heat_classes).astype(np.int8)


def synthetic_streams(
    region: SyntheticRegion, count: int, today: date, seed: int, first_id: int = 1
) -> StreamColumns:
    rng = np.random.default_rng(seed)
    x, y, z = _places(region, rng, count)
    classes = rng.integers(0, region.class_count, count).astype(np.int32)
    limits = np.where(rng.random(count) < 0.5, math.inf, rng.uniform(50, 300, count))
    properties = np.full((count, region.property_count), np.nan)
    for _ in range(4):
        rows = np.flatnonzero(rng.random(count) < 0.6)
        properties[rows, rng.integers(0, region.property_count, rows.size)] = rng.uniform(
            0, 100, rows.size
        )
    heat = np.isin(classes, region.heat_classes)
    return StreamColumns(
        ids=np.arange(first_id, first_id + count, dtype=np.int64),
        x=x,
        y=y,
        z=z,
        material_class=classes,
        ewc=np.where(heat, -1, rng.integers(0, 842, count)).astype(np.int32),
        is_hazardous=rng.random(count) < 0.05,
        basis=_basis(region, classes),
        quantity=rng.lognormal(8, 1.5, count),
        months=_months(rng, count),
        valid_until=today.toordinal() + rng.integers(-30, 700, count),
        max_distance_km=limits,
        chord2_max=reach_chord2(limits, region.smallest_circuity),
        has_rail_siding=rng.random(count) < 0.2,
        has_port=rng.random(count) < 0.05,
        temperature_c=np.where(heat, rng.uniform(30, 150, count), np.nan),
        properties=properties,
        **_screenings(region, rng, count),
    )


def _screenings(
    region: SyntheticRegion, rng: np.random.Generator, count: int
) -> dict[str, np.ndarray]:
    """One stream in ten screened, exceeding the limits of some uses (score × 0.5)."""
    screened = np.flatnonzero(rng.random(count) < 0.1)
    rows = np.zeros(count, dtype=np.int32)
    rows[screened] = np.arange(1, screened.size + 1, dtype=np.int32)
    table = np.ones((screened.size + 1, region.virgin_count + 1))
    table[1:][rng.random((screened.size, region.virgin_count + 1)) < 0.3] = 0.5
    return {"screening_row": rows, "regulatory_multiplier": table}


def synthetic_needs(
    region: SyntheticRegion, count: int, today: date, seed: int, first_id: int = 1
) -> NeedColumns:
    rng = np.random.default_rng(seed)
    x, y, z = _places(region, rng, count)
    accepts = np.zeros((count, region.class_count), dtype=np.bool_)
    for _ in range(3):  # with the one drawn below: one to four classes, most often three
        rows = np.flatnonzero(rng.random(count) < 0.7)
        accepts[rows, rng.integers(0, region.class_count, rows.size)] = True
    accepts[np.arange(count), rng.integers(0, region.class_count, count)] = True
    first_class = np.argmax(accepts, axis=1)
    by_code = rng.random(count) < 0.1
    ewc_ptr = np.concatenate([[0], np.cumsum(by_code)]).astype(np.int32)
    limit_counts = rng.integers(0, 4, count)
    limit_ptr = np.concatenate([[0], np.cumsum(limit_counts)]).astype(np.int32)
    total_limits = int(limit_ptr[-1])
    is_minimum = rng.random(total_limits) < 0.5
    bound = rng.uniform(0, 100, total_limits)
    limits = rng.uniform(50, 300, count)
    return NeedColumns(
        ids=np.arange(first_id, first_id + count, dtype=np.int64),
        x=x,
        y=y,
        z=z,
        accepts_class=accepts,
        ewc_ptr=ewc_ptr,
        ewc=rng.integers(0, 842, int(ewc_ptr[-1])).astype(np.int32),
        accepts_hazardous=rng.random(count) < 0.05,
        basis=_basis(region, first_class),
        quantity=rng.lognormal(8, 1.5, count),
        months=_months(rng, count),
        valid_until=today.toordinal() + rng.integers(-30, 700, count),
        max_distance_km=limits,
        chord2_max=reach_chord2(limits, region.smallest_circuity),
        has_rail_siding=rng.random(count) < 0.2,
        has_port=rng.random(count) < 0.05,
        min_temperature_c=np.where(
            np.isin(first_class, region.heat_classes), rng.uniform(20, 90, count), np.nan
        ),
        limit_ptr=limit_ptr,
        limit_property=rng.integers(0, region.property_count, total_limits).astype(np.int32),
        limit_min=np.where(is_minimum, bound * 0.3, -np.inf),
        limit_max=np.where(is_minimum, np.inf, 30 + bound * 0.7),
        virgin_material=rng.integers(-1, region.virgin_count, count).astype(np.int32),
        has_declines=np.zeros(count, dtype=np.bool_),
    )
