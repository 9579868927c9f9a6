"""Speed of allocation (the transportation problem on candidate edges) against PuLP with CBC.

    .venv/bin/python -m benchmarks.allocation_speed [--sources 100000] [--targets 100000]
        [--edges 1000000] [--pulp-fraction 0.1] [--seed 0] [--skip-slow]

The instance (seeded): edges join uniformly drawn sources and targets; values uniform in
0..100 per t; supplies and demands uniform in 0..100 t; edge capacities uniform in 0..50 t.

1. Full size: the chosen path (AllocationProblem, build_linear_program, choose_solver, which
   picks our network simplex, and the plan's guards) is timed as model build + solve; then
   OR-Tools min-cost flow, HiGHS dual simplex and HiGHS interior point solve the same program
   (--skip-slow leaves these three out: they take about a minute each).
2. PuLP builds its model one variable and one row at a time in Python and hands it to CBC
   through a file; at a million edges that takes minutes, so by default it runs on a smaller
   instance (--pulp-fraction of the sources, targets and edges), on which the chosen path is
   timed again for the ratio.
Every objective must agree with the chosen path's within 1e-7 (relative).
Target (issue 4): a pure allocation on 1,000,000 edges, model build plus solve at most 5 s on
two cores.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

import numpy as np
import pulp

from benchmarks.timing import Timing, timed
from sidestream.adapters.solvers import (
    HighsSolver,
    MinCostFlowSolver,
    choose_solver,
)
from sidestream.domain.allocation import (
    AllocationProblem,
    ValueUnit,
    build_linear_program,
    plan_from_result,
)
from sidestream.domain.solving import LinearProgram, LinearProgramSolver, LpMethod, SolveOptions

AGREEMENT_FRAC = 1e-7
TARGET_S = 5.0


def synthetic_problem(seed: int, sources: int, targets: int, edges: int) -> AllocationProblem:
    rng = np.random.default_rng(seed)
    return AllocationProblem(
        edge_source_index=rng.integers(0, sources, edges),
        edge_target_index=rng.integers(0, targets, edges),
        value_per_t=rng.uniform(0.0, 100.0, edges),
        supply_t=rng.uniform(0.0, 100.0, sources),
        demand_t=rng.uniform(0.0, 100.0, targets),
        edge_capacity_t=rng.uniform(0.0, 50.0, edges),
        value_unit=ValueUnit.EUR,
    )


def time_chosen_path(seed: int, sources: int, targets: int, edges: int) -> Timing:
    """Everything a caller pays for, from arrays to a guarded plan."""
    drawn = synthetic_problem(seed, sources, targets, edges)  # drawing is not timed
    columns = (
        drawn.edge_source_index,
        drawn.edge_target_index,
        drawn.value_per_t,
        drawn.supply_t,
        drawn.demand_t,
        drawn.edge_capacity_t,
    )

    def build() -> tuple[AllocationProblem, LinearProgram]:
        problem = AllocationProblem(*columns, value_unit=ValueUnit.EUR)
        return problem, build_linear_program(problem)

    (problem, program), build_s = timed(build)

    def solve() -> float:
        result = choose_solver(program).solve(program, SolveOptions())
        plan = plan_from_result(problem, result)
        if plan.total_value is None:
            raise SystemExit(f"the chosen path failed: {plan.termination} {result.message}")
        return plan.total_value

    objective, solve_s = timed(solve)
    return Timing(f"chosen ({choose_solver(program).name}) + guards", build_s, solve_s, objective)


def time_solver(
    label: str, program: LinearProgram, solver: LinearProgramSolver, options: SolveOptions
) -> Timing:
    result, solve_s = timed(lambda: solver.solve(program, options))
    if result.objective_value is None:
        raise SystemExit(f"{label} failed: {result.termination} {result.message}")
    return Timing(label, 0.0, solve_s, result.objective_value)


def time_pulp(problem: AllocationProblem) -> Timing:
    """The usual PuLP model: a variable per edge, a row per source and per target."""

    def build() -> Any:
        model = pulp.LpProblem("allocation", pulp.LpMaximize)
        flow = [
            pulp.LpVariable(f"x{edge}", 0, float(capacity))
            for edge, capacity in enumerate(problem.capacity_t)
        ]
        model += pulp.lpSum(
            float(value) * variable
            for value, variable in zip(problem.value_per_t, flow, strict=True)
        )
        for index, bounds in (
            (problem.edge_source_index, problem.supply_t),
            (problem.edge_target_index, problem.demand_t),
        ):
            order = np.argsort(index, kind="stable")
            starts = np.searchsorted(index[order], np.arange(bounds.size + 1))
            for row, bound in enumerate(bounds):
                edges = order[starts[row] : starts[row + 1]]
                if edges.size:
                    model += pulp.lpSum(flow[edge] for edge in edges) <= float(bound)
        return model

    model, build_s = timed(build)
    status, solve_s = timed(lambda: model.solve(pulp.PULP_CBC_CMD(msg=False)))
    if pulp.LpStatus[status] != "Optimal":
        raise SystemExit(f"PuLP/CBC failed: {pulp.LpStatus[status]}")
    return Timing("PuLP + CBC", build_s, solve_s, float(pulp.value(model.objective)))


def check_agreement(reference: Timing, others: list[Timing]) -> None:
    for other in others:
        difference = abs(other.objective - reference.objective) / abs(reference.objective)
        verdict = "agrees" if difference <= AGREEMENT_FRAC else "DISAGREES"
        print(f"  {other.label} {verdict} with the chosen path (relative {difference:.1e})")
        if difference > AGREEMENT_FRAC:
            raise SystemExit("objectives disagree")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sources", type=int, default=100_000)
    parser.add_argument("--targets", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--pulp-fraction", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-slow", action="store_true")
    args = parser.parse_args()

    _, compile_s = timed(lambda: time_chosen_path(args.seed, 50, 50, 500))
    print(f"compiling the network simplex (first run, cached afterwards): {compile_s:.1f} s")

    size = f"{args.sources:,} sources × {args.targets:,} targets, {args.edges:,} edges"
    print(f"full size: {size}")
    chosen = time_chosen_path(args.seed, args.sources, args.targets, args.edges)
    print(chosen.line())
    verdict = "met" if chosen.total_s <= TARGET_S else "MISSED"
    print(f"  target build + solve ≤ {TARGET_S:.0f} s: {verdict} ({chosen.total_s:.2f} s)")
    if not args.skip_slow:
        problem = synthetic_problem(args.seed, args.sources, args.targets, args.edges)
        program, build_s = timed(lambda: build_linear_program(problem))
        others = [
            time_solver("OR-Tools min-cost flow", program, MinCostFlowSolver(), SolveOptions()),
            time_solver(
                "HiGHS dual simplex",
                program,
                HighsSolver(),
                SolveOptions(lp_method=LpMethod.SIMPLEX),
            ),
            time_solver(
                "HiGHS interior point",
                program,
                HighsSolver(),
                SolveOptions(lp_method=LpMethod.INTERIOR_POINT),
            ),
        ]
        others = [Timing(t.label, build_s, t.solve_s, t.objective) for t in others]
        for timing in others:
            print(f"{timing.line()}  ({timing.total_s / chosen.total_s:.1f}× the chosen path)")
        check_agreement(chosen, others)

    fraction = args.pulp_fraction
    small = [max(1, math.ceil(n * fraction)) for n in (args.sources, args.targets, args.edges)]
    where = "the full instance" if fraction >= 1 else f"a smaller instance ({fraction:g} of each)"
    print(f"PuLP/CBC on {where}: {small[0]:,} sources × {small[1]:,} targets, {small[2]:,} edges")
    ours = time_chosen_path(args.seed, *small)
    theirs = time_pulp(synthetic_problem(args.seed, *small))
    print(ours.line())
    print(theirs.line())
    print(
        f"  ratio PuLP/CBC ÷ chosen path, build + solve: {theirs.total_s / ours.total_s:.0f}× "
        f"(build {theirs.build_s / ours.build_s:.0f}×, solve {theirs.solve_s / ours.solve_s:.0f}×)"
    )
    check_agreement(ours, [theirs])


if __name__ == "__main__":
    main()
