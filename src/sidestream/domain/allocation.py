"""Allocation: how many tonnes each candidate edge from a side stream to a need should carry.

The transportation problem on candidate edges (source → target, e.g. the proposals matching
found): maximise the sum of value_per_t × flow_t, where no source ships more than its supply_t,
no target receives more than its demand_t and no edge carries more than its capacity. Nothing
has to ship: an edge worth nothing or less stays empty. The value is a benefit per tonne (EUR,
t CO2e avoided, or 1 to maximise tonnes exchanged).

Everything is columnar: one array per attribute, one entry per edge, source or target, and the
linear program is assembled with sparse-matrix operations, not a loop over edges. After the
solve, guards recompute mass balance, capacities, non-negativity and the objective from the
flows; a plan that fails them is an error, never a quietly wrong plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import sparse

from sidestream.domain.columns import index_errors, length_errors, tonnes_errors
from sidestream.domain.errors import FieldError, InvalidInput
from sidestream.domain.solving import (
    FEASIBILITY_TOLERANCE_FRAC,
    OBJECTIVE_TOLERANCE_FRAC,
    FloatArray,
    IntArray,
    LinearProgram,
    ObjectiveSense,
    SolveResult,
    SolveStatus,
    TerminationCondition,
)


class ValueUnit(StrEnum):
    """What value_per_t is counted in: its total is in this unit."""

    EUR = "eur"
    CO2E_T = "co2e_t"
    MASS_T = "t"  # value_per_t of 1 maximises the tonnes exchanged


@dataclass(frozen=True, eq=False)
class AllocationProblem:
    """Candidate edges as columns; sources and targets are numbered from 0.

    edge_capacity_t None (or +inf entries) leaves an edge limited only by its source's supply
    and its target's demand. Arrays are coerced to int64 / float64; invalid input raises
    InvalidInput listing every broken rule."""

    edge_source_index: IntArray
    edge_target_index: IntArray
    value_per_t: FloatArray
    supply_t: FloatArray  # per source
    demand_t: FloatArray  # per target
    edge_capacity_t: FloatArray | None = None
    value_unit: ValueUnit = ValueUnit.MASS_T

    def __post_init__(self) -> None:
        errors: list[FieldError] = []
        for name in ("edge_source_index", "edge_target_index"):
            raw = np.asarray(getattr(self, name))
            if raw.size and raw.dtype.kind not in "iu":
                errors.append(FieldError(name, "must be integer indices"))
            object.__setattr__(self, name, raw.astype(np.int64))
        for name in ("value_per_t", "supply_t", "demand_t"):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=np.float64))
        if self.edge_capacity_t is not None:
            capacity = np.asarray(self.edge_capacity_t, dtype=np.float64)
            object.__setattr__(self, "edge_capacity_t", capacity)
        errors += _problem_errors(self)
        if errors:
            raise InvalidInput(errors)

    @property
    def edge_count(self) -> int:
        return int(self.edge_source_index.shape[0])

    @property
    def source_count(self) -> int:
        return int(self.supply_t.shape[0])

    @property
    def target_count(self) -> int:
        return int(self.demand_t.shape[0])

    @property
    def capacity_t(self) -> FloatArray:
        """Per edge, +inf where no capacity is given."""
        if self.edge_capacity_t is None:
            return np.full(self.edge_count, np.inf)
        return self.edge_capacity_t

    def source_outflow_t(self, flow_t: FloatArray) -> FloatArray:
        outflow = np.bincount(self.edge_source_index, weights=flow_t, minlength=self.source_count)
        return np.asarray(outflow, dtype=np.float64)  # weighted counts are floats already

    def target_inflow_t(self, flow_t: FloatArray) -> FloatArray:
        inflow = np.bincount(self.edge_target_index, weights=flow_t, minlength=self.target_count)
        return np.asarray(inflow, dtype=np.float64)

    def value_of(self, flow_t: FloatArray) -> float:
        return float(self.value_per_t @ flow_t)


def _problem_errors(problem: AllocationProblem) -> list[FieldError]:
    per_edge = ["edge_source_index", "edge_target_index", "value_per_t"]
    if problem.edge_capacity_t is not None:
        per_edge.append("edge_capacity_t")
    errors = length_errors(problem, per_edge, problem.edge_source_index.shape[0], "edge")
    errors += tonnes_errors(problem, ("supply_t", "demand_t"))
    if errors:
        return errors
    errors += index_errors(problem, "edge_source_index", 0, problem.source_count, "edge")
    errors += index_errors(problem, "edge_target_index", 0, problem.target_count, "edge")
    if not np.isfinite(problem.value_per_t).all():
        errors.append(FieldError("value_per_t", "must be finite"))
    capacity = problem.edge_capacity_t
    if capacity is not None and not (capacity >= 0).all():  # NaN fails too
        errors.append(FieldError("edge_capacity_t", "must be zero or more tonnes (inf: none)"))
    return errors


def build_linear_program(problem: AllocationProblem) -> LinearProgram:
    """Columns are edges; rows are the sources' supplies, then the targets' demands.

    Each column has a 1 in its source's row and in its target's row, so the matrix is written
    column by column (two entries each) and converted to CSR in one sparse operation."""
    edges, sources = problem.edge_count, problem.source_count
    rows_of_columns = np.empty(2 * edges, dtype=np.int64)
    rows_of_columns[0::2] = problem.edge_source_index
    rows_of_columns[1::2] = sources + problem.edge_target_index
    by_column = sparse.csc_array(
        (np.ones(2 * edges), rows_of_columns, np.arange(0, 2 * edges + 1, 2)),
        shape=(sources + problem.target_count, edges),
    )
    return LinearProgram(
        objective=problem.value_per_t,
        constraints=by_column.tocsr(),
        row_lower=np.full(sources + problem.target_count, -np.inf),
        row_upper=np.concatenate([problem.supply_t, problem.demand_t]),
        col_lower=np.zeros(edges),
        col_upper=problem.capacity_t,
        is_integer=np.zeros(edges, dtype=np.bool_),
        sense=ObjectiveSense.MAXIMISE,
    )


@dataclass(frozen=True, eq=False)
class AllocationPlan:
    """Flows per edge, or None with the reason in termination, guard_violations and solve.

    flow_t is given when the solve found a solution (optimal, or feasible when a time limit
    stopped it: status says which) and it passed the guards; flows are then clipped into
    [0, capacity], which only removes solver noise within the guards' tolerance."""

    termination: TerminationCondition
    flow_t: FloatArray | None
    total_value: float | None  # in the problem's value_unit
    solve: SolveResult
    guard_violations: tuple[str, ...] = ()

    @property
    def status(self) -> SolveStatus:
        return self.termination.status

    @property
    def total_flow_t(self) -> float | None:
        return None if self.flow_t is None else float(self.flow_t.sum())


def plan_from_result(problem: AllocationProblem, result: SolveResult) -> AllocationPlan:
    """Turn a solve of build_linear_program(problem) into a plan, guarding it first."""
    x = result.primal_values
    if x is None or result.status not in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT):
        return AllocationPlan(result.termination, None, None, result)
    violations = find_guard_violations(problem, x, result.objective_value)
    if violations:
        return AllocationPlan(
            TerminationCondition.GUARD_VIOLATED, None, None, result, tuple(violations)
        )
    flow_t = np.clip(x, 0.0, problem.capacity_t)
    return AllocationPlan(result.termination, flow_t, problem.value_of(flow_t), result)


def find_guard_violations(
    problem: AllocationProblem, flow_t: FloatArray, reported_value: float | None
) -> list[str]:
    """Mass balance, capacities, non-negativity and the objective, recomputed from the flows.

    A quantity may exceed its bound by FEASIBILITY_TOLERANCE_FRAC of the bound (at least of
    1 t), which covers solvers' own tolerances and nothing more."""
    if flow_t.shape != (problem.edge_count,):
        return [f"{flow_t.shape} flows for {problem.edge_count} edges"]
    if not np.isfinite(flow_t).all():
        return [f"{int((~np.isfinite(flow_t)).sum())} flows are not finite"]
    outflow_t = problem.source_outflow_t(flow_t)
    inflow_t = problem.target_inflow_t(flow_t)
    capacity_t = problem.capacity_t
    checks = (
        # what is wrong, of what, the amount, its limit (None: the lower bound 0), the excess
        ("carry negative flow", "edge", flow_t, None, -flow_t),
        ("carry more than their capacity", "edge", flow_t, capacity_t, flow_t - capacity_t),
        (
            "ship more than their supply",
            "source",
            outflow_t,
            problem.supply_t,
            outflow_t - problem.supply_t,
        ),
        (
            "receive more than their demand",
            "target",
            inflow_t,
            problem.demand_t,
            inflow_t - problem.demand_t,
        ),
    )
    violations = []
    for what, kind, amount_t, limit_t, excess_t in checks:
        scale_t = 1.0 if limit_t is None else np.maximum(1.0, np.abs(limit_t))
        broken = np.flatnonzero(excess_t > FEASIBILITY_TOLERANCE_FRAC * scale_t)
        if broken.size:
            worst = int(broken[np.argmax(excess_t[broken])])
            of_limit = "" if limit_t is None else f" of {limit_t[worst]:.6g} t"
            violations.append(
                f"{broken.size} {kind}(s) {what} "
                f"(worst: {kind} {worst}, {amount_t[worst]:.6g} t{of_limit})"
            )
    if reported_value is not None:
        recomputed = problem.value_of(flow_t)
        scale = max(1.0, float(np.abs(problem.value_per_t) @ np.abs(flow_t)))
        if abs(recomputed - reported_value) > OBJECTIVE_TOLERANCE_FRAC * scale:
            violations.append(
                f"the solver's objective {reported_value:.10g} differs from the value of its "
                f"flows {recomputed:.10g}"
            )
    return violations
