"""The regional optimiser on the demo region, on both databases: scenarios with transport
modes, hubs, site changes, minimum lots, weighted objectives and Pareto fronts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sidestream.adapters.datasets.demo import load_demo_tables
from sidestream.adapters.scenario_files import read_scenario_file
from sidestream.adapters.solvers import HighsSolver, ScipyHighsSolver
from sidestream.bootstrap.container import Container
from sidestream.domain.errors import InvalidInput
from sidestream.domain.impact import AccountingSettings, Indicator
from sidestream.domain.network_design import Criterion
from sidestream.domain.routes import TransportModeName
from sidestream.domain.scenarios import (
    HubSpec,
    HubStatus,
    ScenarioRun,
    ScenarioSpec,
    SiteChange,
)
from sidestream.domain.solving import LinearProgramSolver
from sidestream.domain.streams import Need, SideStream
from sidestream.services.demo import build_demo_region
from sidestream.services.matching import run_matching
from sidestream.services.optimisation import SolverFor, run_scenario
from sidestream.services.plan_impact import account_plan
from sidestream.services.scenarios import save_scenario_run

EXAMPLES = Path(__file__).parents[2] / "examples" / "scenarios"
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
SLAGS = ("ferrochrome_slag", "steel_slag_eaf", "crushed_concrete", "waste_rock")


@pytest.fixture
def matched(container: Container) -> Container:
    build_demo_region(
        load_demo_tables(),
        container.unit_of_work,
        container.reference,
        container.regulatory_knowledge,
        container.today(),
        container.clock.now(),
    )
    run_matching(
        container.unit_of_work, container.reference, container.knowledge_base, container.today()
    )
    return container


def _run(
    container: Container, spec: ScenarioSpec, solver_for: SolverFor | None = None
) -> ScenarioRun:
    return run_scenario(
        container.unit_of_work,
        container.reference,
        container.knowledge_base,
        container.impact_factors,
        spec,
        solver_for or container.solver_for,
        container.today(),
        NOW,
    )


def _listings(container: Container) -> tuple[dict[int, SideStream], dict[int, Need]]:
    with container.unit_of_work() as uow:
        streams = {s.stream_id: s for s in uow.streams.list_all() if s.stream_id}
        needs = {n.need_id: n for n in uow.needs.list_all() if n.need_id}
    return streams, needs


def _hub(**changes: object) -> HubSpec:
    hub = HubSpec(
        name="Ajos crushing station",
        latitude_deg=65.672,
        longitude_deg=24.520,
        capacity_t=300_000,
        fixed_cost_eur=0.0,
        process_code="crushing_screening",
        accepts_material_class_codes=SLAGS,
        status=HubStatus.CANDIDATE,
        has_rail_siding=True,
        has_port=True,
    )
    return replace(hub, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("criterion", list(Criterion))
def test_every_plan_respects_supplies_and_demands(matched: Container, criterion: Criterion) -> None:
    run = _run(matched, ScenarioSpec("base", weights={criterion: 1.0}))
    (plan,) = run.plans
    assert plan.status == "optimal" and plan.flows
    assert plan.solver_name and plan.solver_version and plan.runtime_s >= 0
    streams, needs = _listings(matched)
    shipped: dict[int, float] = {}
    received: dict[int, float] = {}
    for flow in plan.flows:
        shipped[flow.stream_id] = shipped.get(flow.stream_id, 0.0) + flow.flow_t
        received[flow.need_id] = received.get(flow.need_id, 0.0) + flow.flow_t
        assert flow.hub is None and flow.modes in ("road", "rail", "sea")
    assert all(t <= streams[i].quantity.amount * (1 + 1e-9) for i, t in shipped.items())
    assert all(t <= needs[j].quantity.amount * (1 + 1e-9) for j, t in received.items())
    assert plan.tonnes == pytest.approx(sum(flow.flow_t for flow in plan.flows))
    # totals are recomputed from the flows, the objective's own figure included
    assert plan.eur == pytest.approx(sum(flow.eur for flow in plan.flows))
    assert plan.co2e_t == pytest.approx(sum(flow.co2e_t for flow in plan.flows))
    assert any("heat and volumes" in why for why in run.left_out)


def test_the_solvers_agree_on_the_region(matched: Container) -> None:
    spec = ScenarioSpec("eur", weights={Criterion.EUR: 1.0})

    def only(solver: LinearProgramSolver) -> SolverFor:
        return lambda _program: solver

    auto = _run(matched, spec).plans[0]
    highs = _run(matched, spec, only(HighsSolver())).plans[0]
    scipy = _run(matched, spec, only(ScipyHighsSolver())).plans[0]
    assert highs.solver_name == "highs" and scipy.solver_name != "highs"
    assert auto.eur == pytest.approx(highs.eur, rel=1e-6)
    assert scipy.eur == pytest.approx(highs.eur, rel=1e-6)


def test_a_listing_expired_since_matching_is_left_out(matched: Container) -> None:
    spec = ScenarioSpec("tonnes", weights={Criterion.TONNES: 1.0})
    busiest = max(_run(matched, spec).plans[0].flows, key=lambda flow: flow.flow_t)
    with matched.unit_of_work() as uow:
        need = uow.needs.get(busiest.need_id)
        assert need is not None
        uow.needs.update(replace(need, valid_until=date(2020, 1, 1)))
        uow.commit()
    after = _run(matched, spec)
    assert busiest.need_id not in {flow.need_id for flow in after.plans[0].flows}
    assert any("expired" in why for why in after.left_out)


def test_an_open_hub_never_lowers_the_tonnes_and_a_costly_candidate_stays_shut(
    matched: Container,
) -> None:
    base = _run(matched, ScenarioSpec("base", weights={Criterion.TONNES: 1.0})).plans[0]
    opened = _run(
        matched,
        ScenarioSpec("hub", weights={Criterion.TONNES: 1.0}, hubs=(_hub(status=HubStatus.OPEN),)),
    ).plans[0]
    assert opened.tonnes is not None and base.tonnes is not None
    assert opened.tonnes >= base.tonnes - 1e-6
    assert opened.hubs_opened == ("Ajos crushing station",)
    costly = _run(
        matched,
        ScenarioSpec("costly", weights={Criterion.EUR: 1.0}, hubs=(_hub(fixed_cost_eur=1e12),)),
    ).plans[0]
    assert costly.status == "optimal" and costly.hubs_opened == ()
    assert all(flow.hub is None for flow in costly.flows)


def test_flows_through_a_hub_name_it_and_use_two_legs(matched: Container) -> None:
    # In the demo region, slag shipped from Röyttä to the Ajos port by sea and trucked on
    # emits less than trucking it all the way, so a free hub at Ajos carries CO2e-optimal flows.
    spec = ScenarioSpec("hub", weights={Criterion.CO2E: 1.0}, hubs=(_hub(status=HubStatus.OPEN),))
    via = [flow for flow in _run(matched, spec).plans[0].flows if flow.hub is not None]
    assert via
    for flow in via:
        assert flow.hub == "Ajos crushing station"
        assert len(flow.modes.split("+")) == 2


def test_a_minimum_lot_is_met_or_the_path_is_left_out(matched: Container) -> None:
    lot = 20_000.0
    run = _run(matched, ScenarioSpec("lots", weights={Criterion.TONNES: 1.0}, min_lot_t=lot))
    (plan,) = run.plans
    assert plan.status == "optimal"
    assert all(flow.flow_t >= lot * (1 - 1e-9) for flow in plan.flows)
    assert any("below the minimum lot" in why for why in run.left_out)


def test_rail_only_flows_run_between_sidings(matched: Container) -> None:
    run = _run(
        matched,
        ScenarioSpec("rail", weights={Criterion.TONNES: 1.0}, modes=(TransportModeName.RAIL,)),
    )
    with matched.unit_of_work() as uow:
        sites = {site.site_id: site for org in uow.organisations.list_all() for site in org.sites}
    streams, needs = _listings(matched)
    assert run.plans[0].flows
    for flow in run.plans[0].flows:
        assert flow.modes == "rail"
        assert sites[streams[flow.stream_id].site_id].has_rail_siding
        assert sites[needs[flow.need_id].site_id].has_rail_siding


def test_a_new_rail_siding_lets_rail_serve_more(matched: Container) -> None:
    spec = ScenarioSpec("rail", weights={Criterion.TONNES: 1.0}, modes=(TransportModeName.RAIL,))
    base = _run(matched, spec).plans[0]
    siding = SiteChange("Pölyttömät Tiet Oy (demo)", "Kemi blending yard", has_rail_siding=True)
    changed = _run(matched, replace(spec, site_changes=(siding,))).plans[0]
    assert changed.tonnes is not None and base.tonnes is not None
    assert changed.tonnes > base.tonnes
    assert any(flow.receiver == "Pölyttömät Tiet Oy (demo)" for flow in changed.flows)
    assert not any(flow.receiver == "Pölyttömät Tiet Oy (demo)" for flow in base.flows)


def test_an_unknown_site_change_names_the_field(matched: Container) -> None:
    spec = ScenarioSpec(
        "bad", site_changes=(SiteChange("No Such Oy", "Nowhere", has_rail_siding=True),)
    )
    with pytest.raises(InvalidInput) as raised:
        _run(matched, spec)
    assert raised.value.errors[0].field == "site_changes[0].organisation"


def test_a_pareto_front_trades_eur_against_co2e(matched: Container) -> None:
    run = _run(matched, ScenarioSpec("front", pareto=(Criterion.EUR, Criterion.CO2E)))
    optimal = [plan for plan in run.plans if plan.status == "optimal"]
    assert optimal
    for plan in optimal:
        assert plan.label.startswith("Pareto point")
    values = [(plan.eur, plan.co2e_t) for plan in optimal]
    for eur, co2e in values:
        assert eur is not None and co2e is not None
        dominated = [
            (e, c)
            for e, c in values
            if e is not None
            and c is not None
            and e >= eur - 1e-6
            and c >= co2e - 1e-6
            and (e > eur + 1e-6 or c > co2e + 1e-6)
        ]
        assert not dominated


def test_weighted_objectives_move_between_the_single_criterion_optima(matched: Container) -> None:
    eur = _run(matched, ScenarioSpec("eur", weights={Criterion.EUR: 1.0})).plans[0]
    co2e = _run(matched, ScenarioSpec("co2e", weights={Criterion.CO2E: 1.0})).plans[0]
    both = _run(
        matched, ScenarioSpec("both", weights={Criterion.EUR: 1.0, Criterion.CO2E: 100.0})
    ).plans[0]
    assert eur.eur is not None and co2e.co2e_t is not None
    assert both.eur is not None and both.co2e_t is not None
    assert both.eur <= eur.eur + 1e-6
    assert both.co2e_t <= co2e.co2e_t + 1e-6


@pytest.mark.parametrize("name", ["kemi-crushing-hub.toml", "kolari-rail-siding.toml"])
def test_the_example_scenarios_run(matched: Container, name: str) -> None:
    spec = read_scenario_file(EXAMPLES / name, matched.reference, matched.impact_factors)
    run = _run(matched, spec)
    assert run.plans and run.plans[0].status == "optimal"
    assert run.spec.name == spec.name


@pytest.mark.parametrize("criterion", [Criterion.CO2E, Criterion.EUR])
def test_the_impact_of_a_saved_plan_agrees_with_the_plan(
    matched: Container, criterion: Criterion
) -> None:
    spec = ScenarioSpec(
        f"hub for {criterion.value}",
        weights={criterion: 1.0},
        hubs=(_hub(status=HubStatus.OPEN, fixed_cost_eur=50_000.0),),
    )
    run = save_scenario_run(matched.unit_of_work, _run(matched, spec))
    (plan,) = run.plans
    assert any(flow.hub for flow in plan.flows) or criterion is Criterion.EUR
    report = account_plan(
        matched.unit_of_work,
        matched.reference,
        matched.knowledge_base,
        matched.impact_factors,
        spec.name,
        matched.today(),
        settings=AccountingSettings(draws=100),
    )
    assert report.left_out == ()
    assert len(report.impacts) == len(plan.flows)
    totals = report.funder.totals.estimates
    assert totals[Indicator.TONNES].central == pytest.approx(plan.tonnes)
    if criterion is Criterion.CO2E:
        assert totals[Indicator.NET_CO2E].central == pytest.approx(plan.co2e_t, rel=1e-6)
    else:
        # the plan's € carry the open hub's fixed cost, which no flow does
        assert totals[Indicator.EUR_NET].central - 50_000.0 == pytest.approx(plan.eur, rel=1e-6)
    with pytest.raises(InvalidInput, match="plan"):
        account_plan(
            matched.unit_of_work,
            matched.reference,
            matched.knowledge_base,
            matched.impact_factors,
            spec.name,
            matched.today(),
            plan_number=2,
        )
