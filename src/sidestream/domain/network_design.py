"""Regional network design: which side streams go to which needs, directly or through one
processing hub, by which transport mode, and which hubs are worth running.

The model, in columns (one array per attribute, numbered from 0):

- supplies give at most supply_t a year, needs take at most demand_t a year;
- hubs (a crushing station, a geopolymer plant) pass at most hub_capacity_t a year and cost
  hub_fixed_eur and hub_fixed_co2e_t a year to run, whatever passes through them. Their
  hub_state is CLOSED (unusable in this scenario), CANDIDATE (a binary open decision, which
  makes the program a MILP) or OPEN (running already: no decision, and its fixed terms are a
  constant of every total, so totals are the network's whole annual figures and stay
  comparable when a hub moves from CANDIDATE to OPEN between scenarios);
- paths move material from one supply to one need, directly (path_hub -1) or through exactly
  one hub, by one transport mode (path_mode, a small integer whose names are the caller's).
  Each carries the net € per tonne (all parties together, transport and processing already
  deducted by the caller) and the net t CO2e avoided per tonne (positive is good). A path
  with path_min_lot_t > 0 carries 0 or at least that lot: one binary z per such path, with
  lot·z ≤ x ≤ M·z and M the least of its supply, its demand and its hub's capacity. Paths
  through a CLOSED hub stay in the arrays, so flows line up with the caller's paths, but carry
  nothing: switching a hub off is a change of one state, not a rebuild of the path arrays.

Totals come from the flows x and the open hubs: eur = Σ eur_per_t·x − Σ fixed_eur,
co2e = Σ co2e_per_t·x − Σ fixed_co2e, tonnes = Σ x (tonnes diverted). An objective maximises
Σ weight·total over the criteria and may ask for floors (total ≥ ε) as extra rows.

The linear program is assembled with sparse-matrix operations, not a loop over paths. Its
columns are the flows (one per path), then one open decision per CANDIDATE hub, then one lot
binary per path with a lot; its rows are the supplies, the demands, the hubs (throughput ≤
capacity, or ≤ U·y for a candidate, U the least of its capacity and what its paths' sources
could send and their needs take), the lots (x − M·z ≤ 0 and x − lot·z ≥ 0), the links of
paths through candidate hubs (x − M·y ≤ 0, and z − y ≤ 0 with a lot), then the floors. A
path that a parallel one (same supply, need and hub) beats on every count the objective
looks at is held at 0: such paths only slow the solver down. After the solve, guards
recompute everything from the flows; a plan that fails them is an error (GUARD_VIOLATED),
never a quietly wrong plan.

Pareto fronts between two criteria use the ε-constraint method with lexicographic solves:

1. anchors: maximise first, then maximise second with first held at its optimum (less a
   relative slack of LEXICOGRAPHIC_SLACK_FRAC, so solver tolerances cannot make it
   infeasible); and the same the other way round. They are the two ends of the front;
2. K − 2 floors ε on second, evenly spaced strictly between the anchors' second totals: for
   each, maximise first subject to second ≥ ε, then maximise second with first held at that
   optimum. The second solve makes every point Pareto-optimal (up to the slack), not merely
   weakly so: no feasible plan is at least as good in both criteria and better in one;
3. points equal in both criteria (within DUPLICATE_TOLERANCE_FRAC) are kept once. A solve that
   ends without an optimum (infeasible, time limit, error) is kept as a plan with that status,
   in its place, never dropped: the first solve of a pair that fails is the point, and no
   second solve follows it. A second solve that ends without a solution cannot be the
   model's doing (the first solve's plan satisfies it): that plan stands in, and the front's
   notes say so.

Solving is the caller's: pareto_front takes a function LinearProgram → SolveResult.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from functools import cached_property
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
from scipy import sparse

from sidestream.domain.columns import index_errors, length_errors, tonnes_errors
from sidestream.domain.errors import FieldError, InvalidInput
from sidestream.domain.solving import (
    FEASIBILITY_TOLERANCE_FRAC,
    INTEGRALITY_TOLERANCE,
    OBJECTIVE_TOLERANCE_FRAC,
    BoolArray,
    FloatArray,
    IntArray,
    LinearProgram,
    ObjectiveSense,
    OptionValue,
    SolveResult,
    SolveStatus,
    TerminationCondition,
)

Int8Array = npt.NDArray[np.int8]
Solve = Callable[[LinearProgram], SolveResult]

# The first solve of a lexicographic pair holds its criterion at the optimum less this much
# (relative, at least of 1): enough for solvers' tolerances, far below any real trade-off.
LEXICOGRAPHIC_SLACK_FRAC = 1e-7
# Two Pareto points whose totals differ by less than this (relative, at least of 1) are one.
DUPLICATE_TOLERANCE_FRAC = 1e-6


class HubState(IntEnum):
    CLOSED = 0
    CANDIDATE = 1
    OPEN = 2


class Criterion(StrEnum):
    EUR = "eur"
    CO2E = "co2e"  # t CO2e avoided
    TONNES = "tonnes"  # t diverted


def _no_floats() -> FloatArray:
    return np.zeros(0)


def _no_states() -> Int8Array:
    return np.zeros(0, dtype=np.int8)


@dataclass(frozen=True, eq=False)
class NetworkDesignProblem:
    """Supplies, demands, hubs and paths as columns; see the module docstring.

    path_min_lot_t None means no path has a lot; hub_fixed_co2e_t None means hubs emit
    nothing of their own. Arrays are coerced to int64 / int8 / float64; invalid input raises
    InvalidInput listing every broken rule."""

    supply_t: FloatArray  # per supply
    demand_t: FloatArray  # per demand
    path_source: IntArray
    path_target: IntArray
    path_hub: IntArray  # -1: direct
    path_mode: IntArray
    path_eur_per_t: FloatArray
    path_co2e_per_t: FloatArray
    path_min_lot_t: FloatArray | None = None
    hub_capacity_t: FloatArray = field(default_factory=_no_floats)  # +inf: no limit
    hub_fixed_eur: FloatArray = field(default_factory=_no_floats)
    hub_fixed_co2e_t: FloatArray | None = None
    hub_state: Int8Array = field(default_factory=_no_states)

    def __post_init__(self) -> None:
        errors: list[FieldError] = []
        for name in ("path_source", "path_target", "path_hub", "path_mode", "hub_state"):
            raw = np.asarray(getattr(self, name))
            if raw.size and raw.dtype.kind not in "iu":
                errors.append(FieldError(name, "must be integers"))
            object.__setattr__(self, name, raw.astype(np.int64))
        for name in (
            "supply_t",
            "demand_t",
            "path_eur_per_t",
            "path_co2e_per_t",
            "path_min_lot_t",
            "hub_capacity_t",
            "hub_fixed_eur",
            "hub_fixed_co2e_t",
        ):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, np.asarray(value, dtype=np.float64))
        errors += _problem_errors(self)
        if errors:
            raise InvalidInput(errors)
        # Narrowed only now: an out-of-range state would have wrapped round unnoticed.
        object.__setattr__(self, "hub_state", self.hub_state.astype(np.int8))

    @property
    def path_count(self) -> int:
        return int(self.path_source.shape[0])

    @property
    def source_count(self) -> int:
        return int(self.supply_t.shape[0])

    @property
    def target_count(self) -> int:
        return int(self.demand_t.shape[0])

    @property
    def hub_count(self) -> int:
        return int(self.hub_capacity_t.shape[0])

    @property
    def min_lot_t(self) -> FloatArray:
        """Per path, 0 where it has no lot."""
        if self.path_min_lot_t is None:
            return np.zeros(self.path_count)
        return self.path_min_lot_t

    @property
    def fixed_co2e_t(self) -> FloatArray:
        """Per hub, 0 where none is given."""
        if self.hub_fixed_co2e_t is None:
            return np.zeros(self.hub_count)
        return self.hub_fixed_co2e_t

    @cached_property
    def path_is_usable(self) -> BoolArray:
        """False for the paths through a CLOSED hub."""
        if not self.hub_count:
            return np.ones(self.path_count, dtype=np.bool_)
        state = self.hub_state[np.maximum(self.path_hub, 0)]  # a direct path's is not used
        return np.asarray((self.path_hub < 0) | (state != HubState.CLOSED))

    @cached_property
    def path_upper_t(self) -> FloatArray:
        """The most a path can carry: the least of its supply, its demand and its hub's
        capacity, and 0 through a CLOSED hub. The big M of its lot."""
        upper = np.minimum(self.supply_t[self.path_source], self.demand_t[self.path_target])
        via = self.path_hub >= 0
        upper[via] = np.minimum(upper[via], self.hub_capacity_t[self.path_hub[via]])
        upper[~self.path_is_usable] = 0.0
        return upper

    @cached_property
    def hub_reach_t(self) -> FloatArray:
        """U per hub: the least of its capacity, the supplies of the distinct sources its
        usable paths start from and the demands of the distinct needs they reach. A tight U
        is a strong LP relaxation of throughput ≤ U·y, so the MILP branches less."""
        via = np.flatnonzero((self.path_hub >= 0) & self.path_is_usable)
        hub, reach = self.path_hub[via], self.hub_capacity_t.copy()
        for index, amounts in (
            (self.path_source, self.supply_t),
            (self.path_target, self.demand_t),
        ):
            count = max(amounts.size, 1)
            pairs = np.unique(hub * count + index[via])
            reached = np.bincount(pairs // count, amounts[pairs % count], self.hub_count)
            reach = np.minimum(reach, reached)
        return reach

    @cached_property
    def lot_paths(self) -> IntArray:
        """The usable paths with a lot, in order: each gets a binary."""
        return np.flatnonzero((self.min_lot_t > 0) & self.path_is_usable)

    def path_value_per_t(self, criterion: Criterion) -> FloatArray:
        if criterion is Criterion.EUR:
            return self.path_eur_per_t
        if criterion is Criterion.CO2E:
            return self.path_co2e_per_t
        return np.ones(self.path_count)

    def hub_fixed(self, criterion: Criterion) -> FloatArray:
        """What running each hub takes off the criterion's total a year."""
        if criterion is Criterion.EUR:
            return self.hub_fixed_eur
        if criterion is Criterion.CO2E:
            return self.fixed_co2e_t
        return np.zeros(self.hub_count)

    def source_outflow_t(self, flow_t: FloatArray) -> FloatArray:
        outflow = np.bincount(self.path_source, weights=flow_t, minlength=self.source_count)
        return np.asarray(outflow, dtype=np.float64)

    def target_inflow_t(self, flow_t: FloatArray) -> FloatArray:
        inflow = np.bincount(self.path_target, weights=flow_t, minlength=self.target_count)
        return np.asarray(inflow, dtype=np.float64)

    def hub_throughput_t(self, flow_t: FloatArray) -> FloatArray:
        via = self.path_hub >= 0
        through = np.bincount(self.path_hub[via], weights=flow_t[via], minlength=self.hub_count)
        return np.asarray(through, dtype=np.float64)

    def mode_flow_t(self, flow_t: FloatArray) -> FloatArray:
        """Tonnes per transport mode, indexed by mode number."""
        modes = int(self.path_mode.max()) + 1 if self.path_count else 0
        return np.asarray(np.bincount(self.path_mode, weights=flow_t, minlength=modes))


def _problem_errors(problem: NetworkDesignProblem) -> list[FieldError]:
    per_path = [
        "path_source",
        "path_target",
        "path_hub",
        "path_mode",
        "path_eur_per_t",
        "path_co2e_per_t",
    ]
    if problem.path_min_lot_t is not None:
        per_path.append("path_min_lot_t")
    per_hub = ["hub_capacity_t", "hub_fixed_eur", "hub_state"]
    if problem.hub_fixed_co2e_t is not None:
        per_hub.append("hub_fixed_co2e_t")
    errors = length_errors(problem, per_path, problem.path_source.shape[0], "path")
    errors += length_errors(problem, per_hub, problem.hub_capacity_t.shape[0], "hub")
    errors += tonnes_errors(problem, ("supply_t", "demand_t"))
    if errors:
        return errors
    errors += index_errors(problem, "path_source", 0, problem.source_count, "path")
    errors += index_errors(problem, "path_target", 0, problem.target_count, "path")
    errors += index_errors(problem, "path_hub", -1, problem.hub_count, "path")
    if not np.isin(problem.hub_state, list(HubState)).all():
        errors.append(FieldError("hub_state", "must be 0 (closed), 1 (candidate) or 2 (open)"))
    if (problem.path_mode < 0).any():
        errors.append(FieldError("path_mode", "must be zero or more"))
    for name in ("path_eur_per_t", "path_co2e_per_t"):
        if not np.isfinite(getattr(problem, name)).all():
            errors.append(FieldError(name, "must be finite"))
    if not (problem.hub_capacity_t >= 0).all():  # NaN fails too; +inf is no limit
        errors.append(FieldError("hub_capacity_t", "must be zero or more tonnes (inf: none)"))
    for name in ("hub_fixed_eur", "hub_fixed_co2e_t"):
        value = getattr(problem, name)
        if value is not None and not (np.isfinite(value) & (value >= 0)).all():
            errors.append(FieldError(name, "must be finite and zero or more (a yearly cost)"))
    lot = problem.path_min_lot_t
    if lot is not None and not (np.isfinite(lot) & (lot >= 0)).all():
        errors.append(FieldError("path_min_lot_t", "must be finite and zero or more tonnes"))
    if errors:
        return errors
    # A lot larger than its M would force the path to carry nothing: surely a data mistake.
    lots = problem.lot_paths
    too_big = lots[problem.min_lot_t[lots] > problem.path_upper_t[lots]]
    if too_big.size:
        first = int(too_big[0])
        errors.append(
            FieldError(
                "path_min_lot_t",
                f"{too_big.size} path(s) have a lot above the most they could carry, the "
                f"least of their supply, demand and hub capacity (first: path {first}, "
                f"{problem.min_lot_t[first]:g} t > {problem.path_upper_t[first]:g} t)",
            )
        )
    return errors


# --- totals and objectives ----------------------------------------------------------------------


@dataclass(frozen=True)
class DesignTotals:
    """A plan's yearly totals, the fixed terms of every open hub included."""

    eur: float
    co2e_t: float
    tonnes: float

    def of(self, criterion: Criterion) -> float:
        if criterion is Criterion.EUR:
            return self.eur
        if criterion is Criterion.CO2E:
            return self.co2e_t
        return self.tonnes


def design_totals(
    problem: NetworkDesignProblem, flow_t: FloatArray, hub_open: BoolArray
) -> DesignTotals:
    def total(criterion: Criterion) -> float:
        carried = float(problem.path_value_per_t(criterion) @ flow_t)
        return carried - float(problem.hub_fixed(criterion)[hub_open].sum())

    return DesignTotals(total(Criterion.EUR), total(Criterion.CO2E), total(Criterion.TONNES))


@dataclass(frozen=True, eq=False)
class DesignObjective:
    """Maximise Σ weight·total over the criteria, subject to total ≥ floor for each floor.

    Criteria may be given by name ("eur"); a weight may be negative (to minimise a total) but
    not every weight may be 0."""

    weights: Mapping[Criterion, float]
    floors: Mapping[Criterion, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        errors: list[FieldError] = []
        coerced: dict[str, Mapping[Criterion, float]] = {}
        for name in ("weights", "floors"):
            values: dict[Criterion, float] = {}
            for key, value in getattr(self, name).items():
                if key not in set(Criterion):
                    choices = ", ".join(Criterion)
                    errors.append(FieldError(name, f"unknown criterion {key!r} ({choices})"))
                elif not math.isfinite(value):
                    errors.append(FieldError(name, f"{key} must be a finite number"))
                else:
                    values[Criterion(key)] = float(value)
            # Read-only, so a frozen objective stays what it was when validated.
            coerced[name] = MappingProxyType(values)
        if not errors and not any(coerced["weights"].values()):
            errors.append(FieldError("weights", "at least one weight must be non-zero"))
        if errors:
            raise InvalidInput(errors)
        for name, mapping in coerced.items():
            object.__setattr__(self, name, mapping)

    @classmethod
    def maximise(
        cls, criterion: Criterion, floors: Mapping[Criterion, float] | None = None
    ) -> DesignObjective:
        return cls({criterion: 1.0}, dict(floors or {}))

    def weight(self, criterion: Criterion) -> float:
        return self.weights.get(criterion, 0.0)

    def value_of(self, totals: DesignTotals) -> float:
        return sum(weight * totals.of(criterion) for criterion, weight in self.weights.items())


# --- the program --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DesignProgram:
    """The linear program of a problem and objective, and where its columns are.

    The objective of a plan is the program's plus objective_offset: the weighted fixed terms
    of the OPEN hubs, which no column carries."""

    program: LinearProgram
    flow_columns: slice  # one per path, in path order
    hub_columns: slice  # one open decision per CANDIDATE hub
    lot_columns: slice  # one binary per path in lot_paths
    hub_of_column: IntArray  # the hub each open decision decides
    lot_paths: IntArray  # the path each lot binary belongs to
    objective_offset: float


def build_linear_program(
    problem: NetworkDesignProblem, objective: DesignObjective
) -> DesignProgram:
    """Assemble the program with sparse-matrix operations: every block of coefficients is
    three arrays (row, column, value), concatenated once into COO and converted to CSR.

    Besides the rows of the module docstring, each path through a CANDIDATE hub gets
    x − M·y ≤ 0 and each such path with a lot z − y ≤ 0. They are implied by the hub's row
    for integral y, but a fractional y satisfies them only in proportion to the path's own
    flow: without them the LP relaxation opens a tenth of a hub to carry a tenth of its
    capacity, and the branch and bound has to close that gap node by node.

    Parallel paths (one route by several modes, say) have identical columns; a path that
    another one on its route beats in the objective and in every floored criterion is held at
    0 (see dominated_paths). Its column stays, so flows still line up with the paths."""
    paths = problem.path_count
    candidates = np.flatnonzero(problem.hub_state == HubState.CANDIDATE)
    is_open = problem.hub_state == HubState.OPEN
    lot_paths = problem.lot_paths
    hub_columns = paths + np.arange(candidates.size)
    lot_columns = paths + candidates.size + np.arange(lot_paths.size)
    columns = paths + candidates.size + lot_paths.size
    via = np.flatnonzero((problem.path_hub >= 0) & problem.path_is_usable)
    # The open decision of each hub, -1 for none; the extra last entry answers path_hub -1.
    column_of_hub = np.full(problem.hub_count + 1, -1)
    column_of_hub[candidates] = hub_columns
    linked = via[column_of_hub[problem.path_hub[via]] >= 0]
    lot_linked = np.flatnonzero(column_of_hub[problem.path_hub[lot_paths]] >= 0)
    upper_t = problem.path_upper_t
    rows = _Rows()

    supply = rows.add(problem.supply_t.size, upper=problem.supply_t)
    demand = rows.add(problem.demand_t.size, upper=problem.demand_t)
    # A candidate: Σx − U·y ≤ 0; nothing passes a closed hub.
    hub = rows.add(problem.hub_count, upper=np.where(is_open, problem.hub_capacity_t, 0.0))
    every_path = np.arange(paths)
    rows.put(supply[problem.path_source], every_path, 1.0)
    rows.put(demand[problem.path_target], every_path, 1.0)
    rows.put(hub[problem.path_hub[via]], via, 1.0)
    rows.put(hub[candidates], hub_columns, -problem.hub_reach_t[candidates])
    # Lots: x − M·z ≤ 0 and x − lot·z ≥ 0.
    lot_upper = rows.add(lot_paths.size, upper=0.0)
    rows.put(lot_upper, lot_paths, 1.0)
    rows.put(lot_upper, lot_columns, -upper_t[lot_paths])
    lot_lower = rows.add(lot_paths.size, lower=0.0)
    rows.put(lot_lower, lot_paths, 1.0)
    rows.put(lot_lower, lot_columns, -problem.min_lot_t[lot_paths])
    link = rows.add(linked.size, upper=0.0)
    rows.put(link, linked, 1.0)
    rows.put(link, column_of_hub[problem.path_hub[linked]], -upper_t[linked])
    lot_link = rows.add(lot_linked.size, upper=0.0)
    rows.put(lot_link, lot_columns[lot_linked], 1.0)
    rows.put(lot_link, column_of_hub[problem.path_hub[lot_paths[lot_linked]]], -1.0)
    for criterion, floor in objective.floors.items():
        fixed = problem.hub_fixed(criterion)
        # The OPEN hubs' fixed terms are a constant: it moves to the bound.
        (row,) = rows.add(1, lower=floor + float(fixed[is_open].sum()))
        per_t = problem.path_value_per_t(criterion)
        carrying = np.flatnonzero(per_t)
        rows.put(np.full(carrying.size, row), carrying, per_t[carrying])
        rows.put(np.full(candidates.size, row), hub_columns, -fixed[candidates])

    cost = np.zeros(columns)
    offset = 0.0
    for criterion, weight in objective.weights.items():
        cost[:paths] += weight * problem.path_value_per_t(criterion)
        fixed = problem.hub_fixed(criterion)
        cost[hub_columns] -= weight * fixed[candidates]
        offset -= weight * float(fixed[is_open].sum())
    flow_upper_t = upper_t.copy()
    flow_upper_t[dominated_paths(problem, objective)] = 0.0
    program = LinearProgram(
        objective=cost,
        constraints=rows.matrix(columns),
        row_lower=rows.lower(),
        row_upper=rows.upper(),
        col_lower=np.zeros(columns),
        col_upper=np.concatenate([flow_upper_t, np.ones(candidates.size + lot_paths.size)]),
        is_integer=np.arange(columns) >= paths,
        sense=ObjectiveSense.MAXIMISE,
    )
    return DesignProgram(
        program=program,
        flow_columns=slice(0, paths),
        hub_columns=slice(paths, paths + candidates.size),
        lot_columns=slice(paths + candidates.size, columns),
        hub_of_column=candidates,
        lot_paths=lot_paths,
        objective_offset=offset,
    )


def dominated_paths(problem: NetworkDesignProblem, objective: DesignObjective) -> IntArray:
    """Paths no optimum needs: among the usable paths without a lot that share a source,
    a target and a hub (identical columns and bounds), each one that the best of them by the
    objective matches or beats in every floored criterion too.

    Moving its flow to that best path keeps every row and bound, no floor falls and the
    objective does not fall, so holding it at 0 leaves the optimum as it is; HiGHS's LP
    presolve does not merge such columns itself, and its simplex pays for each of them."""
    candidates = np.flatnonzero(problem.path_is_usable & (problem.min_lot_t == 0))
    if candidates.size < 2:
        return np.zeros(0, dtype=np.int64)
    value = np.zeros(problem.path_count)
    for criterion, weight in objective.weights.items():
        value += weight * problem.path_value_per_t(criterion)
    # By route, best first (the lower index among equals), so each route's first path leads.
    order = candidates[
        np.lexsort(
            (
                candidates,
                -value[candidates],
                problem.path_hub[candidates],
                problem.path_target[candidates],
                problem.path_source[candidates],
            )
        )
    ]
    route = np.stack(
        [problem.path_source[order], problem.path_target[order], problem.path_hub[order]]
    )
    starts = np.concatenate([[True], (route[:, 1:] != route[:, :-1]).any(axis=0)])
    leader = order[np.flatnonzero(starts)[np.cumsum(starts) - 1]]
    beaten = ~starts
    for criterion in objective.floors:
        per_t = problem.path_value_per_t(criterion)
        beaten &= per_t[leader] >= per_t[order]
    return np.sort(order[beaten])


class _Rows:
    """Rows added block by block, with their bounds and their (row, column, value) entries;
    only the final matrix is built, in one sparse operation."""

    def __init__(self) -> None:
        self._count = 0
        self._bounds: list[tuple[FloatArray, FloatArray]] = []
        self._entries: list[tuple[IntArray, IntArray, FloatArray]] = []

    def add(
        self,
        count: int,
        lower: FloatArray | float = -np.inf,
        upper: FloatArray | float = np.inf,
    ) -> IntArray:
        """count new rows with these bounds; their indices."""
        bounds = (
            np.broadcast_to(np.asarray(lower, dtype=np.float64), (count,)),
            np.broadcast_to(np.asarray(upper, dtype=np.float64), (count,)),
        )
        self._bounds.append(bounds)
        self._count += count
        return np.arange(self._count - count, self._count)

    def put(self, rows: IntArray, columns: IntArray, values: FloatArray | float) -> None:
        values = np.broadcast_to(np.asarray(values, dtype=np.float64), rows.shape)
        self._entries.append((rows, columns, values))

    def lower(self) -> FloatArray:
        return np.concatenate([low for low, _ in self._bounds] or [np.zeros(0)])

    def upper(self) -> FloatArray:
        return np.concatenate([high for _, high in self._bounds] or [np.zeros(0)])

    def matrix(self, columns: int) -> sparse.csr_array:
        rows, cols, values = (
            np.concatenate([entry[part] for entry in self._entries]) for part in range(3)
        )
        kept = values != 0  # e.g. a candidate hub that no path can reach has a limit of 0
        return sparse.coo_array(
            (values[kept], (rows[kept], cols[kept])), shape=(self._count, columns)
        ).tocsr()


# --- plans and their guards ---------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class NetworkPlan:
    """Flows per path and the hubs to run, or None with the reason in termination,
    guard_violations and solve.

    flow_t and hub_open are given when the solve found a solution (optimal, or feasible when a
    time limit stopped it: status says which) and it passed the guards. Flows are clipped into
    [0, the path's most], and a path whose lot binary is 0 or whose hub is not open carries
    exactly 0: this only removes solver noise within the guards' tolerance. totals and
    objective_value are recomputed from these flows and the open hubs, OPEN hubs' fixed terms
    included."""

    termination: TerminationCondition
    objective: DesignObjective
    flow_t: FloatArray | None
    hub_open: BoolArray | None  # per hub: the OPEN ones, and the CANDIDATE ones opened
    totals: DesignTotals | None
    objective_value: float | None
    solve: SolveResult
    guard_violations: tuple[str, ...] = ()

    @property
    def status(self) -> SolveStatus:
        return self.termination.status

    @property
    def has_solution(self) -> bool:
        return self.flow_t is not None

    @property
    def relative_gap_frac(self) -> float | None:
        return self.solve.relative_gap_frac

    @property
    def solver_name(self) -> str:
        return self.solve.solver_name

    @property
    def solver_version(self) -> str:
        return self.solve.solver_version

    @property
    def options(self) -> Mapping[str, OptionValue]:
        return self.solve.options

    @property
    def runtime_s(self) -> float:
        return self.solve.runtime_s


def plan_from_result(
    problem: NetworkDesignProblem,
    objective: DesignObjective,
    design_program: DesignProgram,
    result: SolveResult,
) -> NetworkPlan:
    """Turn a solve of build_linear_program(problem, objective) into a plan, guarding it."""
    x = result.primal_values
    if x is None or result.status not in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT):
        return NetworkPlan(result.termination, objective, None, None, None, None, result)
    if x.shape != (design_program.program.column_count,):
        violation = f"{x.shape} values for {design_program.program.column_count} columns"
        return _refused(objective, result, [violation])
    flow_t = x[design_program.flow_columns]
    hub_open = problem.hub_state == HubState.OPEN
    hub_open[design_program.hub_of_column] = x[design_program.hub_columns] > 0.5
    reported = (
        None
        if result.objective_value is None
        else result.objective_value + design_program.objective_offset
    )
    violations = find_guard_violations(problem, objective, flow_t, hub_open, reported)
    if violations:
        return _refused(objective, result, violations)
    flow_t = np.clip(flow_t, 0.0, problem.path_upper_t)
    flow_t[design_program.lot_paths[x[design_program.lot_columns] < 0.5]] = 0.0
    via = problem.path_hub >= 0
    flow_t[np.flatnonzero(via)[~hub_open[problem.path_hub[via]]]] = 0.0
    totals = design_totals(problem, flow_t, hub_open)
    return NetworkPlan(
        result.termination,
        objective,
        flow_t,
        hub_open,
        totals,
        objective.value_of(totals),
        result,
    )


def _refused(objective: DesignObjective, result: SolveResult, violations: list[str]) -> NetworkPlan:
    return NetworkPlan(
        TerminationCondition.GUARD_VIOLATED,
        objective,
        None,
        None,
        None,
        None,
        result,
        tuple(violations),
    )


def find_guard_violations(
    problem: NetworkDesignProblem,
    objective: DesignObjective,
    flow_t: FloatArray,
    hub_open: BoolArray,
    reported_value: float | None,
) -> list[str]:
    """Supplies, demands, hub capacities and open status, lots, floors, non-negativity and
    the objective, recomputed from the flows and the open hubs.

    A quantity may pass its bound by FEASIBILITY_TOLERANCE_FRAC of the bound (at least of
    1 t), and a flow held at 0 by a binary by INTEGRALITY_TOLERANCE of its big M, which cover
    solvers' own tolerances and nothing more."""
    if flow_t.shape != (problem.path_count,) or hub_open.shape != (problem.hub_count,):
        return [f"{flow_t.shape} flows and {hub_open.shape} hubs for {problem.path_count} paths"]
    if not np.isfinite(flow_t).all():
        return [f"{int((~np.isfinite(flow_t)).sum())} flows are not finite"]
    through_t = problem.hub_throughput_t(flow_t)
    hub_limit_t = np.where(hub_open, problem.hub_capacity_t, 0.0)
    # A binary within INTEGRALITY_TOLERANCE of 0 still lets x ≤ M·z pass a little: a closed
    # hub or an unused lot path may carry that much solver noise (the plan then zeroes it).
    noise_t = np.where(hub_open, 0.0, INTEGRALITY_TOLERANCE * problem.hub_reach_t)
    lot_t = problem.min_lot_t
    # A lot path carries 0 or at least its lot: its shortfall is the nearer of the two.
    zero_side_t = flow_t - INTEGRALITY_TOLERANCE * problem.path_upper_t
    lot_short_t = np.where(lot_t > 0, np.minimum(zero_side_t, lot_t - flow_t), 0.0)
    outflow_t = problem.source_outflow_t(flow_t)
    inflow_t = problem.target_inflow_t(flow_t)
    checks = (
        # what is wrong, of what, the amount, its limit (None: the lower bound 0), the excess
        ("carry negative flow", "path", flow_t, None, -flow_t),
        (
            "ship more than their supply",
            "supply",
            outflow_t,
            problem.supply_t,
            outflow_t - problem.supply_t,
        ),
        (
            "receive more than their demand",
            "demand",
            inflow_t,
            problem.demand_t,
            inflow_t - problem.demand_t,
        ),
        (
            "pass more than their capacity (0 when not open)",
            "hub",
            through_t,
            hub_limit_t,
            through_t - hub_limit_t - noise_t,
        ),
        ("carry more than 0 but less than their lot", "path", flow_t, lot_t, lot_short_t),
    )
    violations = []
    for what, kind, amount_t, limit_t, excess_t in checks:
        scale_t = 1.0 if limit_t is None else np.maximum(1.0, np.abs(limit_t))
        scale_t = np.where(np.isfinite(scale_t), scale_t, 1.0)
        broken = np.flatnonzero(excess_t > FEASIBILITY_TOLERANCE_FRAC * scale_t)
        if broken.size:
            worst = int(broken[np.argmax(excess_t[broken])])
            of_limit = "" if limit_t is None else f" of {limit_t[worst]:.6g} t"
            violations.append(
                f"{broken.size} {kind}(s) {what} "
                f"(worst: {kind} {worst}, {amount_t[worst]:.6g} t{of_limit})"
            )
    totals = design_totals(problem, flow_t, hub_open)
    for criterion, floor in objective.floors.items():
        total = totals.of(criterion)
        if floor - total > FEASIBILITY_TOLERANCE_FRAC * max(1.0, abs(floor)):
            violations.append(f"the {criterion} total {total:.10g} is below its floor {floor:.10g}")
    if reported_value is not None:
        recomputed = objective.value_of(totals)
        scale = 1.0
        for criterion, weight in objective.weights.items():
            carried = float(np.abs(problem.path_value_per_t(criterion)) @ np.abs(flow_t))
            fixed = float(problem.hub_fixed(criterion)[hub_open].sum())
            scale += abs(weight) * (carried + fixed)
        if abs(recomputed - reported_value) > OBJECTIVE_TOLERANCE_FRAC * scale:
            violations.append(
                f"the solver's objective {reported_value:.10g} differs from the objective of "
                f"its flows and hubs {recomputed:.10g}"
            )
    return violations


def plan_network(
    problem: NetworkDesignProblem, objective: DesignObjective, solve: Solve
) -> NetworkPlan:
    """Build, solve with the caller's solver and guard: one plan."""
    program = build_linear_program(problem, objective)
    return plan_from_result(problem, objective, program, solve(program.program))


# --- Pareto fronts ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ParetoFront:
    """Plans trading first against second, from the best first (ascending in second) to the
    best second. Plans without an optimum keep their place and their status.

    notes, by index into plans, name the points whose lexicographic second solve failed
    although the first solve's plan satisfies it (MIP presolves have been known to call such
    programs infeasible, e.g. HiGHS issue 1718): the first solve's plan stands in, optimal for
    its floor but possibly only weakly Pareto-optimal."""

    first: Criterion
    second: Criterion
    plans: tuple[NetworkPlan, ...]
    notes: Mapping[int, str] = field(default_factory=dict)

    @property
    def optimal_plans(self) -> tuple[NetworkPlan, ...]:
        return tuple(plan for plan in self.plans if plan.status is SolveStatus.OPTIMAL)

    def values(self) -> FloatArray:
        """(first total, second total) of each optimal plan, one row each."""
        rows = [
            (plan.totals.of(self.first), plan.totals.of(self.second))
            for plan in self.optimal_plans
            if plan.totals is not None
        ]
        return np.array(rows, dtype=np.float64).reshape(len(rows), 2)


# A point of the front: its plan, and why it is not the full lexicographic optimum (if not).
_Point = tuple[NetworkPlan, str | None]


def pareto_front(
    problem: NetworkDesignProblem,
    first: Criterion,
    second: Criterion,
    solve: Solve,
    points: int = 5,
    floors: Mapping[Criterion, float] | None = None,
) -> ParetoFront:
    """The ε-constraint front of the module docstring: two lexicographic anchors, then
    points − 2 floors on second between them. floors hold for every point (e.g. a tonnage
    that any plan must divert while € and CO2e are traded)."""
    errors = []
    if Criterion(second) is Criterion(first):
        errors.append(FieldError("second", "must differ from first"))
    if points < 2:
        errors.append(FieldError("points", "must be 2 or more (the two anchors)"))
    if errors:
        raise InvalidInput(errors)
    first, second = Criterion(first), Criterion(second)
    base = dict(floors or {})
    best_first = _lexicographic(problem, first, second, base, solve)
    best_second = _lexicographic(problem, second, first, base, solve)
    found = [best_first]
    low, high = _totals(best_first[0], second), _totals(best_second[0], second)
    if low is not None and high is not None and high - low > _slack(high):
        for level in np.linspace(low, high, points)[1:-1]:
            floored = {**base, second: max(float(level), base.get(second, -np.inf))}
            found.append(_lexicographic(problem, first, second, floored, solve))
    found.append(best_second)
    kept = _without_duplicates(found, first, second)
    notes = {index: note for index, (_, note) in enumerate(kept) if note is not None}
    return ParetoFront(first, second, tuple(plan for plan, _ in kept), notes)


def _lexicographic(
    problem: NetworkDesignProblem,
    primary: Criterion,
    secondary: Criterion,
    floors: Mapping[Criterion, float],
    solve: Solve,
) -> _Point:
    """Maximise primary under the floors, then secondary with primary held at its optimum."""
    head = plan_network(problem, DesignObjective.maximise(primary, floors), solve)
    optimum = _totals(head, primary)
    if head.status is not SolveStatus.OPTIMAL or optimum is None:
        return head, None
    held = max(optimum - _slack(optimum), floors.get(primary, -np.inf))
    tail = plan_network(
        problem, DesignObjective.maximise(secondary, {**floors, primary: held}), solve
    )
    if tail.has_solution:
        return tail, None
    # head's plan meets every floor of the second solve, so "no solution" is the solver's
    # mistake or its limit, not the model's.
    return head, (
        f"maximising {secondary} with {primary} held at {held:.10g} ended "
        f"{tail.termination} ({tail.solve.message}), though the plan maximising {primary} "
        f"satisfies it: that plan is kept, and may be only weakly Pareto-optimal"
    )


def _totals(plan: NetworkPlan, criterion: Criterion) -> float | None:
    if plan.status is not SolveStatus.OPTIMAL or plan.totals is None:
        return None
    return plan.totals.of(criterion)


def _slack(value: float) -> float:
    return LEXICOGRAPHIC_SLACK_FRAC * max(1.0, abs(value))


def _without_duplicates(found: list[_Point], first: Criterion, second: Criterion) -> list[_Point]:
    kept: list[_Point] = []
    seen: list[tuple[float, float]] = []
    for point in found:
        a, b = _totals(point[0], first), _totals(point[0], second)
        if a is not None and b is not None:
            if any(_same(a, x) and _same(b, y) for x, y in seen):
                continue
            seen.append((a, b))
        kept.append(point)
    return kept


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= DUPLICATE_TOLERANCE_FRAC * max(1.0, abs(a), abs(b))
