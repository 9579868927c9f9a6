"""Answers to allocation problems that share no code with the solvers: golden cases computed
by hand, a greedy heuristic (a lower bound on the optimum) and exhaustive integer enumeration
(the optimum itself on tiny integral instances), plus random instances."""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

from sidestream.domain.allocation import AllocationProblem
from sidestream.domain.solving import FloatArray

CASES = Path(__file__).parent.parent / "data" / "cases"
CASE_NAMES = sorted(path.parent.name for path in CASES.glob("*/case.json"))


@dataclass(frozen=True)
class GoldenCase:
    name: str
    why: str
    problem: AllocationProblem
    total_value: float
    flow_t: FloatArray


def load_case(name: str) -> GoldenCase:
    data = json.loads((CASES / name / "case.json").read_text(encoding="utf-8"))
    fields = data["problem"]
    capacity = fields["edge_capacity_t"]
    problem = AllocationProblem(
        edge_source_index=np.array(fields["edge_source_index"], dtype=np.int64),
        edge_target_index=np.array(fields["edge_target_index"], dtype=np.int64),
        value_per_t=np.array(fields["value_per_t"], dtype=np.float64),
        supply_t=np.array(fields["supply_t"], dtype=np.float64),
        demand_t=np.array(fields["demand_t"], dtype=np.float64),
        # JSON has no infinity: null stands for "no capacity".
        edge_capacity_t=None
        if capacity is None
        else np.array([math.inf if c is None else c for c in capacity], dtype=np.float64),
    )
    expected = data["expected"]
    return GoldenCase(
        name=name,
        why=data["why"],
        problem=problem,
        total_value=float(expected["total_value"]),
        flow_t=np.array(expected["flow_t"], dtype=np.float64),
    )


def allocate_greedily(problem: AllocationProblem) -> FloatArray:
    """Edges by value, best first; each ships as much as its source, target and capacity allow.

    Feasible by construction, so its value is a lower bound on the optimum (not the optimum:
    see the golden case greedy_is_not_optimal)."""
    supply_left = problem.supply_t.copy()
    demand_left = problem.demand_t.copy()
    flow_t = np.zeros(problem.edge_count)
    capacity_t = problem.capacity_t
    for edge in np.argsort(-problem.value_per_t, kind="stable"):
        if problem.value_per_t[edge] <= 0:
            break
        source, target = problem.edge_source_index[edge], problem.edge_target_index[edge]
        amount = min(supply_left[source], demand_left[target], capacity_t[edge])
        flow_t[edge] = amount
        supply_left[source] -= amount
        demand_left[target] -= amount
    return flow_t


@dataclass(frozen=True)
class Enumeration:
    total_value: float
    flow_t: FloatArray
    optimal_count: int  # integral flows that reach the optimum


def allocate_by_enumeration(problem: AllocationProblem) -> Enumeration:
    """Try every integral flow. With integral supplies, demands and capacities the constraint
    matrix is totally unimodular, so an integral flow is among the optima of the LP and the
    best integral flow is the LP optimum."""
    limits = np.minimum(
        problem.capacity_t,
        np.minimum(
            problem.supply_t[problem.edge_source_index],
            problem.demand_t[problem.edge_target_index],
        ),
    )
    best_value, best_flow, count = -math.inf, np.zeros(problem.edge_count), 0
    for candidate in itertools.product(*(range(int(limit) + 1) for limit in limits)):
        flow_t = np.array(candidate, dtype=np.float64)
        if (problem.source_outflow_t(flow_t) > problem.supply_t).any():
            continue
        if (problem.target_inflow_t(flow_t) > problem.demand_t).any():
            continue
        value = problem.value_of(flow_t)
        if value > best_value + 1e-9:
            best_value, best_flow, count = value, flow_t, 1
        elif abs(value - best_value) <= 1e-9:
            count += 1
    return Enumeration(best_value, best_flow, count)


@st.composite
def allocation_problems(
    draw: st.DrawFn,
    max_sources: int = 6,
    max_targets: int = 6,
    max_edges: int = 14,
    max_amount_t: int = 100,
    is_integral: bool = False,
) -> AllocationProblem:
    """Small problems with values in cents and amounts in tenths of a tonne (or whole
    tonnes when is_integral), some edges without capacity and some worth nothing or less."""
    sources = draw(st.integers(1, max_sources))
    targets = draw(st.integers(1, max_targets))
    edges = draw(st.integers(0, max_edges))
    scale = 1.0 if is_integral else 10.0

    def amounts(count: int, allow_unlimited: bool = False) -> FloatArray:
        whole = st.integers(0, int(max_amount_t * scale)).map(lambda a: a / scale)
        element = st.one_of(whole, st.just(math.inf)) if allow_unlimited else whole
        return np.array(draw(st.lists(element, min_size=count, max_size=count)))

    has_capacity = draw(st.booleans())
    return AllocationProblem(
        edge_source_index=np.array(
            draw(st.lists(st.integers(0, sources - 1), min_size=edges, max_size=edges)),
            dtype=np.int64,
        ),
        edge_target_index=np.array(
            draw(st.lists(st.integers(0, targets - 1), min_size=edges, max_size=edges)),
            dtype=np.int64,
        ),
        value_per_t=np.array(
            draw(st.lists(st.integers(-2000, 10000), min_size=edges, max_size=edges)),
            dtype=np.float64,
        )
        / 100.0,
        supply_t=amounts(sources),
        demand_t=amounts(targets),
        edge_capacity_t=amounts(edges, allow_unlimited=True) if has_capacity else None,
    )


def random_problem(
    seed: int, sources: int, targets: int, edges: int, value_spread: float = 100.0
) -> AllocationProblem:
    """A larger random instance: uniform pairs, values in [-value_spread / 10, value_spread],
    supplies and demands up to 100 t, edge capacities up to 50 t with a tenth unlimited."""
    rng = np.random.default_rng(seed)
    capacity = rng.uniform(0.0, 50.0, edges)
    capacity[rng.random(edges) < 0.1] = math.inf
    return AllocationProblem(
        edge_source_index=rng.integers(0, sources, edges),
        edge_target_index=rng.integers(0, targets, edges),
        value_per_t=rng.uniform(-value_spread / 10, value_spread, edges),
        supply_t=rng.uniform(0.0, 100.0, sources),
        demand_t=rng.uniform(0.0, 100.0, targets),
        edge_capacity_t=capacity,
    )
