"""OR-Tools' min-cost flow (SimpleMinCostFlow) for programs with the transportation structure
that domain.solving.classify_transportation recognises; anything else is UNSUPPORTED_MODEL.

The integer network and its rounding are integer_network's. Around it: a super source feeds
each supply node up to its bound, each demand node drains into a super sink up to its bound,
and a zero-cost bypass from the super source to the super sink takes whatever is not worth
shipping, so nothing has to ship. OR-Tools multiplies costs by the number of nodes + 1
internally and reports BAD_COST_RANGE rather than overflowing. It returns no node potentials,
so its gap is the a-priori rounding bound.
"""

from __future__ import annotations

import time

import numpy as np
import ortools
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from sidestream.adapters.solvers.integer_network import COST_RANGE, FLOW_RANGE, IntegerNetwork
from sidestream.domain.solving import (
    LinearProgram,
    NotTransportation,
    OptionValue,
    SolveOptions,
    SolveResult,
    TerminationCondition,
    trivial_result,
    verify_result,
)

_STATUS = {
    SimpleMinCostFlow.BAD_COST_RANGE: TerminationCondition.NUMERICAL_TROUBLE,
    SimpleMinCostFlow.BAD_CAPACITY_RANGE: TerminationCondition.NUMERICAL_TROUBLE,
}


class MinCostFlowSolver:
    """Exact up to the documented rounding. It has no time limit and records that it ignored
    one."""

    name = "ortools-min-cost-flow"
    version = f"ortools {ortools.__version__}"

    def solve(self, program: LinearProgram, options: SolveOptions) -> SolveResult:
        native: dict[str, OptionValue] = {"flow_range": FLOW_RANGE, "cost_range": COST_RANGE}
        if options.time_limit_s is not None:
            native["time_limit_s_ignored"] = options.time_limit_s
        settled = trivial_result(program, self.name, self.version, native)
        if settled is not None:
            return settled
        started = time.perf_counter()
        structure = program.transportation
        if isinstance(structure, NotTransportation):
            return self._result(
                TerminationCondition.UNSUPPORTED_MODEL,
                native,
                started,
                f"not a transportation program: {structure.reason}",
            )
        network = IntegerNetwork(program, structure)
        native |= {"flow_scale": network.flow_scale, "cost_scale": network.cost_scale}
        if network.arc_count == 0:
            flow_units = np.zeros(0, dtype=np.int64)  # nothing is worth shipping
        else:
            solver = _or_tools_network(network)
            status = solver.solve()
            if status != SimpleMinCostFlow.OPTIMAL:
                return self._result(
                    _STATUS.get(status, TerminationCondition.SOLVER_FAILURE),
                    native,
                    started,
                    f"OR-Tools min-cost flow status {status.name}",
                )
            flow_units = solver.flows(np.arange(network.arc_count))
        assessed = network.assess(flow_units)
        return verify_result(
            program,
            SolveResult(
                termination=assessed.termination,
                solver_name=self.name,
                solver_version=self.version,
                runtime_s=time.perf_counter() - started,
                options=native,
                objective_value=assessed.objective_value,
                primal_values=assessed.primal_values,
                dual_bound=assessed.dual_bound,
                relative_gap_frac=assessed.relative_gap_frac,
                message=assessed.message,
            ),
        )

    def _result(
        self,
        termination: TerminationCondition,
        native: dict[str, OptionValue],
        started: float,
        message: str,
    ) -> SolveResult:
        return SolveResult(
            termination=termination,
            solver_name=self.name,
            solver_version=self.version,
            runtime_s=time.perf_counter() - started,
            options=native,
            message=message,
        )


def _or_tools_network(network: IntegerNetwork) -> SimpleMinCostFlow:
    nodes = network.source_count + network.target_count
    source, sink = nodes, nodes + 1  # the super source and super sink
    supply_units = network.supply_units
    total = int(supply_units.sum())
    sources = np.arange(network.source_count)
    targets = network.source_count + np.arange(network.target_count)
    # Column arcs come first, so arc k carries network.columns[k].
    tails = np.concatenate([network.arc_tail, np.full(sources.size, source), targets, [source]])
    heads = np.concatenate([network.arc_head, sources, np.full(targets.size, sink), [sink]])
    capacities = np.concatenate(
        [network.arc_capacity_units, supply_units, network.demand_units, [total]]
    )
    costs = np.concatenate(
        [network.arc_cost_units, np.zeros(sources.size + targets.size + 1, dtype=np.int64)]
    )
    solver = SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), capacities, costs
    )
    solver.set_nodes_supplies(
        np.array([source, sink], dtype=np.int32), np.array([total, -total], dtype=np.int64)
    )
    return solver
