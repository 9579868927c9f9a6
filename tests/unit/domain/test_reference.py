"""Reference lookups that turn user input into checked codes, and search."""

from __future__ import annotations

import pytest

from sidestream.domain.errors import InvalidInput
from sidestream.domain.reference import ReferenceData

# --- lookups ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["10 02 02", "100202", " 10 02 02 ", "1002 02"])
def test_waste_code_finds_an_entry_however_it_is_spaced(
    reference: ReferenceData, text: str
) -> None:
    entry = reference.waste_code(text)
    assert entry.ewc_code == "100202"
    assert entry.description == "Unprocessed slag"
    assert not entry.is_hazardous


def test_waste_code_accepts_the_asterisk_on_a_hazardous_entry(reference: ReferenceData) -> None:
    entry = reference.waste_code("10 02 07*")
    assert entry.ewc_code == "100207"
    assert entry.is_hazardous
    assert entry.is_mirror_entry


def test_waste_code_of_a_hazardous_entry_without_asterisk_is_still_hazardous(
    reference: ReferenceData,
) -> None:
    assert reference.waste_code("10 02 07").is_hazardous


def test_waste_code_rejects_an_asterisk_on_a_non_hazardous_entry(reference: ReferenceData) -> None:
    with pytest.raises(InvalidInput) as caught:
        reference.waste_code("10 02 02*")
    (error,) = caught.value.errors
    assert error.field == "ewc_code"
    assert "10 02 02 is a non-hazardous entry" in error.reason


@pytest.mark.parametrize("field_name", ["ewc_code", "accepted_ewc_codes"])
def test_waste_code_unknown_names_the_field(reference: ReferenceData, field_name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        reference.waste_code(" 99 99 98 ", field_name)
    (error,) = caught.value.errors
    assert error.field == field_name
    assert "'99 99 98' is not in the List of Waste" in error.reason


def test_waste_code_malformed_names_the_field(reference: ReferenceData) -> None:
    with pytest.raises(InvalidInput) as caught:
        reference.waste_code("slag", "accepted_ewc_codes")
    assert caught.value.errors[0].field == "accepted_ewc_codes"


@pytest.mark.parametrize(("text", "expected"), [("24.10", "24.10"), (" c ", "C"), ("24", "24")])
def test_nace_activity_strips_and_uppercases(
    reference: ReferenceData, text: str, expected: str
) -> None:
    assert reference.nace_activity(text).nace_code == expected


def test_nace_activity_has_its_level_and_parent(reference: ReferenceData) -> None:
    activity = reference.nace_activity("24.10")
    assert activity.level_name == "class"
    assert activity.parent_code == "24.1"
    assert activity.title == "Manufacture of basic iron and steel and of ferro-alloys"


@pytest.mark.parametrize("text", ["99.99", "24.1.0", "Z", ""])
def test_nace_activity_unknown_names_the_field(reference: ReferenceData, text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        reference.nace_activity(text)
    (error,) = caught.value.errors
    assert error.field == "nace_code"
    assert "is not a NACE Rev. 2 code" in error.reason


def test_material_class_lookup_and_unknown(reference: ReferenceData) -> None:
    assert reference.material_class(" lime_mud ").name == "Lime mud"
    with pytest.raises(InvalidInput) as caught:
        reference.material_class("unobtainium", "accepted_material_class_codes")
    (error,) = caught.value.errors
    assert error.field == "accepted_material_class_codes"
    assert "'unobtainium' is not a known material class" in error.reason


def test_material_class_default_field_name(reference: ReferenceData) -> None:
    with pytest.raises(InvalidInput) as caught:
        reference.material_class("unobtainium")
    assert caught.value.errors[0].field == "material_class_code"


def test_property_definition_lookup_and_unknown(reference: ReferenceData) -> None:
    assert reference.property_definition("cao", "properties").dimension == "mass_fraction"
    assert reference.property_definition("ph", "properties").dimension == "dimensionless"
    with pytest.raises(InvalidInput) as caught:
        reference.property_definition("colour", "property_limits")
    (error,) = caught.value.errors
    assert error.field == "property_limits"
    assert "'colour' is not a known property" in error.reason


def test_virgin_material_lookup_and_unknown(reference: ReferenceData) -> None:
    assert (
        reference.virgin_material("cement", "replaces_virgin_material_code").quantity_basis == "t"
    )
    with pytest.raises(InvalidInput) as caught:
        reference.virgin_material("moon_rock", "replaces_virgin_material_code")
    (error,) = caught.value.errors
    assert error.field == "replaces_virgin_material_code"
    assert "'moon_rock' is not a known virgin material" in error.reason


def test_municipality_lookup_and_unknown(reference: ReferenceData) -> None:
    kemi = reference.municipality(" 240 ")
    assert kemi.name_fi == "Kemi"
    assert kemi.region_code == "19"
    with pytest.raises(InvalidInput) as caught:
        reference.municipality("999")
    (error,) = caught.value.errors
    assert error.field == "municipality_code"
    assert "'999' is not a Statistics Finland municipality code" in error.reason


# --- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["10 02 02", "100202", "10 02 02*"])
def test_search_by_full_code_finds_exactly_that_entry(reference: ReferenceData, query: str) -> None:
    (hit,) = reference.search(query)
    assert hit.scheme == "ewc"
    assert hit.code == "10 02 02"
    assert hit.title == "Unprocessed slag"
    assert hit.detail == "non-hazardous"
    assert hit.score == 2.0


def test_search_hit_describes_a_hazardous_mirror_entry(reference: ReferenceData) -> None:
    (hit,) = reference.search("10 02 07*")
    assert hit.code == "10 02 07*"
    assert hit.detail == "hazardous, mirror entry"


def test_search_by_code_prefix_lists_the_subchapter_in_code_order(
    reference: ReferenceData,
) -> None:
    hits = reference.search("10 02")
    codes = [hit.code for hit in hits]
    assert codes[:3] == ["10 02 01", "10 02 02", "10 02 07*"]
    assert codes[-1] == "10 02 99"
    assert len(hits) == 11
    assert all(hit.scheme == "ewc" and hit.code.startswith("10 02") for hit in hits)


def test_search_by_two_digits_puts_the_exact_nace_division_first(
    reference: ReferenceData,
) -> None:
    hits = reference.search("10")
    assert (hits[0].scheme, hits[0].code, hits[0].score) == ("nace", "10", 2.0)
    assert {hit.scheme for hit in hits[1:]} == {"ewc"}
    assert len(hits) == 20  # the default limit


def test_search_respects_the_limit(reference: ReferenceData) -> None:
    assert len(reference.search("10", limit=5)) == 5
    assert len(reference.search("10", limit=1000)) > 20


def test_search_by_nace_code_lists_the_code_and_its_children(reference: ReferenceData) -> None:
    hits = reference.search("24.1")
    assert [(hit.scheme, hit.code, hit.detail, hit.score) for hit in hits] == [
        ("nace", "24.1", "group", 2.0),
        ("nace", "24.10", "class", 1.0),
    ]


def test_search_by_section_letter_finds_only_the_section(reference: ReferenceData) -> None:
    for query in ("C", "c"):
        (hit,) = reference.search(query)
        assert (hit.scheme, hit.code, hit.title) == ("nace", "C", "Manufacturing")


def test_search_by_words_requires_every_word(reference: ReferenceData) -> None:
    (hit,) = reference.search("unprocessed slag")
    assert hit.code == "10 02 02"
    assert hit.score == 2.0
    assert reference.search("slag xyzzy") == []


def test_search_by_words_matches_word_prefixes_ignoring_case(reference: ReferenceData) -> None:
    (hit,) = reference.search("Mill Scal")
    assert hit.code == "10 02 10"


def test_search_by_words_scores_title_above_context(reference: ReferenceData) -> None:
    hits = reference.search("steel industry")
    # Both words are in the subchapter title only: half weight each.
    assert all(hit.score == 1.0 for hit in hits)
    assert {hit.code for hit in hits} >= {"10 02 02", "10 02 10"}
    slag_hits = reference.search("slag")
    assert all(hit.score == 1.0 for hit in slag_hits)
    assert all("slag" in hit.title.lower() for hit in slag_hits)


def test_search_by_words_finds_nace_titles(reference: ReferenceData) -> None:
    hits = reference.search("manufacture basic iron")
    assert [hit.code for hit in hits] == ["24.1", "24.10"]
    assert all(hit.scheme == "nace" and hit.score == 3.0 for hit in hits)


def test_search_sorts_by_score_then_scheme_then_code(reference: ReferenceData) -> None:
    hits = reference.search("ash", limit=1000)
    keys = [(-hit.score, hit.scheme, hit.code) for hit in hits]
    assert keys == sorted(keys)
    assert len(hits) > 1


@pytest.mark.parametrize("query", ["", "   ", "zzzz", "99 99"])
def test_search_with_nothing_to_find_is_empty(reference: ReferenceData, query: str) -> None:
    assert reference.search(query) == []
