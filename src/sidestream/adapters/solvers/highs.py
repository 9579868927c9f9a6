"""HiGHS through highspy: the whole sparse program is handed over in one HighsLp (passModel).

Model statuses map to TerminationCondition; "infeasible or unbounded", which presolve may
leave undecided, and a MIP found infeasible are solved once more without presolve before
either is reported.

Progress comes from HiGHS's callbacks (output_flag stays off, so its log callbacks are silent):
a MIP reports its incumbent, dual bound and gap at each improving solution and at its limit
checks, an LP its simplex iterations; interrupt-type callbacks fire every iteration, so they
are passed on at most every PROGRESS_INTERVAL_S. Every solve ends with one final report.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import replace

import highspy
import numpy as np
from highspy import cb
from highspy.highs import HighsCallback
from highspy.highs import _Highs as _HighsCore  # type: ignore[attr-defined]

from sidestream.domain.solving import (
    LinearProgram,
    LpMethod,
    ObjectiveSense,
    OptionValue,
    ProgressReporter,
    SolveOptions,
    SolveResult,
    SolverProgress,
    TerminationCondition,
    relative_gap,
    trivial_result,
    verify_result,
)

_MODEL_STATUS = {
    highspy.HighsModelStatus.kOptimal: TerminationCondition.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: TerminationCondition.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: TerminationCondition.UNBOUNDED,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: TerminationCondition.INFEASIBLE_OR_UNBOUNDED,
    highspy.HighsModelStatus.kTimeLimit: TerminationCondition.TIME_LIMIT,
    highspy.HighsModelStatus.kIterationLimit: TerminationCondition.ITERATION_LIMIT,
    highspy.HighsModelStatus.kInterrupt: TerminationCondition.INTERRUPTED,
}
HIGHS_VERSION = (
    f"{highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}.{highspy.HIGHS_VERSION_PATCH}"
)
_LP_SOLVER = {LpMethod.AUTO: "choose", LpMethod.SIMPLEX: "simplex", LpMethod.INTERIOR_POINT: "ipm"}
# Simplex and MIP limit-check callbacks fire thousands of times a second; a reporter that
# prints or writes a row each time would slow the solve down.
PROGRESS_INTERVAL_S = 0.5
_MIP_EVENTS = (
    cb.HighsCallbackType.kCallbackMipImprovingSolution,
    cb.HighsCallbackType.kCallbackMipInterrupt,
)
_LP_EVENTS = (
    cb.HighsCallbackType.kCallbackSimplexInterrupt,
    cb.HighsCallbackType.kCallbackIpmInterrupt,
)


class HighsSolver:
    """LPs and MIPs. The LP method applies to LPs only: a MIP is sent with solver=choose, so
    the recorded options say what ran.

    progress, when given, receives SolverProgress reports during each solve and one at its
    end. Each solve gets its own HiGHS instance and relay, so one solver object can be used
    for any number of solves in a row (a Pareto front) without callbacks piling up."""

    name = "highs"
    version = HIGHS_VERSION

    def __init__(self, progress: ProgressReporter | None = None) -> None:
        self._progress = progress

    def native_options(
        self, program: LinearProgram, options: SolveOptions
    ) -> dict[str, bool | float | str]:
        native: dict[str, bool | float | str] = {
            "output_flag": False,
            "solver": "choose" if program.is_mip else _LP_SOLVER[options.lp_method],
            "time_limit": math.inf if options.time_limit_s is None else options.time_limit_s,
        }
        if program.is_mip:
            native["mip_rel_gap"] = options.mip_relative_gap_frac
        return native

    def solve(self, program: LinearProgram, options: SolveOptions) -> SolveResult:
        started = time.perf_counter()
        relay = None if self._progress is None else ProgressRelay(self._progress, started)
        result = self._solve(program, options, started, relay)
        return result if relay is None else relay.finish(result)

    def _solve(
        self,
        program: LinearProgram,
        options: SolveOptions,
        started: float,
        relay: ProgressRelay | None,
    ) -> SolveResult:
        native = self.native_options(program, options)
        settled = trivial_result(program, self.name, self.version, native)
        if settled is not None:
            return settled
        highs = _quiet_highs()
        refusal = _set_options(highs, native)
        if not refusal:
            refusal = _pass_program(highs, program)
        if refusal:
            return self._failure(refusal, native, started)
        if relay is not None:
            relay.listen_to(highs, _MIP_EVENTS if program.is_mip else _LP_EVENTS)
        highs.run()
        termination, message = _termination(highs)
        # Presolve may leave "infeasible or unbounded" undecided, and HiGHS's MIP presolve has
        # been seen to call feasible programs infeasible (HiGHS issue 1718): solve once more
        # without it before reporting either.
        doubtful = termination is TerminationCondition.INFEASIBLE_OR_UNBOUNDED or (
            program.is_mip and termination is TerminationCondition.INFEASIBLE
        )
        if doubtful:
            highs.setOptionValue("presolve", "off")
            highs.clearSolver()
            highs.run()
            termination, second = _termination(highs)
            message = f"{message}; without presolve: {second}"
            native = {**native, "presolve": "off"}
        result = _read_result(highs, program, termination, message, native, started)
        return verify_result(program, result)

    def _failure(
        self, message: str, native: Mapping[str, OptionValue], started: float
    ) -> SolveResult:
        return SolveResult(
            termination=TerminationCondition.SOLVER_FAILURE,
            solver_name=self.name,
            solver_version=self.version,
            runtime_s=time.perf_counter() - started,
            options=native,
            message=message,
        )


def _quiet_highs() -> highspy.Highs:
    """A Highs object that prints nothing. highspy's own constructor enables callbacks while
    HiGHS's output is still on, which writes its banner to standard output, into the middle
    of a command's output; here output goes off first. Should highspy's internals change,
    the plain constructor (and its banner) stands in."""
    try:
        highs = highspy.Highs.__new__(highspy.Highs)
        _HighsCore.__init__(highs)
        highs.setOptionValue("output_flag", False)
        highs.callbacks = [
            HighsCallback(cb.HighsCallbackType(kind), highs)
            for kind in range(int(cb.HighsCallbackType.kCallbackMax) + 1)
        ]
        highs.enableCallbacks()  # type: ignore[no-untyped-call]
    except (AttributeError, TypeError):  # pragma: no cover - a different highspy
        return highspy.Highs()  # type: ignore[no-untyped-call]
    return highs


def _termination(highs: highspy.Highs) -> tuple[TerminationCondition, str]:
    status = highs.getModelStatus()
    termination = _MODEL_STATUS.get(status, TerminationCondition.SOLVER_FAILURE)
    return termination, f"HiGHS model status: {highs.modelStatusToString(status)}"


def _set_options(highs: highspy.Highs, native: Mapping[str, bool | float | str]) -> str:
    for key, value in native.items():
        if highs.setOptionValue(key, value) == highspy.HighsStatus.kError:
            return f"HiGHS rejected option {key}={value!r}"
    return ""


def _pass_program(highs: highspy.Highs, program: LinearProgram) -> str:
    lp = highspy.HighsLp()
    lp.num_col_ = program.column_count
    lp.num_row_ = program.row_count
    lp.sense_ = (
        highspy.ObjSense.kMaximize
        if program.sense is ObjectiveSense.MAXIMISE
        else highspy.ObjSense.kMinimize
    )
    lp.col_cost_ = program.objective
    lp.col_lower_ = program.col_lower
    lp.col_upper_ = program.col_upper
    lp.row_lower_ = program.row_lower
    lp.row_upper_ = program.row_upper
    matrix = program.constraints
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = program.column_count
    lp.a_matrix_.num_row_ = program.row_count
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data
    if highs.passModel(lp) == highspy.HighsStatus.kError:
        return "HiGHS rejected the model"
    if program.is_mip:
        # integrality_ takes a list of enums; this call takes arrays, so no per-column objects.
        columns = np.flatnonzero(program.is_integer).astype(np.int32)
        kinds = np.full(columns.size, int(highspy.HighsVarType.kInteger), dtype=np.uint8)
        if highs.changeColsIntegrality(columns.size, columns, kinds) == highspy.HighsStatus.kError:
            return "HiGHS rejected the integrality of the columns"
    return ""


def _read_result(
    highs: highspy.Highs,
    program: LinearProgram,
    termination: TerminationCondition,
    message: str,
    native: Mapping[str, OptionValue],
    started: float,
) -> SolveResult:
    info = highs.getInfo()
    has_solution = info.primal_solution_status == highspy.kSolutionStatusFeasible and (
        termination in (TerminationCondition.OPTIMAL, TerminationCondition.TIME_LIMIT)
    )
    primal = np.asarray(highs.getSolution().col_value, dtype=np.float64) if has_solution else None
    objective = float(info.objective_function_value) if has_solution else None
    dual_bound: float | None = None
    if program.is_mip and objective is not None and np.isfinite(info.mip_dual_bound):
        dual_bound = float(info.mip_dual_bound)
    elif termination is TerminationCondition.OPTIMAL and objective is not None:
        dual_bound = objective  # an optimal LP: the dual objective equals the primal
    return SolveResult(
        termination=termination,
        solver_name=HighsSolver.name,
        solver_version=HIGHS_VERSION,
        runtime_s=time.perf_counter() - started,
        options=native,
        objective_value=objective,
        primal_values=primal,
        dual_bound=dual_bound,
        relative_gap_frac=(
            relative_gap(objective, dual_bound)
            if objective is not None and dual_bound is not None
            else None
        ),
        message=message,
    )


class ProgressRelay:
    """Passes one solve's progress to a caller's reporter, and keeps a failing reporter from
    turning into a wrong result.

    An exception must not reach HiGHS (it would end the solve as a bare "solve error"), so the
    relay catches it, asks HiGHS to interrupt at the next callback and, in finish, replaces
    the result by an INTERRUPTED one that names the exception and carries no solution,
    whatever HiGHS reached meanwhile. KeyboardInterrupt and SystemExit are raised again once
    HiGHS has stopped."""

    def __init__(self, reporter: ProgressReporter, started: float) -> None:
        self._reporter = reporter
        self._started = started
        self._last_report = -math.inf
        self.failure: BaseException | None = None

    def report(
        self,
        message: str,
        primal_bound: float | None = None,
        dual_bound: float | None = None,
    ) -> None:
        if self.failure is not None:
            return
        now = time.perf_counter()
        self._last_report = now
        gap = (
            relative_gap(primal_bound, dual_bound)
            if primal_bound is not None and dual_bound is not None
            else None
        )
        progress = SolverProgress(now - self._started, message, primal_bound, dual_bound, gap)
        try:
            self._reporter(progress)
        except BaseException as error:  # kept: finish re-raises it or reports it
            self.failure = error

    def is_due(self) -> bool:
        return time.perf_counter() - self._last_report >= PROGRESS_INTERVAL_S

    def listen_to(self, highs: highspy.Highs, events: tuple[cb.HighsCallbackType, ...]) -> None:
        for event in events:
            highs.callbacks[int(event)].subscribe(self._on_event)

    def _on_event(self, event: highspy.HighsCallbackEvent) -> None:
        kind = event.callback_type
        # A new incumbent is rare and worth seeing at once; the rest only when due.
        is_incumbent = kind == cb.HighsCallbackType.kCallbackMipImprovingSolution
        if self.failure is None and (is_incumbent or self.is_due()):
            data = event.data_out
            if kind == cb.HighsCallbackType.kCallbackSimplexInterrupt:
                self.report(f"simplex: {data.simplex_iteration_count} iterations")
            elif kind == cb.HighsCallbackType.kCallbackIpmInterrupt:
                self.report("interior point: running")
            else:
                found = "new incumbent" if is_incumbent else "searching"
                self.report(
                    f"MIP: {found}, {data.mip_node_count} nodes",
                    _finite_or_none(data.mip_primal_bound),
                    _finite_or_none(data.mip_dual_bound),
                )
        if self.failure is not None:
            event.interrupt()

    def finish(self, result: SolveResult) -> SolveResult:
        """The final report, then the result, or the reporter's failure in its place."""
        self.report(f"finished: {result.termination}", result.objective_value, result.dual_bound)
        failure = self.failure
        if failure is None:
            return result
        if not isinstance(failure, Exception):
            raise failure
        return replace(
            result,
            termination=TerminationCondition.INTERRUPTED,
            objective_value=None,
            primal_values=None,
            dual_bound=None,
            relative_gap_frac=None,
            message=f"stopped: the progress reporter raised {failure!r}; {result.message}",
        )


def _finite_or_none(value: float) -> float | None:
    # HiGHS reports +-inf for a bound it does not have yet.
    return float(value) if math.isfinite(value) else None
