"""Allocating side streams to needs: check, build, solve, guard.

The problem arrives checked (AllocationProblem validates itself); the program is built in the
domain; the solver is whatever the caller's chooser picks for the program's structure (the
composition root passes adapters.solvers.choose_solver); the plan is guarded before it is
returned, so a wrong solver answer becomes an error status, not a plan.
"""

from __future__ import annotations

from collections.abc import Callable

from sidestream.domain.allocation import (
    AllocationPlan,
    AllocationProblem,
    build_linear_program,
    plan_from_result,
)
from sidestream.domain.solving import LinearProgram, LinearProgramSolver, SolveOptions

SolverChooser = Callable[[LinearProgram], LinearProgramSolver]


def allocate(
    problem: AllocationProblem, solver_for: SolverChooser, options: SolveOptions | None = None
) -> AllocationPlan:
    program = build_linear_program(problem)
    result = solver_for(program).solve(program, options or SolveOptions())
    return plan_from_result(problem, result)
