"""Start from public data: E-PRTR facilities become organisations and sites."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sidestream.domain.eprtr import EprtrFacility
from sidestream.domain.organisations import Organisation, Site, check_organisation
from sidestream.domain.reference import ReferenceData
from sidestream.services.ports import ProgressCallback, UnitOfWorkFactory, no_progress


@dataclass(frozen=True)
class EprtrImportReport:
    facilities: int
    organisations_created: int
    sites_created: int
    sites_updated: int
    waste_transfer_years: int


def import_eprtr_facilities(
    facilities: Sequence[EprtrFacility],
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    progress: ProgressCallback = no_progress,
) -> EprtrImportReport:
    """Create or update one site per facility, under an organisation named after its operator.

    A site is recognised by its E-PRTR facility id, so running the import again updates the
    sites (and their yearly waste transfers) instead of adding them twice.
    """
    organisations_created = sites_created = sites_updated = transfer_years = 0
    with unit_of_work() as uow:
        for done, facility in enumerate(facilities, start=1):
            incoming = Site(
                name=facility.facility_name,
                latitude_deg=facility.latitude_deg,
                longitude_deg=facility.longitude_deg,
                municipality_code=facility.municipality_code,
                facility_id_eprtr=facility.facility_id_eprtr,
                eprtr_activity_code=facility.eprtr_activity_code,
            )
            known_site = uow.organisations.site_by_facility_id_eprtr(facility.facility_id_eprtr)
            if known_site is not None and known_site.organisation_id is not None:
                organisation = uow.organisations.get(known_site.organisation_id)
                assert organisation is not None  # a site always belongs to an organisation
                others = [s for s in organisation.sites if s.site_id != known_site.site_id]
                renamed = _unique_site_name(others, incoming)
                organisation.sites = [
                    replace(
                        renamed,
                        site_id=site.site_id,
                        organisation_id=site.organisation_id,
                        has_rail_siding=site.has_rail_siding,
                        has_port=site.has_port,
                    )
                    if site.site_id == known_site.site_id
                    else site
                    for site in organisation.sites
                ]
                sites_updated += 1
            else:
                existing = uow.organisations.get_by_name(facility.operator_name)
                organisation = existing or Organisation(name=facility.operator_name)
                if existing is None:
                    organisations_created += 1
                organisation.sites.append(_unique_site_name(organisation.sites, incoming))
                sites_created += 1
            check_organisation(organisation, reference)
            saved = (
                uow.organisations.update(organisation)
                if organisation.organisation_id is not None
                else uow.organisations.add(organisation)
            )
            site = next(s for s in saved.sites if s.facility_id_eprtr == facility.facility_id_eprtr)
            assert site.site_id is not None
            uow.organisations.replace_eprtr_waste_transfers(site.site_id, facility.waste_transfers)
            transfer_years += len(facility.waste_transfers)
            progress(done, len(facilities))
        uow.commit()
    return EprtrImportReport(
        len(facilities), organisations_created, sites_created, sites_updated, transfer_years
    )


def _unique_site_name(other_sites: Sequence[Site], site: Site) -> Site:
    """Two facilities of one operator may share a name (some are 'CONFIDENTIAL'); the facility
    id tells them apart."""
    if all(other.name != site.name for other in other_sites):
        return site
    return replace(site, name=f"{site.name} ({site.facility_id_eprtr})")
