"""Organisations and their sites."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from sidestream.domain.errors import FieldError, InvalidInput
from sidestream.domain.reference import ReferenceData

_BUSINESS_ID_PATTERN = re.compile(r"([0-9]{7})-([0-9])")
_BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
_EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class SizeClass(StrEnum):
    """Enterprise size per the EU SME definition (Commission Recommendation 2003/361/EC)."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


@dataclass
class Site:
    name: str
    latitude_deg: float
    longitude_deg: float
    municipality_code: str | None = None  # None for a site outside Finland
    has_rail_siding: bool = False
    has_port: bool = False  # road access is always assumed
    facility_id_eprtr: str | None = None
    eprtr_activity_code: str | None = None
    site_id: int | None = None
    organisation_id: int | None = None


@dataclass
class Organisation:
    name: str
    business_id: str | None = None  # Finnish Y-tunnus, "1234567-8"
    nace_code: str | None = None
    size_class: SizeClass | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    sites: list[Site] = field(default_factory=list)
    organisation_id: int | None = None

    def site_named(self, name: str) -> Site | None:
        return next((site for site in self.sites if site.name == name), None)

    def site(self, site_id: int) -> Site:
        """One of the organisation's sites; KeyError when it has no site with this id."""
        found = next((site for site in self.sites if site.site_id == site_id), None)
        if found is None:
            raise KeyError(site_id)
        return found


def business_id_check_digit(first_seven_digits: str) -> int | None:
    """The Y-tunnus check digit, or None when no valid id has these digits (remainder 1)."""
    total = sum(
        int(digit) * weight
        for digit, weight in zip(first_seven_digits, _BUSINESS_ID_WEIGHTS, strict=True)
    )
    remainder = total % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def check_business_id(business_id: str) -> str | None:
    """Why a Finnish business id is invalid, or None when it is valid."""
    match = _BUSINESS_ID_PATTERN.fullmatch(business_id)
    if match is None:
        return f"{business_id!r} is not of the form 1234567-8"
    expected = business_id_check_digit(match.group(1))
    if expected is None or expected != int(match.group(2)):
        return f"{business_id!r} fails the Y-tunnus checksum"
    return None


def check_coordinates(latitude_deg: float, longitude_deg: float) -> list[FieldError]:
    errors = []
    if not -90.0 <= latitude_deg <= 90.0:
        errors.append(FieldError("latitude_deg", f"{latitude_deg} is outside -90..90"))
    if not -180.0 <= longitude_deg <= 180.0:
        errors.append(FieldError("longitude_deg", f"{longitude_deg} is outside -180..180"))
    return errors


def check_email(email: str) -> str | None:
    return None if _EMAIL_PATTERN.fullmatch(email) else f"{email!r} is not an e-mail address"


# Finland with a margin: sites across the Tornio river in Sweden are given without a municipality.
FINLAND_BOUNDS_DEG = (59.3, 70.2, 19.0, 31.7)  # south, north, west, east
MAX_NAME_LENGTH = 200


def check_organisation(organisation: Organisation, reference: ReferenceData) -> Organisation:
    """Return the organisation with normalised codes, or raise InvalidInput listing all problems."""
    errors: list[FieldError] = []
    if not organisation.name.strip():
        errors.append(FieldError("organisation_name", "must not be empty"))
    elif len(organisation.name) > MAX_NAME_LENGTH:
        errors.append(
            FieldError("organisation_name", f"is longer than {MAX_NAME_LENGTH} characters")
        )
    if organisation.business_id is not None and (
        reason := check_business_id(organisation.business_id)
    ):
        errors.append(FieldError("business_id", reason))
    if organisation.nace_code is not None:
        try:
            organisation.nace_code = reference.nace_activity(organisation.nace_code).nace_code
        except InvalidInput as error:
            errors.extend(error.errors)
    if organisation.contact_email is not None and (
        reason := check_email(organisation.contact_email)
    ):
        errors.append(FieldError("contact_email", reason))
    seen: set[str] = set()
    for site in organisation.sites:
        errors.extend(check_site(site, reference))
        if site.name in seen:
            errors.append(FieldError("site_name", f"{site.name!r} is given twice"))
        seen.add(site.name)
    if errors:
        raise InvalidInput(errors)
    return organisation


def check_site(site: Site, reference: ReferenceData) -> list[FieldError]:
    errors = []
    if not site.name.strip():
        errors.append(FieldError("site_name", "must not be empty"))
    elif len(site.name) > MAX_NAME_LENGTH:
        errors.append(FieldError("site_name", f"is longer than {MAX_NAME_LENGTH} characters"))
    coordinate_errors = check_coordinates(site.latitude_deg, site.longitude_deg)
    errors.extend(coordinate_errors)
    if site.municipality_code is not None:
        try:
            reference.municipality(site.municipality_code)
        except InvalidInput as error:
            errors.extend(error.errors)
        south, north, west, east = FINLAND_BOUNDS_DEG
        if not coordinate_errors and not (
            south <= site.latitude_deg <= north and west <= site.longitude_deg <= east
        ):
            errors.append(
                FieldError(
                    "latitude_deg",
                    f"({site.latitude_deg}, {site.longitude_deg}) is not in Finland, but a "
                    "Finnish municipality is given (are latitude and longitude swapped?)",
                )
            )
    return errors
