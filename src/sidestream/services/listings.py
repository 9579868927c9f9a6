"""Read models of the registry, as the person asking may see it.

Every listing passes domain.access.listing_access before anything of it is copied into a view;
what a level may show is decided in `stream_view` and `need_view` alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sidestream.domain.access import Access, listing_access
from sidestream.domain.accounts import Principal
from sidestream.domain.organisations import Organisation, Site
from sidestream.domain.reference import ReferenceData
from sidestream.domain.streams import Need, Quantity, SideStream
from sidestream.domain.visibility import (
    ListingView,
    QuantityShown,
    exact_quantity,
    quantity_band,
    quantity_band_edges,
)
from sidestream.services.ports import UnitOfWorkFactory


@dataclass(frozen=True)
class OrganisationSummary:
    organisation_id: int
    name: str
    nace_code: str | None
    nace_title: str | None
    municipalities: tuple[str, ...]  # municipality names of its sites
    site_count: int


@dataclass(frozen=True)
class RegistryView:
    organisations: list[OrganisationSummary]
    streams: list[ListingView]
    needs: list[ListingView]
    hidden_stream_count: int  # not visible to this reader, or expired: counted, never shown
    hidden_need_count: int


def registry_view(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    reader: Principal,
    today: date,
) -> RegistryView:
    """The streams and needs the reader may see, each at the reader's level. Expired listings
    are shown only to those with full access (to renew them)."""
    with unit_of_work() as uow:
        registry = uow.registry_snapshot()
    organisations, streams, needs = registry.organisations, registry.streams, registry.needs
    partners = registry.partners
    sites = {site.site_id: site for org in organisations for site in org.sites}
    names = {org.organisation_id: org.name for org in organisations}

    def access(listing: SideStream | Need) -> Access:
        level = listing_access(
            reader,
            listing.organisation_id,
            listing.visibility,
            partners.get(listing.organisation_id, frozenset()),
        )
        if listing.is_expired(today) and level is not Access.FULL:
            return Access.HIDDEN
        return level

    stream_views = [
        stream_view(stream, sites[stream.site_id], names[stream.organisation_id], reference, level)
        for stream in streams
        if (level := access(stream)) is not Access.HIDDEN
    ]
    need_views = [
        need_view(need, sites[need.site_id], names[need.organisation_id], reference, level)
        for need in needs
        if (level := access(need)) is not Access.HIDDEN
    ]
    return RegistryView(
        organisations=[_summary(org, reference) for org in organisations],
        streams=stream_views,
        needs=need_views,
        hidden_stream_count=len(streams) - len(stream_views),
        hidden_need_count=len(needs) - len(need_views),
    )


def public_overview(
    unit_of_work: UnitOfWorkFactory, reference: ReferenceData, today: date
) -> RegistryView:
    """The registry as anyone sees it without signing in."""
    return registry_view(unit_of_work, reference, Principal.anonymous(), today)


def _quantity_shown(quantity: Quantity, anonymous: bool) -> QuantityShown:
    if anonymous:
        return quantity_band_edges(quantity)
    return QuantityShown(quantity.unit.value, amount=quantity.amount)


def _municipality_name(site: Site, reference: ReferenceData) -> str | None:
    if site.municipality_code is None:
        return None
    municipality = reference.municipalities.get(site.municipality_code)
    return municipality.name_fi if municipality else None


def _summary(organisation: Organisation, reference: ReferenceData) -> OrganisationSummary:
    activity = reference.nace_activities.get(organisation.nace_code or "")
    municipalities = sorted(
        {name for site in organisation.sites if (name := _municipality_name(site, reference))}
    )
    assert organisation.organisation_id is not None
    return OrganisationSummary(
        organisation_id=organisation.organisation_id,
        name=organisation.name,
        nace_code=organisation.nace_code,
        nace_title=activity.title if activity else None,
        municipalities=tuple(municipalities),
        site_count=len(organisation.sites),
    )


def stream_view(
    stream: SideStream,
    site: Site,
    organisation_name: str,
    reference: ReferenceData,
    access: Access,
) -> ListingView:
    material = reference.material_classes[stream.material_class_code].name
    anonymous = access is Access.ANONYMOUS
    full = access is Access.FULL
    waste_code = reference.waste_codes[stream.ewc_code].display_code if stream.ewc_code else None
    assert stream.stream_id is not None
    return ListingView(
        kind="stream",
        listing_id=stream.stream_id,
        access=access,
        title=material if anonymous else stream.name,
        material=material,
        ewc_code=waste_code,
        is_hazardous=stream.is_hazardous,
        quantity=quantity_band(stream.quantity) if anonymous else exact_quantity(stream.quantity),
        quantity_shown=_quantity_shown(stream.quantity, anonymous),
        municipality_code=site.municipality_code,
        valid_until=stream.valid_until.isoformat(),
        organisation_name=None if anonymous else organisation_name,
        site_name=None if anonymous else site.name,
        description=None if anonymous else stream.description,
        price_eur_per_unit=None if anonymous else stream.asking_price_eur_per_unit,
        cost_eur_per_unit=stream.management_cost_eur_per_unit if full else None,
        visibility=stream.visibility if full else None,
    )


def _need_material(need: Need, reference: ReferenceData) -> str:
    names = [reference.material_classes[code].name for code in need.accepted_material_class_codes]
    names += [reference.waste_codes[code].display_code for code in need.accepted_ewc_codes]
    if need.replaces_virgin_material_code:
        virgin = reference.virgin_materials[need.replaces_virgin_material_code].name
        names.append(f"replacing {virgin.lower()}")
    return ", ".join(names)


def need_view(
    need: Need, site: Site, organisation_name: str, reference: ReferenceData, access: Access
) -> ListingView:
    anonymous = access is Access.ANONYMOUS
    material = _need_material(need, reference)
    assert need.need_id is not None
    return ListingView(
        kind="need",
        listing_id=need.need_id,
        access=access,
        title=material if anonymous else need.name,
        material=material,
        ewc_code=None,
        is_hazardous=need.accepts_hazardous,
        quantity=quantity_band(need.quantity) if anonymous else exact_quantity(need.quantity),
        quantity_shown=_quantity_shown(need.quantity, anonymous),
        municipality_code=site.municipality_code,
        valid_until=need.valid_until.isoformat(),
        organisation_name=None if anonymous else organisation_name,
        site_name=None if anonymous else site.name,
        description=None if anonymous else need.description,
        price_eur_per_unit=None if anonymous else need.willingness_to_pay_eur_per_unit,
        visibility=need.visibility if access is Access.FULL else None,
    )
