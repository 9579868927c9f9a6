"""The allocation problem, its linear program, the solver-neutral checks and the plan guards,
without any solver: golden cases are checked against exhaustive enumeration, and guards against
solver results written by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse

from sidestream.domain.allocation import (
    AllocationPlan,
    AllocationProblem,
    build_linear_program,
    find_guard_violations,
    plan_from_result,
)
from sidestream.domain.errors import InvalidInput
from sidestream.domain.solving import (
    LinearProgram,
    NotTransportation,
    ObjectiveSense,
    SolveOptions,
    SolveResult,
    SolveStatus,
    TerminationCondition,
    TransportationStructure,
    decide_trivially,
    find_violations,
    verify_result,
)
from tests.support.allocation_oracles import (
    CASE_NAMES,
    allocate_by_enumeration,
    allocate_greedily,
    load_case,
    random_problem,
)


def _result(
    flow_t: list[float] | None,
    objective: float | None,
    termination: TerminationCondition = TerminationCondition.OPTIMAL,
) -> SolveResult:
    """What a solver might return, written by hand."""
    return SolveResult(
        termination=termination,
        solver_name="hand",
        solver_version="0",
        runtime_s=0.0,
        objective_value=objective,
        primal_values=None if flow_t is None else np.array(flow_t, dtype=np.float64),
    )


def _two_by_two() -> AllocationProblem:
    return load_case("greedy_is_not_optimal").problem


# --- golden cases and the oracles ----------------------------------------------------------------


def test_every_golden_case_is_found() -> None:
    assert len(CASE_NAMES) >= 10


@pytest.mark.parametrize("name", CASE_NAMES)
def test_golden_optimum_is_what_enumerating_every_integral_flow_finds(name: str) -> None:
    case = load_case(name)
    enumerated = allocate_by_enumeration(case.problem)
    assert enumerated.total_value == pytest.approx(case.total_value)
    # The hand-computed flows are feasible, worth the stated value and the only optimum, so
    # solvers can be held to them flow by flow.
    assert find_guard_violations(case.problem, case.flow_t, case.total_value) == []
    assert case.problem.value_of(case.flow_t) == pytest.approx(case.total_value)
    assert enumerated.optimal_count == 1
    np.testing.assert_allclose(enumerated.flow_t, case.flow_t)


@pytest.mark.parametrize(
    ("name", "greedy_value"),
    [("greedy_is_not_optimal", 110.0), ("three_sources_two_targets", 78.0)],
)
def test_greedy_is_feasible_but_can_miss_the_optimum(name: str, greedy_value: float) -> None:
    case = load_case(name)
    flow_t = allocate_greedily(case.problem)
    assert find_guard_violations(case.problem, flow_t, None) == []
    assert case.problem.value_of(flow_t) == pytest.approx(greedy_value)
    assert greedy_value < case.total_value


# --- the problem ---------------------------------------------------------------------------------


def test_problem_coerces_lists_and_reports_sizes() -> None:
    problem = AllocationProblem(
        edge_source_index=[0, 1],
        edge_target_index=[0, 0],
        value_per_t=[2, 3],
        supply_t=[1, 2],
        demand_t=[5],
    )
    assert problem.edge_source_index.dtype == np.int64
    assert problem.value_per_t.dtype == np.float64
    assert (problem.edge_count, problem.source_count, problem.target_count) == (2, 2, 1)
    assert np.isinf(problem.capacity_t).all()
    flow_t = np.array([1.0, 2.0])
    np.testing.assert_allclose(problem.source_outflow_t(flow_t), [1.0, 2.0])
    np.testing.assert_allclose(problem.target_inflow_t(flow_t), [3.0])
    assert problem.value_of(flow_t) == 8.0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"edge_target_index": [0]}, "edge_target_index"),
        ({"edge_source_index": [0, 2]}, "edge_source_index"),
        ({"edge_target_index": [0, -1]}, "edge_target_index"),
        ({"edge_source_index": [0.0, 1.5]}, "edge_source_index"),
        ({"value_per_t": [1.0, math.nan]}, "value_per_t"),
        ({"value_per_t": [1.0, math.inf]}, "value_per_t"),
        ({"supply_t": [1.0, -1.0]}, "supply_t"),
        ({"supply_t": [1.0, math.inf]}, "supply_t"),
        ({"demand_t": [math.nan]}, "demand_t"),
        ({"edge_capacity_t": [1.0, -0.5]}, "edge_capacity_t"),
        ({"edge_capacity_t": [1.0, math.nan]}, "edge_capacity_t"),
        ({"edge_capacity_t": [1.0]}, "edge_capacity_t"),
    ],
)
def test_invalid_problem_names_the_field(changes: dict[str, list[float]], field: str) -> None:
    fields: dict[str, list[float]] = {
        "edge_source_index": [0, 1],
        "edge_target_index": [0, 0],
        "value_per_t": [2.0, 3.0],
        "supply_t": [1.0, 2.0],
        "demand_t": [5.0],
    }
    with pytest.raises(InvalidInput) as raised:
        AllocationProblem(**(fields | changes))  # type: ignore[arg-type]
    assert field in {error.field for error in raised.value.errors}


def test_infinite_edge_capacity_means_none() -> None:
    problem = AllocationProblem(
        edge_source_index=[0],
        edge_target_index=[0],
        value_per_t=[1.0],
        supply_t=[1.0],
        demand_t=[1.0],
        edge_capacity_t=[math.inf],
    )
    assert problem.capacity_t[0] == math.inf


# --- the linear program --------------------------------------------------------------------------


def test_program_of_two_sources_and_two_targets() -> None:
    problem = _two_by_two()
    program = build_linear_program(problem)
    assert isinstance(program.constraints, sparse.csr_array)
    # Rows: source 0, source 1, target 0, target 1; columns: the four edges in order.
    np.testing.assert_array_equal(
        program.constraints.toarray(),
        [[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0], [0, 1, 0, 1]],
    )
    np.testing.assert_array_equal(program.row_upper, [10, 10, 10, 10])
    assert np.isneginf(program.row_lower).all()
    np.testing.assert_array_equal(program.objective, [10, 9, 9, 1])
    np.testing.assert_array_equal(program.col_lower, 0)
    assert np.isinf(program.col_upper).all()
    assert program.sense is ObjectiveSense.MAXIMISE
    assert not program.is_mip


def test_program_of_a_random_problem_has_two_ones_per_edge() -> None:
    problem = random_problem(seed=3, sources=300, targets=200, edges=5000)
    program = build_linear_program(problem)
    matrix = program.constraints
    assert matrix.shape == (500, 5000)
    assert matrix.nnz == 10_000
    assert (matrix.data == 1.0).all()
    np.testing.assert_array_equal(matrix.sum(axis=0), 2)
    degrees = np.bincount(problem.edge_source_index, minlength=300)
    np.testing.assert_array_equal(matrix.sum(axis=1)[:300], degrees)
    np.testing.assert_array_equal(program.col_upper, problem.capacity_t)
    np.testing.assert_array_equal(program.row_upper[300:], problem.demand_t)


def test_program_without_edges_has_rows_but_no_columns() -> None:
    program = build_linear_program(load_case("no_edges").problem)
    assert (program.row_count, program.column_count) == (2, 0)


def test_allocation_program_is_recognised_as_transportation() -> None:
    problem = random_problem(seed=4, sources=30, targets=20, edges=200)
    structure = build_linear_program(problem).transportation
    assert isinstance(structure, TransportationStructure)
    np.testing.assert_array_equal(structure.column_supply_row, problem.edge_source_index)
    np.testing.assert_array_equal(structure.column_demand_row, 30 + problem.edge_target_index)


def _program(
    matrix: list[list[float]],
    row_lower: list[float] | None = None,
    row_upper: list[float] | None = None,
    col_lower: list[float] | None = None,
    is_integer: list[bool] | None = None,
) -> LinearProgram:
    rows, columns = len(matrix), len(matrix[0])
    return LinearProgram(
        objective=np.ones(columns),
        constraints=sparse.csr_array(np.array(matrix, dtype=np.float64)),
        row_lower=np.array(row_lower or [-math.inf] * rows),
        row_upper=np.array(row_upper or [5.0] * rows),
        col_lower=np.array(col_lower or [0.0] * columns),
        col_upper=np.full(columns, math.inf),
        is_integer=np.array(is_integer or [False] * columns),
        sense=ObjectiveSense.MAXIMISE,
    )


TRANSPORT = [[1, 1], [1, 0], [0, 1]]  # one source, two targets


@pytest.mark.parametrize(
    ("program", "reason"),
    [
        (_program(TRANSPORT, is_integer=[True, False]), "integer"),
        (_program(TRANSPORT, col_lower=[1.0, 0.0]), "lower bound"),
        (_program([[1, 1], [2, 0], [0, 1]]), "not 1"),
        (_program([[1, 1], [1, 0], [0, 1], [1, 0]]), "exactly two"),
        (_program([[1, 0, 1], [1, 1, 0], [0, 1, 1]]), "split"),  # a triangle of rows
        (_program(TRANSPORT, row_lower=[1.0, -math.inf, -math.inf]), "minimum"),
        (_program(TRANSPORT, row_upper=[math.inf, 5.0, 5.0]), "finite upper"),
        (_program([[1, 1, 0], [1, 0, 0], [0, 1, 0]]), "exactly two"),
    ],
)
def test_programs_that_are_not_transportation(program: LinearProgram, reason: str) -> None:
    verdict = program.transportation
    assert isinstance(verdict, NotTransportation)
    assert reason in verdict.reason


def test_a_plain_transportation_program_is_recognised() -> None:
    assert isinstance(_program(TRANSPORT).transportation, TransportationStructure)


def test_program_rejects_mismatched_shapes_and_nan() -> None:
    with pytest.raises(InvalidInput) as raised:
        LinearProgram(
            objective=np.ones(2),
            constraints=sparse.csr_array(np.ones((1, 3))),
            row_lower=np.zeros(1),
            row_upper=np.ones(1),
            col_lower=np.zeros(2),
            col_upper=np.ones(3),
            is_integer=np.zeros(2, dtype=np.bool_),
            sense=ObjectiveSense.MINIMISE,
        )
    assert {error.field for error in raised.value.errors} == {"col_upper", "constraints"}
    with pytest.raises(InvalidInput) as raised:
        LinearProgram(
            objective=np.array([math.nan]),
            constraints=sparse.csr_array(np.ones((1, 1))),
            row_lower=np.array([math.inf]),
            row_upper=np.ones(1),
            col_lower=np.zeros(1),
            col_upper=np.array([math.nan]),
            is_integer=np.zeros(1, dtype=np.bool_),
            sense=ObjectiveSense.MINIMISE,
        )
    assert {error.field for error in raised.value.errors} == {
        "objective",
        "row_lower",
        "col_upper",
    }


# --- verdicts without a solver -------------------------------------------------------------------


def test_no_columns_is_optimal_when_every_row_admits_zero() -> None:
    program = build_linear_program(load_case("no_edges").problem)
    assert decide_trivially(program) == (
        TerminationCondition.OPTIMAL,
        "no columns: the empty solution is optimal",
    )


def test_no_columns_is_infeasible_when_a_row_asks_for_more_than_zero() -> None:
    program = LinearProgram(
        objective=np.zeros(0),
        constraints=sparse.csr_array((2, 0)),
        row_lower=np.array([-1.0, 2.0]),
        row_upper=np.array([1.0, 3.0]),
        col_lower=np.zeros(0),
        col_upper=np.zeros(0),
        is_integer=np.zeros(0, dtype=np.bool_),
        sense=ObjectiveSense.MAXIMISE,
    )
    decided = decide_trivially(program)
    assert decided is not None
    assert decided[0] is TerminationCondition.INFEASIBLE
    assert "row 1" in decided[1]


def test_crossed_bounds_are_infeasible_and_named() -> None:
    program = _program(TRANSPORT)
    crossed = LinearProgram(
        objective=program.objective,
        constraints=program.constraints,
        row_lower=program.row_lower,
        row_upper=program.row_upper,
        col_lower=np.array([0.0, 4.0]),
        col_upper=np.array([1.0, 3.0]),
        is_integer=program.is_integer,
        sense=program.sense,
    )
    decided = decide_trivially(crossed)
    assert decided is not None
    assert decided[0] is TerminationCondition.INFEASIBLE
    assert "column 1, 4 > 3" in decided[1]
    assert decide_trivially(program) is None


# --- checking a solver's result ------------------------------------------------------------------


def test_verify_result_passes_a_correct_solution_through() -> None:
    program = build_linear_program(_two_by_two())
    result = _result([0, 10, 10, 0], 180.0)
    assert verify_result(program, result) is result


@pytest.mark.parametrize(
    ("flow_t", "objective", "said"),
    [
        ([10, 10, 10, 0], 280.0, "row(s) above its upper bound"),
        ([-1, 10, 10, 0], 170.0, "column(s) below its lower bound"),
        ([0, 10, 10, 0], 170.0, "differs from the objective of the solution"),
        ([0, 10, 10], 170.0, "shape"),
        ([0, math.nan, 10, 0], 170.0, "not finite"),
    ],
)
def test_verify_result_turns_a_wrong_solution_into_an_error(
    flow_t: list[float], objective: float, said: str
) -> None:
    program = build_linear_program(_two_by_two())
    verified = verify_result(program, _result(flow_t, objective))
    assert verified.termination is TerminationCondition.GUARD_VIOLATED
    assert verified.status is SolveStatus.ERROR
    assert said in verified.message


def test_an_optimum_without_a_solution_is_an_error() -> None:
    program = build_linear_program(_two_by_two())
    verified = verify_result(program, _result(None, 180.0))
    assert verified.status is SolveStatus.ERROR
    infeasible = _result(None, None, TerminationCondition.INFEASIBLE)
    assert verify_result(program, infeasible) is infeasible


def test_fractional_values_of_integer_columns_are_caught() -> None:
    program = _program(TRANSPORT, is_integer=[True, True])
    assert find_violations(program, np.array([1.5, 2.0])) == [
        "1 integer column(s) have fractional values"
    ]
    assert find_violations(program, np.array([1.0, 2.0])) == []


def test_every_termination_condition_has_a_status() -> None:
    not_errors = {
        termination: termination.status
        for termination in TerminationCondition
        if termination.status is not SolveStatus.ERROR
    }
    assert not_errors == {
        TerminationCondition.OPTIMAL: SolveStatus.OPTIMAL,
        TerminationCondition.INFEASIBLE: SolveStatus.INFEASIBLE,
        TerminationCondition.UNBOUNDED: SolveStatus.UNBOUNDED,
        TerminationCondition.TIME_LIMIT: SolveStatus.TIME_LIMIT,
    }


@pytest.mark.parametrize(
    ("time_limit_s", "gap", "field"),
    [
        (-1.0, 1e-4, "time_limit_s"),
        (math.nan, 1e-4, "time_limit_s"),
        (None, 2.0, "mip_relative_gap_frac"),
    ],
)
def test_invalid_solve_options(time_limit_s: float | None, gap: float, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        SolveOptions(time_limit_s=time_limit_s, mip_relative_gap_frac=gap)
    assert raised.value.errors[0].field == field


# --- plans and their guards ----------------------------------------------------------------------


def test_a_correct_optimum_becomes_a_plan() -> None:
    case = load_case("three_sources_two_targets")
    plan = plan_from_result(case.problem, _result(list(case.flow_t), case.total_value))
    assert plan.status is SolveStatus.OPTIMAL
    assert plan.flow_t is not None
    np.testing.assert_array_equal(plan.flow_t, case.flow_t)
    assert plan.total_value == pytest.approx(86.0)
    assert plan.total_flow_t == pytest.approx(12.0)
    assert plan.guard_violations == ()


def test_solver_noise_within_tolerance_is_clipped_away() -> None:
    problem = load_case("edge_capacity_binds").problem
    plan = plan_from_result(problem, _result([5.0 + 1e-9, -1e-10], 20.0))
    assert plan.status is SolveStatus.OPTIMAL
    assert plan.flow_t is not None
    np.testing.assert_array_equal(plan.flow_t, [5.0, 0.0])


@pytest.mark.parametrize(
    ("case", "flow_t", "objective", "said"),
    [
        (
            "greedy_is_not_optimal",
            [6, 6, 0, 0],
            114.0,
            "1 source(s) ship more than their supply (worst: source 0, 12 t of 10 t)",
        ),
        (
            "greedy_is_not_optimal",
            [6, 0, 6, 0],
            114.0,
            "1 target(s) receive more than their demand (worst: target 0, 12 t of 10 t)",
        ),
        (
            "edge_capacity_binds",
            [6, 3],
            27.0,
            "1 edge(s) carry more than their capacity (worst: edge 0, 6 t of 5 t)",
        ),
        ("edge_capacity_binds", [5, -0.5], 19.5, "1 edge(s) carry negative flow (worst: edge 1"),
        ("edge_capacity_binds", [5, 3], 25.0, "differs from the value of its flows 23"),
        ("edge_capacity_binds", [5, 3, 1], 23.0, "flows for 2 edges"),
        ("edge_capacity_binds", [5, math.inf], 23.0, "not finite"),
    ],
)
def test_a_plan_failing_a_guard_is_an_error_without_flows(
    case: str, flow_t: list[float], objective: float, said: str
) -> None:
    problem = load_case(case).problem
    plan = plan_from_result(problem, _result(flow_t, objective))
    assert plan.status is SolveStatus.ERROR
    assert plan.termination is TerminationCondition.GUARD_VIOLATED
    assert plan.flow_t is None
    assert plan.total_value is None
    assert any(said in violation for violation in plan.guard_violations), plan.guard_violations
    assert plan.solve.primal_values is not None  # kept for diagnosis


def test_no_plan_from_an_infeasible_or_failed_solve() -> None:
    problem = _two_by_two()
    for termination in (TerminationCondition.INFEASIBLE, TerminationCondition.SOLVER_FAILURE):
        plan = plan_from_result(problem, _result(None, None, termination))
        assert (plan.termination, plan.flow_t, plan.total_value) == (termination, None, None)


def test_a_verified_result_that_failed_stays_failed() -> None:
    problem = _two_by_two()
    result = _result([0, 10, 10, 0], 180.0, TerminationCondition.GUARD_VIOLATED)
    plan = plan_from_result(problem, result)
    assert plan.status is SolveStatus.ERROR
    assert plan.flow_t is None


def test_a_feasible_plan_stopped_by_the_time_limit_says_so() -> None:
    problem = _two_by_two()
    greedy = allocate_greedily(problem)
    result = _result(list(greedy), problem.value_of(greedy), TerminationCondition.TIME_LIMIT)
    plan: AllocationPlan = plan_from_result(problem, result)
    assert plan.status is SolveStatus.TIME_LIMIT
    assert plan.total_value == pytest.approx(110.0)
