"""Progress reports from HiGHS's callbacks, and what a failing reporter does to a solve: it
stops the solve and the result says so, never a solution that looks fine."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse

from sidestream.adapters.solvers import HighsSolver, ScipyHighsSolver, highs
from sidestream.domain.network_design import (
    Criterion,
    DesignObjective,
    HubState,
    NetworkDesignProblem,
    pareto_front,
    plan_network,
)
from sidestream.domain.solving import (
    LinearProgram,
    ObjectiveSense,
    SolveOptions,
    SolverProgress,
    SolveStatus,
    TerminationCondition,
)

OPTIONS = SolveOptions()


def _knapsack(items: int = 120, seed: int = 3) -> LinearProgram:
    """A 0/1 knapsack HiGHS needs a few incumbents and some search for: values are weights
    plus a little, so nearly every subset is nearly as good."""
    rng = np.random.default_rng(seed)
    weight = rng.integers(5, 50, items).astype(np.float64)
    return LinearProgram(
        objective=weight + rng.integers(0, 10, items),
        constraints=sparse.csr_array(weight[np.newaxis, :]),
        row_lower=np.array([-math.inf]),
        row_upper=np.array([weight.sum() / 2]),
        col_lower=np.zeros(items),
        col_upper=np.ones(items),
        is_integer=np.ones(items, dtype=np.bool_),
        sense=ObjectiveSense.MAXIMISE,
    )


def _transportation(size: int = 200, seed: int = 5) -> LinearProgram:
    rng = np.random.default_rng(seed)
    edges = size * 10
    source, target = rng.integers(0, size, edges), rng.integers(0, size, edges)
    rows = np.concatenate([source, size + target])
    matrix = sparse.coo_array(
        (np.ones(2 * edges), (rows, np.tile(np.arange(edges), 2))), shape=(2 * size, edges)
    )
    return LinearProgram(
        objective=rng.uniform(0, 100, edges),
        constraints=matrix.tocsr(),
        row_lower=np.full(2 * size, -math.inf),
        row_upper=rng.uniform(0, 100, 2 * size),
        col_lower=np.zeros(edges),
        col_upper=np.full(edges, math.inf),
        is_integer=np.zeros(edges, dtype=np.bool_),
        sense=ObjectiveSense.MAXIMISE,
    )


def _check_sane(reports: list[SolverProgress]) -> None:
    elapsed = [report.elapsed_s for report in reports]
    assert elapsed == sorted(elapsed) and elapsed[0] >= 0.0
    for report in reports:
        assert report.message
        for bound in (report.primal_bound, report.dual_bound):
            assert bound is None or math.isfinite(bound)
        if report.relative_gap_frac is not None:
            assert report.relative_gap_frac >= 0.0


def test_a_mip_reports_its_incumbents_bounds_and_gap() -> None:
    reports: list[SolverProgress] = []
    result = HighsSolver(progress=reports.append).solve(_knapsack(), OPTIONS)
    assert result.status is SolveStatus.OPTIMAL
    _check_sane(reports)
    during = reports[:-1]
    incumbents = [report for report in during if report.message.startswith("MIP: new incumbent")]
    assert incumbents, [report.message for report in reports]
    # A maximisation: no incumbent is better than the optimum, and the bound never below it.
    assert result.objective_value is not None
    for report in during:
        if report.primal_bound is not None:
            assert report.primal_bound <= result.objective_value + 1e-6
        if report.dual_bound is not None:
            assert report.dual_bound >= result.objective_value - 1e-6
    final = reports[-1]
    assert final.message == "finished: optimal"
    assert final.primal_bound == result.objective_value
    assert final.dual_bound == result.dual_bound
    assert final.relative_gap_frac is not None and final.relative_gap_frac <= 1e-4
    assert final.elapsed_s >= result.runtime_s  # the final report comes after the result


def test_an_lp_reports_its_simplex_iterations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(highs, "PROGRESS_INTERVAL_S", 0.0)  # every callback, to see them
    reports: list[SolverProgress] = []
    result = HighsSolver(progress=reports.append).solve(_transportation(), OPTIONS)
    assert result.status is SolveStatus.OPTIMAL
    _check_sane(reports)
    assert any(report.message.startswith("simplex: ") for report in reports)
    # The simplex knows no feasible objective until it ends.
    assert all(report.primal_bound is None for report in reports[:-1])
    assert reports[-1].primal_bound == result.objective_value


def test_reports_are_spaced_except_new_incumbents(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(highs, "PROGRESS_INTERVAL_S", math.inf)
    reports: list[SolverProgress] = []
    HighsSolver(progress=reports.append).solve(_knapsack(), OPTIONS)
    # The first limit check (nothing reported before it), the incumbents, the final report.
    messages = [report.message for report in reports]
    assert messages[0].startswith("MIP: searching")
    assert all(message.startswith("MIP: new incumbent") for message in messages[1:-1])
    assert messages[-1] == "finished: optimal"


def test_progress_does_not_change_the_result() -> None:
    program = _knapsack()
    quiet = HighsSolver().solve(program, OPTIONS)
    watched = HighsSolver(progress=lambda report: None).solve(program, OPTIONS)
    assert watched.termination is quiet.termination
    assert watched.objective_value == quiet.objective_value


class _Raising:
    def __init__(self, after: int) -> None:
        self.after = after
        self.messages: list[str] = []

    @property
    def calls(self) -> int:
        return len(self.messages)

    def __call__(self, report: SolverProgress) -> None:
        self.messages.append(report.message)
        if self.calls > self.after:
            raise ValueError("the dashboard is down")


@pytest.mark.parametrize("after", [0, 1, 2])
def test_a_reporter_that_raises_stops_the_solve_and_says_so(after: int) -> None:
    reporter = _Raising(after)
    result = HighsSolver(progress=reporter).solve(_knapsack(), OPTIONS)
    assert result.termination is TerminationCondition.INTERRUPTED
    assert result.status is SolveStatus.ERROR
    assert "the progress reporter raised ValueError('the dashboard is down')" in result.message
    assert result.primal_values is None and result.objective_value is None
    assert reporter.calls == after + 1  # never called again once it has failed


def test_a_reporter_that_raises_at_the_final_report_still_voids_the_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # HiGHS has finished when the final report fails; the result is voided all the same, so a
    # broken reporter is found whenever it breaks. Spaced reports make the count repeatable.
    monkeypatch.setattr(highs, "PROGRESS_INTERVAL_S", math.inf)
    program = _transportation()
    counted: list[SolverProgress] = []
    HighsSolver(progress=counted.append).solve(program, OPTIONS)
    reporter = _Raising(after=len(counted) - 1)
    result = HighsSolver(progress=reporter).solve(program, OPTIONS)
    assert reporter.messages[-1] == "finished: optimal"
    assert result.termination is TerminationCondition.INTERRUPTED
    assert result.primal_values is None


def test_keyboard_interrupt_in_a_reporter_reaches_the_caller() -> None:
    def interrupted(report: SolverProgress) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        HighsSolver(progress=interrupted).solve(_knapsack(), OPTIONS)


def test_scipy_reports_only_the_end_and_fails_the_same_way() -> None:
    reports: list[SolverProgress] = []
    result = ScipyHighsSolver(progress=reports.append).solve(_knapsack(), OPTIONS)
    assert [report.message for report in reports] == ["finished: optimal"]
    assert reports[0].primal_bound == result.objective_value
    failed = ScipyHighsSolver(progress=_Raising(after=0)).solve(_knapsack(), OPTIONS)
    assert failed.termination is TerminationCondition.INTERRUPTED


def test_a_program_settled_without_a_solver_still_reports_its_end() -> None:
    empty = LinearProgram(
        objective=np.zeros(0),
        constraints=sparse.csr_array((1, 0)),
        row_lower=np.array([-1.0]),
        row_upper=np.array([1.0]),
        col_lower=np.zeros(0),
        col_upper=np.zeros(0),
        is_integer=np.zeros(0, dtype=np.bool_),
        sense=ObjectiveSense.MAXIMISE,
    )
    reports: list[SolverProgress] = []
    HighsSolver(progress=reports.append).solve(empty, OPTIONS)
    assert [report.message for report in reports] == ["finished: optimal"]


def _candidate_plant() -> NetworkDesignProblem:
    return NetworkDesignProblem(
        supply_t=[100.0],
        demand_t=[100.0],
        path_source=[0, 0],
        path_target=[0, 0],
        path_hub=[-1, 0],
        path_mode=[0, 1],
        path_eur_per_t=[10.0, 9.0],
        path_co2e_per_t=[0.02, 0.1],
        hub_capacity_t=[100.0],
        hub_fixed_eur=[200.0],
        hub_fixed_co2e_t=[1.0],
        hub_state=[HubState.CANDIDATE],
    )


def test_one_solver_with_a_reporter_serves_a_whole_pareto_front() -> None:
    # Each solve has its own HiGHS instance and relay: one final report per solve, and the
    # front is the one a silent solver finds.
    reports: list[SolverProgress] = []
    watched = HighsSolver(progress=reports.append)
    solves: list[float] = []

    def solve(program: LinearProgram) -> object:
        result = watched.solve(program, SolveOptions(mip_relative_gap_frac=0.0))
        solves.append(result.runtime_s)
        return result

    front = pareto_front(_candidate_plant(), Criterion.EUR, Criterion.CO2E, solve, points=4)  # type: ignore[arg-type]
    finished = [report for report in reports if report.message.startswith("finished")]
    assert len(finished) == len(solves) == 8
    silent = HighsSolver()
    quiet = pareto_front(
        _candidate_plant(),
        Criterion.EUR,
        Criterion.CO2E,
        lambda program: silent.solve(program, SolveOptions(mip_relative_gap_frac=0.0)),
        points=4,
    )
    np.testing.assert_allclose(front.values(), quiet.values())


def test_a_failing_reporter_makes_a_plan_an_error_not_a_wrong_plan() -> None:
    failing = HighsSolver(progress=_Raising(after=0))
    plan = plan_network(
        _candidate_plant(),
        DesignObjective.maximise(Criterion.EUR),
        lambda program: failing.solve(program, OPTIONS),
    )
    assert plan.termination is TerminationCondition.INTERRUPTED
    assert plan.flow_t is None and plan.totals is None
    assert "progress reporter raised" in plan.solve.message
