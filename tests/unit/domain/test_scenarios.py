"""Reading and writing a scenario (every bad field named, a written scenario reads back equal),
and how two runs of the optimiser move material differently."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest

from sidestream.domain.errors import InvalidInput
from sidestream.domain.network_design import Criterion
from sidestream.domain.routes import TransportModeName
from sidestream.domain.scenarios import (
    MAX_NAME_LENGTH,
    MAX_PARETO_POINTS,
    FlowChange,
    HubSpec,
    HubStatus,
    PlannedFlow,
    ScenarioPlan,
    ScenarioRun,
    ScenarioSpec,
    SiteChange,
    flow_changes,
    scenario_from_mapping,
    scenario_to_mapping,
)

PROCESS_CODES = ("none", "crushing_screening")
MATERIAL_CLASS_CODES = ("ferrochrome_slag", "steel_slag_eaf", "fly_ash_biomass")
CREATED_AT = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def read(data: dict[str, Any]) -> ScenarioSpec:
    return scenario_from_mapping(data, PROCESS_CODES, MATERIAL_CLASS_CODES)


def bad_fields(data: dict[str, Any]) -> set[str]:
    with pytest.raises(InvalidInput) as caught:
        read(data)
    return {error.field for error in caught.value.errors}


def hub_mapping(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Tornio crushing station",
        "latitude_deg": 65.85,
        "longitude_deg": 24.15,
        "capacity_t": 200_000,
        "fixed_cost_eur": 350_000,
        "process_code": "crushing_screening",
        "accepts_material_class_codes": ["ferrochrome_slag", "steel_slag_eaf"],
    }
    data.update(changes)
    return data


def full_spec() -> ScenarioSpec:
    """A spec that sets every field away from its default."""
    return ScenarioSpec(
        name="Rail siding at Kemi port — väylä",
        description="What if the port gets a siding?",
        weights={Criterion.EUR: 0.25, Criterion.CO2E: 1.0},
        floors={Criterion.TONNES: 10_000.0, Criterion.EUR: -5e5},
        pareto=(Criterion.EUR, Criterion.CO2E),
        pareto_points=7,
        modes=(TransportModeName.RAIL, TransportModeName.ROAD),
        min_lot_t=500.0,
        hubs=(
            HubSpec(
                name="Tornio crushing station",
                latitude_deg=65.85,
                longitude_deg=24.15,
                capacity_t=math.inf,
                fixed_cost_eur=350_000.0,
                process_code="crushing_screening",
                accepts_material_class_codes=("ferrochrome_slag", "steel_slag_eaf"),
                status=HubStatus.OPEN,
                fixed_co2e_t=12.5,
                has_rail_siding=True,
                has_port=True,
            ),
            HubSpec(
                name="Kemi yard",
                latitude_deg=65.73,
                longitude_deg=24.56,
                capacity_t=0.1,
                fixed_cost_eur=0.0,
                process_code="none",
                accepts_material_class_codes=("fly_ash_biomass",),
                status=HubStatus.CLOSED,
            ),
        ),
        site_changes=(
            SiteChange("Test Steel Oy", "Röyttä works", has_rail_siding=True),
            SiteChange("Kemi Port Oy", "Ajos", has_rail_siding=False, has_port=True),
        ),
        include_undecided=False,
        time_limit_s=30.0,
        mip_relative_gap_frac=0.01,
    )


def flow(
    stream: str = "Ferrochrome slag",
    need: str = "Road base",
    flow_t: float = 1000.0,
    hub: str | None = None,
    modes: str = "road",
    proposal_id: int = 1,
) -> PlannedFlow:
    return PlannedFlow(
        proposal_id=proposal_id,
        stream_id=10,
        need_id=20,
        stream=stream,
        need=need,
        producer="Test Steel Oy",
        receiver="Kemin kaupunki",
        hub=hub,
        modes=modes,
        flow_t=flow_t,
        eur=12_000.0,
        co2e_t=4.5,
    )


def plan(
    flows: tuple[PlannedFlow, ...] = (),
    solved: bool = True,
    label: str = "maximise co2e",
) -> ScenarioPlan:
    return ScenarioPlan(
        label=label,
        status="optimal" if solved else "infeasible",
        termination="optimal" if solved else "infeasible",
        message="" if solved else "the floors cannot all be met",
        weights={Criterion.CO2E: 1.0},
        floors={},
        eur=sum(f.eur for f in flows) if solved else None,
        co2e_t=sum(f.co2e_t for f in flows) if solved else None,
        tonnes=sum(f.flow_t for f in flows) if solved else None,
        hubs_opened=tuple(sorted({f.hub for f in flows if f.hub})),
        flows=flows,
        solver_name="highs",
        solver_version="1.7.2",
        solver_options={"presolve": True, "time_limit_s": None, "mip_rel_gap": 1e-4},
        runtime_s=0.25,
        relative_gap_frac=0.0 if solved else None,
    )


def run(*plans: ScenarioPlan, name: str = "baseline") -> ScenarioRun:
    return ScenarioRun(
        spec=ScenarioSpec(name=name), plans=plans, left_out=(), created_at=CREATED_AT
    )


# --- reading and writing --------------------------------------------------------------------


def test_a_name_alone_is_a_scenario_with_the_defaults() -> None:
    assert read({"name": "  Baseline  "}) == ScenarioSpec(name="Baseline")


def test_an_objective_is_a_single_weight() -> None:
    spec = read({"name": "x", "objective": "eur"})
    assert spec.weights == {Criterion.EUR: 1.0}


def test_a_full_scenario_reads_back_equal() -> None:
    spec = full_spec()
    assert read(scenario_to_mapping(spec)) == spec


def test_a_scenario_reads_back_equal_through_json() -> None:
    spec = full_spec()
    written = json.dumps(scenario_to_mapping(spec))
    assert read(json.loads(written)) == spec
    assert read(json.loads(json.dumps(scenario_to_mapping(ScenarioSpec(name="x"))))) == (
        ScenarioSpec(name="x")
    )


def test_writing_leaves_out_what_is_not_set() -> None:
    data = scenario_to_mapping(
        ScenarioSpec(name="x", site_changes=(SiteChange("Org", "Site", has_port=True),))
    )
    assert "pareto" not in data and "time_limit_s" not in data
    assert data["site_changes"] == [{"organisation": "Org", "site": "Site", "has_port": True}]


def test_every_bad_field_is_named_not_just_the_first() -> None:
    data = {
        "name": " ",
        "description": 3,
        "colour": "red",
        "weights": {"eur": "much", "speed": 1.0, "co2e": 1.0},
        "floors": {"co2e": math.nan},
        "pareto": ["eur", "eur"],
        "pareto_points": True,
        "modes": ["road", "air"],
        "min_lot_t": -1,
        "hubs": [
            hub_mapping(),
            hub_mapping(
                name="",
                latitude_deg=91,
                longitude_deg=-181,
                capacity_t=-5,
                fixed_cost_eur="free",
                fixed_co2e_t=math.inf,
                process_code="smelting",
                accepts_material_class_codes=["ferrochrome_slag", "gold"],
                status="maybe",
                has_rail_siding="yes",
                has_port=1,
            ),
        ],
        "site_changes": [{"organisation": "Org", "site": "Site"}, {"has_port": "no"}],
        "include_undecided": "yes",
        "time_limit_s": -1,
        "mip_relative_gap_frac": 2,
    }
    assert bad_fields(data) == {
        "name",
        "description",
        "colour",
        "weights.eur",
        "weights.speed",
        "floors.co2e",
        "pareto",
        "pareto_points",
        "modes",
        "min_lot_t",
        "hubs[1].name",
        "hubs[1].latitude_deg",
        "hubs[1].longitude_deg",
        "hubs[1].capacity_t",
        "hubs[1].fixed_cost_eur",
        "hubs[1].fixed_co2e_t",
        "hubs[1].process_code",
        "hubs[1].accepts_material_class_codes",
        "hubs[1].status",
        "hubs[1].has_rail_siding",
        "hubs[1].has_port",
        "site_changes[0]",
        "site_changes[1].organisation",
        "site_changes[1].site",
        "site_changes[1].has_port",
        "include_undecided",
        "time_limit_s",
        "mip_relative_gap_frac",
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "x" * (MAX_NAME_LENGTH + 1)}, "name"),
        ({"name": None}, "name"),
        ({"objective": "eur", "weights": {"eur": 1.0}}, "objective"),
        ({"objective": "happiness"}, "objective"),
        ({"weights": {"eur": 0, "co2e": 0.0}}, "weights"),
        ({"weights": ["eur"]}, "weights"),
        ({"weights": {"eur": math.inf}}, "weights.eur"),
        ({"pareto": ["eur"]}, "pareto"),
        ({"pareto": "eur,co2e"}, "pareto"),
        ({"pareto": ["eur", "wealth"]}, "pareto"),
        ({"pareto_points": 1}, "pareto_points"),
        ({"pareto_points": MAX_PARETO_POINTS + 1}, "pareto_points"),
        ({"pareto_points": 5.0}, "pareto_points"),
        ({"modes": []}, "modes"),
        ({"modes": "road"}, "modes"),
        ({"min_lot_t": "1 t"}, "min_lot_t"),
        ({"min_lot_t": math.inf}, "min_lot_t"),
        ({"hubs": {"name": "a hub"}}, "hubs"),
        ({"hubs": ["a hub"]}, "hubs"),
        ({"hubs": [hub_mapping(), hub_mapping()]}, "hubs"),
        ({"hubs": [hub_mapping(accepts_material_class_codes=[])]}, "hubs[0]."),
        ({"hubs": [hub_mapping(latitude_deg=-90.5)]}, "hubs[0].latitude_deg"),
        ({"hubs": [hub_mapping(capacity_t=math.nan)]}, "hubs[0].capacity_t"),
        (
            {"site_changes": [{"organisation": "O", "site": "S", "has_port": None}]},
            "site_changes[0]",
        ),
        ({"time_limit_s": "1 min"}, "time_limit_s"),
        ({"mip_relative_gap_frac": -0.1}, "mip_relative_gap_frac"),
        # values of the wrong shape are named too, not a crash (lists and tables are unhashable)
        ({"objective": ["eur"]}, "objective"),
        ({"pareto": [["eur"], "co2e"]}, "pareto"),
        ({"modes": [{"road": True}]}, "modes"),
        ({"hubs": [hub_mapping(status=["open"])]}, "hubs[0].status"),
        ({"min_lot_t": 10**400}, "min_lot_t"),
    ],
)
def test_one_bad_field_is_named(changes: dict[str, Any], field: str) -> None:
    fields = bad_fields({"name": "x", **changes})
    if field.endswith("."):
        assert fields == {field + "accepts_material_class_codes"}
    else:
        assert fields == {field}


def test_a_hub_may_have_unbounded_capacity_and_the_ranges_are_inclusive() -> None:
    hub = hub_mapping(capacity_t=math.inf, latitude_deg=-90, longitude_deg=180)
    spec = read({"name": "x", "hubs": [hub]})
    assert spec.hubs[0].capacity_t == math.inf
    assert (spec.hubs[0].latitude_deg, spec.hubs[0].longitude_deg) == (-90.0, 180.0)
    assert spec.hubs[0].status is HubStatus.CANDIDATE


def test_modes_named_twice_are_kept_once_in_order() -> None:
    spec = read({"name": "x", "modes": ["sea", "road", "sea"]})
    assert spec.modes == (TransportModeName.SEA, TransportModeName.ROAD)


def test_unknown_codes_are_checked_against_the_codes_given() -> None:
    data = scenario_to_mapping(full_spec())
    with pytest.raises(InvalidInput) as caught:
        scenario_from_mapping(data, ["none"], MATERIAL_CLASS_CODES)
    assert [error.field for error in caught.value.errors] == ["hubs[0].process_code"]
    assert "crushing_screening" in str(caught.value)


# --- comparing runs -------------------------------------------------------------------------


def test_runs_that_move_the_same_material_have_no_changes() -> None:
    before = run(plan((flow(flow_t=1000.0),)))
    after = run(plan((flow(flow_t=1000.4),)), name="other")
    assert flow_changes(before, after) == []
    assert flow_changes(before, after, tolerance_t=0.1) == [
        FlowChange("Ferrochrome slag", "Road base", "direct by road", 1000.0, 1000.4)
    ]


def test_a_change_of_route_is_one_route_ending_and_another_starting() -> None:
    before = run(plan((flow(flow_t=1000.0),)))
    after = run(
        plan(
            (
                flow(flow_t=600.0, hub="Tornio crushing station", modes="rail+road"),
                flow(flow_t=400.0, proposal_id=2),
            )
        ),
        name="hub",
    )
    assert flow_changes(before, after) == [
        FlowChange("Ferrochrome slag", "Road base", "direct by road", 1000.0, 400.0),
        FlowChange(
            "Ferrochrome slag", "Road base", "via Tornio crushing station by rail+road", 0.0, 600.0
        ),
    ]


def test_flows_of_one_route_add_up_and_the_largest_change_comes_first() -> None:
    before = run(plan((flow("Slag", "Base", 100.0), flow("Ash", "Fill", 50.0))))
    after = run(
        plan(
            (
                flow("Slag", "Base", 100.0),
                flow("Slag", "Base", 30.0, proposal_id=2),
                flow("Ash", "Fill", 500.0),
            )
        ),
        name="more",
    )
    assert flow_changes(before, after) == [
        FlowChange("Ash", "Fill", "direct by road", 50.0, 500.0),
        FlowChange("Slag", "Base", "direct by road", 100.0, 130.0),
    ]


def test_the_first_plan_with_a_solution_is_compared() -> None:
    before = run(plan(solved=False), plan((flow(flow_t=10.0),)), plan((flow(flow_t=99.0),)))
    after = run(plan((flow(flow_t=20.0),)), name="after")
    assert flow_changes(before, after) == [
        FlowChange("Ferrochrome slag", "Road base", "direct by road", 10.0, 20.0)
    ]


def test_a_run_without_any_solution_moves_nothing() -> None:
    unsolved = run(plan(solved=False), name="unsolved")
    solved = run(plan((flow(flow_t=10.0),)))
    assert flow_changes(unsolved, solved) == [
        FlowChange("Ferrochrome slag", "Road base", "direct by road", 0.0, 10.0)
    ]
    assert flow_changes(solved, unsolved)[0].after_t == 0.0
    assert flow_changes(unsolved, run(name="empty")) == []
