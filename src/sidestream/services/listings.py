"""Read models of the registry for people who are not signed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sidestream.domain.organisations import Organisation, Site
from sidestream.domain.reference import ReferenceData
from sidestream.domain.streams import Need, SideStream, Visibility
from sidestream.domain.visibility import (
    PublicListing,
    exact_quantity,
    is_publicly_listed,
    quantity_band,
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
class PublicOverview:
    organisations: list[OrganisationSummary]
    streams: list[PublicListing]
    needs: list[PublicListing]
    hidden_stream_count: int  # private, partner or expired: counted, never shown
    hidden_need_count: int


def public_overview(
    unit_of_work: UnitOfWorkFactory, reference: ReferenceData, today: date
) -> PublicOverview:
    with unit_of_work() as uow:
        organisations = uow.organisations.list_all()
        streams = uow.streams.list_all()
        needs = uow.needs.list_all()
    sites = {site.site_id: site for org in organisations for site in org.sites}
    names = {org.organisation_id: org.name for org in organisations}

    def shown(listing: SideStream | Need) -> bool:
        return is_publicly_listed(listing) and not listing.is_expired(today)

    public_streams = [
        _public_stream(stream, sites[stream.site_id], names[stream.organisation_id], reference)
        for stream in streams
        if shown(stream)
    ]
    public_needs = [
        _public_need(need, sites[need.site_id], names[need.organisation_id], reference)
        for need in needs
        if shown(need)
    ]
    return PublicOverview(
        organisations=[_summary(org, reference) for org in organisations],
        streams=public_streams,
        needs=public_needs,
        hidden_stream_count=len(streams) - len(public_streams),
        hidden_need_count=len(needs) - len(public_needs),
    )


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


def _public_stream(
    stream: SideStream, site: Site, organisation_name: str, reference: ReferenceData
) -> PublicListing:
    material = reference.material_classes[stream.material_class_code].name
    anonymous = stream.visibility is Visibility.PUBLIC_ANONYMOUS
    waste_code = reference.waste_codes[stream.ewc_code].display_code if stream.ewc_code else None
    assert stream.stream_id is not None
    return PublicListing(
        kind="stream",
        listing_id=stream.stream_id,
        title=material if anonymous else stream.name,
        material=material,
        ewc_code=waste_code,
        is_hazardous=stream.is_hazardous,
        quantity=quantity_band(stream.quantity) if anonymous else exact_quantity(stream.quantity),
        municipality_code=site.municipality_code,
        valid_until=stream.valid_until.isoformat(),
        organisation_name=None if anonymous else organisation_name,
        site_name=None if anonymous else site.name,
        description=None if anonymous else stream.description,
        price_eur_per_unit=None if anonymous else stream.asking_price_eur_per_unit,
    )


def _need_material(need: Need, reference: ReferenceData) -> str:
    names = [reference.material_classes[code].name for code in need.accepted_material_class_codes]
    names += [reference.waste_codes[code].display_code for code in need.accepted_ewc_codes]
    if need.replaces_virgin_material_code:
        virgin = reference.virgin_materials[need.replaces_virgin_material_code].name
        names.append(f"replacing {virgin.lower()}")
    return ", ".join(names)


def _public_need(
    need: Need, site: Site, organisation_name: str, reference: ReferenceData
) -> PublicListing:
    anonymous = need.visibility is Visibility.PUBLIC_ANONYMOUS
    material = _need_material(need, reference)
    assert need.need_id is not None
    return PublicListing(
        kind="need",
        listing_id=need.need_id,
        title=material if anonymous else need.name,
        material=material,
        ewc_code=None,
        is_hazardous=need.accepts_hazardous,
        quantity=quantity_band(need.quantity) if anonymous else exact_quantity(need.quantity),
        municipality_code=site.municipality_code,
        valid_until=need.valid_until.isoformat(),
        organisation_name=None if anonymous else organisation_name,
        site_name=None if anonymous else site.name,
        description=None if anonymous else need.description,
        price_eur_per_unit=None if anonymous else need.willingness_to_pay_eur_per_unit,
    )
