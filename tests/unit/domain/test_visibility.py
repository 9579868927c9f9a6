"""What a listing reveals: quantity bands and views."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sidestream.domain.access import Access
from sidestream.domain.streams import (
    Quantity,
    Recurrence,
)
from sidestream.domain.units import QuantityUnit
from sidestream.domain.visibility import ListingView, exact_quantity, quantity_band


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


def _listing(organisation_name: str | None) -> ListingView:
    return ListingView(
        kind="stream",
        listing_id=1,
        access=Access.ANONYMOUS if organisation_name is None else Access.PUBLIC,
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


def test_records_below_full_access_leave_out_the_full_only_fields() -> None:
    public = _listing("Test Steel Oy").as_record()
    assert "cost_eur_per_unit" not in public and "visibility" not in public
    assert public["access"] == "public"
    full = replace(_listing("Test Steel Oy"), access=Access.FULL, cost_eur_per_unit=12.0)
    assert full.as_record()["cost_eur_per_unit"] == 12.0
