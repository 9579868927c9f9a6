"""Properties of network design on small random instances: plans are feasible, HiGHS and
SciPy agree, a new path never lowers the optimum, enumerating every hub-open subset and lot
binary agrees with the MILP, and Pareto points neither dominate each other nor go backwards."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from sidestream.adapters.solvers import HighsSolver, ScipyHighsSolver
from sidestream.domain.network_design import (
    Criterion,
    DesignObjective,
    HubState,
    NetworkDesignProblem,
    NetworkPlan,
    pareto_front,
    plan_network,
)
from sidestream.domain.solving import SolveOptions, SolveStatus

# Exact MIPs, so that optima can be compared at all.
EXACT = SolveOptions(mip_relative_gap_frac=0.0)
# Each example is a few small solves (the brute force a few dozen tiny LPs).
PROPERTY_SETTINGS = settings(max_examples=40, deadline=None)
OBJECTIVES = [
    DesignObjective({Criterion.EUR: 1.0}),
    DesignObjective({Criterion.CO2E: 1.0}),
    DesignObjective({Criterion.TONNES: 1.0}),
    DesignObjective({Criterion.EUR: 1.0, Criterion.CO2E: 10.0}),
    DesignObjective({Criterion.EUR: 1.0, Criterion.TONNES: -2.0}),
]


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-5)


def _solve(solver: Any) -> Any:
    return lambda program: solver.solve(program, EXACT)


@st.composite
def problems(
    draw: st.DrawFn,
    max_sources: int = 3,
    max_targets: int = 3,
    max_hubs: int = 2,
    max_paths: int = 5,
) -> NetworkDesignProblem:
    sources = draw(st.integers(1, max_sources))
    targets = draw(st.integers(1, max_targets))
    hubs = draw(st.integers(0, max_hubs))
    paths = draw(st.integers(1, max_paths))

    def each(count: int, values: st.SearchStrategy[Any]) -> list[Any]:
        return draw(st.lists(values, min_size=count, max_size=count))

    tonnes = st.integers(0, 20).map(float)
    supply, demand = each(sources, tonnes), each(targets, tonnes)
    capacity = each(hubs, st.one_of(tonnes, st.just(math.inf)))
    state = each(hubs, st.sampled_from(list(HubState)))
    source = each(paths, st.integers(0, sources - 1))
    target = each(paths, st.integers(0, targets - 1))
    hub = each(paths, st.integers(-1, hubs - 1))
    # A lot is a share of what its path can carry, so that it is always valid.
    most = [
        min(supply[s], demand[t], capacity[h] if h >= 0 else math.inf)
        for s, t, h in zip(source, target, hub, strict=True)
    ]
    share = each(paths, st.sampled_from([0.0, 0.0, 0.25, 0.5, 1.0]))
    return NetworkDesignProblem(
        supply_t=supply,
        demand_t=demand,
        path_source=source,
        path_target=target,
        path_hub=hub,
        path_mode=each(paths, st.integers(0, 2)),
        path_eur_per_t=each(paths, st.integers(-5, 10).map(float)),
        path_co2e_per_t=each(paths, st.integers(-2, 5).map(lambda v: v / 10)),
        path_min_lot_t=[m * s for m, s in zip(most, share, strict=True)],
        hub_capacity_t=capacity,
        hub_fixed_eur=each(hubs, st.integers(0, 60).map(float)),
        hub_fixed_co2e_t=each(hubs, st.integers(0, 4).map(lambda v: v / 2)),
        hub_state=[int(s) for s in state],
    )


def _optimum(problem: NetworkDesignProblem, objective: DesignObjective, solver: Any) -> float:
    plan = plan_network(problem, objective, _solve(solver))
    assert plan.status is SolveStatus.OPTIMAL, (plan.termination, plan.solve.message)
    assert plan.objective_value is not None
    return plan.objective_value


def _check_feasible(problem: NetworkDesignProblem, plan: NetworkPlan) -> None:
    """Independently of the plan's own guards, path by path."""
    assert plan.flow_t is not None and plan.hub_open is not None
    flow, tol = plan.flow_t, 1e-6
    assert (flow >= 0).all()
    for s, supply in enumerate(problem.supply_t):
        assert flow[problem.path_source == s].sum() <= supply + tol
    for t, demand in enumerate(problem.demand_t):
        assert flow[problem.path_target == t].sum() <= demand + tol
    for h in range(problem.hub_count):
        through = flow[problem.path_hub == h].sum()
        limit = problem.hub_capacity_t[h] if plan.hub_open[h] else 0.0
        assert through <= limit + tol
        assert plan.hub_open[h] == (problem.hub_state[h] == HubState.OPEN) or (
            problem.hub_state[h] == HubState.CANDIDATE
        )
    for p, lot in enumerate(problem.min_lot_t):
        assert flow[p] <= tol or flow[p] >= lot - tol


def _brute_force(problem: NetworkDesignProblem, objective: DesignObjective) -> float | None:
    """The best weighted total over every choice of candidate hubs to open and lot binaries,
    each an LP written path by path for scipy's linprog; None when no choice is feasible."""
    candidates = [h for h in range(problem.hub_count) if problem.hub_state[h] == HubState.CANDIDATE]
    usable = [
        problem.path_hub[p] < 0 or problem.hub_state[problem.path_hub[p]] != HubState.CLOSED
        for p in range(problem.path_count)
    ]
    lots = [p for p in range(problem.path_count) if problem.min_lot_t[p] > 0 and usable[p]]
    best: float | None = None
    for opened in itertools.product([False, True], repeat=len(candidates)):
        is_open = [problem.hub_state[h] == HubState.OPEN for h in range(problem.hub_count)]
        for h, chosen in zip(candidates, opened, strict=True):
            is_open[h] = chosen
        for carried in itertools.product([False, True], repeat=len(lots)):
            value = _fixed_choice(
                problem, objective, is_open, usable, dict(zip(lots, carried, strict=True))
            )
            if value is not None and (best is None or value > best):
                best = value
    return best


def _fixed_choice(
    problem: NetworkDesignProblem,
    objective: DesignObjective,
    is_open: list[bool],
    usable: list[bool],
    carried: dict[int, bool],
) -> float | None:
    paths = problem.path_count
    bounds = []
    for p in range(paths):
        hub = problem.path_hub[p]
        if not usable[p] or (hub >= 0 and not is_open[hub]) or carried.get(p) is False:
            bounds.append((0.0, 0.0))
        elif carried.get(p):
            bounds.append((problem.min_lot_t[p], None))
        else:
            bounds.append((0.0, None))
    rows, limits = [], []
    for index, amounts in (
        (problem.path_source, problem.supply_t),
        (problem.path_target, problem.demand_t),
    ):
        for node, amount in enumerate(amounts):
            rows.append([1.0 if index[p] == node else 0.0 for p in range(paths)])
            limits.append(amount)
    for h in range(problem.hub_count):
        if is_open[h] and math.isfinite(problem.hub_capacity_t[h]):
            rows.append([1.0 if problem.path_hub[p] == h else 0.0 for p in range(paths)])
            limits.append(problem.hub_capacity_t[h])

    def per_t(criterion: Criterion) -> list[float]:
        return [float(problem.path_value_per_t(criterion)[p]) for p in range(paths)]

    def fixed(criterion: Criterion) -> float:
        return sum(
            float(problem.hub_fixed(criterion)[h]) for h in range(problem.hub_count) if is_open[h]
        )

    for criterion, floor in objective.floors.items():
        rows.append([-v for v in per_t(criterion)])  # Σ v·x − fixed ≥ floor
        limits.append(-(floor + fixed(criterion)))
    cost = np.zeros(paths)
    constant = 0.0
    for criterion, weight in objective.weights.items():
        cost += weight * np.array(per_t(criterion))
        constant -= weight * fixed(criterion)
    outcome = linprog(-cost, A_ub=np.array(rows), b_ub=np.array(limits), bounds=bounds)
    if outcome.status != 0:
        assert outcome.status == 2, outcome.message  # infeasible; nothing here is unbounded
        return None
    return float(-outcome.fun) + constant


# --- properties ----------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(problem=problems(), objective=st.sampled_from(OBJECTIVES))
def test_every_plan_is_feasible_and_highs_and_scipy_agree(
    problem: NetworkDesignProblem, objective: DesignObjective
) -> None:
    values = []
    for solver in (HighsSolver(), ScipyHighsSolver()):
        plan = plan_network(problem, objective, _solve(solver))
        # No floors: shipping nothing and opening nothing is always feasible.
        assert plan.status is SolveStatus.OPTIMAL, (plan.termination, plan.solve.message)
        _check_feasible(problem, plan)
        assert plan.totals is not None and plan.objective_value is not None
        assert _close(objective.value_of(plan.totals), plan.objective_value)
        values.append(plan.objective_value)
    assert _close(values[0], values[1]), values


@PROPERTY_SETTINGS
@given(problem=problems(), objective=st.sampled_from(OBJECTIVES), data=st.data())
def test_adding_a_path_never_lowers_the_optimum(
    problem: NetworkDesignProblem, objective: DesignObjective, data: st.DataObject
) -> None:
    source = data.draw(st.integers(0, problem.source_count - 1))
    target = data.draw(st.integers(0, problem.target_count - 1))
    hub = data.draw(st.integers(-1, problem.hub_count - 1))
    most = min(problem.supply_t[source], problem.demand_t[target])
    if hub >= 0:
        most = min(most, problem.hub_capacity_t[hub])
    lot = data.draw(st.sampled_from([0.0, 0.5, 1.0])) * most

    def wider(name: str, value: float) -> np.ndarray:
        return np.append(getattr(problem, name), value)

    widened = NetworkDesignProblem(
        supply_t=problem.supply_t,
        demand_t=problem.demand_t,
        path_source=wider("path_source", source),
        path_target=wider("path_target", target).astype(np.int64),
        path_hub=wider("path_hub", hub).astype(np.int64),
        path_mode=wider("path_mode", 0).astype(np.int64),
        path_eur_per_t=wider("path_eur_per_t", data.draw(st.integers(-5, 10))),
        path_co2e_per_t=wider("path_co2e_per_t", data.draw(st.integers(-2, 5)) / 10),
        path_min_lot_t=np.append(problem.min_lot_t, lot),
        hub_capacity_t=problem.hub_capacity_t,
        hub_fixed_eur=problem.hub_fixed_eur,
        hub_fixed_co2e_t=problem.fixed_co2e_t,
        hub_state=problem.hub_state,
    )
    before = _optimum(problem, objective, HighsSolver())
    after = _optimum(widened, objective, HighsSolver())
    assert after >= before - 1e-5 * max(1.0, abs(before))


@PROPERTY_SETTINGS
@given(
    problem=problems(max_sources=2, max_targets=2, max_hubs=2, max_paths=4),
    objective=st.sampled_from(OBJECTIVES),
    floor=st.sampled_from([None, 0.0, 5.0, 20.0]),
)
def test_brute_force_over_hubs_and_lots_agrees_with_the_milp(
    problem: NetworkDesignProblem, objective: DesignObjective, floor: float | None
) -> None:
    if floor is not None:  # a tonnage to divert, which may make the problem infeasible
        objective = DesignObjective(objective.weights, {Criterion.TONNES: floor})
    enumerated = _brute_force(problem, objective)
    for solver in (HighsSolver(), ScipyHighsSolver()):
        plan = plan_network(problem, objective, _solve(solver))
        if enumerated is None:
            assert plan.status is SolveStatus.INFEASIBLE, (solver.name, plan.termination)
        else:
            assert plan.status is SolveStatus.OPTIMAL, (solver.name, plan.solve.message)
            assert plan.objective_value is not None
            assert _close(plan.objective_value, enumerated), (solver.name, enumerated)


@PROPERTY_SETTINGS
@given(problem=problems(max_paths=6), points=st.integers(2, 5))
def test_pareto_points_are_mutually_non_dominated_and_monotone(
    problem: NetworkDesignProblem, points: int
) -> None:
    front = pareto_front(
        problem, Criterion.EUR, Criterion.CO2E, _solve(HighsSolver()), points=points
    )
    assert all(plan.status is SolveStatus.OPTIMAL for plan in front.plans)
    assert 1 <= len(front.plans) <= points
    values = front.values()
    scale = np.maximum(1.0, np.abs(values).max(axis=0))
    tol = 1e-5 * scale
    # In order of the floor on CO2e: CO2e never falls and € never rises.
    assert (np.diff(values[:, 1]) >= -tol[1]).all(), values
    assert (np.diff(values[:, 0]) <= tol[0]).all(), values
    # A noted point stood in for a failed second solve: it may be weakly dominated.
    noted = set(front.notes)
    for i, j in itertools.permutations(range(len(values)), 2):
        if j in noted:
            continue
        at_least = (values[i] >= values[j] - tol).all()
        better = (values[i] > values[j] + tol).any()
        assert not (at_least and better), (values[i], values[j])
    # The ends are the single-criterion optima.
    for criterion, end in ((Criterion.EUR, values[0, 0]), (Criterion.CO2E, values[-1, 1])):
        best = _optimum(problem, DesignObjective.maximise(criterion), HighsSolver())
        assert _close(end, best) or abs(end - best) <= 1e-5 * max(1.0, abs(best))


def test_the_brute_force_oracle_on_a_hand_case() -> None:
    # The hub case of the unit tests: open at a fixed cost of 299 € for 201 €.
    problem = NetworkDesignProblem(
        supply_t=[100.0],
        demand_t=[100.0],
        path_source=[0, 0],
        path_target=[0, 0],
        path_hub=[-1, 0],
        path_mode=[0, 0],
        path_eur_per_t=[2.0, 5.0],
        path_co2e_per_t=[0.0, 0.0],
        hub_capacity_t=[100.0],
        hub_fixed_eur=[299.0],
        hub_state=[HubState.CANDIDATE],
    )
    assert _brute_force(problem, DesignObjective({Criterion.EUR: 1.0})) == 201.0
