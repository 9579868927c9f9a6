"""List of Waste code normalisation and the reference value types."""

from __future__ import annotations

import pytest

from sidestream.domain.errors import InvalidInput
from sidestream.domain.materials import MaterialClass, WasteCode, normalise_ewc_code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10 02 02", ("100202", False)),
        ("100202", ("100202", False)),
        ("10 02 07*", ("100207", True)),
        ("100207*", ("100207", True)),
        ("10 02 07 *", ("100207", True)),
        ("  10 02 02  ", ("100202", False)),
        ("1002 02", ("100202", False)),
        ("01 01 01", ("010101", False)),
        ("10 02 02\n", ("100202", False)),
    ],
)
def test_normalise_ewc_code_accepts_spaced_compact_and_starred_forms(
    text: str, expected: tuple[str, bool]
) -> None:
    assert normalise_ewc_code(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "10 02",
        "10 02 0",
        "1002021",
        "10-02-02",
        "10.02.02",
        "10 02 02**",
        "*10 02 02",
        "ab cd ef",
        "10 02 02 x",
    ],
)
def test_normalise_ewc_code_rejects_what_is_not_six_digits(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_ewc_code(text)
    (error,) = caught.value.errors
    assert error.field == "ewc_code"
    assert repr(text) in error.reason
    assert "is not a List of Waste code" in error.reason


def test_normalise_ewc_code_names_the_given_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_ewc_code("slag", "accepted_ewc_codes")
    assert caught.value.errors[0].field == "accepted_ewc_codes"


def _waste_code(ewc_code: str, is_hazardous: bool) -> WasteCode:
    return WasteCode(
        ewc_code=ewc_code,
        description="test",
        chapter_title="chapter",
        subchapter_title="subchapter",
        is_hazardous=is_hazardous,
        is_mirror_entry=False,
        referenced_ewc_codes=(),
    )


def test_display_code_spaces_the_digits_and_stars_hazardous_entries() -> None:
    assert _waste_code("100202", is_hazardous=False).display_code == "10 02 02"
    assert _waste_code("100207", is_hazardous=True).display_code == "10 02 07*"


def _material_class(group: str) -> MaterialClass:
    return MaterialClass("code", "Name", group, "solid", "description")


@pytest.mark.parametrize(
    ("group", "is_energy_or_gas", "is_heat"),
    [("energy", True, True), ("gas", True, False), ("slag", False, False), ("ash", False, False)],
)
def test_material_class_group_flags(group: str, is_energy_or_gas: bool, is_heat: bool) -> None:
    material_class = _material_class(group)
    assert material_class.is_energy_or_gas is is_energy_or_gas
    assert material_class.is_heat is is_heat
