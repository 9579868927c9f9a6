"""Speed of the general regional model (hubs, transport modes, minimum lots; LP and MILP)
against the same model written one path at a time with PuLP.

    .venv/bin/python -m benchmarks.network_design_speed [--scale 1.0] [--baseline-fraction 0.1]
        [--seed 0] [--no-progress]

Instances (seeded; drawing them is not timed). Candidate (supply, need) pairs each get four
paths: by road directly, by rail (three pairs in four) or ship directly, and the same two
modes through a hub. A path's € per tonne is what the material is worth at the need (uniform
in 5..40 €/t; 9 €/t more after a hub's processing) less transport (road 0.10 €/t·km; rail
0.04 €/t·km + 6 €/t handling; ship 0.025 €/t·km + 10 €/t), over a lognormal distance with a
median of 80 km and 0..40 % more through a hub; its CO2e avoided per tonne is a credit
(0.05..0.5 t/t; 0.2 t/t more after a hub) less transport emissions (80, 25 and 15 g/t·km).
Supplies and needs are uniform in 0..2000 t. The objective is € + 80 × t CO2e (a carbon price).

1. LP at full size: 100,000 supplies × 100,000 needs, 50 OPEN hubs (capacities 20..60 % of an
   even share of all supply, so they fill up), 1,000,000 paths. Timed: arrays to a checked
   plan (NetworkDesignProblem, build_linear_program, HighsSolver with a progress reporter,
   plan_from_result and its guards). Target: at most 60 s on two cores.
2. MILP: 2,000 supplies × 2,000 needs, 10,000 paths, 50 CANDIDATE hubs; each pair may use two
   different hubs (road through one, rail or ship through another); a hub's premium is 25 €/t
   and 0.3 t/t less detours; ship paths carry 0 or at least min(500 t, what they can carry);
   hub capacities are 50..150 % of a tenth of all supply and a year of a hub costs 7.5..22.5 €
   per tonne of capacity, so a hub pays only when well used and the LP relaxation is about
   5 % above the integral optimum. Solved to a 1 % gap (SolveOptions(mip_relative_gap_frac=
   0.01)). Target: at most 60 s.
3. Baseline: PuLP builds the LP of 1. one variable and one row at a time and hands it to the
   same HiGHS through its own interface, on --baseline-fraction of the supplies, needs and
   paths (50 hubs still); the array path is timed again on that instance for the ratio. The
   objectives must agree within 1e-7 (relative).
--scale shrinks 1. and 2. for a quick run (hubs stay 50).
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pulp

from benchmarks.timing import Timing, timed
from sidestream.adapters.solvers import HighsSolver
from sidestream.domain.network_design import (
    Criterion,
    DesignObjective,
    HubState,
    NetworkDesignProblem,
    NetworkPlan,
    build_linear_program,
    plan_from_result,
)
from sidestream.domain.solving import SolveOptions, SolverProgress, SolveStatus

TARGET_S = 60.0
AGREEMENT_FRAC = 1e-7
CARBON_PRICE_EUR_PER_T = 80.0
OBJECTIVE = DesignObjective({Criterion.EUR: 1.0, Criterion.CO2E: CARBON_PRICE_EUR_PER_T})
MODES = ("road", "rail", "ship")
ROAD, RAIL, SHIP = range(3)
EUR_PER_TKM = np.array([0.10, 0.04, 0.025])
HANDLING_EUR_PER_T = np.array([0.0, 6.0, 10.0])
CO2E_PER_TKM = np.array([80e-6, 25e-6, 15e-6])
PROGRESS_EVERY_S = 10.0


@dataclass(frozen=True)
class Pairs:
    """Four paths per (supply, need) pair: road direct, rail or ship direct, road through
    hub_a, rail or ship through hub_b."""

    source: np.ndarray
    target: np.ndarray
    km: np.ndarray
    detour: np.ndarray  # (2, pairs): through hub_a, through hub_b
    second_mode: np.ndarray
    hub_a: np.ndarray
    hub_b: np.ndarray

    def paths(self) -> dict[str, np.ndarray]:
        pair = np.repeat(np.arange(self.source.size), 4)
        kind = np.tile(np.arange(4), self.source.size)
        mode = np.where(kind % 2 == 0, ROAD, self.second_mode[pair])
        hub = np.select([kind == 2, kind == 3], [self.hub_a[pair], self.hub_b[pair]], -1)
        factor = np.select([kind == 2, kind == 3], [self.detour[0][pair], self.detour[1][pair]], 1)
        return {
            "pair": pair,
            "mode": mode,
            "hub": hub,
            "km": self.km[pair] * factor,
            "source": self.source[pair],
            "target": self.target[pair],
        }


def _pairs(rng: np.random.Generator, sources: int, targets: int, hubs: int, count: int) -> Pairs:
    hub_a = rng.integers(0, hubs, count)
    return Pairs(
        source=rng.integers(0, sources, count),
        target=rng.integers(0, targets, count),
        km=rng.lognormal(math.log(80.0), 0.5, count),
        detour=rng.uniform(1.0, 1.4, (2, count)),
        second_mode=np.where(rng.random(count) < 0.75, RAIL, SHIP),
        hub_a=hub_a,
        hub_b=(hub_a + rng.integers(1, hubs, count)) % hubs,
    )


def lp_instance(
    seed: int, sources: int, targets: int, paths: int, hubs: int = 50
) -> dict[str, Any]:
    """The columns of 1. (the keyword arguments of NetworkDesignProblem)."""
    rng = np.random.default_rng(seed)
    pairs = _pairs(rng, sources, targets, hubs, paths // 4)
    pairs = replace(pairs, hub_b=pairs.hub_a)  # both modes through the same hub
    path = pairs.paths()
    via = path["hub"] >= 0
    worth = rng.uniform(5.0, 40.0, pairs.source.size)[path["pair"]] + np.where(via, 9.0, 0.0)
    credit = rng.uniform(0.05, 0.5, pairs.source.size)[path["pair"]] + np.where(via, 0.2, 0.0)
    supply = rng.uniform(0.0, 2000.0, sources)
    return _columns(
        path,
        worth,
        credit,
        supply=supply,
        demand=rng.uniform(0.0, 2000.0, targets),
        capacity=rng.uniform(0.2, 0.6, hubs) * supply.sum() / hubs,
        fixed_eur=np.zeros(hubs),
        fixed_co2e=np.zeros(hubs),
        state=HubState.OPEN,
        lot=np.zeros(path["pair"].size),
    )


def milp_instance(
    seed: int, sources: int, targets: int, paths: int, hubs: int = 50
) -> dict[str, Any]:
    """The columns of 2."""
    rng = np.random.default_rng(seed)
    pairs = _pairs(rng, sources, targets, hubs, paths // 4)
    path = pairs.paths()
    via = path["hub"] >= 0
    worth = rng.uniform(0.0, 20.0, pairs.source.size)[path["pair"]] + np.where(via, 25.0, 0.0)
    credit = rng.uniform(0.0, 0.2, pairs.source.size)[path["pair"]] + np.where(via, 0.3, 0.0)
    supply = rng.uniform(0.0, 2000.0, sources)
    demand = rng.uniform(0.0, 2000.0, targets)
    capacity = rng.uniform(0.5, 1.5, hubs) * supply.sum() / 10
    most = np.minimum(supply[path["source"]], demand[path["target"]])
    most = np.where(via, np.minimum(most, capacity[np.maximum(path["hub"], 0)]), most)
    return _columns(
        path,
        worth,
        credit,
        supply=supply,
        demand=demand,
        capacity=capacity,
        fixed_eur=rng.uniform(0.5, 1.5, hubs) * capacity * 15.0,
        fixed_co2e=rng.uniform(0.0, 0.02, hubs) * capacity,
        state=HubState.CANDIDATE,
        lot=np.where(path["mode"] == SHIP, np.minimum(500.0, most), 0.0),
    )


def _columns(
    path: dict[str, np.ndarray],
    worth: np.ndarray,
    credit: np.ndarray,
    *,
    supply: np.ndarray,
    demand: np.ndarray,
    capacity: np.ndarray,
    fixed_eur: np.ndarray,
    fixed_co2e: np.ndarray,
    state: HubState,
    lot: np.ndarray,
) -> dict[str, Any]:
    mode, km = path["mode"], path["km"]
    return {
        "supply_t": supply,
        "demand_t": demand,
        "path_source": path["source"],
        "path_target": path["target"],
        "path_hub": path["hub"],
        "path_mode": mode,
        "path_eur_per_t": worth - EUR_PER_TKM[mode] * km - HANDLING_EUR_PER_T[mode],
        "path_co2e_per_t": credit - CO2E_PER_TKM[mode] * km,
        "path_min_lot_t": lot,
        "hub_capacity_t": capacity,
        "hub_fixed_eur": fixed_eur,
        "hub_fixed_co2e_t": fixed_co2e,
        "hub_state": np.full(capacity.size, state, dtype=np.int8),
    }


class _Printer:
    """Prints a progress report every PROGRESS_EVERY_S, so a long solve shows it is alive."""

    def __init__(self) -> None:
        self.last = -math.inf
        self.count = 0

    def __call__(self, progress: SolverProgress) -> None:
        self.count += 1
        if progress.elapsed_s - self.last >= PROGRESS_EVERY_S or progress.message.startswith(
            "finished"
        ):
            self.last = progress.elapsed_s
            gap = (
                ""
                if progress.relative_gap_frac is None
                else f", gap {100 * progress.relative_gap_frac:.2f} %"
            )
            print(f"    … {progress.elapsed_s:6.1f} s  {progress.message}{gap}")


def time_array_path(
    label: str, columns: dict[str, Any], options: SolveOptions, progress: bool
) -> tuple[Timing, NetworkDesignProblem, NetworkPlan]:
    """Everything a caller pays for, from arrays to a guarded plan."""

    def build() -> tuple[NetworkDesignProblem, Any]:
        problem = NetworkDesignProblem(**columns)
        return problem, build_linear_program(problem, OBJECTIVE)

    (problem, design), build_s = timed(build)
    printer = _Printer() if progress else None
    solver = HighsSolver(progress=printer)

    def solve() -> NetworkPlan:
        result = solver.solve(design.program, options)
        return plan_from_result(problem, OBJECTIVE, design, result)

    plan, solve_s = timed(solve)
    if plan.status is not SolveStatus.OPTIMAL or plan.objective_value is None:
        raise SystemExit(f"{label} failed: {plan.termination} {plan.solve.message}")
    if printer is not None:
        print(f"    ({printer.count} progress reports)")
    return Timing(label, build_s, solve_s, plan.objective_value), problem, plan


def describe(problem: NetworkDesignProblem, plan: NetworkPlan) -> None:
    """The plan, checked: its own guards passed, and the headline figures."""
    assert plan.flow_t is not None and plan.hub_open is not None and plan.totals is not None
    flow = plan.flow_t
    through = problem.hub_throughput_t(flow)
    full = int((through >= problem.hub_capacity_t * (1 - 1e-6)).sum())
    by_mode = ", ".join(
        f"{name} {tonnes / 1e6:.2f} Mt"
        for name, tonnes in zip(MODES, problem.mode_flow_t(flow), strict=False)
    )
    used = problem.source_outflow_t(flow).sum() / problem.supply_t.sum()
    print(
        f"  plan: guards passed ({plan.termination}, gap {plan.relative_gap_frac or 0:.2%}); "
        f"{plan.totals.tonnes / 1e6:.2f} Mt diverted ({used:.0%} of supply): {by_mode}; "
        f"{plan.totals.eur / 1e6:,.1f} M€, {plan.totals.co2e_t / 1e3:,.1f} kt CO2e avoided"
    )
    print(
        f"  hubs: {int(plan.hub_open.sum())} of {problem.hub_count} open, {full} full; "
        f"{int((flow > 0).sum()):,} of {problem.path_count:,} paths used"
    )


def time_pulp(columns: dict[str, Any]) -> Timing:
    """The usual PuLP model: a variable per path, a row per supply, need and hub, handed to
    HiGHS through PuLP's own interface."""
    problem = NetworkDesignProblem(**columns)
    per_t = problem.path_eur_per_t + CARBON_PRICE_EUR_PER_T * problem.path_co2e_per_t

    def build() -> Any:
        model = pulp.LpProblem("network_design", pulp.LpMaximize)
        flow = [
            pulp.LpVariable(f"x{path}", 0, float(most))
            for path, most in enumerate(problem.path_upper_t)
        ]
        model += pulp.lpSum(float(value) * x for value, x in zip(per_t, flow, strict=True))
        via = np.flatnonzero(problem.path_hub >= 0)
        for index, bounds, members in (
            (problem.path_source, problem.supply_t, np.arange(problem.path_count)),
            (problem.path_target, problem.demand_t, np.arange(problem.path_count)),
            (problem.path_hub[via], problem.hub_capacity_t, via),
        ):
            order = np.argsort(index, kind="stable")
            starts = np.searchsorted(index[order], np.arange(bounds.size + 1))
            for row, bound in enumerate(bounds):
                paths = members[order[starts[row] : starts[row + 1]]]
                if paths.size:
                    model += pulp.lpSum(flow[path] for path in paths) <= float(bound)
        return model

    model, build_s = timed(build)
    status, solve_s = timed(lambda: model.solve(pulp.HiGHS(msg=False)))
    if pulp.LpStatus[status] != "Optimal":
        raise SystemExit(f"PuLP/HiGHS failed: {pulp.LpStatus[status]}")
    return Timing("PuLP + HiGHS", build_s, solve_s, float(pulp.value(model.objective)))


def check_agreement(reference: Timing, other: Timing) -> None:
    difference = abs(other.objective - reference.objective) / abs(reference.objective)
    verdict = "agrees" if difference <= AGREEMENT_FRAC else "DISAGREES"
    print(f"  {other.label} {verdict} with the array path (relative {difference:.1e})")
    if difference > AGREEMENT_FRAC:
        raise SystemExit("objectives disagree")


def _size(columns: dict[str, Any]) -> str:
    supplies, needs = columns["supply_t"].size, columns["demand_t"].size
    return f"{supplies:,} supplies × {needs:,} needs, {columns['path_source'].size:,} paths"


def _verdict(timing: Timing) -> str:
    met = "met" if timing.total_s <= TARGET_S else "MISSED"
    return f"  target build + solve ≤ {TARGET_S:.0f} s: {met} ({timing.total_s:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--baseline-fraction", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args()
    progress = not args.no_progress

    def scaled(count: int, fraction: float = args.scale) -> int:
        return max(4, math.ceil(count * fraction))

    columns = lp_instance(args.seed, scaled(100_000), scaled(100_000), scaled(1_000_000))
    print(f"1. LP: {_size(columns)}, 50 OPEN hubs")
    lp, problem, plan = time_array_path(
        "arrays + HiGHS + guards", columns, SolveOptions(), progress
    )
    print(lp.line())
    describe(problem, plan)
    print(_verdict(lp))

    columns = milp_instance(args.seed, scaled(2_000), scaled(2_000), scaled(10_000))
    lots = int((columns["path_min_lot_t"] > 0).sum())
    print(f"2. MILP: {_size(columns)}, 50 CANDIDATE hubs, {lots:,} paths with a lot, to a 1 % gap")
    milp, problem, plan = time_array_path(
        f"arrays + HiGHS MIP ({50 + lots:,} binaries)",
        columns,
        SolveOptions(mip_relative_gap_frac=0.01),
        progress,
    )
    print(milp.line())
    describe(problem, plan)
    print(_verdict(milp))

    fraction = args.scale * args.baseline_fraction
    sizes = (scaled(100_000, fraction), scaled(100_000, fraction), scaled(1_000_000, fraction))
    columns = lp_instance(args.seed, *sizes)
    print(f"3. PuLP on the LP at {args.baseline_fraction:g} of its size: {_size(columns)}")
    ours, _, _ = time_array_path("arrays + HiGHS + guards", columns, SolveOptions(), False)
    theirs = time_pulp(columns)
    print(ours.line())
    print(theirs.line())
    print(
        f"  ratio PuLP ÷ array path, build + solve: {theirs.total_s / ours.total_s:.1f}× "
        f"(build {theirs.build_s / ours.build_s:.0f}×, solve {theirs.solve_s / ours.solve_s:.1f}×)"
    )
    check_agreement(ours, theirs)


if __name__ == "__main__":
    main()
