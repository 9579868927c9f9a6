"""Places: WGS84 coordinates and Finnish municipalities."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_MEAN_RADIUS_KM = 6371.0088  # IUGG mean radius


@dataclass(frozen=True)
class Municipality:
    municipality_code: str  # Statistics Finland, three digits
    name_fi: str
    name_sv: str
    region_code: str  # maakunta, two digits; 19 is Lapland
    region_name_fi: str
    region_name_sv: str
    centre_latitude_deg: float
    centre_longitude_deg: float


def great_circle_distance_km(
    latitude_a_deg: float, longitude_a_deg: float, latitude_b_deg: float, longitude_b_deg: float
) -> float:
    """Haversine distance on a sphere of the Earth's mean radius."""
    phi_a, phi_b = math.radians(latitude_a_deg), math.radians(latitude_b_deg)
    d_phi = phi_b - phi_a
    d_lambda = math.radians(longitude_b_deg - longitude_a_deg)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi_a) * math.cos(phi_b) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
