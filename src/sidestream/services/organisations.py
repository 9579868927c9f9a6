"""Reading one organisation and its sites, as the person asking may see it.

A site's coordinates are where a company works, often its only plant: members of the
organisation and facilitators see them exactly; everyone else sees the municipality alone, as
the public overview shows it. The contact person is personal data and follows the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from sidestream.domain.accounts import Principal
from sidestream.domain.errors import NotFound
from sidestream.domain.organisations import Organisation, Site, SizeClass
from sidestream.domain.reference import ReferenceData
from sidestream.services.ports import UnitOfWorkFactory


@dataclass(frozen=True)
class SiteView:
    site_id: int
    name: str
    municipality_code: str | None
    municipality_name: str | None
    has_rail_siding: bool
    has_port: bool
    # Exact location: the organisation's members and facilitators only, else None. The E-PRTR
    # id goes with them: the E-PRTR register publishes each facility's coordinates.
    latitude_deg: float | None
    longitude_deg: float | None
    facility_id_eprtr: str | None


@dataclass(frozen=True)
class OrganisationDetail:
    organisation_id: int
    name: str
    business_id: str | None
    nace_code: str | None
    nace_title: str | None
    size_class: SizeClass | None
    sites: tuple[SiteView, ...]
    is_exact: bool  # whether coordinates and the contact are shown to this reader
    # The contact person: the organisation's members and facilitators only, else None.
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None


def sees_exact_locations(reader: Principal, organisation_id: int) -> bool:
    """Members of the organisation and facilitators (and administrators) see where it works."""
    return reader.oversees_registry or reader.is_member_of(organisation_id)


def _site_view(site: Site, reference: ReferenceData, exact: bool) -> SiteView:
    municipality = reference.municipalities.get(site.municipality_code or "")
    assert site.site_id is not None
    return SiteView(
        site_id=site.site_id,
        name=site.name,
        municipality_code=site.municipality_code,
        municipality_name=municipality.name_fi if municipality else None,
        has_rail_siding=site.has_rail_siding,
        has_port=site.has_port,
        latitude_deg=site.latitude_deg if exact else None,
        longitude_deg=site.longitude_deg if exact else None,
        facility_id_eprtr=site.facility_id_eprtr if exact else None,
    )


def organisation_detail(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    reader: Principal,
    organisation_id: int,
) -> OrganisationDetail:
    """The organisation with its sites; NotFound when there is none with this id."""
    with unit_of_work() as uow:
        organisation: Organisation | None = uow.organisations.get(organisation_id)
    if organisation is None:
        raise NotFound("organisation", organisation_id)
    exact = sees_exact_locations(reader, organisation_id)
    activity = reference.nace_activities.get(organisation.nace_code or "")
    return OrganisationDetail(
        organisation_id=organisation_id,
        name=organisation.name,
        business_id=organisation.business_id,  # public in the Finnish trade register
        nace_code=organisation.nace_code,
        nace_title=activity.title if activity else None,
        size_class=organisation.size_class,
        sites=tuple(_site_view(site, reference, exact) for site in organisation.sites),
        is_exact=exact,
        contact_name=organisation.contact_name if exact else None,
        contact_email=organisation.contact_email if exact else None,
        contact_phone=organisation.contact_phone if exact else None,
    )
