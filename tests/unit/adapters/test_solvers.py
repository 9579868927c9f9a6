"""The three solver adapters against golden cases, against each other, against greedy and
exhaustive oracles, and on programs whose answer is not an optimum."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from sidestream.adapters.solvers import (
    HighsSolver,
    MinCostFlowSolver,
    NetworkSimplexSolver,
    ScipyHighsSolver,
    choose_solver,
    network_simplex,
)
from sidestream.adapters.solvers.integer_network import FLOW_RANGE, IntegerNetwork
from sidestream.domain.allocation import AllocationProblem, build_linear_program
from sidestream.domain.solving import (
    LinearProgram,
    LinearProgramSolver,
    LpMethod,
    ObjectiveSense,
    SolveOptions,
    SolveResult,
    SolveStatus,
    TerminationCondition,
    TransportationStructure,
)
from sidestream.services.allocation import allocate
from tests.support.allocation_oracles import (
    CASE_NAMES,
    allocate_by_enumeration,
    allocate_greedily,
    allocation_problems,
    load_case,
    random_problem,
)

SOLVERS: list[LinearProgramSolver] = [
    HighsSolver(),
    ScipyHighsSolver(),
    MinCostFlowSolver(),
    NetworkSimplexSolver(),
]
LP_SOLVERS: list[LinearProgramSolver] = [HighsSolver(), ScipyHighsSolver()]
# The two that take only transportation programs, in integer arithmetic.
NETWORK_SOLVERS: list[LinearProgramSolver] = [MinCostFlowSolver(), NetworkSimplexSolver()]
OPTIONS = SolveOptions()
# Hypothesis draws small instances; each example is a few milliseconds of solving.
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None)


def _ids(solvers: list[LinearProgramSolver]) -> list[str]:
    return [solver.name for solver in solvers]


def _optimum(problem: AllocationProblem, solver: LinearProgramSolver) -> float:
    plan = allocate(problem, lambda program: solver)
    assert plan.status is SolveStatus.OPTIMAL, (plan.termination, plan.solve.message)
    assert plan.total_value is not None
    return plan.total_value


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-7, abs_tol=1e-6)


# --- golden cases --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASE_NAMES)
@pytest.mark.parametrize("solver", SOLVERS, ids=_ids(SOLVERS))
def test_golden_case(name: str, solver: LinearProgramSolver) -> None:
    case = load_case(name)
    plan = allocate(case.problem, lambda program: solver)
    assert plan.status is SolveStatus.OPTIMAL, plan.solve.message
    assert plan.total_value == pytest.approx(case.total_value, abs=1e-6)
    assert plan.flow_t is not None
    np.testing.assert_allclose(plan.flow_t, case.flow_t, atol=1e-6)
    assert plan.solve.solver_name == solver.name


@pytest.mark.parametrize("name", CASE_NAMES)
def test_golden_case_through_the_chosen_solver(name: str) -> None:
    case = load_case(name)
    plan = allocate(case.problem, choose_solver)
    assert plan.solve.solver_name == NetworkSimplexSolver.name
    assert plan.total_value == pytest.approx(case.total_value, abs=1e-6)


# --- the chooser ---------------------------------------------------------------------------------


def _integer_program(program: LinearProgram) -> LinearProgram:
    return LinearProgram(
        objective=program.objective,
        constraints=program.constraints,
        row_lower=program.row_lower,
        row_upper=program.row_upper,
        col_lower=program.col_lower,
        col_upper=program.col_upper,
        is_integer=np.ones(program.column_count, dtype=np.bool_),
        sense=program.sense,
    )


def test_a_pure_allocation_goes_to_the_network_simplex_anything_else_to_highs() -> None:
    program = build_linear_program(random_problem(seed=1, sources=20, targets=20, edges=100))
    assert isinstance(choose_solver(program), NetworkSimplexSolver)
    assert isinstance(choose_solver(_integer_program(program)), HighsSolver)
    assert isinstance(choose_solver(_knapsack()), HighsSolver)


# --- solvers agree -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_solvers_agree_on_random_instances(seed: int) -> None:
    problem = random_problem(seed, sources=400, targets=300, edges=4000)
    program = build_linear_program(problem)
    results = {
        f"{solver.name}/{method}": solver.solve(program, SolveOptions(lp_method=method))
        for solver in LP_SOLVERS
        for method in (LpMethod.SIMPLEX, LpMethod.INTERIOR_POINT)
    }
    for solver in NETWORK_SOLVERS:
        results[solver.name] = solver.solve(program, OPTIONS)
    objectives = {name: result.objective_value for name, result in results.items()}
    assert all(result.status is SolveStatus.OPTIMAL for result in results.values()), objectives
    reference = results["highs/simplex"].objective_value
    assert reference is not None and reference > 0
    for name, objective in objectives.items():
        assert objective is not None
        assert _close(objective, reference), (name, objective, reference)


@pytest.mark.parametrize("solver", NETWORK_SOLVERS, ids=_ids(NETWORK_SOLVERS))
def test_integer_rounding_stays_within_the_reported_bound(solver: LinearProgramSolver) -> None:
    # Values over five orders of magnitude and small amounts stress the integer scaling.
    rng = np.random.default_rng(5)
    edges = 3000
    problem = AllocationProblem(
        edge_source_index=rng.integers(0, 200, edges),
        edge_target_index=rng.integers(0, 200, edges),
        value_per_t=10.0 ** rng.uniform(-2, 3, edges),
        supply_t=rng.uniform(0, 0.5, 200),
        demand_t=rng.uniform(0, 0.5, 200),
        edge_capacity_t=rng.uniform(0, 0.1, edges),
    )
    program = build_linear_program(problem)
    exact = HighsSolver().solve(program, OPTIONS).objective_value
    flow = solver.solve(program, OPTIONS)
    assert exact is not None and flow.objective_value is not None and flow.dual_bound is not None
    assert flow.status is SolveStatus.OPTIMAL, flow.message
    # Feasible for the real program (capacities rounded down) and no further from the optimum
    # than the bound it reports.
    assert flow.objective_value <= exact + 1e-9 * exact
    assert exact <= flow.dual_bound + 1e-9 * exact
    assert flow.relative_gap_frac is not None and flow.relative_gap_frac <= 1e-6
    scale = flow.options["flow_scale"]
    assert isinstance(scale, float) and math.log2(scale).is_integer()
    assert problem.capacity_t.sum() * scale <= FLOW_RANGE


@pytest.mark.parametrize("solver", NETWORK_SOLVERS, ids=_ids(NETWORK_SOLVERS))
def test_network_solvers_solve_a_minimisation_too(solver: LinearProgramSolver) -> None:
    problem = random_problem(seed=8, sources=50, targets=40, edges=400)
    maximising = build_linear_program(problem)
    # Minimising the negated value is the same problem; the solver must read the sense.
    minimising = LinearProgram(
        objective=-maximising.objective,
        constraints=maximising.constraints,
        row_lower=maximising.row_lower,
        row_upper=maximising.row_upper,
        col_lower=maximising.col_lower,
        col_upper=maximising.col_upper,
        is_integer=maximising.is_integer,
        sense=ObjectiveSense.MINIMISE,
    )
    expected = HighsSolver().solve(minimising, OPTIONS).objective_value
    result = solver.solve(minimising, OPTIONS)
    assert expected is not None and expected < 0
    assert result.objective_value is not None
    assert _close(result.objective_value, expected)
    assert result.dual_bound is not None and result.dual_bound <= result.objective_value


# --- properties ----------------------------------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS, ids=_ids(SOLVERS))
@PROPERTY_SETTINGS
@given(problem=allocation_problems())
def test_every_plan_is_feasible_and_at_least_greedy(
    solver: LinearProgramSolver, problem: AllocationProblem
) -> None:
    plan = allocate(problem, lambda program: solver)
    assert plan.status is SolveStatus.OPTIMAL, (plan.termination, plan.solve.message)
    assert plan.flow_t is not None and plan.total_value is not None
    # The plan's own guards passed; check the mass balance here once more, independently.
    assert (plan.flow_t >= 0).all()
    assert (plan.flow_t <= problem.capacity_t + 1e-6).all()
    assert (problem.source_outflow_t(plan.flow_t) <= problem.supply_t + 1e-6).all()
    assert (problem.target_inflow_t(plan.flow_t) <= problem.demand_t + 1e-6).all()
    greedy_value = problem.value_of(allocate_greedily(problem))
    assert plan.total_value >= greedy_value - 1e-6


@PROPERTY_SETTINGS
@given(problem=allocation_problems(), data=st.data())
def test_adding_a_feasible_edge_never_lowers_the_optimum(
    problem: AllocationProblem, data: st.DataObject
) -> None:
    source = data.draw(st.integers(0, problem.source_count - 1))
    target = data.draw(st.integers(0, problem.target_count - 1))
    value = data.draw(st.integers(-1000, 10000)) / 100
    capacity = data.draw(st.integers(0, 1000)) / 10
    wider = AllocationProblem(
        edge_source_index=np.append(problem.edge_source_index, source),
        edge_target_index=np.append(problem.edge_target_index, target),
        value_per_t=np.append(problem.value_per_t, value),
        supply_t=problem.supply_t,
        demand_t=problem.demand_t,
        edge_capacity_t=np.append(problem.capacity_t, capacity),
    )
    for solver in (HighsSolver(), NetworkSimplexSolver(), MinCostFlowSolver()):
        assert _optimum(wider, solver) >= _optimum(problem, solver) - 1e-6


@PROPERTY_SETTINGS
@given(
    problem=allocation_problems(
        max_sources=3, max_targets=3, max_edges=4, max_amount_t=3, is_integral=True
    )
)
def test_solvers_agree_with_exhaustive_enumeration_on_tiny_instances(
    problem: AllocationProblem,
) -> None:
    enumerated = allocate_by_enumeration(problem).total_value
    for solver in SOLVERS:
        assert _optimum(problem, solver) == pytest.approx(enumerated, abs=1e-6), solver.name


@settings(max_examples=30, deadline=None)
@given(problem=allocation_problems(), seed=st.integers(0, 2**32 - 1))
def test_the_optimum_does_not_depend_on_the_order_of_edges(
    problem: AllocationProblem, seed: int
) -> None:
    order = np.random.default_rng(seed).permutation(problem.edge_count)
    shuffled = AllocationProblem(
        edge_source_index=problem.edge_source_index[order],
        edge_target_index=problem.edge_target_index[order],
        value_per_t=problem.value_per_t[order],
        supply_t=problem.supply_t,
        demand_t=problem.demand_t,
        edge_capacity_t=problem.capacity_t[order],
    )
    for solver in (HighsSolver(), NetworkSimplexSolver()):
        assert _optimum(shuffled, solver) == pytest.approx(_optimum(problem, solver), abs=1e-6)


# --- outcomes that are not an optimum ------------------------------------------------------------


def _lp(
    matrix: list[list[float]],
    row_lower: list[float],
    row_upper: list[float],
    objective: list[float] | None = None,
    col_lower: list[float] | None = None,
    col_upper: list[float] | None = None,
) -> LinearProgram:
    columns = len(matrix[0]) if matrix else len(objective or [])
    return LinearProgram(
        objective=np.array(objective or [1.0] * columns),
        constraints=sparse.csr_array(
            np.array(matrix, dtype=np.float64).reshape(len(row_lower), columns)
        ),
        row_lower=np.array(row_lower),
        row_upper=np.array(row_upper),
        col_lower=np.array(col_lower or [0.0] * columns),
        col_upper=np.array(col_upper or [math.inf] * columns),
        is_integer=np.zeros(columns, dtype=np.bool_),
        sense=ObjectiveSense.MAXIMISE,
    )


@pytest.mark.parametrize("solver", LP_SOLVERS, ids=_ids(LP_SOLVERS))
def test_infeasible_program(solver: LinearProgramSolver) -> None:
    # x0 + x1 >= 5 with both at most 2.
    program = _lp([[1, 1]], [5.0], [math.inf], col_upper=[2.0, 2.0])
    result = solver.solve(program, OPTIONS)
    assert result.status is SolveStatus.INFEASIBLE
    assert result.primal_values is None and result.objective_value is None


@pytest.mark.parametrize("solver", LP_SOLVERS, ids=_ids(LP_SOLVERS))
def test_unbounded_program(solver: LinearProgramSolver) -> None:
    # Maximise x0 + x1 with only x0 - x1 <= 1.
    program = _lp([[1, -1]], [-math.inf], [1.0])
    result = solver.solve(program, OPTIONS)
    assert result.status is SolveStatus.UNBOUNDED
    assert result.objective_value is None


def test_unbounded_mip_is_told_apart_by_solving_again_without_presolve() -> None:
    # HiGHS's MIP presolve says only "infeasible or unbounded" here.
    program = _integer_program(_lp([[1, -1]], [-math.inf], [1.0]))
    result = HighsSolver().solve(program, OPTIONS)
    assert result.status is SolveStatus.UNBOUNDED
    assert result.options["presolve"] == "off"
    assert "without presolve" in result.message
    # SciPy's milp cannot tell, and says so rather than guessing.
    undecided = ScipyHighsSolver().solve(program, OPTIONS)
    assert undecided.termination is TerminationCondition.INFEASIBLE_OR_UNBOUNDED
    assert undecided.status is SolveStatus.ERROR


def test_an_infeasible_mip_is_confirmed_without_presolve() -> None:
    program = _integer_program(_lp([[1, 1]], [5.0], [math.inf], col_upper=[2.0, 2.0]))
    result = HighsSolver().solve(program, OPTIONS)
    assert result.status is SolveStatus.INFEASIBLE
    assert result.options["presolve"] == "off" and "without presolve" in result.message


def test_highs_prints_nothing() -> None:
    # In a fresh process: HiGHS writes its banner once per process, at the first construction.
    script = (
        "import math\n"
        "from scipy import sparse\n"
        "from sidestream.adapters.solvers import HighsSolver\n"
        "from sidestream.domain.solving import LinearProgram, ObjectiveSense, SolveOptions\n"
        "program = LinearProgram([1.0, 1.0], sparse.csr_array([[1.0, 1.0]]), [-math.inf], [3.0],"
        " [0.0, 0.0], [2.0, 2.0], [True, False], ObjectiveSense.MAXIMISE)\n"
        "assert HighsSolver().solve(program, SolveOptions()).status.value == 'optimal'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("solver", SOLVERS, ids=_ids(SOLVERS))
def test_crossed_bounds_are_infeasible_for_every_solver(solver: LinearProgramSolver) -> None:
    program = _lp([[1, 0], [0, 1]], [-math.inf, -math.inf], [5.0, 5.0], col_lower=[0.0, 3.0])
    crossed = LinearProgram(
        objective=program.objective,
        constraints=program.constraints,
        row_lower=program.row_lower,
        row_upper=program.row_upper,
        col_lower=np.array([0.0, 3.0]),
        col_upper=np.array([1.0, 2.0]),
        is_integer=program.is_integer,
        sense=program.sense,
    )
    result = solver.solve(crossed, OPTIONS)
    assert result.status is SolveStatus.INFEASIBLE
    assert "column 1" in result.message


@pytest.mark.parametrize("solver", SOLVERS, ids=_ids(SOLVERS))
def test_empty_programs(solver: LinearProgramSolver) -> None:
    empty = build_linear_program(load_case("no_edges").problem)
    result = solver.solve(empty, OPTIONS)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective_value == 0.0
    assert result.primal_values is not None and result.primal_values.size == 0
    # No columns, but a row that wants an activity of at least 1: no solution exists.
    impossible = _lp([], [1.0], [2.0], objective=[])
    assert solver.solve(impossible, OPTIONS).status is SolveStatus.INFEASIBLE


@pytest.mark.parametrize("solver", NETWORK_SOLVERS, ids=_ids(NETWORK_SOLVERS))
def test_network_solvers_decline_a_program_they_cannot_solve(solver: LinearProgramSolver) -> None:
    result = solver.solve(_knapsack(), OPTIONS)
    assert result.termination is TerminationCondition.UNSUPPORTED_MODEL
    assert result.status is SolveStatus.ERROR
    assert "integer columns" in result.message


@pytest.mark.parametrize("solver", NETWORK_SOLVERS, ids=_ids(NETWORK_SOLVERS))
def test_network_solvers_ship_nothing_when_nothing_is_worth_it(solver: LinearProgramSolver) -> None:
    problem = AllocationProblem(
        edge_source_index=[0, 0],
        edge_target_index=[0, 1],
        value_per_t=[-1.0, 0.0],
        supply_t=[5.0],
        demand_t=[5.0, 5.0],
    )
    plan = allocate(problem, lambda program: solver)
    assert plan.status is SolveStatus.OPTIMAL
    assert plan.total_value == 0.0


@pytest.mark.parametrize("solver", LP_SOLVERS, ids=_ids(LP_SOLVERS))
def test_time_limit_is_a_status(solver: LinearProgramSolver) -> None:
    program = build_linear_program(random_problem(seed=2, sources=500, targets=500, edges=5000))
    options = SolveOptions(time_limit_s=0.0, lp_method=LpMethod.SIMPLEX)
    result = solver.solve(program, options)
    assert result.status is SolveStatus.TIME_LIMIT
    assert result.options["time_limit"] == 0.0
    # A simplex stopped early has no feasible point to offer, so none is passed on.
    assert result.primal_values is None


@pytest.mark.parametrize("solver", NETWORK_SOLVERS, ids=_ids(NETWORK_SOLVERS))
def test_network_solvers_record_that_they_ignore_a_time_limit(
    solver: LinearProgramSolver,
) -> None:
    program = build_linear_program(load_case("competition_for_supply").problem)
    result = solver.solve(program, SolveOptions(time_limit_s=1.0))
    assert result.status is SolveStatus.OPTIMAL
    assert result.options["time_limit_s_ignored"] == 1.0


# --- MIPs ----------------------------------------------------------------------------------------


def _knapsack() -> LinearProgram:
    """max 5x + 4y + 3z, 2x + 3y + z <= 5, 4x + y + 2z <= 11, 3x + 4y + 2z <= 8, x <= 1.5,
    x, y, z integers >= 0. The relaxation reaches 12.75 at (1.5, 0, 1.75); enumerating
    x in {0, 1} by hand, the integral optimum is 12 at (0, 0, 4) (next: 11 at (1, 0, 2))."""
    return LinearProgram(
        objective=np.array([5.0, 4.0, 3.0]),
        constraints=sparse.csr_array(np.array([[2.0, 3.0, 1.0], [4.0, 1.0, 2.0], [3.0, 4.0, 2.0]])),
        row_lower=np.full(3, -math.inf),
        row_upper=np.array([5.0, 11.0, 8.0]),
        col_lower=np.zeros(3),
        col_upper=np.array([1.5, math.inf, math.inf]),
        is_integer=np.ones(3, dtype=np.bool_),
        sense=ObjectiveSense.MAXIMISE,
    )


@pytest.mark.parametrize("solver", LP_SOLVERS, ids=_ids(LP_SOLVERS))
def test_mip_optimum_and_its_bound(solver: LinearProgramSolver) -> None:
    result = solver.solve(_knapsack(), OPTIONS)
    assert result.status is SolveStatus.OPTIMAL, result.message
    assert result.objective_value == pytest.approx(KNAPSACK_OPTIMUM)
    assert result.primal_values is not None
    np.testing.assert_allclose(result.primal_values, KNAPSACK_SOLUTION, atol=1e-6)
    assert result.dual_bound is not None and result.dual_bound >= KNAPSACK_OPTIMUM - 1e-6
    assert result.relative_gap_frac is not None and result.relative_gap_frac <= 1e-4
    assert result.options["mip_rel_gap"] == 1e-4


KNAPSACK_OPTIMUM = 12.0
KNAPSACK_SOLUTION = [0.0, 0.0, 4.0]


# --- metadata and guards -------------------------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS, ids=_ids(SOLVERS))
def test_every_result_names_its_solver_version_options_and_runtime(
    solver: LinearProgramSolver,
) -> None:
    program = build_linear_program(load_case("three_sources_two_targets").problem)
    result = solver.solve(program, SolveOptions(time_limit_s=30.0))
    assert result.solver_name == solver.name
    assert result.solver_version and any(ch.isdigit() for ch in result.solver_version)
    assert result.options
    assert 0.0 < result.runtime_s < 30.0
    assert result.dual_bound is not None and result.relative_gap_frac is not None


class _OverfillingSolver:
    """A solver that returns an optimum it made up: 10 t more than the target wants."""

    name = "overfilling"

    def solve(self, program: LinearProgram, options: SolveOptions) -> SolveResult:
        return SolveResult(
            termination=TerminationCondition.OPTIMAL,
            solver_name=self.name,
            solver_version="0",
            runtime_s=0.0,
            objective_value=190.0,
            primal_values=np.array([10.0, 0.0, 10.0, 0.0]),
        )


def test_allocate_refuses_a_solver_answer_that_breaks_mass_balance() -> None:
    problem = load_case("greedy_is_not_optimal").problem
    plan = allocate(problem, lambda program: _OverfillingSolver())
    assert plan.status is SolveStatus.ERROR
    assert plan.flow_t is None
    assert plan.guard_violations == (
        "1 target(s) receive more than their demand (worst: target 0, 20 t of 10 t)",
    )


# --- the network simplex -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seed", "sources", "targets", "edges"),
    [(21, 3000, 2000, 30000), (22, 200, 3000, 20000), (23, 3000, 100, 20000)],
)
def test_network_simplex_matches_highs_and_proves_it(
    seed: int, sources: int, targets: int, edges: int
) -> None:
    program = build_linear_program(random_problem(seed, sources, targets, edges))
    exact = HighsSolver().solve(program, OPTIONS).objective_value
    result = NetworkSimplexSolver().solve(program, OPTIONS)
    assert exact is not None and result.objective_value is not None
    assert result.status is SolveStatus.OPTIMAL, result.message
    assert _close(result.objective_value, exact)
    # The dual certificate, built from the potentials in floating point, bounds the optimum.
    assert result.dual_bound is not None
    assert result.objective_value <= exact + 1e-9 * exact <= result.dual_bound + 2e-9 * exact
    assert "dual certificate" in result.message


def test_network_simplex_on_a_degenerate_instance() -> None:
    # Whole tonnes, equal values and equal capacities: nearly every pivot is a tie.
    rng = np.random.default_rng(31)
    edges = 6000
    problem = AllocationProblem(
        edge_source_index=rng.integers(0, 500, edges),
        edge_target_index=rng.integers(0, 500, edges),
        value_per_t=np.where(rng.random(edges) < 0.5, 5.0, 7.0),
        supply_t=np.full(500, 10.0),
        demand_t=np.full(500, 10.0),
        edge_capacity_t=np.full(edges, 5.0),
    )
    program = build_linear_program(problem)
    exact = HighsSolver().solve(program, OPTIONS).objective_value
    result = NetworkSimplexSolver().solve(program, OPTIONS)
    assert result.status is SolveStatus.OPTIMAL
    assert exact is not None and result.objective_value == pytest.approx(exact, rel=1e-12)


def test_network_simplex_out_of_pivots_is_not_an_optimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network_simplex, "MAX_PIVOTS_PER_ARC", 0)
    problem = load_case("three_sources_two_targets").problem
    plan = allocate(problem, lambda program: NetworkSimplexSolver())
    assert plan.termination is TerminationCondition.ITERATION_LIMIT
    assert plan.status is SolveStatus.ERROR
    assert plan.flow_t is None
    assert "pivot budget" in plan.solve.message
    # What it stopped at is still a feasible flow, and passed the program's own check.
    assert plan.solve.primal_values is not None


@pytest.mark.parametrize("seed", [41, 42])
def test_any_prices_bound_the_optimum(seed: int) -> None:
    # Weak duality, which the network simplex's certificate rests on; negative prices count
    # as 0, so a defective kernel cannot produce a bound below the optimum.
    program = build_linear_program(random_problem(seed, sources=300, targets=200, edges=3000))
    structure = program.transportation
    assert isinstance(structure, TransportationStructure)
    network = IntegerNetwork(program, structure)
    exact = HighsSolver().solve(program, OPTIONS).objective_value
    assert exact is not None
    rng = np.random.default_rng(seed)
    for scale in (0.0, 1.0, 10.0, 100.0):
        source_price = rng.uniform(-scale, scale, network.source_count)
        target_price = rng.uniform(-scale, scale, network.target_count)
        assert network.certified_bound(source_price, target_price) >= exact * (1 - 1e-12)
