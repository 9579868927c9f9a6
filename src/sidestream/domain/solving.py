"""Linear programs and what solvers say about them, independent of any solver.

A LinearProgram is held in vectorised form (objective vector, sparse CSR constraint matrix, row
and column bounds, integrality flags), so a million columns cost a few arrays, not a million
Python objects. A solve ends in a SolveResult: an infeasible, unbounded or time-limited model is
a status, never an exception, and every result says which solver, version and options produced it.

Checks that do not trust the solver live here too: `decide_trivially` settles programs no solver
needs to see (no columns, contradictory bounds), `verify_result` recomputes the objective and the
constraint activities of a returned solution, and `classify_transportation` recognises the pure
supply → demand network that a min-cost-flow algorithm can solve.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from typing import Protocol

import numpy as np
import numpy.typing as npt
from scipy import sparse

from sidestream.domain.errors import FieldError, InvalidInput

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
OptionValue = str | int | float | bool | None

# A returned solution may break a bound or a row by this much, relative to the bound's size
# (at least 1): solvers work to about 1e-7 on their scaled model.
FEASIBILITY_TOLERANCE_FRAC = 1e-6
# Solvers accept integers within 1e-6; allow a little for unscaling.
INTEGRALITY_TOLERANCE = 1e-5
# The objective a solver reports and the one recomputed from its solution may differ this much,
# relative to the sum of the absolute terms (at least 1).
OBJECTIVE_TOLERANCE_FRAC = 1e-6


class ObjectiveSense(StrEnum):
    MINIMISE = "minimise"
    MAXIMISE = "maximise"


class SolveStatus(StrEnum):
    """What a caller must know first: is there an optimal solution, and if not, why not."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ERROR = "error"


class TerminationCondition(StrEnum):
    """Why the solve ended, in more detail than SolveStatus; the status follows from it."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    # The solver proved that no optimum exists but not which of the two holds.
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    INTERRUPTED = "interrupted"
    NUMERICAL_TROUBLE = "numerical_trouble"
    # The solver stopped at a feasible solution it cannot prove optimal within tolerance
    # (e.g. min-cost flow whose integer rounding bound is too wide).
    OPTIMALITY_NOT_PROVEN = "optimality_not_proven"
    # The solver cannot take this kind of program (e.g. min-cost flow and a general LP).
    UNSUPPORTED_MODEL = "unsupported_model"
    SOLVER_FAILURE = "solver_failure"
    # The solver claimed a solution that fails our own check of it.
    GUARD_VIOLATED = "guard_violated"

    @property
    def status(self) -> SolveStatus:
        return _STATUS_OF_TERMINATION.get(self, SolveStatus.ERROR)


_STATUS_OF_TERMINATION = {
    TerminationCondition.OPTIMAL: SolveStatus.OPTIMAL,
    TerminationCondition.INFEASIBLE: SolveStatus.INFEASIBLE,
    TerminationCondition.UNBOUNDED: SolveStatus.UNBOUNDED,
    TerminationCondition.TIME_LIMIT: SolveStatus.TIME_LIMIT,
}


class LpMethod(StrEnum):
    AUTO = "auto"
    SIMPLEX = "simplex"
    INTERIOR_POINT = "interior_point"


@dataclass(frozen=True)
class SolveOptions:
    """What a caller may ask of any solver; each adapter records the native options it used."""

    time_limit_s: float | None = None
    lp_method: LpMethod = LpMethod.AUTO
    # A MIP may stop this close to its dual bound; 1e-4 is HiGHS's own default, passed
    # explicitly so that every recorded result names it.
    mip_relative_gap_frac: float = 1e-4

    def __post_init__(self) -> None:
        errors = []
        if self.time_limit_s is not None and not self.time_limit_s >= 0:
            errors.append(FieldError("time_limit_s", "must be zero or more seconds"))
        if not 0 <= self.mip_relative_gap_frac <= 1:
            errors.append(FieldError("mip_relative_gap_frac", "must be a fraction in 0..1"))
        if errors:
            raise InvalidInput(errors)


@dataclass(frozen=True, eq=False)
class SolveResult:
    """The outcome of one solve, as a value.

    primal_values is set only when the solver returned a solution it holds feasible (an optimum,
    a MIP's incumbent when its time limit stopped it, or the flow a network algorithm stopped
    at), and verify_result has checked it. dual_bound is the best proven bound on the
    optimum in the program's sense; relative_gap_frac is |objective - dual_bound| / |objective|
    (the MIP gap for MIPs). runtime_s is the wall time the adapter spent, model hand-over
    included."""

    termination: TerminationCondition
    solver_name: str
    solver_version: str
    runtime_s: float
    options: Mapping[str, OptionValue] = field(default_factory=dict)
    objective_value: float | None = None
    primal_values: FloatArray | None = None
    dual_bound: float | None = None
    relative_gap_frac: float | None = None
    message: str = ""

    @property
    def status(self) -> SolveStatus:
        return self.termination.status

    @property
    def has_solution(self) -> bool:
        return self.primal_values is not None


@dataclass(frozen=True)
class SolverProgress:
    """One report from a running solve, for a caller who wants to watch it.

    elapsed_s counts from the adapter's start, like SolveResult.runtime_s. The bounds are in
    the program's sense and None where the solver does not know them yet (an LP's simplex
    has no feasible objective until it ends): primal_bound is the objective of the best
    solution found, dual_bound the best proven bound, relative_gap_frac as in SolveResult."""

    elapsed_s: float
    message: str
    primal_bound: float | None = None
    dual_bound: float | None = None
    relative_gap_frac: float | None = None


# Called from inside the solve: keep it quick. A reporter that raises stops the solve, whose
# result then says so (TerminationCondition.INTERRUPTED) instead of passing on a solution.
ProgressReporter = Callable[[SolverProgress], None]


class LinearProgramSolver(Protocol):
    """The port every solver adapter implements; a solver never raises for a model's outcome."""

    @property
    def name(self) -> str: ...

    def solve(self, program: LinearProgram, options: SolveOptions) -> SolveResult: ...


@dataclass(frozen=True, eq=False)
class LinearProgram:
    """optimise objective @ x  subject to  row_lower <= constraints @ x <= row_upper,
    col_lower <= x <= col_upper, and x integral where is_integer.

    Infinite bounds mean "no bound". Arrays are coerced to float64 / bool and checked for
    shape and NaN; contradictory bounds are allowed (they make the program infeasible, which
    is an outcome, not an input error)."""

    objective: FloatArray
    constraints: sparse.csr_array
    row_lower: FloatArray
    row_upper: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    is_integer: BoolArray
    sense: ObjectiveSense

    def __post_init__(self) -> None:
        coerce = {
            "objective": np.float64,
            "row_lower": np.float64,
            "row_upper": np.float64,
            "col_lower": np.float64,
            "col_upper": np.float64,
            "is_integer": np.bool_,
        }
        for name, dtype in coerce.items():
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=dtype))
        if not isinstance(self.constraints, sparse.csr_array):
            object.__setattr__(self, "constraints", sparse.csr_array(self.constraints))
        errors = _shape_errors(self)
        if errors:
            raise InvalidInput(errors)

    @property
    def column_count(self) -> int:
        return int(self.objective.shape[0])

    @property
    def row_count(self) -> int:
        return int(self.row_lower.shape[0])

    @property
    def is_mip(self) -> bool:
        return bool(self.is_integer.any())

    def objective_of(self, x: FloatArray) -> float:
        return float(self.objective @ x)

    @cached_property
    def transportation(self) -> TransportationStructure | NotTransportation:
        """Computed once per program: the solver chooser and min-cost flow both ask."""
        return classify_transportation(self)


def _shape_errors(program: LinearProgram) -> list[FieldError]:
    columns = program.objective.shape
    errors = []
    for name in ("objective", "col_lower", "col_upper", "is_integer"):
        value = getattr(program, name)
        if value.ndim != 1 or value.shape != columns:
            errors.append(FieldError(name, f"must have one entry per column ({columns[0]})"))
    if program.row_lower.ndim != 1 or program.row_upper.shape != program.row_lower.shape:
        errors.append(FieldError("row_upper", "must have one entry per row, like row_lower"))
    expected = (program.row_lower.shape[0], columns[0])
    if program.constraints.shape != expected:
        errors.append(
            FieldError("constraints", f"shape {program.constraints.shape} is not {expected}")
        )
    if errors:
        return errors
    if not np.isfinite(program.objective).all():
        errors.append(FieldError("objective", "must be finite"))
    if not np.isfinite(program.constraints.data).all():
        errors.append(FieldError("constraints", "coefficients must be finite"))
    for lower, upper in (("row_lower", "row_upper"), ("col_lower", "col_upper")):
        low, high = getattr(program, lower), getattr(program, upper)
        if np.isnan(low).any() or (low == np.inf).any():
            errors.append(FieldError(lower, "must not be NaN or +inf"))
        if np.isnan(high).any() or (high == -np.inf).any():
            errors.append(FieldError(upper, "must not be NaN or -inf"))
    return errors


# --- checks that need no solver -----------------------------------------------------------------


def decide_trivially(program: LinearProgram) -> tuple[TerminationCondition, str] | None:
    """Settle a program no solver needs to see, the same way for every solver.

    Contradictory bounds make it infeasible; with no columns every row's activity is 0, so it
    is optimal (objective 0) when every row admits 0 and infeasible otherwise. (HiGHS calls a
    program without columns "empty" whatever its rows say, so this is not left to solvers.)"""
    for kind, lower, upper in (
        ("column", program.col_lower, program.col_upper),
        ("row", program.row_lower, program.row_upper),
    ):
        crossed = np.flatnonzero(lower > upper)
        if crossed.size:
            first = int(crossed[0])
            return (
                TerminationCondition.INFEASIBLE,
                f"{crossed.size} {kind}(s) have a lower bound above the upper bound "
                f"(first: {kind} {first}, {lower[first]:g} > {upper[first]:g})",
            )
    if program.column_count == 0:
        excluded = np.flatnonzero((program.row_lower > 0) | (program.row_upper < 0))
        if excluded.size:
            return (
                TerminationCondition.INFEASIBLE,
                f"no columns, and {excluded.size} row(s) do not admit an activity of 0 "
                f"(first: row {int(excluded[0])})",
            )
        return TerminationCondition.OPTIMAL, "no columns: the empty solution is optimal"
    return None


def trivial_result(
    program: LinearProgram,
    solver_name: str,
    solver_version: str,
    options: Mapping[str, OptionValue],
) -> SolveResult | None:
    """decide_trivially's verdict as a SolveResult, or None when the solver must run."""
    decided = decide_trivially(program)
    if decided is None:
        return None
    termination, message = decided
    is_optimal = termination is TerminationCondition.OPTIMAL
    return SolveResult(
        termination=termination,
        solver_name=solver_name,
        solver_version=solver_version,
        runtime_s=0.0,
        options=options,
        objective_value=0.0 if is_optimal else None,
        primal_values=np.zeros(0) if is_optimal else None,
        dual_bound=0.0 if is_optimal else None,
        relative_gap_frac=0.0 if is_optimal else None,
        message=message,
    )


def find_violations(program: LinearProgram, x: FloatArray) -> list[str]:
    """Every way x fails to be a feasible solution of the program, as sentences."""
    if x.shape != (program.column_count,):
        return [f"the solution has shape {x.shape}, the program {program.column_count} columns"]
    if not np.isfinite(x).all():
        return [f"{int((~np.isfinite(x)).sum())} solution value(s) are not finite"]
    activity = program.constraints @ x
    checks = (
        ("column", "below its lower bound", program.col_lower - x, program.col_lower),
        ("column", "above its upper bound", x - program.col_upper, program.col_upper),
        ("row", "below its lower bound", program.row_lower - activity, program.row_lower),
        ("row", "above its upper bound", activity - program.row_upper, program.row_upper),
    )
    violations = []
    for kind, what, excess, bound in checks:
        allowed = FEASIBILITY_TOLERANCE_FRAC * np.maximum(1.0, np.abs(bound))
        broken = np.flatnonzero(excess > allowed)
        if broken.size:
            worst = int(broken[np.argmax(excess[broken])])
            violations.append(
                f"{broken.size} {kind}(s) {what} (worst: {kind} {worst} by {excess[worst]:.3g})"
            )
    if program.is_mip:
        fractional = np.abs(x - np.round(x)) > INTEGRALITY_TOLERANCE
        broken = np.flatnonzero(fractional & program.is_integer)
        if broken.size:
            violations.append(f"{broken.size} integer column(s) have fractional values")
    return violations


def verify_result(program: LinearProgram, result: SolveResult) -> SolveResult:
    """The result, or an error result when its solution breaks the program or its objective
    does not match the solution. Every adapter passes its result through this."""
    x = result.primal_values
    if x is None:
        if result.status is not SolveStatus.OPTIMAL:
            return result
        violations = ["the solver reports an optimum but returned no solution"]
    else:
        violations = find_violations(program, x)
    if x is not None and not violations and result.objective_value is not None:
        recomputed = program.objective_of(x)
        scale = max(1.0, float(np.abs(program.objective) @ np.abs(x)))
        if abs(recomputed - result.objective_value) > OBJECTIVE_TOLERANCE_FRAC * scale:
            violations.append(
                f"the reported objective {result.objective_value:.10g} differs from the "
                f"objective of the solution {recomputed:.10g}"
            )
    if not violations:
        return result
    return replace(
        result,
        termination=TerminationCondition.GUARD_VIOLATED,
        message="; ".join([*violations, result.message] if result.message else violations),
    )


def relative_gap(objective_value: float, dual_bound: float) -> float:
    """|objective - bound| / |objective|, 0 when both are 0 and inf when only the bound is."""
    difference = abs(objective_value - dual_bound)
    if difference == 0:
        return 0.0
    return difference / abs(objective_value) if objective_value != 0 else math.inf


# --- transportation structure -------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TransportationStructure:
    """A program every column of which ships from one supply row to one demand row.

    Each column has exactly two coefficients, both 1, one in a supply row and one in a demand
    row (no row is both); columns have lower bound 0 and no integrality; every row with a
    column caps its activity at a finite upper bound >= 0 and asks for no minimum. Such a
    program is a bipartite network and a min-cost-flow algorithm solves it exactly."""

    column_supply_row: IntArray
    column_demand_row: IntArray
    supply_rows: IntArray
    demand_rows: IntArray


@dataclass(frozen=True)
class NotTransportation:
    reason: str


def classify_transportation(program: LinearProgram) -> TransportationStructure | NotTransportation:
    """Recognise the transportation structure from the matrix itself, so nothing is trusted."""
    if program.is_mip:
        return NotTransportation("it has integer columns")
    if (program.col_lower != 0).any():
        return NotTransportation("a column has a lower bound other than 0")
    by_column = program.constraints.tocsc()
    by_column.sum_duplicates()  # canonical: one sorted entry per row and column
    per_column = np.diff(by_column.indptr)
    if (per_column != 2).any():
        return NotTransportation("a column does not have exactly two coefficients")
    if (by_column.data != 1.0).any():
        return NotTransportation("a coefficient is not 1")
    rows = by_column.indices.astype(np.int64)
    first, second = rows[0::2], rows[1::2]
    is_supply = np.zeros(program.row_count, dtype=np.bool_)
    is_demand = np.zeros(program.row_count, dtype=np.bool_)
    is_supply[first] = True
    is_demand[second] = True
    if (is_supply & is_demand).any():
        return NotTransportation("the rows do not split into a supply side and a demand side")
    if (program.row_lower > 0).any():
        return NotTransportation("a row asks for a minimum activity")
    if (program.row_upper < 0).any():
        return NotTransportation("a row has a negative upper bound")
    if not np.isfinite(program.row_upper[is_supply | is_demand]).all():
        return NotTransportation("a row with columns has no finite upper bound")
    return TransportationStructure(
        column_supply_row=first,
        column_demand_row=second,
        supply_rows=np.flatnonzero(is_supply),
        demand_rows=np.flatnonzero(is_demand),
    )
