"""Reading one organisation and its sites, as the person asking may see it, and the profile
its members keep (activity, size, contact, partners).

A site's coordinates are where a company works, often its only plant: members of the
organisation and facilitators see them exactly; everyone else sees the municipality alone, as
the public overview shows it. The contact person is personal data and follows the same rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sidestream.domain.accounts import AuditAction, EntityKind, Principal
from sidestream.domain.errors import FieldError, InvalidInput, NotFound
from sidestream.domain.organisations import (
    Organisation,
    Site,
    SizeClass,
    check_organisation,
)
from sidestream.domain.reference import ReferenceData
from sidestream.services.accounts import audit, change_partners
from sidestream.services.ports import UnitOfWork, UnitOfWorkFactory


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
    return reader.acts_for(organisation_id)


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


# --- the profile its members keep -------------------------------------------------------------

PROFILE_FIELDS = ("nace_code", "size_class", "contact_name", "contact_email", "contact_phone")


@dataclass(frozen=True)
class OrganisationProfile:
    """What an organisation's members keep up to date themselves, and the organisations they
    name as partners (who see their partner-tier listings)."""

    organisation_id: int
    name: str
    fields: dict[str, str]  # PROFILE_FIELDS as text
    partner_ids: frozenset[int]
    other_organisations: tuple[tuple[int, str], ...]  # (id, name) of every other, by name


def _editable(uow: UnitOfWork, actor: Principal, organisation_id: int) -> Organisation:
    organisation = uow.organisations.get(organisation_id)
    # Someone who may not edit it learns no more than that it is not there.
    if organisation is None or not actor.acts_for(organisation_id):
        raise NotFound("organisation", organisation_id)
    return organisation


def organisation_profile(
    unit_of_work: UnitOfWorkFactory, actor: Principal, organisation_id: int
) -> OrganisationProfile:
    with unit_of_work() as uow:
        organisation = _editable(uow, actor, organisation_id)
        partners = uow.partners.partners_of(organisation_id)
        others = sorted(
            (
                (other.organisation_id, other.name)
                for other in uow.organisations.list_all()
                if other.organisation_id is not None and other.organisation_id != organisation_id
            ),
            key=lambda pair: pair[1].casefold(),
        )
    return OrganisationProfile(
        organisation_id=organisation_id,
        name=organisation.name,
        fields={
            "nace_code": organisation.nace_code or "",
            "size_class": organisation.size_class.value if organisation.size_class else "",
            "contact_name": organisation.contact_name or "",
            "contact_email": organisation.contact_email or "",
            "contact_phone": organisation.contact_phone or "",
        },
        partner_ids=partners,
        other_organisations=tuple(others),
    )


def save_organisation_profile(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    actor: Principal,
    organisation_id: int,
    fields: Mapping[str, str],
    partner_ids: frozenset[int],
    now: datetime,
) -> Organisation:
    """Change the profile and the partners together, or nothing: InvalidInput names every
    field that is wrong (the NACE code is checked against NACE Rev. 2)."""
    errors: list[FieldError] = []
    size_text = (fields.get("size_class") or "").strip()
    size_class = None
    if size_text:
        try:
            size_class = SizeClass(size_text)
        except ValueError:
            choices = ", ".join(size.value for size in SizeClass)
            errors.append(FieldError("size_class", f"{size_text!r} is not one of {choices}"))

    def text(name: str) -> str | None:
        return (fields.get(name) or "").strip() or None

    with unit_of_work() as uow:
        organisation = _editable(uow, actor, organisation_id)
        changed = replace(
            organisation,
            nace_code=text("nace_code"),
            size_class=size_class,
            contact_name=text("contact_name"),
            contact_email=text("contact_email"),
            contact_phone=text("contact_phone"),
        )
        try:
            checked = check_organisation(changed, reference)
        except InvalidInput as error:
            errors.extend(error.errors)
        if errors:
            raise InvalidInput(errors)
        if checked != organisation:
            saved = uow.organisations.update(checked)
            audit(
                uow,
                actor,
                AuditAction.CHANGED,
                EntityKind.ORGANISATION,
                organisation_id,
                now,
                f"{organisation.name}: profile",
            )
        else:
            saved = organisation
        change_partners(uow, actor, saved, partner_ids, now)
        uow.commit()
    return saved
