"""The demo region loads through the ordinary importer and shows the region's showcase cases,
its lab results and its regulatory status records."""

from __future__ import annotations

from sidestream.adapters.datasets.demo import load_demo_tables
from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import Principal
from sidestream.domain.regulation import Basis, Verdict
from sidestream.domain.regulatory_path import StepState
from sidestream.domain.streams import PhysicalForm, SideStream, Visibility
from sidestream.services.demo import DemoReport, build_demo_region
from sidestream.services.matching import run_matching
from sidestream.services.regulatory_paths import stream_paths
from sidestream.services.screening import screen_stream
from sidestream.services.synergies import list_synergies, open_synergy


def _build(container: Container) -> DemoReport:
    return build_demo_region(
        load_demo_tables(),
        container.unit_of_work,
        container.reference,
        container.regulatory_knowledge,
        container.today(),
        container.clock.now(),
    )


def _stream(container: Container, organisation: str, name: str) -> SideStream:
    with container.unit_of_work() as uow:
        owner = next(o for o in uow.organisations.list_all() if o.name == organisation)
        return next(
            s
            for s in uow.streams.list_all()
            if s.organisation_id == owner.organisation_id and s.name == name
        )


def _stored(container: Container) -> tuple[int, int]:
    """How many lab results and status records the database holds."""
    with container.unit_of_work() as uow:
        results = sum(len(found) for found in uow.lab_results.by_stream().values())
        ids = [s.stream_id for s in uow.streams.list_all() if s.stream_id is not None]
        statuses = sum(len(uow.statuses.for_stream(stream_id)) for stream_id in ids)
    return results, statuses


FERROCHROME_SLAG = (
    "Perämeri Ferrochrome Works Oy (demo)",
    "Ferrochrome slag, crushed aggregate 0-90 mm",
)
SUOSIOLA_FLY_ASH = ("Napapiiri Voima Oy (demo)", "Fly ash, peat and wood")
SUOSIOLA_BOTTOM_ASH = ("Napapiiri Voima Oy (demo)", "Bottom ash, peat and wood")


def test_demo_region_is_complete_and_rebuilding_changes_nothing(container: Container) -> None:
    tables = load_demo_tables()
    first = _build(container)
    stored = _stored(container)
    second = _build(container)

    assert [report.created for report in first.imports] == [
        len({row["organisation_name"] for row in tables["organisations"]}),
        len(tables["streams"]),
        len(tables["needs"]),
    ]
    assert all(r.created == 0 and r.updated == 0 for r in second.imports)
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

    # Every lab result and status record of the demo files is stored, once: the second run
    # finds each stream with results, and each status for its use, already there.
    tested = {(row["organisation_name"], row["stream_name"]) for row in tables["lab_results"]}
    assert len(tested) >= 6
    assert (first.lab_results_added, first.streams_given_results) == (
        len(tables["lab_results"]),
        len(tested),
    )
    assert (first.statuses_added, first.statuses_there_before) == (len(tables["statuses"]), 0)
    assert stored == (len(tables["lab_results"]), len(tables["statuses"]))
    assert (second.lab_results_added, second.streams_given_results) == (0, 0)
    assert second.streams_with_results_before == len(tested)
    assert (second.statuses_added, second.statuses_there_before) == (0, len(tables["statuses"]))
    assert _stored(container) == stored


def test_demo_region_holds_the_four_showcase_cases(container: Container) -> None:
    _build(container)
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


def test_demo_matching_weighs_lab_results_and_the_board_asks_for_a_lab_test(
    container: Container,
) -> None:
    _build(container)
    regulatory = container.regulatory_knowledge
    run_matching(
        container.unit_of_work,
        container.reference,
        container.knowledge_base,
        container.today(),
        regulatory=regulatory,
    )
    with container.unit_of_work() as uow:
        records = uow.proposals.list_all()
        names = {s.stream_id: s.name for s in uow.streams.list_all()}

    # Lime kiln dust for liming (route lime_residue_agricultural_liming, rule set
    # eu_fpr_liming_material): nickel 120 mg/kg against the limit of 90 mg/kg exceeds (1.3×),
    # every other limit is met, so its liming proposals carry the regulation factor.
    penalised = [r for r in records if any(f.factor == "regulation" for f in r.proposal.factors)]
    assert penalised
    assert {names[r.proposal.stream_id] for r in penalised} == {"Lime kiln dust"}
    assert all(r.proposal.route_id == "lime_residue_agricultural_liming" for r in penalised)
    assert all(any("nickel" in reason for reason in r.proposal.reasons) for r in penalised)
    # Lime mud for the same use: Cd 0.3, Cr(VI) < 0.5, Hg < 0.02, Ni 6, Pb < 2, As 0.6, Cu 8,
    # Zn 30 mg/kg, all within the limits (2, 2, 1, 90, 120, 40, 300, 800): no penalty.
    liming_mud = [
        r
        for r in records
        if names[r.proposal.stream_id] == "Lime mud, excess"
        and r.proposal.route_id == "lime_residue_agricultural_liming"
    ]
    assert liming_mud
    assert not any(f.factor == "regulation" for r in liming_mud for f in r.proposal.factors)

    # The wood fly ash of Kemijärvi has As, Cd, Pb and Hg measured but not Cr, Cu, Ni, Zn: for
    # its forest-fertiliser use the board asks for a lab test of those four.
    fertiliser = next(
        r
        for r in records
        if names[r.proposal.stream_id] == "Fly ash, wood"
        and r.proposal.route_id == "wood_ash_forest_fertiliser"
    )
    assert fertiliser.proposal_id is not None
    open_synergy(
        container.unit_of_work, fertiliser.proposal_id, Principal.operator(), container.clock.now()
    )
    (board,) = list_synergies(
        container.unit_of_work,
        Principal.operator(),
        regulatory=regulatory,
        today=container.today(),
    )
    lab_test = next(s for s in board.next_steps if s.state is StepState.LAB_TEST_NEEDED)
    assert lab_test.screening is not None
    missing = {
        p.limit.parameter_code
        for p in lab_test.screening.parameters
        if p.verdict is Verdict.MISSING
    }
    assert missing == {"chromium_total", "copper", "nickel", "zinc"}


def test_ferrochrome_slag_holds_much_chromium_and_leaches_little(container: Container) -> None:
    _build(container)
    slag = _stream(container, *FERROCHROME_SLAG)
    assert slag.stream_id is not None
    screened = screen_stream(
        container.unit_of_work,
        container.regulation,
        Principal.operator(),
        slag.stream_id,
        use="fi_mara_covered",
    )
    (mara,) = screened.screenings
    verdicts = {(p.limit.parameter_code, p.limit.basis): p for p in mara.parameters}
    # Total chromium 51 000 mg/kg (XRF) against the limit of 400 mg/kg: 127.5× the limit ...
    total = verdicts[("chromium_total", Basis.TOTAL)]
    assert total.verdict is Verdict.EXCEEDS
    assert total.share_of_limit == 127.5
    # ... while the column test leaches 0.03 mg/kg of it at L/S 10 (limit 0.5 mg/kg).
    assert verdicts[("chromium_total", Basis.LEACHING_LS10)].verdict is Verdict.WITHIN
    # Nothing else exceeds (every leached value, and As, Ba, Cd, Cu, Pb, Mo, Zn in total).
    assert [p for p in mara.parameters if p.verdict is Verdict.EXCEEDS] == [total]
    assert mara.verdict is Verdict.EXCEEDS


def test_demo_status_records_meet_the_requirements_of_their_uses(container: Container) -> None:
    _build(container)
    regulatory = container.regulatory_knowledge
    today = container.today()

    # The fly ash of Suosiola under its MARA notification (fulfils mara_notification). The
    # column test exceeds the covered structure's leaching limits (Cr 0.9 > 0.5, Mo 1.8 > 0.5,
    # Se 0.15 > 0.1, sulphate 4 800 > 1 000 mg/kg) but meets the paved one's (3, 6, 0.5,
    # 10 000), and the totals meet both: the path takes the paved structure, within.
    fly_ash = _stream(container, *SUOSIOLA_FLY_ASH)
    assert fly_ash.stream_id is not None
    screened = screen_stream(
        container.unit_of_work,
        container.regulation,
        Principal.operator(),
        fly_ash.stream_id,
        use="ash_earth_construction_mara",
        regulatory=regulatory,
        today=today,
    )
    by_rule_set = {s.rule_set.rule_set_id: s.verdict for s in screened.screenings}
    assert by_rule_set == {"fi_mara_covered": Verdict.EXCEEDS, "fi_mara_paved": Verdict.WITHIN}
    assert screened.path is not None
    notification, screening = screened.path.steps
    assert notification.state is StepState.MET
    assert [kind.code for kind in notification.requirements] == ["mara_notification"]
    assert notification.evidence is not None
    assert notification.evidence.decision_reference == "LAPELY/DEMO/1/2025"
    assert screening.state is StepState.WITHIN
    assert screening.screening is not None
    assert screening.screening.rule_set.rule_set_id == "fi_mara_paved"
    assert not screened.path.open_steps

    # The ferrochrome slag's by-product decision meets REACH registration (for every use) and
    # CE marking, for aggregate in roads and in asphalt; neither route names limit values.
    slag = _stream(container, *FERROCHROME_SLAG)
    with container.unit_of_work() as uow:
        paths = stream_paths(
            uow,
            regulatory,
            slag,
            ["ferrochrome_slag_aggregate", "slag_asphalt_aggregate"],
            today,
        )
    for path in paths.values():
        assert [step.state for step in path.steps] == [StepState.MET, StepState.MET]
        assert {kind.code for step in path.steps for kind in step.requirements} == {
            "reach_registration",
            "construction_product_ce",
        }

    # The bottom ash was leached in a batch test (SFS-EN 12457-3), which the MARA leaching
    # limits do not count (they ask for the column test): a lab test is needed, and there is
    # no notification yet.
    bottom_ash = _stream(container, *SUOSIOLA_BOTTOM_ASH)
    with container.unit_of_work() as uow:
        (path,) = stream_paths(
            uow, regulatory, bottom_ash, ["ash_earth_construction_mara"], today
        ).values()
    assert [step.state for step in path.steps] == [StepState.TO_DO, StepState.LAB_TEST_NEEDED]
    step = path.steps[1]
    assert step.screening is not None
    missing = [p for p in step.screening.parameters if p.verdict is Verdict.MISSING]
    assert missing and all(p.limit.basis is Basis.LEACHING_LS10 for p in missing)
    assert all(p.result is not None and "12457-3" in p.result.standard for p in missing)
