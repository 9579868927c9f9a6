"""The Finnish E-PRTR facilities and their yearly waste transfers (SYKE, EEA; see PROVENANCE)."""

from __future__ import annotations

import math
from collections import defaultdict

from sidestream.adapters.datasets.files import read_data_csv, require_columns
from sidestream.domain.eprtr import EprtrFacility, EprtrWasteTransfer
from sidestream.domain.errors import ReferenceDataError

EXPECTED_FACILITY_COUNT = 1072
# The source prefixes some names with these labels; they are not part of the name.
_NAME_PREFIXES = ("Facility of plant: ", "parentCompany of plant: ")


def _clean_name(name: str) -> str:
    for prefix in _NAME_PREFIXES:
        name = name.removeprefix(prefix)
    return " ".join(name.split())


def _tonnes(value: str, where: str) -> float:
    try:
        tonnes = float(value) if value else 0.0
    except ValueError as error:
        raise ReferenceDataError(f"{where}: {value!r} is not a number") from error
    if not math.isfinite(tonnes) or tonnes < 0:
        raise ReferenceDataError(f"{where}: {value!r} is not a tonnage")
    return tonnes


def load_eprtr_facilities() -> list[EprtrFacility]:
    transfers_name = "eprtr_fi/derived_waste_transfers_by_facility_year.csv"
    transfer_rows = read_data_csv(transfers_name)
    require_columns(transfer_rows, ("facilityId", "reportingYear", "total_t"), transfers_name)
    transfers: dict[str, list[EprtrWasteTransfer]] = defaultdict(list)
    for row in transfer_rows:
        where = f"{transfers_name} {row['facilityId']} {row['reportingYear']}"
        transfers[row["facilityId"]].append(
            EprtrWasteTransfer(
                reporting_year=int(row["reportingYear"]),
                hazardous_recovery_t=_tonnes(row["HW_recovery_t"], where),
                hazardous_disposal_t=_tonnes(row["HW_disposal_t"], where),
                non_hazardous_recovery_t=_tonnes(row["NONHW_recovery_t"], where),
                non_hazardous_disposal_t=_tonnes(row["NONHW_disposal_t"], where),
                hazardous_transboundary_t=_tonnes(row["HW_transboundary_t"], where),
                total_t=_tonnes(row["total_t"], where),
            )
        )

    name = "eprtr_fi/derived_facilities_with_municipality.csv"
    rows = read_data_csv(name)
    columns = (
        "facilityId",
        "nameOfFeature",
        "parentCompanyName",
        "lat",
        "lon",
        "municipality_code",
    )
    require_columns(rows, columns, name)
    facilities = []
    for row in rows:
        facility_id = row["facilityId"]
        facility_name = _clean_name(row["nameOfFeature"])
        facilities.append(
            EprtrFacility(
                facility_id_eprtr=facility_id,
                facility_name=facility_name,
                operator_name=_clean_name(row["parentCompanyName"]) or facility_name,
                eprtr_activity_code=row["mainActivityCode"],
                latitude_deg=float(row["lat"]),
                longitude_deg=float(row["lon"]),
                municipality_code=row["municipality_code"],
                waste_transfers=tuple(
                    sorted(transfers.get(facility_id, ()), key=lambda t: t.reporting_year)
                ),
            )
        )
    if len(facilities) != EXPECTED_FACILITY_COUNT or len(
        {f.facility_id_eprtr for f in facilities}
    ) != len(facilities):
        raise ReferenceDataError(f"{name}: expected {EXPECTED_FACILITY_COUNT} distinct facilities")
    return facilities
