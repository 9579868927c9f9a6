"""The Finnish E-PRTR facilities become organisations and sites; re-running updates them."""

from __future__ import annotations

import pytest

from sidestream.adapters.datasets.eprtr import load_eprtr_facilities
from sidestream.bootstrap.container import Container
from sidestream.domain.eprtr import EprtrFacility
from sidestream.services.eprtr import import_eprtr_facilities


@pytest.fixture(scope="module")
def facilities() -> list[EprtrFacility]:
    return load_eprtr_facilities()


def test_the_packaged_register_has_every_facility(facilities: list[EprtrFacility]) -> None:
    assert len(facilities) == 1072
    tornio = [f for f in facilities if "Tornion tehtaat" in f.facility_name]
    assert len(tornio) == 1
    assert tornio[0].municipality_code == "851"
    assert tornio[0].waste_transfers  # yearly totals are attached
    assert not any(f.operator_name.startswith("parentCompany") for f in facilities)


def test_import_is_idempotent(container: Container, facilities: list[EprtrFacility]) -> None:
    lapland = [f for f in facilities if f.municipality_code in {"240", "241", "851", "698"}]
    lapland += [f for f in facilities if f.facility_name == "CONFIDENTIAL"][:3]
    first = import_eprtr_facilities(lapland, container.unit_of_work, container.reference)
    second = import_eprtr_facilities(lapland, container.unit_of_work, container.reference)

    assert first.sites_created == len(lapland) and first.sites_updated == 0
    assert second.sites_created == 0 and second.sites_updated == len(lapland)
    assert second.organisations_created == 0
    with container.unit_of_work() as uow:
        sites = [site for org in uow.organisations.list_all() for site in org.sites]
        assert len(sites) == len(lapland)
        assert len({site.facility_id_eprtr for site in sites}) == len(lapland)
        tornio = next(s for s in sites if "Tornion tehtaat" in s.name)
        assert tornio.site_id is not None
        years = [t.reporting_year for t in uow.organisations.eprtr_waste_transfers(tornio.site_id)]
    assert years == sorted(set(years)) and len(years) >= 5


def test_the_whole_register_imports(
    sqlite_container: Container, facilities: list[EprtrFacility]
) -> None:
    report = import_eprtr_facilities(
        facilities, sqlite_container.unit_of_work, sqlite_container.reference
    )
    assert report.sites_created == 1072
    assert report.waste_transfer_years == 3619
