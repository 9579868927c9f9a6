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


def quantity_band(quantity: Quantity) -> str:
    """'1,000–10,000 t/yr' style band that contains the amount."""
    amount = quantity.amount
    lower = 0.0
    for edge in QUANTITY_BAND_EDGES:
        if amount < edge:
            if lower == 0.0:
                return f"under {edge:,.0f} {quantity.unit.value}"
            return f"{lower:,.0f}–{edge:,.0f} {quantity.unit.value}"
        lower = edge
    return f"over {lower:,.0f} {quantity.unit.value}"


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
        return record


_FULL_ONLY = frozenset({"cost_eur_per_unit", "visibility"})
