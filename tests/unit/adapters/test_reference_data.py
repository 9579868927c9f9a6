"""The reference data shipped inside the package, loaded and validated from the real files."""

from __future__ import annotations

import math
import re

import pytest

from sidestream.adapters.datasets import reference as reference_loader
from sidestream.domain.errors import ReferenceDataError
from sidestream.domain.organisations import FINLAND_BOUNDS_DEG
from sidestream.domain.reference import ReferenceData
from sidestream.domain.streams import PhysicalForm
from sidestream.domain.units import UNITS_BY_DIMENSION

# --- List of Waste ---------------------------------------------------------------------------


def test_the_list_of_waste_has_842_codes_of_which_408_hazardous(reference: ReferenceData) -> None:
    codes = reference.waste_codes
    assert len(codes) == 842
    assert sum(entry.is_hazardous for entry in codes.values()) == 408


def test_waste_codes_are_keyed_by_six_digits(reference: ReferenceData) -> None:
    for key, entry in reference.waste_codes.items():
        assert key == entry.ewc_code
        assert re.fullmatch(r"\d{6}", key)
        assert entry.description
        assert entry.chapter_title
        assert entry.subchapter_title


def test_display_codes_are_unique_and_star_exactly_the_hazardous(
    reference: ReferenceData,
) -> None:
    display_codes = [entry.display_code for entry in reference.waste_codes.values()]
    assert len(set(display_codes)) == 842
    assert sum(code.endswith("*") for code in display_codes) == 408


def test_the_list_has_351_mirror_entries(reference: ReferenceData) -> None:
    assert sum(entry.is_mirror_entry for entry in reference.waste_codes.values()) == 351


def test_referenced_codes_exist(reference: ReferenceData) -> None:
    referencing = [e for e in reference.waste_codes.values() if e.referenced_ewc_codes]
    assert referencing
    for entry in referencing:
        for partner in entry.referenced_ewc_codes:
            assert partner in reference.waste_codes, entry.ewc_code
            assert partner != entry.ewc_code


def test_known_entries(reference: ReferenceData) -> None:
    slag = reference.waste_codes["100202"]
    assert (slag.description, slag.is_hazardous, slag.is_mirror_entry) == (
        "Unprocessed slag",
        False,
        False,
    )
    dust = reference.waste_codes["100207"]
    assert dust.is_hazardous and dust.is_mirror_entry
    assert reference.waste_codes["100208"].referenced_ewc_codes == ("100207",)


# --- NACE ------------------------------------------------------------------------------------


def test_nace_parents_all_exist_one_level_up(reference: ReferenceData) -> None:
    activities = reference.nace_activities
    level_above = {"division": "section", "group": "division", "class": "group"}
    for activity in activities.values():
        if activity.level_name == "section":
            assert activity.parent_code is None
            assert re.fullmatch(r"[A-U]", activity.nace_code)
            continue
        assert activity.parent_code is not None, activity.nace_code
        assert activity.parent_code in activities, activity.nace_code
        parent = activities[activity.parent_code]
        assert parent.level_name == level_above[activity.level_name]
        if activity.level_name != "division":
            assert activity.nace_code.startswith(parent.nace_code)


def test_nace_has_21_sections_and_88_divisions(reference: ReferenceData) -> None:
    levels = [activity.level_name for activity in reference.nace_activities.values()]
    assert levels.count("section") == 21
    assert levels.count("division") == 88
    assert set(levels) == {"section", "division", "group", "class"}


# --- municipalities --------------------------------------------------------------------------


def test_finland_has_309_municipalities(reference: ReferenceData) -> None:
    assert len(reference.municipalities) == 309
    for code, municipality in reference.municipalities.items():
        assert code == municipality.municipality_code
        assert re.fullmatch(r"\d{3}", code)
        assert municipality.name_fi and municipality.name_sv
        assert re.fullmatch(r"\d{2}", municipality.region_code)


def test_municipality_centres_lie_in_finland(reference: ReferenceData) -> None:
    south, north, west, east = FINLAND_BOUNDS_DEG
    for municipality in reference.municipalities.values():
        assert south <= municipality.centre_latitude_deg <= north, municipality.name_fi
        assert west <= municipality.centre_longitude_deg <= east, municipality.name_fi


def test_sea_lapland_municipalities(reference: ReferenceData) -> None:
    kemi = reference.municipalities["240"]
    tornio = reference.municipalities["851"]
    assert (kemi.name_fi, kemi.region_code, kemi.region_name_fi) == ("Kemi", "19", "Lappi")
    assert (tornio.name_fi, tornio.name_sv) == ("Tornio", "Torneå")


# --- vocabularies ----------------------------------------------------------------------------


def test_every_material_class_has_a_valid_form_and_group(reference: ReferenceData) -> None:
    forms = {form.value for form in PhysicalForm}
    assert reference.material_classes
    for code, material_class in reference.material_classes.items():
        assert code == material_class.material_class_code
        assert material_class.typical_physical_form in forms
        assert material_class.name
        if material_class.is_heat:
            assert material_class.typical_physical_form == "energy"
        elif material_class.group == "gas":
            assert material_class.typical_physical_form in ("gas", "liquid")
        else:
            assert material_class.typical_physical_form in ("solid", "sludge", "liquid")


def test_every_property_dimension_has_units(reference: ReferenceData) -> None:
    assert reference.properties
    for code, definition in reference.properties.items():
        assert code == definition.property_code
        assert definition.dimension in UNITS_BY_DIMENSION
        assert UNITS_BY_DIMENSION[definition.dimension]
        assert definition.kind in ("composition", "physical")


def test_virgin_materials_have_a_quantity_basis(reference: ReferenceData) -> None:
    assert reference.virgin_materials
    for code, material in reference.virgin_materials.items():
        assert code == material.virgin_material_code
        assert material.quantity_basis in ("t", "MWh")


def test_emission_factors_all_have_sources(reference: ReferenceData) -> None:
    assert reference.emission_factors
    for factor in reference.emission_factors:
        assert factor.source.strip(), factor.item
        assert factor.unit.strip(), factor.item
        assert factor.licence.strip(), factor.item
        assert math.isfinite(factor.value) and factor.value >= 0, factor.item


# --- the loader rejects malformed files ------------------------------------------------------


def _replace_file(monkeypatch: pytest.MonkeyPatch, rows: list[dict[str, str]]) -> None:
    monkeypatch.setattr(reference_loader, "read_data_csv", lambda name: rows)


def _waste_row(code: str, hazardous: str = "false", entry_type: str = "absolute") -> dict[str, str]:
    return {
        "code": code,
        "description": "d",
        "hazardous": hazardous,
        "entry_type": entry_type,
        "referenced_codes": "",
        "chapter_title": "c",
        "subchapter_title": "s",
    }


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([_waste_row("10020")], "bad or repeated code"),
        ([_waste_row("100202"), _waste_row("100202")], "bad or repeated code"),
        ([_waste_row("100202", hazardous="yes")], "is not true/false"),
        ([_waste_row("100202", entry_type="other")], "has entry_type"),
        ([_waste_row("100202")], "1 codes, expected 842"),
    ],
)
def test_load_waste_codes_rejects_a_malformed_file(
    monkeypatch: pytest.MonkeyPatch, rows: list[dict[str, str]], message: str
) -> None:
    _replace_file(monkeypatch, rows)
    with pytest.raises(ReferenceDataError, match=message):
        reference_loader.load_waste_codes()


def test_load_nace_rejects_an_unknown_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        {"code": "C", "level_name": "section", "parent": "", "title": "Manufacturing"},
        {"code": "24", "level_name": "division", "parent": "B", "title": "Basic metals"},
    ]
    _replace_file(monkeypatch, rows)
    with pytest.raises(ReferenceDataError, match="24 has unknown parent"):
        reference_loader.load_nace_activities()


def test_load_properties_rejects_an_unknown_dimension(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        {
            "property_code": "glow",
            "name": "Glow",
            "dimension": "luminosity",
            "kind": "physical",
            "description": "",
        }
    ]
    _replace_file(monkeypatch, rows)
    with pytest.raises(ReferenceDataError, match="glow has unknown dimension"):
        reference_loader.load_property_definitions()


def test_load_material_classes_rejects_a_bad_form(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        {
            "material_class_code": "plasma",
            "name": "Plasma",
            "group": "energy",
            "typical_physical_form": "plasma",
            "description": "",
        }
    ]
    _replace_file(monkeypatch, rows)
    with pytest.raises(ReferenceDataError, match="plasma has a bad form"):
        reference_loader.load_material_classes()


def test_load_emission_factors_rejects_a_factor_without_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    row = dict.fromkeys(
        (
            "category",
            "item",
            "value",
            "unit",
            "boundary",
            "geography",
            "reference_year",
            "source",
            "source_locator",
            "licence",
            "verification",
            "note",
        ),
        "x",
    )
    row.update(item="Truck", value="0.1", source="")
    _replace_file(monkeypatch, [row])
    with pytest.raises(ReferenceDataError, match="'Truck' lacks a value, unit or source"):
        reference_loader.load_emission_factors()
    row.update(source="DEFRA", value="n/a")
    with pytest.raises(ReferenceDataError, match="'Truck' has value 'n/a'"):
        reference_loader.load_emission_factors()


def test_recalled_emission_factors_are_marked_unverified(reference: ReferenceData) -> None:
    by_item = {factor.item: factor for factor in reference.emission_factors}
    assert by_item["Road freight, HGV diesel, all HGVs, average laden"].is_verified
    assert not by_item["Dolomitic lime, calcination process CO2"].is_verified
    assert sum(not factor.is_verified for factor in reference.emission_factors) >= 5
