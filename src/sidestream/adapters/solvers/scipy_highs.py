"""SciPy's interfaces to HiGHS as a second, independently written path to the optimum:
scipy.optimize.linprog for LPs and scipy.optimize.milp for MIPs.

It shares the HiGHS engine (the copy bundled with SciPy) but not our highspy code: it re-derives
the rows in linprog's A_ub / A_eq form, minimises the negated objective for a maximisation and
reads SciPy's status codes, so a mistake in either adapter shows up as a disagreement.

SciPy's HiGHS methods take no callback, so a progress reporter hears only the final report
(through the same relay as HighsSolver, so a reporter that raises has the same effect).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Literal

import numpy as np
import scipy
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, linprog, milp

from sidestream.adapters.solvers.highs import ProgressRelay
from sidestream.domain.solving import (
    LinearProgram,
    LpMethod,
    ObjectiveSense,
    OptionValue,
    ProgressReporter,
    SolveOptions,
    SolveResult,
    TerminationCondition,
    relative_gap,
    trivial_result,
    verify_result,
)

_LinprogMethod = Literal["highs", "highs-ds", "highs-ipm"]
_LINPROG_METHOD: dict[LpMethod, _LinprogMethod] = {
    LpMethod.AUTO: "highs",
    LpMethod.SIMPLEX: "highs-ds",
    LpMethod.INTERIOR_POINT: "highs-ipm",
}
# linprog and milp share these status codes; 1 is "a limit was reached", told apart by message.
_STATUS = {
    0: TerminationCondition.OPTIMAL,
    2: TerminationCondition.INFEASIBLE,
    3: TerminationCondition.UNBOUNDED,
    4: TerminationCondition.NUMERICAL_TROUBLE,
}


class ScipyHighsSolver:
    name = "scipy-highs"
    version = f"scipy {scipy.__version__}"

    def __init__(self, progress: ProgressReporter | None = None) -> None:
        self._progress = progress

    def native_options(
        self, program: LinearProgram, options: SolveOptions
    ) -> dict[str, OptionValue]:
        native: dict[str, OptionValue] = {
            "function": "milp" if program.is_mip else "linprog",
            "disp": False,
            "time_limit": _time_limit_s(options),
        }
        if program.is_mip:
            native["mip_rel_gap"] = options.mip_relative_gap_frac
        else:
            native["method"] = _LINPROG_METHOD[options.lp_method]
        return native

    def solve(self, program: LinearProgram, options: SolveOptions) -> SolveResult:
        started = time.perf_counter()
        result = self._solve(program, options, started)
        if self._progress is None:
            return result
        return ProgressRelay(self._progress, started).finish(result)

    def _solve(self, program: LinearProgram, options: SolveOptions, started: float) -> SolveResult:
        native = self.native_options(program, options)
        settled = trivial_result(program, self.name, self.version, native)
        if settled is not None:
            return settled
        # SciPy minimises: a maximisation is solved as the minimisation of the negation.
        sign = -1.0 if program.sense is ObjectiveSense.MAXIMISE else 1.0
        if program.is_mip:
            outcome = _run_milp(program, sign, options)
        else:
            outcome = _run_linprog(program, sign, options)
        return verify_result(program, self._result(program, outcome, sign, native, started))

    def _result(
        self,
        program: LinearProgram,
        outcome: OptimizeResult,
        sign: float,
        native: Mapping[str, OptionValue],
        started: float,
    ) -> SolveResult:
        message = str(outcome.message)
        termination = _STATUS.get(int(outcome.status), TerminationCondition.SOLVER_FAILURE)
        if outcome.status == 1:
            termination = (
                TerminationCondition.TIME_LIMIT
                if "time limit" in message.lower()
                else TerminationCondition.ITERATION_LIMIT
            )
        elif outcome.status == 4 and "unbounded or infeasible" in message.lower():
            # milp's "other" status covers HiGHS's undecided infeasible-or-unbounded.
            termination = TerminationCondition.INFEASIBLE_OR_UNBOUNDED
        # linprog stopped by a limit returns its last iterate, which need not be feasible;
        # milp returns its best feasible incumbent.
        has_solution = outcome.x is not None and (
            termination is TerminationCondition.OPTIMAL
            or (program.is_mip and termination is TerminationCondition.TIME_LIMIT)
        )
        objective = sign * float(outcome.fun) if has_solution else None
        dual_bound: float | None = None
        if has_solution and program.is_mip:
            bound = getattr(outcome, "mip_dual_bound", None)
            dual_bound = sign * float(bound) if bound is not None else None
        elif termination is TerminationCondition.OPTIMAL:
            dual_bound = objective
        return SolveResult(
            termination=termination,
            solver_name=self.name,
            solver_version=self.version,
            runtime_s=time.perf_counter() - started,
            options=native,
            objective_value=objective,
            primal_values=np.asarray(outcome.x, dtype=np.float64) if has_solution else None,
            dual_bound=dual_bound,
            relative_gap_frac=(
                relative_gap(objective, dual_bound)
                if objective is not None and dual_bound is not None
                else None
            ),
            message=message,
        )


# linprog takes sparse A_ub / A_eq and an (n, 2) bounds array at run time; scipy-stubs declare
# neither, so the call is made through an untyped reference.
_linprog: Callable[..., OptimizeResult] = linprog


def _time_limit_s(options: SolveOptions) -> float:
    return math.inf if options.time_limit_s is None else options.time_limit_s


def _run_linprog(program: LinearProgram, sign: float, options: SolveOptions) -> OptimizeResult:
    """linprog takes A_ub @ x <= b_ub and A_eq @ x == b_eq: a row bounded on both sides
    becomes two inequalities, a row with equal bounds an equality."""
    matrix = program.constraints
    lower, upper = program.row_lower, program.row_upper
    is_equality = lower == upper
    has_upper = ~is_equality & np.isfinite(upper)
    has_lower = ~is_equality & np.isfinite(lower)
    inequality_rows = sparse.vstack([matrix[has_upper], -matrix[has_lower]], format="csr")
    inequality_bounds = np.concatenate([upper[has_upper], -lower[has_lower]])
    has_inequalities = inequality_rows.shape[0] > 0
    has_equalities = bool(is_equality.any())
    return _linprog(
        sign * program.objective,
        A_ub=inequality_rows if has_inequalities else None,
        b_ub=inequality_bounds if has_inequalities else None,
        A_eq=matrix[is_equality] if has_equalities else None,
        b_eq=lower[is_equality] if has_equalities else None,
        bounds=np.column_stack([program.col_lower, program.col_upper]),
        method=_LINPROG_METHOD[options.lp_method],
        options={"disp": False, "time_limit": _time_limit_s(options)},
    )


def _run_milp(program: LinearProgram, sign: float, options: SolveOptions) -> OptimizeResult:
    constraints = (
        [LinearConstraint(program.constraints, program.row_lower, program.row_upper)]
        if program.row_count
        else []
    )
    return milp(
        sign * program.objective,
        integrality=program.is_integer.astype(np.int64),
        bounds=Bounds(program.col_lower, program.col_upper),
        constraints=constraints,
        options={
            "disp": False,
            "time_limit": _time_limit_s(options),
            "mip_rel_gap": options.mip_relative_gap_frac,
        },
    )
