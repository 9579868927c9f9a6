"""What a listing reveals to the anonymous public."""

from __future__ import annotations

from datetime import date

import pytest

from sidestream.domain.streams import (
    ManagementRoute,
    Need,
    PhysicalForm,
    Quantity,
    Recurrence,
    SideStream,
    Visibility,
)
from sidestream.domain.units import QuantityUnit
from sidestream.domain.visibility import (
    PublicListing,
    exact_quantity,
    is_publicly_listed,
    quantity_band,
)


def tonnes_per_year(amount: float) -> Quantity:
    return Quantity(amount, QuantityUnit.TONNES_PER_YEAR, Recurrence.CONTINUOUS)


@pytest.mark.parametrize(
    ("amount", "band"),
    [
        (0.5, "under 100 t/yr"),
        (99.99, "under 100 t/yr"),
        (100.0, "100–1,000 t/yr"),
        (999.999, "100–1,000 t/yr"),
        (1_000.0, "1,000–10,000 t/yr"),
        (9_999.9, "1,000–10,000 t/yr"),
        (10_000.0, "10,000–100,000 t/yr"),
        (99_999.99, "10,000–100,000 t/yr"),
        (100_000.0, "over 100,000 t/yr"),
        (700_000.0, "over 100,000 t/yr"),
        (1e9, "over 100,000 t/yr"),
    ],
)
def test_quantity_band_edges_belong_to_the_band_above(amount: float, band: str) -> None:
    assert quantity_band(tonnes_per_year(amount)) == band


@pytest.mark.parametrize(
    ("quantity", "band"),
    [
        (
            Quantity(150_000.0, QuantityUnit.MWH_PER_YEAR, Recurrence.CONTINUOUS),
            "over 100,000 MWh/yr",
        ),
        (
            Quantity(50_000.0, QuantityUnit.TONNES_PER_BATCH, Recurrence.ONE_OFF),
            "10,000–100,000 t/batch",
        ),
        (
            Quantity(20.0, QuantityUnit.CUBIC_METRES_PER_YEAR, Recurrence.CONTINUOUS),
            "under 100 m3/yr",
        ),
    ],
)
def test_quantity_band_carries_the_unit(quantity: Quantity, band: str) -> None:
    assert quantity_band(quantity) == band


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (12_345.6, "12,346 t/yr"),
        (700_000.0, "700,000 t/yr"),
        (10.0, "10 t/yr"),
        (9.5, "9.5 t/yr"),
        (2.0, "2 t/yr"),
        (0.125, "0.125 t/yr"),
    ],
)
def test_exact_quantity(amount: float, text: str) -> None:
    assert exact_quantity(tonnes_per_year(amount)) == text


def _stream(visibility: Visibility) -> SideStream:
    return SideStream(
        organisation_id=1,
        site_id=1,
        name="Slag",
        material_class_code="ferrochrome_slag",
        physical_form=PhysicalForm.SOLID,
        quantity=tonnes_per_year(1000.0),
        management_route=ManagementRoute.SOLD,
        visibility=visibility,
        valid_until=date(2028, 6, 30),
        ewc_code="10 02 02",
    )


def _need(visibility: Visibility) -> Need:
    return Need(
        organisation_id=1,
        site_id=1,
        name="Aggregate",
        quantity=tonnes_per_year(1000.0),
        max_distance_km=100.0,
        visibility=visibility,
        valid_until=date(2028, 6, 30),
        accepted_material_class_codes=("ferrochrome_slag",),
    )


@pytest.mark.parametrize(
    ("visibility", "is_listed"),
    [
        (Visibility.PRIVATE, False),
        (Visibility.PARTNERS, False),
        (Visibility.PUBLIC_ANONYMOUS, True),
        (Visibility.PUBLIC, True),
    ],
)
def test_only_public_tiers_are_publicly_listed(visibility: Visibility, is_listed: bool) -> None:
    assert is_publicly_listed(_stream(visibility)) is is_listed
    assert is_publicly_listed(_need(visibility)) is is_listed


def _listing(organisation_name: str | None) -> PublicListing:
    return PublicListing(
        kind="stream",
        listing_id=1,
        title="Ferrochrome slag",
        material="Ferrochrome slag",
        ewc_code="10 02 02",
        is_hazardous=False,
        quantity="over 100,000 t/yr",
        municipality_code="240",
        valid_until="2028-06-30",
        organisation_name=organisation_name,
        site_name=None,
        description=None,
        price_eur_per_unit=None,
    )


def test_a_listing_without_organisation_is_anonymous() -> None:
    assert _listing(None).is_anonymous
    assert not _listing("Test Steel Oy").is_anonymous
