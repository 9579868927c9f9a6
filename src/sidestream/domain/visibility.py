"""What a listing reveals to the anonymous public, by its visibility tier.

Private and partner listings are not shown at all; public-anonymous ones show material class,
waste code, a quantity band and the municipality only; public ones show everything but costs.
Signed-in roles (owner, partners, facilitators) come with the accounts of the web platform.
"""

from __future__ import annotations

from dataclasses import dataclass

from sidestream.domain.streams import Need, Quantity, SideStream, Visibility

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


def is_publicly_listed(listing: SideStream | Need) -> bool:
    return listing.visibility in (Visibility.PUBLIC, Visibility.PUBLIC_ANONYMOUS)


@dataclass(frozen=True)
class PublicListing:
    """A stream or need as the anonymous public may see it; None marks what is withheld."""

    kind: str  # "stream" or "need"
    listing_id: int
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
    price_eur_per_unit: float | None  # asking price or willingness to pay; never a cost

    @property
    def is_anonymous(self) -> bool:
        return self.organisation_name is None
