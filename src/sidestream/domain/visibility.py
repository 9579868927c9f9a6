"""What a listing reveals at each access level (domain/access.py decides the level).

ANONYMOUS shows material class, waste code, a quantity band and the municipality only; PUBLIC
shows everything but costs; FULL adds the cost of the current route and the listing's tier.
"""

from __future__ import annotations

from dataclasses import dataclass

from sidestream.domain.access import Access
from sidestream.domain.streams import Quantity, Visibility

# Order-of-magnitude bands keep a company's exact volume out of anonymous listings.
QUANTITY_BAND_EDGES = (100.0, 1_000.0, 10_000.0, 100_000.0)


@dataclass(frozen=True)
class QuantityShown:
    """A listing's quantity as a reader may see it, as numbers for a page to format in its
    language: the exact amount, or the band around it (an open end is None)."""

    unit: str  # t/yr, t/batch, MWh/yr or m3/yr
    amount: float | None = None  # exact: public and full access only
    band_low: float | None = None  # anonymous: the band's lower edge (None: from zero)
    band_high: float | None = None  # anonymous: its upper edge (None: open above)

    @property
    def is_band(self) -> bool:
        return self.amount is None


def quantity_band_edges(quantity: Quantity) -> QuantityShown:
    """The order-of-magnitude band that contains the amount."""
    lower: float | None = None
    for edge in QUANTITY_BAND_EDGES:
        if quantity.amount < edge:
            return QuantityShown(quantity.unit.value, band_low=lower, band_high=edge)
        lower = edge
    return QuantityShown(quantity.unit.value, band_low=lower)


def quantity_band(quantity: Quantity) -> str:
    """'1,000–10,000 t/yr' style band that contains the amount."""
    shown = quantity_band_edges(quantity)
    unit = quantity.unit.value
    if shown.band_low is None:
        return f"under {shown.band_high:,.0f} {unit}"
    if shown.band_high is None:
        return f"over {shown.band_low:,.0f} {unit}"
    return f"{shown.band_low:,.0f}–{shown.band_high:,.0f} {unit}"


def exact_quantity(quantity: Quantity) -> str:
    return (
        f"{quantity.amount:,.0f} {quantity.unit.value}"
        if quantity.amount >= 10
        else (f"{quantity.amount:g} {quantity.unit.value}")
    )


@dataclass(frozen=True)
class ListingView:
    """A stream or need as one reader may see it; None marks what is withheld."""

    kind: str  # "stream" or "need"
    listing_id: int
    access: Access
    title: str  # the listing's name, or its material when anonymous
    material: str
    ewc_code: str | None
    is_hazardous: bool
    quantity: str
    municipality_code: str | None
    valid_until: str
    organisation_name: str | None
    site_name: str | None
    description: str | None
    price_eur_per_unit: float | None  # asking price or willingness to pay
    cost_eur_per_unit: float | None = None  # the current route's cost: FULL access only
    visibility: Visibility | None = None  # the listing's tier: FULL access only
    quantity_shown: QuantityShown | None = None  # `quantity` as numbers, for pages to format

    @property
    def is_anonymous(self) -> bool:
        return self.organisation_name is None

    def as_record(self) -> dict[str, object]:
        """The view as plain data for JSON; below full access the fields only full access may
        fill are left out, not sent empty, so a reader does not even learn they exist."""
        record: dict[str, object] = {
            name: getattr(self, name)
            for name in self.__dataclass_fields__
            if self.access is Access.FULL or name not in _FULL_ONLY
        }
        record["access"] = self.access.name.lower()
        record.pop("quantity_shown", None)  # `quantity` says it in words
        return record


_FULL_ONLY = frozenset({"cost_eur_per_unit", "visibility"})
