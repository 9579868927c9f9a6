"""Organisations and sites: Y-tunnus, coordinates and the organisation check."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pytest

from sidestream.domain.errors import InvalidInput
from sidestream.domain.organisations import (
    MAX_NAME_LENGTH,
    Organisation,
    Site,
    SizeClass,
    business_id_check_digit,
    check_business_id,
    check_coordinates,
    check_email,
    check_organisation,
    check_site,
)
from sidestream.domain.reference import ReferenceData


def make_site(**changes: Any) -> Site:
    site = Site(
        name="Röyttä works", latitude_deg=65.72, longitude_deg=24.52, municipality_code="240"
    )
    return replace(site, **changes)


def make_organisation(**changes: Any) -> Organisation:
    organisation = Organisation(
        name="Test Steel Oy",
        business_id="1234567-1",
        nace_code="24.10",
        size_class=SizeClass.LARGE,
        contact_email="info@teststeel.fi",
        sites=[make_site()],
    )
    return replace(organisation, **changes)


def error_fields(error: InvalidInput) -> list[str]:
    return [field_error.field for field_error in error.errors]


# --- Y-tunnus --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_seven", "check_digit"),
    [("1234567", 1), ("0112038", 9), ("0000000", 0), ("1572860", 0), ("0000001", 9)],
)
def test_business_id_check_digit(first_seven: str, check_digit: int) -> None:
    assert business_id_check_digit(first_seven) == check_digit


def test_business_id_check_digit_is_none_for_remainder_one() -> None:
    assert business_id_check_digit("0000006") is None  # weighted sum 6 * 2 = 12


def test_business_id_check_digit_needs_seven_digits() -> None:
    with pytest.raises(ValueError, match="zip"):
        business_id_check_digit("123456")


@pytest.mark.parametrize("business_id", ["1234567-1", "0112038-9", "0000000-0", "1572860-0"])
def test_check_business_id_accepts_valid_ids(business_id: str) -> None:
    assert check_business_id(business_id) is None


@pytest.mark.parametrize("business_id", ["1234567-2", "1234567-0", "0112038-8", "0000006-0"])
def test_check_business_id_rejects_a_wrong_check_digit(business_id: str) -> None:
    assert check_business_id(business_id) == f"{business_id!r} fails the Y-tunnus checksum"


@pytest.mark.parametrize(
    "business_id",
    [
        pytest.param("12345671", id="no-hyphen"),
        pytest.param("123456-1", id="six-digits"),
        pytest.param("01234567-1", id="eight-digits"),
        pytest.param("1234567-12", id="two-check-digits"),
        pytest.param("1234567 1", id="space"),
        pytest.param("FI12345671", id="vat-number"),
        pytest.param(" 1234567-1", id="leading-space"),
        pytest.param("1234567-1 ", id="trailing-space"),
        pytest.param("", id="empty"),
        pytest.param("abcdefg-h", id="letters"),
        # "1234567-1" is valid; these spellings of it are not of the form 1234567-8.
        pytest.param("1234567-1\n", id="trailing-newline"),
        pytest.param("١٢٣٤٥٦٧-١", id="arabic-indic-digits"),
    ],
)
def test_check_business_id_rejects_a_bad_format(business_id: str) -> None:
    assert check_business_id(business_id) == f"{business_id!r} is not of the form 1234567-8"


# --- coordinates and e-mail ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(0.0, 0.0), (90.0, 180.0), (-90.0, -180.0), (65.7, 24.5)]
)
def test_check_coordinates_accepts_the_whole_globe(latitude: float, longitude: float) -> None:
    assert check_coordinates(latitude, longitude) == []


def test_check_coordinates_reports_each_bad_coordinate() -> None:
    assert [error.field for error in check_coordinates(90.5, 24.0)] == ["latitude_deg"]
    assert [error.field for error in check_coordinates(65.0, -180.1)] == ["longitude_deg"]
    errors = check_coordinates(-91.0, 181.0)
    assert [error.field for error in errors] == ["latitude_deg", "longitude_deg"]
    assert errors[0].reason == "-91.0 is outside -90..90"
    assert errors[1].reason == "181.0 is outside -180..180"


def test_check_coordinates_rejects_nan() -> None:
    errors = check_coordinates(math.nan, math.nan)
    assert [error.field for error in errors] == ["latitude_deg", "longitude_deg"]


@pytest.mark.parametrize("email", ["info@teststeel.fi", "a.b+c@d.e.fi"])
def test_check_email_accepts_addresses(email: str) -> None:
    assert check_email(email) is None


@pytest.mark.parametrize(
    "email",
    [
        "info",
        "info@teststeel",
        "@teststeel.fi",
        "in fo@teststeel.fi",
        "a@b@c.fi",
        "",
        pytest.param("info@teststeel.fi\n", id="trailing-newline"),
    ],
)
def test_check_email_rejects_non_addresses(email: str) -> None:
    assert check_email(email) == f"{email!r} is not an e-mail address"


# --- sites -----------------------------------------------------------------------------------


def test_check_site_accepts_a_finnish_site(reference: ReferenceData) -> None:
    assert check_site(make_site(), reference) == []


def test_check_site_accepts_a_site_abroad_without_municipality(reference: ReferenceData) -> None:
    stockholm = make_site(latitude_deg=59.33, longitude_deg=18.07, municipality_code=None)
    assert check_site(stockholm, reference) == []


def test_check_site_rejects_a_finnish_municipality_outside_finland(
    reference: ReferenceData,
) -> None:
    errors = check_site(make_site(latitude_deg=59.33, longitude_deg=18.07), reference)
    assert [error.field for error in errors] == ["latitude_deg"]
    assert "is not in Finland, but a Finnish municipality is given" in errors[0].reason


def test_check_site_suggests_swapped_coordinates(reference: ReferenceData) -> None:
    errors = check_site(make_site(latitude_deg=24.52, longitude_deg=65.72), reference)
    assert [error.field for error in errors] == ["latitude_deg"]
    assert "swapped" in errors[0].reason


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(59.3, 19.0), (70.2, 31.7), (59.3, 31.7), (70.2, 19.0)]
)
def test_check_site_accepts_the_corners_of_finland(
    reference: ReferenceData, latitude: float, longitude: float
) -> None:
    assert check_site(make_site(latitude_deg=latitude, longitude_deg=longitude), reference) == []


def test_check_site_does_not_add_the_finland_check_to_invalid_coordinates(
    reference: ReferenceData,
) -> None:
    errors = check_site(make_site(latitude_deg=95.0), reference)
    assert [error.field for error in errors] == ["latitude_deg"]
    assert "outside -90..90" in errors[0].reason


def test_check_site_reports_an_unknown_municipality(reference: ReferenceData) -> None:
    errors = check_site(make_site(municipality_code="999"), reference)
    assert [error.field for error in errors] == ["municipality_code"]


def test_check_site_names(reference: ReferenceData) -> None:
    assert [error.reason for error in check_site(make_site(name="  "), reference)] == [
        "must not be empty"
    ]
    long_name = "x" * (MAX_NAME_LENGTH + 1)
    errors = check_site(make_site(name=long_name), reference)
    assert [error.field for error in errors] == ["site_name"]
    assert check_site(make_site(name="x" * MAX_NAME_LENGTH), reference) == []


# --- organisations ---------------------------------------------------------------------------


def test_check_organisation_returns_the_organisation(reference: ReferenceData) -> None:
    organisation = make_organisation()
    assert check_organisation(organisation, reference) is organisation


def test_check_organisation_normalises_the_nace_code(reference: ReferenceData) -> None:
    checked = check_organisation(make_organisation(nace_code=" c "), reference)
    assert checked.nace_code == "C"


def test_check_organisation_allows_optional_fields_to_be_missing(
    reference: ReferenceData,
) -> None:
    bare = Organisation(name="Pienyritys Oy")
    assert check_organisation(bare, reference) is bare


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "organisation_name"),
        ({"name": "x" * (MAX_NAME_LENGTH + 1)}, "organisation_name"),
        ({"business_id": "1234567-2"}, "business_id"),
        ({"business_id": "1234567"}, "business_id"),
        ({"nace_code": "99.99"}, "nace_code"),
        ({"contact_email": "nobody"}, "contact_email"),
    ],
)
def test_check_organisation_reports_one_bad_field(
    reference: ReferenceData, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_organisation(make_organisation(**changes), reference)
    assert error_fields(caught.value) == [field]


def test_check_organisation_reports_a_repeated_site_name(reference: ReferenceData) -> None:
    organisation = make_organisation(sites=[make_site(), make_site(latitude_deg=65.8)])
    with pytest.raises(InvalidInput) as caught:
        check_organisation(organisation, reference)
    (error,) = caught.value.errors
    assert error.field == "site_name"
    assert error.reason == "'Röyttä works' is given twice"


def test_check_organisation_collects_every_error(reference: ReferenceData) -> None:
    organisation = make_organisation(
        name="",
        business_id="1234567-9",
        nace_code="ZZ",
        contact_email="not-an-address",
        sites=[
            make_site(name="", municipality_code="999"),
            make_site(name="Tornio", latitude_deg=200.0),
            make_site(name="Abroad", latitude_deg=48.85, longitude_deg=2.35),
        ],
    )
    with pytest.raises(InvalidInput) as caught:
        check_organisation(organisation, reference)
    assert error_fields(caught.value) == [
        "organisation_name",
        "business_id",
        "nace_code",
        "contact_email",
        "site_name",
        "municipality_code",
        "latitude_deg",
        "latitude_deg",
    ]
    message = str(caught.value)
    assert "'1234567-9' fails the Y-tunnus checksum" in message
    assert "'ZZ' is not a NACE Rev. 2 code" in message
    assert "200.0 is outside -90..90" in message
    assert "(48.85, 2.35) is not in Finland" in message


def test_organisation_site_named() -> None:
    organisation = make_organisation(sites=[make_site(), make_site(name="Tornio")])
    found = organisation.site_named("Tornio")
    assert found is not None
    assert found.name == "Tornio"
    assert organisation.site_named("Oulu") is None
