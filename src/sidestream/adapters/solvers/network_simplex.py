"""A primal network simplex, compiled with numba, for the transportation programs that
allocation builds: the fastest exact method we have for them (benchmarks/allocation_speed.py,
docs/decisions/0006-network-simplex-for-allocation.md).

The network is integer_network's, closed into a circulation through a root node: each source
sends its supply either along arcs to targets or back to the root (disposal), and each target
takes its demand either from arcs or from the root (slack), all at zero cost. The starting tree
is these disposal and slack arcs, carrying every supply and demand; it is strongly feasible
(every node can push flow towards the root), which together with the ratio test's tie-breaking
rule keeps every later tree strongly feasible and rules out cycling.

The spanning tree is stored as LEMON's NetworkSimplex stores it (parent, predecessor arc and
its direction, preorder thread with its reverse, subtree size, last successor), and the pivot
follows the same steps: block search for the entering arc, the join node of the cycle, the
leaving arc by the ratio test, the flow change, the tree update along the stem and the
potentials of the moved subtree. Kovács, "Minimum-cost flow algorithms: an experimental
evaluation", Optimization Methods & Software 30 (2015), describes them.

Every pivot keeps the flow feasible, and the final node potentials price the rows, which gives
a dual certificate for the real (unrounded) program that holds whatever the kernel did.
"""

from __future__ import annotations

import time

import numba
import numpy as np
from numba import njit

from sidestream.adapters.solvers.integer_network import COST_RANGE, FLOW_RANGE, IntegerNetwork
from sidestream.domain.solving import (
    IntArray,
    LinearProgram,
    NotTransportation,
    OptionValue,
    SolveOptions,
    SolveResult,
    TerminationCondition,
    trivial_result,
    verify_result,
)

# Arcs scanned per block in the search for an entering arc, as a multiple of sqrt(arcs).
# LEMON uses 1.0; on the benchmark a tenth halves the run time for 10% more pivots.
BLOCK_SIZE_FACTOR = 0.1
# A pivot budget that only a defect could exhaust (strongly feasible trees do not cycle).
MAX_PIVOTS_PER_ARC = 50

_OPTIMAL, _UNBOUNDED, _PIVOT_LIMIT = 0, 1, 2
_STATE_UPPER, _STATE_TREE, _STATE_LOWER = -1, 0, 1
_DIR_DOWN, _DIR_UP = -1, 1
_UNCAPACITATED = 1 << 62


class NetworkSimplexSolver:
    """Exact up to integer_network's rounding; no time limit (recorded when one is asked)."""

    name = "network-simplex"
    version = f"sidestream network simplex (numba {numba.__version__})"

    def solve(self, program: LinearProgram, options: SolveOptions) -> SolveResult:
        native: dict[str, OptionValue] = {
            "flow_range": FLOW_RANGE,
            "cost_range": COST_RANGE,
            "block_size_factor": BLOCK_SIZE_FACTOR,
        }
        if options.time_limit_s is not None:
            native["time_limit_s_ignored"] = options.time_limit_s
        settled = trivial_result(program, self.name, self.version, native)
        if settled is not None:
            return settled
        started = time.perf_counter()
        structure = program.transportation
        if isinstance(structure, NotTransportation):
            return SolveResult(
                termination=TerminationCondition.UNSUPPORTED_MODEL,
                solver_name=self.name,
                solver_version=self.version,
                runtime_s=time.perf_counter() - started,
                options=native,
                message=f"not a transportation program: {structure.reason}",
            )
        network = IntegerNetwork(program, structure)
        native |= {"flow_scale": network.flow_scale, "cost_scale": network.cost_scale}
        max_pivots = MAX_PIVOTS_PER_ARC * (network.arc_count + network.source_count + 1)
        flow_units, potential, outcome, pivots = _network_simplex(
            network.arc_tail,
            network.arc_head,
            network.arc_capacity_units,
            network.arc_cost_units,
            network.supply_units,
            network.demand_units,
            max_pivots,
            BLOCK_SIZE_FACTOR,
        )
        root = network.source_count + network.target_count
        # Potentials are in cost units of the minimisation: a supply row is worth what its
        # node's potential exceeds the root's, a demand row what the root's exceeds its node's.
        source_price = (potential[: network.source_count] - potential[root]) / network.cost_scale
        target_price = (potential[root] - potential[network.source_count : root]) / (
            network.cost_scale
        )
        assessed = network.assess(flow_units, network.certified_bound(source_price, target_price))
        termination, message = assessed.termination, f"{pivots} pivots; {assessed.message}"
        if outcome == _PIVOT_LIMIT:
            termination = TerminationCondition.ITERATION_LIMIT
            message = f"stopped after the pivot budget of {max_pivots}; {message}"
        elif outcome == _UNBOUNDED:
            # Every cycle holds a capacitated arc, so this would be a defect: say so.
            termination = TerminationCondition.SOLVER_FAILURE
            message = f"an uncapacitated cycle was found; {message}"
        return verify_result(
            program,
            SolveResult(
                termination=termination,
                solver_name=self.name,
                solver_version=self.version,
                runtime_s=time.perf_counter() - started,
                options=native,
                objective_value=assessed.objective_value,
                primal_values=assessed.primal_values,
                dual_bound=assessed.dual_bound,
                relative_gap_frac=assessed.relative_gap_frac,
                message=message,
            ),
        )


@njit(cache=True)
def _network_simplex(
    tail: IntArray,
    head: IntArray,
    capacity: IntArray,
    cost: IntArray,
    supply: IntArray,
    demand: IntArray,
    max_pivots: int,
    block_size_factor: float,
) -> tuple[IntArray, IntArray, int, int]:
    """Arcs run from sources 0..S-1 to targets S..S+T-1. Returns the arcs' flows, the node
    potentials (the root last), the outcome and the number of pivots."""
    sources, targets, edges = supply.size, demand.size, tail.size
    nodes = sources + targets
    root = nodes
    arcs = edges + nodes  # the edges, then one disposal or slack arc per node
    arc_from = np.empty(arcs, np.int32)
    arc_to = np.empty(arcs, np.int32)
    arc_capacity = np.empty(arcs, np.int64)
    arc_cost = np.zeros(arcs, np.int64)
    flow = np.zeros(arcs, np.int64)
    state = np.empty(arcs, np.int8)
    parent = np.empty(nodes + 1, np.int64)
    pred = np.empty(nodes + 1, np.int64)
    pred_dir = np.empty(nodes + 1, np.int8)
    potential = np.zeros(nodes + 1, np.int64)
    thread = np.empty(nodes + 1, np.int64)
    rev_thread = np.empty(nodes + 1, np.int64)
    succ_num = np.empty(nodes + 1, np.int64)
    last_succ = np.empty(nodes + 1, np.int64)
    dirty_revs = np.empty(nodes + 1, np.int64)

    for arc in range(edges):
        arc_from[arc] = tail[arc]
        arc_to[arc] = head[arc]
        arc_capacity[arc] = capacity[arc]
        arc_cost[arc] = cost[arc]
        state[arc] = _STATE_LOWER
    # The starting tree: every node hangs from the root by its disposal or slack arc.
    for node in range(nodes):
        arc = edges + node
        arc_capacity[arc] = _UNCAPACITATED
        state[arc] = _STATE_TREE
        parent[node] = root
        pred[node] = arc
        if node < sources:
            arc_from[arc] = node
            arc_to[arc] = root
            flow[arc] = supply[node]
            pred_dir[node] = _DIR_UP
        else:
            arc_from[arc] = root
            arc_to[arc] = node
            flow[arc] = demand[node - sources]
            pred_dir[node] = _DIR_DOWN
        thread[node] = node + 1
        rev_thread[node + 1] = node
        succ_num[node] = 1
        last_succ[node] = node
    parent[root] = -1
    pred[root] = -1
    thread[root] = 0
    rev_thread[0] = root
    succ_num[root] = nodes + 1
    last_succ[root] = root - 1

    block = max(int(block_size_factor * np.sqrt(arcs)), 10)
    next_arc = 0
    pivots = 0
    while True:
        # Entering arc: the most violating one in the first block that has any.
        best = 0
        entering = -1
        start = next_arc
        scanned = 0
        while scanned < arcs:
            stop = min(start + block, arcs)
            for arc in range(start, stop):
                violation = state[arc] * (
                    arc_cost[arc] + potential[arc_from[arc]] - potential[arc_to[arc]]
                )
                if violation < best:
                    best = violation
                    entering = arc
            scanned += stop - start
            start = stop if stop < arcs else 0
            if best < 0:
                break
        if best >= 0:
            return flow[:edges].copy(), potential, _OPTIMAL, pivots
        if pivots >= max_pivots:
            return flow[:edges].copy(), potential, _PIVOT_LIMIT, pivots
        next_arc = start
        pivots += 1

        # Join node: where the tree paths from both ends of the entering arc meet.
        u = np.int64(arc_from[entering])
        v = np.int64(arc_to[entering])
        while u != v:
            if succ_num[u] < succ_num[v]:
                u = parent[u]
            else:
                v = parent[v]
        join = u

        # Leaving arc: the first blocking arc in the cycle's direction; ties go to the last
        # one on the second path, which keeps the tree strongly feasible.
        if state[entering] == _STATE_LOWER:
            first, second = np.int64(arc_from[entering]), np.int64(arc_to[entering])
        else:
            first, second = np.int64(arc_to[entering]), np.int64(arc_from[entering])
        delta = arc_capacity[entering]
        result = 0
        u_out = np.int64(-1)
        u = first
        while u != join:
            arc = pred[u]
            room = flow[arc]
            if pred_dir[u] == _DIR_DOWN:
                room = (
                    _UNCAPACITATED
                    if arc_capacity[arc] >= _UNCAPACITATED
                    else arc_capacity[arc] - room
                )
            if room < delta:
                delta = room
                u_out = u
                result = 1
            u = parent[u]
        u = second
        while u != join:
            arc = pred[u]
            room = flow[arc]
            if pred_dir[u] == _DIR_UP:
                room = (
                    _UNCAPACITATED
                    if arc_capacity[arc] >= _UNCAPACITATED
                    else arc_capacity[arc] - room
                )
            if room <= delta:
                delta = room
                u_out = u
                result = 2
            u = parent[u]
        if delta >= _UNCAPACITATED:
            return flow[:edges].copy(), potential, _UNBOUNDED, pivots
        if result == 1:
            u_in, v_in = first, second
        else:
            u_in, v_in = second, first

        # Push delta around the cycle.
        if delta > 0:
            change = state[entering] * delta
            flow[entering] += change
            u = np.int64(arc_from[entering])
            while u != join:
                flow[pred[u]] -= pred_dir[u] * change
                u = parent[u]
            u = np.int64(arc_to[entering])
            while u != join:
                flow[pred[u]] += pred_dir[u] * change
                u = parent[u]
        if result == 0:
            # The entering arc itself blocks: it moves to its other bound, the tree stays.
            state[entering] = -state[entering]
            continue
        state[entering] = _STATE_TREE
        state[pred[u_out]] = _STATE_LOWER if flow[pred[u_out]] == 0 else _STATE_UPPER

        # Tree update: the subtree below the leaving arc is re-hung from the entering arc,
        # reversing the stem from u_in to u_out.
        old_rev_thread = rev_thread[u_out]
        old_succ_num = succ_num[u_out]
        old_last_succ = last_succ[u_out]
        v_out = parent[u_out]
        if u_in == u_out:
            parent[u_in] = v_in
            pred[u_in] = entering
            pred_dir[u_in] = _DIR_UP if u_in == arc_from[entering] else _DIR_DOWN
            if thread[v_in] != u_out:
                after = thread[old_last_succ]
                thread[old_rev_thread] = after
                rev_thread[after] = old_rev_thread
                after = thread[v_in]
                thread[v_in] = u_out
                rev_thread[u_out] = v_in
                thread[old_last_succ] = after
                rev_thread[after] = old_last_succ
        else:
            thread_continue = thread[old_last_succ] if old_rev_thread == v_in else thread[v_in]
            stem = u_in
            par_stem = v_in
            last = last_succ[u_in]
            after = thread[last]
            thread[v_in] = u_in
            dirty = 0
            dirty_revs[dirty] = v_in
            dirty += 1
            while stem != u_out:
                next_stem = parent[stem]
                thread[last] = next_stem
                dirty_revs[dirty] = last
                dirty += 1
                before = rev_thread[stem]
                thread[before] = after
                rev_thread[after] = before
                parent[stem] = par_stem
                par_stem = stem
                stem = next_stem
                last = (
                    rev_thread[par_stem]
                    if last_succ[stem] == last_succ[par_stem]
                    else last_succ[stem]
                )
                after = thread[last]
            parent[u_out] = par_stem
            thread[last] = thread_continue
            rev_thread[thread_continue] = last
            last_succ[u_out] = last
            if old_rev_thread != v_in:
                thread[old_rev_thread] = after
                rev_thread[after] = old_rev_thread
            for k in range(dirty):
                w = dirty_revs[k]
                rev_thread[thread[w]] = w
            subtree = 0
            subtree_last = last_succ[u_out]
            w = u_out
            p = parent[w]
            while w != u_in:
                pred[w] = pred[p]
                pred_dir[w] = -pred_dir[p]
                subtree += succ_num[w] - succ_num[p]
                succ_num[w] = subtree
                last_succ[p] = subtree_last
                w = p
                p = parent[w]
            pred[u_in] = entering
            pred_dir[u_in] = _DIR_UP if u_in == arc_from[entering] else _DIR_DOWN
            succ_num[u_in] = old_succ_num

        up_limit_out = join if last_succ[join] == v_in else -1
        last_succ_out = last_succ[u_out]
        w = v_in
        while w != -1 and last_succ[w] == v_in:
            last_succ[w] = last_succ_out
            w = parent[w]
        if join != old_rev_thread and v_in != old_rev_thread:
            w = v_out
            while w != up_limit_out and last_succ[w] == old_last_succ:
                last_succ[w] = old_rev_thread
                w = parent[w]
        elif last_succ_out != old_last_succ:
            w = v_out
            while w != up_limit_out and last_succ[w] == old_last_succ:
                last_succ[w] = last_succ_out
                w = parent[w]
        w = v_in
        while w != join:
            succ_num[w] += old_succ_num
            w = parent[w]
        w = v_out
        while w != join:
            succ_num[w] -= old_succ_num
            w = parent[w]

        # Potentials: the moved subtree shifts so the entering arc's reduced cost is 0.
        sigma = potential[v_in] - potential[u_in] - pred_dir[u_in] * arc_cost[entering]
        end = thread[last_succ[u_in]]
        w = u_in
        while w != end:
            potential[w] += sigma
            w = thread[w]
