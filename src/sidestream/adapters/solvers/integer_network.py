"""The integer network that min-cost-flow algorithms solve for a transportation program, and
what its rounding may cost. Shared by the OR-Tools adapter and our network simplex.

Nodes are the program's supply rows (numbered 0..S-1) and demand rows (S..S+T-1); each column
that can improve the objective is an arc from its supply row to its demand row. With nothing
forced to ship, a column of zero or negative gain stays empty in some optimum, so it is left out.

Integer arithmetic, and its rounding:
- Flows are counted in units of 1/flow_scale, a power of two (so units convert back to floats
  exactly), the largest that keeps each total of capacities below FLOW_RANGE = 2**52.
  Capacities and row bounds are rounded down, so every flow found is feasible for the real
  program.
- Costs are counted in units of 1/cost_scale, a power of two, the largest that keeps the
  largest gain below COST_RANGE = 2**30, and rounded to the nearest unit.
Rounding can only cost optimality, by at most (the a-priori bound)
  largest total flow / cost_scale                 (each gain off by half a unit, on two flows)
  + sum over arcs of rounded-off capacity x gain
  + sum over rows of rounded-off bound x the largest gain.
A solver that also returns node potentials gives a certificate instead: any prices p >= 0 on
supply rows and q >= 0 on demand rows make a feasible dual of the real program (with
r = max(0, gain - p - q) per arc), whose objective bounds the optimum whatever the solver did.
The smaller of the two bounds is reported as the dual bound. Like the tolerances of
floating-point solvers, the gap is measured against the data, the largest objective the flow
could reach (largest total flow x largest gain): above OPTIMALITY_TOLERANCE_FRAC of that the
result is OPTIMALITY_NOT_PROVEN instead of OPTIMAL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sidestream.domain.solving import (
    FloatArray,
    IntArray,
    LinearProgram,
    ObjectiveSense,
    TerminationCondition,
    TransportationStructure,
)

FLOW_RANGE = 2**52
COST_RANGE = 2**30
OPTIMALITY_TOLERANCE_FRAC = 1e-6


def _power_of_two_below(limit: float, total: float) -> float:
    """The largest power of two p with total * p <= limit (exponent kept within float range)."""
    exponent = math.floor(math.log2(limit / total))
    return math.ldexp(1.0, max(-1000, min(1000, exponent)))


@dataclass(frozen=True)
class Assessment:
    """A network solution read back into the program's terms."""

    termination: TerminationCondition
    primal_values: FloatArray
    objective_value: float
    dual_bound: float
    relative_gap_frac: float
    message: str


class IntegerNetwork:
    def __init__(self, program: LinearProgram, structure: TransportationStructure) -> None:
        self.program = program
        self.is_maximising = program.sense is ObjectiveSense.MAXIMISE
        # What one tonne on a column adds to the objective in the maximising sense.
        gain = program.objective if self.is_maximising else -program.objective
        row_upper = program.row_upper
        capacity = np.minimum(
            program.col_upper,
            np.minimum(
                row_upper[structure.column_supply_row], row_upper[structure.column_demand_row]
            ),
        )
        self.columns: IntArray = np.flatnonzero((gain > 0) & (capacity > 0))
        self.gain: FloatArray = gain[self.columns]
        self.capacity: FloatArray = capacity[self.columns]
        self.supply: FloatArray = row_upper[structure.supply_rows]
        self.demand: FloatArray = row_upper[structure.demand_rows]
        self.source_count = int(structure.supply_rows.size)
        self.target_count = int(structure.demand_rows.size)
        node_of_row = np.full(program.row_count, -1, dtype=np.int64)
        node_of_row[structure.supply_rows] = np.arange(self.source_count)
        node_of_row[structure.demand_rows] = self.source_count + np.arange(self.target_count)
        self.arc_tail: IntArray = node_of_row[structure.column_supply_row[self.columns]]
        self.arc_head: IntArray = node_of_row[structure.column_demand_row[self.columns]]
        if self.columns.size:
            largest_total = max(self.supply.sum(), self.demand.sum(), self.capacity.sum())
            self.flow_scale = _power_of_two_below(FLOW_RANGE, float(largest_total))
            self.cost_scale = _power_of_two_below(COST_RANGE, float(self.gain.max()))
        else:
            self.flow_scale = self.cost_scale = 1.0

    @property
    def arc_count(self) -> int:
        return int(self.columns.size)

    def units(self, tonnes: FloatArray) -> IntArray:
        return np.floor(tonnes * self.flow_scale).astype(np.int64)

    @property
    def arc_capacity_units(self) -> IntArray:
        return self.units(self.capacity)

    @property
    def arc_cost_units(self) -> IntArray:
        """Min-cost-flow costs: the negated gains, rounded to whole cost units."""
        return -np.rint(self.gain * self.cost_scale).astype(np.int64)

    @property
    def supply_units(self) -> IntArray:
        return self.units(self.supply)

    @property
    def demand_units(self) -> IntArray:
        return self.units(self.demand)

    def largest_objective(self) -> float:
        largest_flow = min(self.supply.sum(), self.demand.sum(), self.capacity.sum())
        return float(largest_flow * self.gain.max()) if self.arc_count else 0.0

    def a_priori_bound(self) -> float:
        """How much better than any flow optimal for the integer network the true optimum can
        be (module docstring)."""
        if not self.arc_count:
            return 0.0
        largest_flow = min(self.supply.sum(), self.demand.sum(), self.capacity.sum())
        capacity_lost, supply_lost, demand_lost = (
            tonnes - np.floor(tonnes * self.flow_scale) / self.flow_scale
            for tonnes in (self.capacity, self.supply, self.demand)
        )
        return float(
            largest_flow / self.cost_scale
            + capacity_lost @ self.gain
            + (supply_lost.sum() + demand_lost.sum()) * self.gain.max()
        )

    def certified_bound(self, source_price: FloatArray, target_price: FloatArray) -> float:
        """Weak duality: the objective of the dual solution these prices (per tonne, in
        objective units) make feasible bounds the largest gain of the real program."""
        supply_price = np.maximum(source_price, 0.0)
        demand_price = np.maximum(target_price, 0.0)
        arc_price = np.maximum(
            self.gain
            - supply_price[self.arc_tail]
            - demand_price[self.arc_head - self.source_count],
            0.0,
        )
        return float(
            self.supply @ supply_price + self.demand @ demand_price + self.capacity @ arc_price
        )

    def assess(self, arc_flow_units: IntArray, certified_bound: float | None = None) -> Assessment:
        """The flows as program values, and how far from optimal they may be."""
        x = np.zeros(self.program.column_count)
        x[self.columns] = arc_flow_units / self.flow_scale
        gained = float(self.gain @ x[self.columns])
        gap = self.a_priori_bound()
        how = "integer rounding may cost at most"
        if certified_bound is not None and certified_bound - gained < gap:
            gap = max(certified_bound - gained, 0.0)
            how = "the dual certificate leaves at most"
        is_proven = gap <= OPTIMALITY_TOLERANCE_FRAC * self.largest_objective()
        objective = self.program.objective_of(x)
        return Assessment(
            termination=TerminationCondition.OPTIMAL
            if is_proven
            else TerminationCondition.OPTIMALITY_NOT_PROVEN,
            primal_values=x,
            objective_value=objective,
            dual_bound=objective + gap if self.is_maximising else objective - gap,
            relative_gap_frac=0.0 if gap == 0 else gap / max(abs(objective), 1e-300),
            message=f"{how} {gap:.6g} of the objective",
        )
