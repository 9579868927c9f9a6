"""Load and validate the reference data: List of Waste, NACE, municipalities, vocabularies and
emission factors. A malformed file is a packaging defect and stops the program at start."""

from __future__ import annotations

import math
import re

from sidestream.adapters.datasets.files import read_data_csv, require_columns
from sidestream.domain.emission_factors import EmissionFactor
from sidestream.domain.errors import ReferenceDataError
from sidestream.domain.geography import Municipality
from sidestream.domain.materials import (
    MaterialClass,
    NaceActivity,
    PropertyDefinition,
    VirginMaterial,
    WasteCode,
)
from sidestream.domain.reference import ReferenceData
from sidestream.domain.units import UNITS_BY_DIMENSION

EXPECTED_WASTE_CODE_COUNT = 842  # Commission Decision 2014/955/EU
EXPECTED_MUNICIPALITY_COUNT = 309  # the 2021-2024 division of Finland
PHYSICAL_FORMS = ("solid", "sludge", "liquid", "gas", "energy")


def load_reference_data() -> ReferenceData:
    return ReferenceData(
        waste_codes=load_waste_codes(),
        nace_activities=load_nace_activities(),
        material_classes=load_material_classes(),
        properties=load_property_definitions(),
        virgin_materials=load_virgin_materials(),
        municipalities=load_municipalities(),
        emission_factors=load_emission_factors(),
    )


def _flag(value: str, where: str) -> bool:
    if value not in ("true", "false"):
        raise ReferenceDataError(f"{where}: {value!r} is not true/false")
    return value == "true"


def load_waste_codes() -> dict[str, WasteCode]:
    name = "reference/ewc_codes.csv"
    rows = read_data_csv(name)
    require_columns(rows, ("code", "description", "hazardous", "entry_type"), name)
    codes: dict[str, WasteCode] = {}
    for row in rows:
        code = row["code"]
        if not re.fullmatch(r"\d{6}", code) or code in codes:
            raise ReferenceDataError(f"{name}: bad or repeated code {code!r}")
        if row["entry_type"] not in ("absolute", "mirror"):
            raise ReferenceDataError(f"{name}: {code} has entry_type {row['entry_type']!r}")
        codes[code] = WasteCode(
            ewc_code=code,
            description=row["description"],
            chapter_title=row["chapter_title"],
            subchapter_title=row["subchapter_title"],
            is_hazardous=_flag(row["hazardous"], f"{name} {code}"),
            is_mirror_entry=row["entry_type"] == "mirror",
            referenced_ewc_codes=tuple(
                reference.replace(" ", "").rstrip("*")
                for reference in row["referenced_codes"].split(";")
                if reference.strip()
            ),
        )
    if len(codes) != EXPECTED_WASTE_CODE_COUNT:
        raise ReferenceDataError(
            f"{name}: {len(codes)} codes, expected {EXPECTED_WASTE_CODE_COUNT}"
        )
    return codes


def load_nace_activities() -> dict[str, NaceActivity]:
    name = "reference/nace_rev2.csv"
    rows = read_data_csv(name)
    require_columns(rows, ("code", "level_name", "parent", "title"), name)
    activities = {
        row["code"]: NaceActivity(
            nace_code=row["code"],
            level_name=row["level_name"],
            title=row["title"],
            parent_code=row["parent"] or None,
        )
        for row in rows
    }
    if len(activities) != len(rows):
        raise ReferenceDataError(f"{name}: repeated codes")
    for activity in activities.values():
        if activity.parent_code is not None and activity.parent_code not in activities:
            raise ReferenceDataError(f"{name}: {activity.nace_code} has unknown parent")
    return activities


def load_material_classes() -> dict[str, MaterialClass]:
    name = "reference/material_classes.csv"
    rows = read_data_csv(name)
    require_columns(rows, ("material_class_code", "name", "group", "typical_physical_form"), name)
    classes: dict[str, MaterialClass] = {}
    for row in rows:
        if row["typical_physical_form"] not in PHYSICAL_FORMS:
            raise ReferenceDataError(f"{name}: {row['material_class_code']} has a bad form")
        classes[row["material_class_code"]] = MaterialClass(
            material_class_code=row["material_class_code"],
            name=row["name"],
            group=row["group"],
            typical_physical_form=row["typical_physical_form"],
            description=row["description"],
        )
    return classes


def load_property_definitions() -> dict[str, PropertyDefinition]:
    name = "reference/properties.csv"
    rows = read_data_csv(name)
    require_columns(rows, ("property_code", "name", "dimension", "kind"), name)
    definitions: dict[str, PropertyDefinition] = {}
    for row in rows:
        if row["dimension"] not in UNITS_BY_DIMENSION:
            raise ReferenceDataError(f"{name}: {row['property_code']} has unknown dimension")
        definitions[row["property_code"]] = PropertyDefinition(
            property_code=row["property_code"],
            name=row["name"],
            dimension=row["dimension"],
            kind=row["kind"],
            description=row["description"],
        )
    return definitions


def load_virgin_materials() -> dict[str, VirginMaterial]:
    name = "reference/virgin_materials.csv"
    rows = read_data_csv(name)
    require_columns(rows, ("virgin_material_code", "name", "quantity_basis"), name)
    return {
        row["virgin_material_code"]: VirginMaterial(
            virgin_material_code=row["virgin_material_code"],
            name=row["name"],
            quantity_basis=row["quantity_basis"],
            description=row["description"],
        )
        for row in rows
    }


def load_municipalities() -> dict[str, Municipality]:
    name = "reference/fi_municipalities.csv"
    rows = read_data_csv(name)
    require_columns(rows, ("municipality_code", "name_fi", "name_sv", "region_code"), name)
    municipalities: dict[str, Municipality] = {}
    for row in rows:
        code = row["municipality_code"]
        # Two municipalities have no matched centre place: fall back to the area centroid.
        latitude = row["centre_lat"] or row["centroid_lat"]
        longitude = row["centre_lon"] or row["centroid_lon"]
        if not re.fullmatch(r"\d{3}", code):
            raise ReferenceDataError(f"{name}: bad municipality code {code!r}")
        municipalities[code] = Municipality(
            municipality_code=code,
            name_fi=row["name_fi"],
            name_sv=row["name_sv"],
            region_code=row["region_code"],
            region_name_fi=row["region_name_fi"],
            region_name_sv=row["region_name_sv"],
            centre_latitude_deg=float(latitude),
            centre_longitude_deg=float(longitude),
        )
    if len(municipalities) != EXPECTED_MUNICIPALITY_COUNT:
        raise ReferenceDataError(f"{name}: {len(municipalities)} municipalities")
    return municipalities


def load_emission_factors() -> tuple[EmissionFactor, ...]:
    name = "reference/curated_emission_factors.csv"
    rows = read_data_csv(name)
    columns = ("category", "item", "value", "unit", "source", "licence", "verification")
    require_columns(rows, columns, name)
    factors = []
    for row in rows:
        try:
            value = float(row["value"])
        except ValueError as error:
            raise ReferenceDataError(
                f"{name}: {row['item']!r} has value {row['value']!r}"
            ) from error
        if not math.isfinite(value) or value < 0 or not row["source"] or not row["unit"]:
            raise ReferenceDataError(f"{name}: {row['item']!r} lacks a value, unit or source")
        factors.append(
            EmissionFactor(
                category=row["category"],
                item=row["item"],
                value=value,
                unit=row["unit"],
                boundary=row["boundary"],
                geography=row["geography"],
                reference_year=row["reference_year"],
                source=row["source"],
                source_locator=row["source_locator"],
                licence=row["licence"],
                verification=row["verification"],
                note=row["note"],
            )
        )
    return tuple(factors)
