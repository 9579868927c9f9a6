"""The network design model (hubs, transport modes, minimum lots), its program, its guards and
its Pareto fronts: golden cases whose optima are worked out by hand in the comments, solved by
both HiGHS adapters, which must agree."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from sidestream.adapters.solvers import HighsSolver, ScipyHighsSolver
from sidestream.domain.errors import InvalidInput
from sidestream.domain.network_design import (
    Criterion,
    DesignObjective,
    HubState,
    NetworkDesignProblem,
    NetworkPlan,
    build_linear_program,
    dominated_paths,
    find_guard_violations,
    pareto_front,
    plan_from_result,
    plan_network,
)
from sidestream.domain.solving import (
    LinearProgram,
    LinearProgramSolver,
    SolveOptions,
    SolveResult,
    SolveStatus,
    TerminationCondition,
)

SOLVERS: list[LinearProgramSolver] = [HighsSolver(), ScipyHighsSolver()]
# Golden optima are exact: no MIP may stop short of them.
EXACT = SolveOptions(mip_relative_gap_frac=0.0)
EUR, CO2E, TONNES = Criterion.EUR, Criterion.CO2E, Criterion.TONNES
ROAD, RAIL = 0, 1
# A lexicographic second solve may give up LEXICOGRAPHIC_SLACK_FRAC of the first criterion
# (7.6e-5 € of 758 €) for more of the second (0.08 t/€ × 7.6e-5 € on 4.3 t: 1.4e-6 relative).
PARETO_RTOL = 1e-5


def _ids(solvers: list[LinearProgramSolver]) -> list[str]:
    return [solver.name for solver in solvers]


def _solve_with(solver: LinearProgramSolver) -> Any:
    return lambda program: solver.solve(program, EXACT)


def _plan(
    problem: NetworkDesignProblem, objective: DesignObjective, solver: LinearProgramSolver
) -> NetworkPlan:
    plan = plan_network(problem, objective, _solve_with(solver))
    assert plan.solver_name == solver.name
    return plan


def _optimal(plan: NetworkPlan) -> tuple[np.ndarray, np.ndarray, Any]:
    assert plan.status is SolveStatus.OPTIMAL, (plan.termination, plan.solve.message)
    assert plan.flow_t is not None and plan.hub_open is not None and plan.totals is not None
    return plan.flow_t, plan.hub_open, plan.totals


def _problem(**fields: Any) -> NetworkDesignProblem:
    """One supply of 100 t and one need of 100 t unless told otherwise; paths default to
    direct road paths worth nothing."""
    paths = len(fields.get("path_eur_per_t", fields.get("path_source", [0])))
    defaults: dict[str, Any] = {
        "supply_t": [100.0],
        "demand_t": [100.0],
        "path_source": [0] * paths,
        "path_target": [0] * paths,
        "path_hub": [-1] * paths,
        "path_mode": [ROAD] * paths,
        "path_eur_per_t": [0.0] * paths,
        "path_co2e_per_t": [0.0] * paths,
    }
    return NetworkDesignProblem(**(defaults | fields))


# --- golden cases --------------------------------------------------------------------------------


def _hub_worth(fixed_eur: float, state: HubState = HubState.CANDIDATE) -> NetworkDesignProblem:
    # 100 t, directly at 2 €/t or through a hub at 5 €/t: the hub is worth 3 €/t × 100 t = 300 €
    # a year more than going direct, against its fixed cost.
    return _problem(
        path_hub=[-1, 0],
        path_eur_per_t=[2.0, 5.0],
        hub_capacity_t=[100.0],
        hub_fixed_eur=[fixed_eur],
        hub_state=[state],
    )


@pytest.mark.parametrize("solver", SOLVERS, ids=_ids(SOLVERS))
@pytest.mark.parametrize(
    ("fixed_eur", "is_open", "flow_t", "eur"),
    [
        # 299 € < 300 €: open it, 5 × 100 − 299 = 201 € beats 2 × 100 = 200 €.
        (299.0, True, [0.0, 100.0], 201.0),
        # 301 € > 300 €: 500 − 301 = 199 € loses to 200 € direct.
        (301.0, False, [100.0, 0.0], 200.0),
    ],
)
def test_a_hub_is_opened_exactly_when_it_pays_for_itself(
    solver: LinearProgramSolver, fixed_eur: float, is_open: bool, flow_t: list[float], eur: float
) -> None:
    plan = _plan(_hub_worth(fixed_eur), DesignObjective.maximise(EUR), solver)
    flows, hub_open, totals = _optimal(plan)
    np.testing.assert_allclose(flows, flow_t, atol=1e-6)
    assert hub_open.tolist() == [is_open]
    assert totals.eur == pytest.approx(eur)
    assert plan.objective_value == pytest.approx(eur)
    assert totals.tonnes == pytest.approx(100.0)


@pytest.mark.parametrize("solver", SOLVERS, ids=_ids(SOLVERS))
def test_paths_through_a_closed_hub_carry_nothing_but_keep_their_place(
    solver: LinearProgramSolver,
) -> None:
    plan = _plan(_hub_worth(0.0, HubState.CLOSED), DesignObjective.maximise(EUR), solver)
    flows, hub_open, totals = _optimal(plan)
    np.testing.assert_allclose(flows, [100.0, 0.0], atol=1e-6)  # one flow per path, as given
    assert hub_open.tolist() == [False]
    assert totals.eur == pytest.approx(200.0)


@pytest.mark.parametrize("solver", SOLVERS, ids=_ids(SOLVERS))
def test_an_open_hubs_fixed_terms_count_even_when_nothing_passes(
    solver: LinearProgramSolver,
) -> None:
    # The hub path loses 1 €/t, so 100 t go direct at 2 €/t = 200 €; the OPEN hub still costs
    # its 50 € and 0.5 t CO2e a year: totals 150 € and -0.5 t.
    problem = _problem(
        path_hub=[-1, 0],
        path_eur_per_t=[2.0, -1.0],
        hub_capacity_t=[100.0],
        hub_fixed_eur=[50.0],
        hub_fixed_co2e_t=[0.5],
        hub_state=[HubState.OPEN],
    )
    objective = DesignObjective.maximise(EUR)
    design = build_linear_program(problem, objective)
    assert design.objective_offset == -50.0
    assert design.program.column_count == 2  # no open decision: the hub is running already
    plan = plan_from_result(problem, objective, design, solver.solve(design.program, EXACT))
    flows, hub_open, totals = _optimal(plan)
    np.testing.assert_allclose(flows, [100.0, 0.0], atol=1e-6)
    assert hub_open.tolist() == [True]
    assert (totals.eur, totals.co2e_t) == (pytest.approx(150.0), pytest.approx(-0.5))
    assert plan.objective_value == pytest.approx(150.0)
    assert plan.solve.objective_value == pytest.approx(200.0)  # the program's, without offset


@pytest.mark.parametrize("solver", SOLVERS, ids=_ids(SOLVERS))
def test_an_open_hubs_capacity_binds(solver: LinearProgramSolver) -> None:
    # The hub pays 5 €/t but passes only 30 t; the other 70 t go direct at 2 €/t:
    # 150 + 140 = 290 €.
    problem = _problem(
        path_hub=[-1, 0],
        path_eur_per_t=[2.0, 5.0],
        hub_capacity_t=[30.0],
        hub_fixed_eur=[0.0],
        hub_state=[HubState.OPEN],
    )
    flows, _, totals = _optimal(_plan(problem, DesignObjective.maximise(EUR), solver))
    np.testing.assert_allclose(flows, [70.0, 30.0], atol=1e-6)
    assert totals.eur == pytest.approx(290.0)


def _lots(lot_t: float) -> NetworkDesignProblem:
    # 100 t of supply; rail to need A (100 t) earns 1 €/t with a minimum lot, road to need B
    # (50 t) earns 4 €/t. Road always takes what B wants unless the lot needs the tonnes.
    return _problem(
        demand_t=[100.0, 50.0],
        path_target=[0, 1],
        path_mode=[RAIL, ROAD],
        path_eur_per_t=[1.0, 4.0],
        path_min_lot_t=[lot_t, 0.0],
    )


@pytest.mark.parametrize("solver", SOLVERS, ids=_ids(SOLVERS))
@pytest.mark.parametrize(
    ("lot_t", "flow_t", "eur"),
    [
        # No lot: road 50 t (200 €), rail the other 50 t (50 €) = 250 €.
        (0.0, [50.0, 50.0], 250.0),
        # Lot 60: rail 60 + road 40 = 60 + 160 = 220 € beats road alone, 200 €: rail carries
        # exactly its lot.
        (60.0, [60.0, 40.0], 220.0),
        # Lot 80: rail 80 + road 20 = 80 + 80 = 160 € loses to road alone, 200 €: rail carries 0.
        (80.0, [0.0, 50.0], 200.0),
    ],
)
def test_a_minimum_lot_forces_nothing_or_at_least_the_lot(
    solver: LinearProgramSolver, lot_t: float, flow_t: list[float], eur: float
) -> None:
    plan = _plan(_lots(lot_t), DesignObjective.maximise(EUR), solver)
    flows, _, totals = _optimal(plan)
    np.testing.assert_allclose(flows, flow_t, atol=1e-6)
    assert totals.eur == pytest.approx(eur)
    assert plan.solve.options  # the solver's own options are on record


def _road_or_rail(terminal_t: float = math.inf, **hub: Any) -> NetworkDesignProblem:
    # 100 t by road (10 €/t, 0.02 t CO2e avoided per t) or by rail (8 €/t, 0.05 t/t) through
    # an OPEN rail terminal.
    return _problem(
        path_hub=[-1, 0],
        path_mode=[ROAD, RAIL],
        path_eur_per_t=[10.0, 8.0],
        path_co2e_per_t=[0.02, 0.05],
        hub_capacity_t=[terminal_t],
        hub_fixed_eur=hub.get("fixed_eur", [0.0]),
        hub_fixed_co2e_t=hub.get("fixed_co2e_t", [0.0]),
        hub_state=[HubState.OPEN],
    )


@pytest.mark.parametrize("solver", SOLVERS, ids=_ids(SOLVERS))
@pytest.mark.parametrize(
    ("weights", "road_t", "objective_value"),
    [
        ({EUR: 1.0}, 100.0, 1000.0),  # road: 10 €/t > 8 €/t
        ({CO2E: 1.0}, 0.0, 5.0),  # rail: 0.05 t/t > 0.02 t/t
        # At 100 €/t CO2e, road is worth 10 + 2 = 12 €/t, rail 8 + 5 = 13 €/t: rail.
        ({EUR: 1.0, CO2E: 100.0}, 0.0, 1300.0),
        # At 50 €/t CO2e, road 10 + 1 = 11 €/t, rail 8 + 2.5 = 10.5 €/t: road.
        ({EUR: 1.0, CO2E: 50.0}, 100.0, 1100.0),
    ],
)
def test_the_objective_chooses_between_road_and_rail(
    solver: LinearProgramSolver,
    weights: dict[Criterion, float],
    road_t: float,
    objective_value: float,
) -> None:
    plan = _plan(_road_or_rail(), DesignObjective(weights), solver)
    flows, _, _ = _optimal(plan)
    np.testing.assert_allclose(flows, [road_t, 100.0 - road_t], atol=1e-6)
    assert plan.objective_value == pytest.approx(objective_value)
    problem = _road_or_rail()
    assert problem.mode_flow_t(flows) == pytest.approx([road_t, 100.0 - road_t])


@pytest.mark.parametrize("solver", SOLVERS, ids=_ids(SOLVERS))
def test_an_epsilon_floor_trades_euros_for_co2e(solver: LinearProgramSolver) -> None:
    # Maximise € with at least 3.5 t CO2e avoided. Filling the 100 t, CO2e = 2 + 0.03 × rail,
    # so rail ≥ 50 t, and € = 1000 − 2 × rail is best at rail = 50 t: 900 €, less the
    # terminal's 30 € a year = 870 €.
    problem = _road_or_rail(terminal_t=60.0, fixed_eur=[30.0])
    plan = _plan(problem, DesignObjective({EUR: 1.0}, floors={CO2E: 3.5}), solver)
    flows, _, totals = _optimal(plan)
    np.testing.assert_allclose(flows, [50.0, 50.0], atol=1e-6)
    assert totals.eur == pytest.approx(870.0)
    assert totals.co2e_t == pytest.approx(3.5)


@pytest.mark.parametrize("solver", SOLVERS, ids=_ids(SOLVERS))
def test_an_unreachable_floor_is_an_infeasible_plan(solver: LinearProgramSolver) -> None:
    # The terminal now emits 0.5 t a year: CO2e = 1.5 + 0.03 × rail ≥ 3.5 needs 66.7 t of rail,
    # more than the terminal's 60 t.
    problem = _road_or_rail(terminal_t=60.0, fixed_co2e_t=[0.5])
    plan = _plan(problem, DesignObjective({EUR: 1.0}, floors={CO2E: 3.5}), solver)
    assert plan.status is SolveStatus.INFEASIBLE
    assert plan.flow_t is None and plan.totals is None and plan.objective_value is None


@pytest.mark.parametrize("solver", SOLVERS, ids=_ids(SOLVERS))
def test_pareto_front_of_road_and_rail(solver: LinearProgramSolver) -> None:
    # With the terminal at 60 t, every efficient plan fills the 100 t with rail r in 0..60:
    # € = 1000 − 2r, CO2e = 2 + 0.03r. The anchors are r = 0 (1000 €, 2 t) and r = 60
    # (880 €, 3.8 t); four points put floors at 2.6 and 3.2 t: r = 20 and 40.
    front = pareto_front(_road_or_rail(terminal_t=60.0), EUR, CO2E, _solve_with(solver), points=4)
    assert [plan.status for plan in front.plans] == [SolveStatus.OPTIMAL] * 4
    np.testing.assert_allclose(
        front.values(), [[1000, 2.0], [960, 2.6], [920, 3.2], [880, 3.8]], rtol=PARETO_RTOL
    )


@pytest.mark.parametrize("solver", SOLVERS, ids=_ids(SOLVERS))
def test_pareto_front_across_a_hub_decision(solver: LinearProgramSolver) -> None:
    # 100 t by road (10 €/t, 0.02 t/t) or through a candidate plant (9 €/t, 0.1 t/t) that costs
    # 200 € and 1 t CO2e a year. Closed: (1000 €, 2 t). Open with h t through it:
    # € = 800 − h, CO2e = 1 + 0.08h, which beats 2 t only above h = 12.5. Anchors: closed, and
    # h = 100 (700 €, 9 t). Floors at 2 + 7/3 and 2 + 14/3 t need h = 41.67 and 70.83:
    # 758.33 € and 729.17 €. The front jumps across the opening decision.
    problem = _problem(
        path_hub=[-1, 0],
        path_mode=[ROAD, RAIL],
        path_eur_per_t=[10.0, 9.0],
        path_co2e_per_t=[0.02, 0.1],
        hub_capacity_t=[100.0],
        hub_fixed_eur=[200.0],
        hub_fixed_co2e_t=[1.0],
        hub_state=[HubState.CANDIDATE],
    )
    front = pareto_front(problem, EUR, CO2E, _solve_with(solver), points=4)
    expected = [[1000, 2], [800 - 125 / 3, 2 + 7 / 3], [800 - 425 / 6, 2 + 14 / 3], [700, 9]]
    np.testing.assert_allclose(front.values(), expected, rtol=PARETO_RTOL)
    assert [plan.hub_open.tolist() for plan in front.plans if plan.hub_open is not None] == [
        [False],
        [True],
        [True],
        [True],
    ]


@pytest.mark.parametrize("solver", SOLVERS, ids=_ids(SOLVERS))
def test_pareto_front_survives_a_presolve_that_calls_a_feasible_program_infeasible(
    solver: LinearProgramSolver,
) -> None:
    # Found by the property tests. A direct path (2 €/t, −0.1 t CO2e/t) with a 3 t lot from a
    # 6 t supply; a candidate hub whose 51 € a year nothing pays for. Feasible flows on the
    # direct path: 0 or 3..6 t. Anchors: 6 t (12 €, −0.6 t) and nothing (0 €, 0 t). The floor
    # −0.4 t allows 4 t (8 €, −0.4 t); the floor −0.2 t allows at most 2 t, so 0 t because of
    # the lot: (0 €, 0 t) again, kept once. HiGHS 1.16's MIP presolve calls that last second
    # solve (CO2e ≥ −0.2, € ≥ −1e-7) infeasible though shipping nothing satisfies it; the
    # front keeps the first solve's plan instead of losing the point.
    problem = NetworkDesignProblem(
        supply_t=[6.0],
        demand_t=[6.0, 2.0, 0.0],
        path_source=[0, 0, 0, 0, 0],
        path_target=[0, 0, 0, 0, 1],
        path_hub=[0, 0, -1, 0, 0],
        path_mode=[0, 0, 0, 0, 0],
        path_eur_per_t=[0.0, 0.0, 2.0, 7.0, 0.0],
        path_co2e_per_t=[0.0, 0.0, -0.1, 0.0, 0.4],
        path_min_lot_t=[0.0, 0.0, 3.0, 0.0, 0.0],
        hub_capacity_t=[math.inf, 0.0],
        hub_fixed_eur=[51.0, 0.0],
        hub_fixed_co2e_t=[1.0, 0.0],
        hub_state=[HubState.CANDIDATE, HubState.CLOSED],
    )
    front = pareto_front(problem, EUR, CO2E, _solve_with(solver), points=4)
    assert all(plan.status is SolveStatus.OPTIMAL for plan in front.plans)
    np.testing.assert_allclose(
        front.values(), [[12.0, -0.6], [8.0, -0.4], [0.0, 0.0]], rtol=PARETO_RTOL, atol=1e-6
    )


def test_pareto_front_without_a_trade_off_is_one_point() -> None:
    # Road is better in both: both anchors are the same plan, kept once, and no floor is tried.
    problem = _problem(path_eur_per_t=[10.0, 8.0], path_co2e_per_t=[0.05, 0.02])
    solves: list[LinearProgram] = []

    def solve(program: LinearProgram) -> SolveResult:
        solves.append(program)
        return HighsSolver().solve(program, EXACT)

    front = pareto_front(problem, EUR, CO2E, solve, points=5)
    np.testing.assert_allclose(front.values(), [[1000.0, 5.0]])
    assert len(solves) == 4  # two lexicographic pairs


def test_pareto_front_keeps_a_failed_solve_as_its_status() -> None:
    # A solver that gives up on every program with a floor. The anchors' first solves have
    # none: their plans stand in for the failed second solves, with a note. Both floors of
    # the levels fail at the first solve: they stay in the front as time-limited plans.
    def solve(program: LinearProgram) -> SolveResult:
        if np.isfinite(program.row_lower).any():
            return SolveResult(TerminationCondition.TIME_LIMIT, "stub", "0", 0.0, message="tired")
        return HighsSolver().solve(program, EXACT)

    front = pareto_front(_road_or_rail(terminal_t=60.0), EUR, CO2E, solve, points=4)
    optimal, limited = TerminationCondition.OPTIMAL, TerminationCondition.TIME_LIMIT
    assert [plan.termination for plan in front.plans] == [optimal, limited, limited, optimal]
    np.testing.assert_allclose(front.values(), [[1000.0, 2.0], [880.0, 3.8]])
    assert sorted(front.notes) == [0, 3]
    assert front.notes[0].startswith("maximising co2e with eur held at 999.9999")
    assert "ended time_limit (tired)" in front.notes[0]


def test_pareto_front_with_a_common_floor() -> None:
    # € against CO2e while at least 95 t must be diverted: the road-only anchor is unchanged
    # and every point still moves 100 t.
    problem = _road_or_rail(terminal_t=60.0)
    front = pareto_front(
        problem, EUR, CO2E, _solve_with(HighsSolver()), points=3, floors={TONNES: 95.0}
    )
    np.testing.assert_allclose(
        front.values(), [[1000, 2.0], [940, 2.9], [880, 3.8]], rtol=PARETO_RTOL
    )
    assert all(plan.objective.floors[TONNES] == 95.0 for plan in front.plans)


# --- both solvers agree on a larger instance -----------------------------------------------------


def random_problem(seed: int, paths: int = 400, hubs: int = 8) -> NetworkDesignProblem:
    rng = np.random.default_rng(seed)
    sources, targets = 30, 30
    hub = np.where(rng.random(paths) < 0.5, rng.integers(0, hubs, paths), -1)
    supply = rng.uniform(0, 100, sources)
    demand = rng.uniform(0, 100, targets)
    source, target = rng.integers(0, sources, paths), rng.integers(0, targets, paths)
    upper = np.minimum(supply[source], demand[target])
    capacity = rng.uniform(50, 400, hubs)
    upper = np.where(hub >= 0, np.minimum(upper, capacity[np.maximum(hub, 0)]), upper)
    return NetworkDesignProblem(
        supply_t=supply,
        demand_t=demand,
        path_source=source,
        path_target=target,
        path_hub=hub,
        path_mode=rng.integers(0, 3, paths),
        path_eur_per_t=rng.uniform(-5, 20, paths) + np.where(hub >= 0, 6.0, 0.0),
        path_co2e_per_t=rng.uniform(-0.1, 0.5, paths),
        path_min_lot_t=np.where(rng.random(paths) < 0.1, upper * rng.uniform(0, 1, paths), 0),
        hub_capacity_t=capacity,
        hub_fixed_eur=rng.uniform(100, 1500, hubs),
        hub_fixed_co2e_t=rng.uniform(0, 5, hubs),
        hub_state=rng.choice([HubState.CLOSED, HubState.CANDIDATE, HubState.OPEN], hubs),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_highs_and_scipy_agree_on_a_random_milp(seed: int) -> None:
    problem = random_problem(seed)
    objective = DesignObjective({EUR: 1.0, CO2E: 50.0}, floors={TONNES: 100.0})
    plans = [_plan(problem, objective, solver) for solver in SOLVERS]
    values = [plan.objective_value for plan in plans]
    assert all(plan.status is SolveStatus.OPTIMAL for plan in plans), values
    assert values[0] == pytest.approx(values[1], rel=1e-6)
    assert plans[0].totals is not None and plans[0].totals.tonnes >= 100.0 - 1e-6


# --- the program ---------------------------------------------------------------------------------


def test_program_layout_of_candidate_hubs_and_lots() -> None:
    # Paths: 0 direct, 1 through candidate hub 0 with a lot of 10 t, 2 through OPEN hub 1,
    # 3 through CLOSED hub 2 (carries nothing, so its lot gets no binary).
    problem = NetworkDesignProblem(
        supply_t=[40.0, 60.0],
        demand_t=[50.0],
        path_source=[0, 0, 1, 1],
        path_target=[0, 0, 0, 0],
        path_hub=[-1, 0, 1, 2],
        path_mode=[0, 1, 0, 1],
        path_eur_per_t=[1.0, 2.0, 3.0, 4.0],
        path_co2e_per_t=[0.1, 0.2, 0.3, 0.4],
        path_min_lot_t=[0.0, 10.0, 0.0, 70.0],
        hub_capacity_t=[30.0, 35.0, 80.0],
        hub_fixed_eur=[5.0, 7.0, 9.0],
        hub_fixed_co2e_t=[0.5, 0.7, 0.9],
        hub_state=[HubState.CANDIDATE, HubState.OPEN, HubState.CLOSED],
    )
    objective = DesignObjective({EUR: 1.0, CO2E: 10.0}, floors={TONNES: 5.0, CO2E: 1.0})
    design = build_linear_program(problem, objective)
    program = design.program
    # Columns: 4 flows, the candidate's open decision, one lot binary.
    assert (design.flow_columns, design.hub_columns, design.lot_columns) == (
        slice(0, 4),
        slice(4, 5),
        slice(5, 6),
    )
    assert design.hub_of_column.tolist() == [0]
    assert design.lot_paths.tolist() == [1]
    assert program.is_integer.tolist() == [False] * 4 + [True] * 2
    # Most per path: min(supply, demand, hub capacity), 0 through the closed hub.
    np.testing.assert_allclose(program.col_upper, [40, 30, 35, 0, 1, 1])
    # € + 10 × CO2e per tonne; the candidate's open decision costs 5 + 10 × 0.5 = 10; the OPEN
    # hub's 7 + 10 × 0.7 = 14 is the offset.
    np.testing.assert_allclose(program.objective, [2, 4, 6, 8, -10, 0])
    assert design.objective_offset == pytest.approx(-14.0)
    rows = program.constraints.toarray()
    # 2 supplies, 1 demand, 3 hubs, 2 lot rows, 1 link x1 ≤ 30·y, 1 link z ≤ y, 2 floors.
    assert rows.shape == (12, 6)
    np.testing.assert_allclose(rows[3], [0, 1, 0, 0, -30, 0])  # candidate: x1 − U·y ≤ 0
    np.testing.assert_allclose(rows[4], [0, 0, 1, 0, 0, 0])  # OPEN: x2 ≤ 35
    np.testing.assert_allclose(rows[5], 0)  # CLOSED: nothing passes
    np.testing.assert_allclose(
        rows[6:10],
        [[0, 1, 0, 0, 0, -30], [0, 1, 0, 0, 0, -10], [0, 1, 0, 0, -30, 0], [0, 0, 0, 0, -1, 1]],
    )
    np.testing.assert_allclose(program.row_upper[:10], [40, 60, 50, 0, 35, 0, 0, np.inf, 0, 0])
    np.testing.assert_allclose(program.row_lower[7], 0)
    # Floors, in the order given: tonnes ≥ 5; CO2e ≥ 1 with the OPEN hub's 0.7 t moved over.
    np.testing.assert_allclose(rows[10], [1, 1, 1, 1, 0, 0])
    np.testing.assert_allclose(rows[11], [0.1, 0.2, 0.3, 0.4, -0.5, 0])
    np.testing.assert_allclose(program.row_lower[10:], [5.0, 1.7])


def test_a_candidate_hubs_limit_is_what_its_paths_can_reach() -> None:
    # Unlimited capacity, but its paths start from one supply of 40 t (twice): U = 40.
    problem = NetworkDesignProblem(
        supply_t=[40.0],
        demand_t=[100.0, 100.0],
        path_source=[0, 0],
        path_target=[0, 1],
        path_hub=[0, 0],
        path_mode=[0, 0],
        path_eur_per_t=[1.0, 1.0],
        path_co2e_per_t=[0.0, 0.0],
        hub_capacity_t=[math.inf],
        hub_fixed_eur=[1.0],
        hub_state=[HubState.CANDIDATE],
    )
    rows = build_linear_program(problem, DesignObjective.maximise(EUR)).program.constraints
    assert rows.toarray()[3].tolist() == [1.0, 1.0, -40.0]


def _one_route_by_three_modes(**fields: Any) -> NetworkDesignProblem:
    # Paths 0..2 share a route (supply 0 → need 0, direct): road 10 €/t and 0.02 t/t, rail
    # 8 €/t and 0.05 t/t, ship 7 €/t and 0.01 t/t. Path 3 takes the same pair through a hub: a
    # route of its own.
    return _problem(
        path_hub=[-1, -1, -1, 0],
        path_mode=[0, 1, 2, 0],
        path_eur_per_t=[10.0, 8.0, 7.0, 1.0],
        path_co2e_per_t=[0.02, 0.05, 0.01, 0.0],
        hub_capacity_t=[100.0],
        hub_fixed_eur=[0.0],
        hub_state=[HubState.OPEN],
        **fields,
    )


@pytest.mark.parametrize(
    ("objective", "dominated"),
    [
        # Road leads by €: rail and ship are beaten in the objective.
        (DesignObjective.maximise(EUR), [1, 2]),
        # Rail leads at 100 €/t CO2e (13 €/t against road's 12).
        (DesignObjective({EUR: 1.0, CO2E: 100.0}), [0, 2]),
        # With a CO2e floor, road leads by € but avoids less CO2e than rail, so rail stays;
        # ship, beaten by road in both, goes.
        (DesignObjective({EUR: 1.0}, floors={CO2E: 1.0}), [2]),
        # A tonnage floor: every path carries a tonne a tonne, so only € decides.
        (DesignObjective({EUR: 1.0}, floors={TONNES: 1.0}), [1, 2]),
    ],
)
def test_parallel_paths_beaten_on_every_count_are_held_at_zero(
    objective: DesignObjective, dominated: list[int]
) -> None:
    problem = _one_route_by_three_modes()
    assert dominated_paths(problem, objective).tolist() == dominated
    design = build_linear_program(problem, objective)
    np.testing.assert_array_equal(
        np.flatnonzero(design.program.col_upper[design.flow_columns] == 0), dominated
    )


def test_paths_with_a_lot_are_never_held_at_zero() -> None:
    # Rail has a lot: it is not the same as road with a lot of 0, in either direction.
    problem = _one_route_by_three_modes(path_min_lot_t=[0.0, 10.0, 0.0, 0.0])
    assert dominated_paths(problem, DesignObjective.maximise(EUR)).tolist() == [2]
    assert dominated_paths(problem, DesignObjective.maximise(CO2E)).tolist() == [2]


@pytest.mark.parametrize("solver", SOLVERS, ids=_ids(SOLVERS))
def test_holding_dominated_paths_at_zero_keeps_the_optimum(solver: LinearProgramSolver) -> None:
    # Road is worth 10 €/t: 1000 € whatever the slower modes would have carried.
    problem = _one_route_by_three_modes()
    plan = _plan(problem, DesignObjective.maximise(EUR), solver)
    flows, _, totals = _optimal(plan)
    np.testing.assert_allclose(flows, [100.0, 0.0, 0.0, 0.0], atol=1e-6)
    assert totals.eur == pytest.approx(1000.0)


def test_a_million_paths_build_as_arrays() -> None:
    rng = np.random.default_rng(0)
    paths, hubs = 1_000_000, 50
    hub = np.where(rng.random(paths) < 0.4, rng.integers(0, hubs, paths), -1)
    problem = NetworkDesignProblem(
        supply_t=rng.uniform(0, 100, 100_000),
        demand_t=rng.uniform(0, 100, 100_000),
        path_source=rng.integers(0, 100_000, paths),
        path_target=rng.integers(0, 100_000, paths),
        path_hub=hub,
        path_mode=rng.integers(0, 3, paths),
        path_eur_per_t=rng.uniform(-5, 20, paths),
        path_co2e_per_t=rng.uniform(0, 1, paths),
        hub_capacity_t=np.full(hubs, 1e5),
        hub_fixed_eur=np.zeros(hubs),
        hub_state=np.full(hubs, HubState.OPEN),
    )
    program = build_linear_program(problem, DesignObjective({EUR: 1.0, CO2E: 80.0})).program
    assert program.constraints.shape == (200_050, paths)
    assert program.constraints.nnz == 2 * paths + int((hub >= 0).sum())


# --- guards --------------------------------------------------------------------------------------


def _result(values: list[float], objective: float | None) -> SolveResult:
    return SolveResult(
        termination=TerminationCondition.OPTIMAL,
        solver_name="hand",
        solver_version="0",
        runtime_s=0.0,
        objective_value=objective,
        primal_values=np.array(values, dtype=np.float64),
    )


def _guarded(
    problem: NetworkDesignProblem,
    objective: DesignObjective,
    values: list[float],
    reported: float | None,
) -> NetworkPlan:
    design = build_linear_program(problem, objective)
    return plan_from_result(problem, objective, design, _result(values, reported))


def test_a_correct_solution_becomes_a_plan() -> None:
    plan = _guarded(_hub_worth(299.0), DesignObjective.maximise(EUR), [0, 100, 1], 201.0)
    assert plan.status is SolveStatus.OPTIMAL and plan.guard_violations == ()
    assert plan.totals is not None and plan.totals.eur == 201.0


@pytest.mark.parametrize(
    ("values", "reported", "said"),
    [
        # Both paths full: the supply ships 200 t of 100.
        ([100, 100, 1], 401.0, "1 supply(s) ship more than their supply"),
        # Through the hub without opening it.
        ([0, 100, 0], 500.0, "1 hub(s) pass more than their capacity (0 when not open)"),
        ([-5, 100, 1], 191.0, "1 path(s) carry negative flow"),
        ([0, 100, 1], 250.0, "differs from the objective of its flows and hubs"),
    ],
)
def test_guards_refuse_a_wrong_solution(values: list[float], reported: float, said: str) -> None:
    plan = _guarded(_hub_worth(299.0), DesignObjective.maximise(EUR), values, reported)
    assert plan.termination is TerminationCondition.GUARD_VIOLATED
    assert plan.status is SolveStatus.ERROR
    assert plan.flow_t is None and plan.totals is None
    assert any(said in violation for violation in plan.guard_violations), plan.guard_violations


def test_guards_catch_a_broken_lot_and_a_broken_floor() -> None:
    problem = _lots(60.0)
    objective = DesignObjective({EUR: 1.0}, floors={TONNES: 90.0})
    violations = find_guard_violations(
        problem, objective, np.array([30.0, 50.0]), np.zeros(0, dtype=np.bool_), 30.0 + 200.0
    )
    assert violations == [
        "1 path(s) carry more than 0 but less than their lot (worst: path 0, 30 t of 60 t)",
        "the tonnes total 80 is below its floor 90",
    ]


def test_a_result_without_a_solution_is_a_plan_without_flows() -> None:
    problem = _hub_worth(1.0)
    objective = DesignObjective.maximise(EUR)
    design = build_linear_program(problem, objective)
    result = SolveResult(TerminationCondition.INFEASIBLE, "hand", "0", 0.0)
    plan = plan_from_result(problem, objective, design, result)
    assert plan.termination is TerminationCondition.INFEASIBLE
    assert plan.flow_t is None and plan.hub_open is None and plan.guard_violations == ()


# --- bad input -----------------------------------------------------------------------------------


def _fields() -> dict[str, Any]:
    return {
        "supply_t": [10.0, 20.0],
        "demand_t": [30.0],
        "path_source": [0, 1],
        "path_target": [0, 0],
        "path_hub": [-1, 0],
        "path_mode": [0, 1],
        "path_eur_per_t": [1.0, 2.0],
        "path_co2e_per_t": [0.1, 0.2],
        "path_min_lot_t": [0.0, 5.0],
        "hub_capacity_t": [15.0],
        "hub_fixed_eur": [3.0],
        "hub_fixed_co2e_t": [0.0],
        "hub_state": [HubState.CANDIDATE],
    }


def test_the_reference_fields_are_valid() -> None:
    problem = NetworkDesignProblem(**_fields())
    assert (problem.path_count, problem.source_count, problem.target_count) == (2, 2, 1)
    assert problem.hub_count == 1 and problem.hub_state.dtype == np.int8
    np.testing.assert_allclose(problem.path_upper_t, [10.0, 15.0])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"path_target": [0]}, "path_target"),
        ({"path_eur_per_t": [1.0, 2.0, 3.0]}, "path_eur_per_t"),
        ({"path_min_lot_t": [1.0]}, "path_min_lot_t"),
        ({"hub_fixed_eur": [1.0, 2.0]}, "hub_fixed_eur"),
        ({"hub_state": [1, 1]}, "hub_state"),
        ({"hub_fixed_co2e_t": []}, "hub_fixed_co2e_t"),
        ({"supply_t": [10.0, -1.0]}, "supply_t"),
        ({"supply_t": [10.0, math.inf]}, "supply_t"),
        ({"demand_t": [math.nan]}, "demand_t"),
        ({"path_source": [0, 2]}, "path_source"),
        ({"path_target": [-1, 0]}, "path_target"),
        ({"path_hub": [-2, 0]}, "path_hub"),
        ({"path_hub": [-1, 1]}, "path_hub"),
        ({"path_source": [0.0, 1.5]}, "path_source"),
        ({"path_mode": [0, -1]}, "path_mode"),
        ({"path_eur_per_t": [1.0, math.nan]}, "path_eur_per_t"),
        ({"path_co2e_per_t": [math.inf, 0.0]}, "path_co2e_per_t"),
        ({"hub_capacity_t": [-1.0]}, "hub_capacity_t"),
        ({"hub_capacity_t": [math.nan]}, "hub_capacity_t"),
        ({"hub_fixed_eur": [-3.0]}, "hub_fixed_eur"),
        ({"hub_fixed_co2e_t": [math.nan]}, "hub_fixed_co2e_t"),
        ({"hub_state": [3]}, "hub_state"),
        ({"hub_state": [259]}, "hub_state"),  # would wrap round to 3 in int8
        ({"path_min_lot_t": [0.0, -1.0]}, "path_min_lot_t"),
        ({"path_min_lot_t": [0.0, math.inf]}, "path_min_lot_t"),
    ],
)
def test_invalid_problem_names_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        NetworkDesignProblem(**(_fields() | changes))
    assert field in {error.field for error in raised.value.errors}


def test_a_lot_above_what_its_path_can_carry_names_the_path() -> None:
    # Path 1 can carry at most min(20 t supply, 30 t demand, 15 t hub) = 15 t.
    with pytest.raises(InvalidInput) as raised:
        NetworkDesignProblem(**(_fields() | {"path_min_lot_t": [0.0, 16.0]}))
    (error,) = raised.value.errors
    assert error.field == "path_min_lot_t"
    assert "(first: path 1, 16 t > 15 t)" in error.reason


def test_a_lot_through_a_closed_hub_is_not_checked() -> None:
    closed = NetworkDesignProblem(
        **(_fields() | {"path_min_lot_t": [0.0, 16.0], "hub_state": [HubState.CLOSED]})
    )
    assert closed.lot_paths.size == 0


def test_every_broken_rule_is_listed() -> None:
    with pytest.raises(InvalidInput) as raised:
        NetworkDesignProblem(
            **(_fields() | {"path_eur_per_t": [math.nan, 1.0], "hub_capacity_t": [-1.0]})
        )
    assert {error.field for error in raised.value.errors} == {"path_eur_per_t", "hub_capacity_t"}


@pytest.mark.parametrize(
    ("weights", "floors", "field"),
    [
        ({EUR: 0.0, CO2E: 0.0}, {}, "weights"),
        ({}, {}, "weights"),
        ({"pounds": 1.0}, {}, "weights"),
        ({EUR: math.nan}, {}, "weights"),
        ({EUR: 1.0}, {CO2E: math.inf}, "floors"),
        ({EUR: 1.0}, {"co2": 1.0}, "floors"),
    ],
)
def test_invalid_objective_names_the_field(
    weights: dict[Any, float], floors: dict[Any, float], field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        DesignObjective(weights, floors)
    assert raised.value.errors[0].field == field


def test_objective_takes_criteria_by_name_and_is_read_only() -> None:
    objective = DesignObjective({"eur": 1.0, "tonnes": -2.0}, {"co2e": 3})  # type: ignore[dict-item]
    assert dict(objective.weights) == {EUR: 1.0, TONNES: -2.0}
    assert objective.weight(CO2E) == 0.0
    with pytest.raises(TypeError):
        objective.floors[EUR] = 1.0  # type: ignore[index]


@pytest.mark.parametrize(
    ("first", "second", "points", "field"),
    [(EUR, EUR, 5, "second"), (EUR, CO2E, 1, "points")],
)
def test_invalid_pareto_request(
    first: Criterion, second: Criterion, points: int, field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        pareto_front(_hub_worth(1.0), first, second, _solve_with(HighsSolver()), points=points)
    assert raised.value.errors[0].field == field
