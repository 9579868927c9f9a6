"""Facilities that report to the European Pollutant Release and Transfer Register (E-PRTR)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EprtrWasteTransfer:
    """One facility's waste sent off site in one year, as reported (tonnes)."""

    reporting_year: int
    hazardous_recovery_t: float
    hazardous_disposal_t: float
    non_hazardous_recovery_t: float
    non_hazardous_disposal_t: float
    hazardous_transboundary_t: float
    total_t: float


@dataclass(frozen=True)
class EprtrFacility:
    facility_id_eprtr: str
    facility_name: str
    operator_name: str
    eprtr_activity_code: str
    latitude_deg: float
    longitude_deg: float
    municipality_code: str
    waste_transfers: tuple[EprtrWasteTransfer, ...] = ()
