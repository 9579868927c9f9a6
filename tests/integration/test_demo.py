"""The demo region loads through the ordinary importer and shows the region's showcase cases."""

from __future__ import annotations

from sidestream.adapters.datasets.demo import load_demo_tables
from sidestream.bootstrap.container import Container
from sidestream.domain.streams import PhysicalForm, Visibility
from sidestream.services.demo import build_demo_region


def test_demo_region_is_complete_and_rebuilding_changes_nothing(container: Container) -> None:
    tables = load_demo_tables()
    first = build_demo_region(
        tables, container.unit_of_work, container.reference, container.today()
    )
    second = build_demo_region(
        tables, container.unit_of_work, container.reference, container.today()
    )

    assert [report.created for report in first] == [
        len({row["organisation_name"] for row in tables["organisations"]}),
        len(tables["streams"]),
        len(tables["needs"]),
    ]
    assert all(r.created == 0 and r.updated == 0 for r in second)
    with container.unit_of_work() as uow:
        organisations = uow.organisations.list_all()
        streams = uow.streams.list_all()
        needs = uow.needs.list_all()
    assert len(organisations) >= 30
    assert len(streams) >= 60
    assert len(needs) >= 40
    municipalities = {site.municipality_code for org in organisations for site in org.sites}
    assert {"240", "851", "241"} <= municipalities  # Kemi, Tornio, Keminmaa

    # Energy and gases are first-class: heat with its temperature, electrolysis gases.
    heat = [s for s in streams if s.physical_form is PhysicalForm.ENERGY]
    assert heat and all(s.temperature_c is not None for s in heat)
    gases = {s.material_class_code for s in streams if s.physical_form is PhysicalForm.GAS}
    assert {"oxygen", "hydrogen", "carbon_dioxide"} <= gases
    assert any(s.is_hazardous for s in streams)
    assert {s.visibility for s in streams} == set(Visibility)


def test_demo_region_holds_the_four_showcase_cases(container: Container) -> None:
    build_demo_region(
        load_demo_tables(), container.unit_of_work, container.reference, container.today()
    )
    with container.unit_of_work() as uow:
        needs = uow.needs.list_all()
        streams = uow.streams.list_all()
    stream_classes = {s.material_class_code for s in streams}
    replaced = {n.replaces_virgin_material_code for n in needs}

    def accepted(need_filter: str) -> set[str]:
        return {
            code
            for n in needs
            if need_filter in n.name.lower() or need_filter in (n.description or "").lower()
            for code in n.accepted_material_class_codes
        }

    # 1. dust binders for mine roads replace calcium chloride
    assert "calcium_chloride" in replaced
    # 2. side streams as cover material for waste-rock piles replace clay and till
    assert "clay_till_cover" in replaced
    # 3. geopolymer from regional slag: a need accepting slag that the region offers
    slags = {"blast_furnace_slag", "ferrochrome_slag", "steel_slag_eaf", "steel_slag_bof"}
    assert accepted("geopolymer") & slags & stream_classes
    # 4. fertilisers from side streams for revegetation replace mineral fertiliser or topsoil
    assert replaced & {"mineral_fertiliser", "topsoil"}
