"""Which of the proposed flows to realise across the region, for tonnes, € or CO2e.

This first step allocates the tonnage flows of stored proposals (stream → need) as a pure
transportation problem; heat, hubs, transport-mode choice and minimum lots come with the
general model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np

from sidestream.domain.allocation import AllocationProblem, ValueUnit
from sidestream.domain.proposals import ProposalRecord, ProposalStatus
from sidestream.domain.solving import SolveOptions, SolveStatus
from sidestream.domain.streams import Need, SideStream
from sidestream.services.allocation import SolverChooser, allocate
from sidestream.services.ports import UnitOfWorkFactory

SMALLEST_FLOW_T = 1e-6  # below this a flow is solver noise, not a delivery


class Objective(StrEnum):
    TONNES = "tonnes"
    EUR = "eur"
    CO2E = "co2e"


VALUE_UNITS = {
    Objective.TONNES: ValueUnit.MASS_T,
    Objective.EUR: ValueUnit.EUR,
    Objective.CO2E: ValueUnit.CO2E_T,
}


@dataclass(frozen=True)
class PlannedFlow:
    proposal_id: int
    stream_id: int
    need_id: int
    flow_t: float
    value: float  # in the plan's value unit


@dataclass(frozen=True)
class RegionalPlan:
    objective: Objective
    status: SolveStatus
    total_value: float | None
    value_unit: ValueUnit
    flows: tuple[PlannedFlow, ...]
    left_out: tuple[str, ...]  # proposals not in the model, and why
    solver_name: str
    solver_version: str
    runtime_s: float


def _value_per_t(record: ProposalRecord, objective: Objective) -> float | None:
    benefit = record.proposal.benefit
    if objective is Objective.TONNES:
        return 1.0
    total = benefit.eur_per_yr if objective is Objective.EUR else benefit.net_co2e_t_per_yr
    return None if total is None or benefit.amount <= 0 else total / benefit.amount


def optimise_region(
    unit_of_work: UnitOfWorkFactory,
    objective: Objective,
    solver_for: SolverChooser,
    today: date,
    options: SolveOptions | None = None,
) -> RegionalPlan:
    """Choose flows on the open proposals that maximise the objective within every stream's
    supply and every need's demand. Proposals whose value is unknown or whose listings have
    expired since they were proposed are left out, and said so."""
    with unit_of_work() as uow:
        records = [r for r in uow.proposals.list_all() if r.status is not ProposalStatus.DECLINED]
        streams = {s.stream_id: s for s in uow.streams.list_all()}
        needs = {n.need_id: n for n in uow.needs.list_all()}
    edges: list[tuple[ProposalRecord, float]] = []
    left_out = []
    for record in records:
        stream: SideStream = streams[record.proposal.stream_id]
        if stream.is_expired(today) or needs[record.proposal.need_id].is_expired(today):
            left_out.append(f"proposal {record.proposal_id}: a listing has expired since")
            continue
        if stream.quantity.unit.basis != "t":
            left_out.append(
                f"proposal {record.proposal_id}: heat and volumes are not allocated yet"
            )
            continue
        value = _value_per_t(record, objective)
        if value is None:
            left_out.append(f"proposal {record.proposal_id}: no {objective.value} figure is known")
            continue
        edges.append((record, value))
    source_ids = sorted({record.proposal.stream_id for record, _ in edges})
    target_ids = sorted({record.proposal.need_id for record, _ in edges})
    source_of = {stream_id: row for row, stream_id in enumerate(source_ids)}
    target_of = {need_id: row for row, need_id in enumerate(target_ids)}
    target_needs: list[Need] = [needs[need_id] for need_id in target_ids]
    problem = AllocationProblem(
        edge_source_index=np.array([source_of[r.proposal.stream_id] for r, _ in edges], np.int64),
        edge_target_index=np.array([target_of[r.proposal.need_id] for r, _ in edges], np.int64),
        value_per_t=np.array([value for _, value in edges], dtype=np.float64),
        supply_t=np.array([streams[i].quantity.amount for i in source_ids], dtype=np.float64),
        demand_t=np.array([need.quantity.amount for need in target_needs], dtype=np.float64),
        value_unit=VALUE_UNITS[objective],
    )
    plan = allocate(problem, solver_for, options)
    flows = []
    if plan.flow_t is not None:
        for (record, value), flow in zip(edges, plan.flow_t, strict=True):
            if flow > SMALLEST_FLOW_T:
                assert record.proposal_id is not None
                flows.append(
                    PlannedFlow(
                        record.proposal_id,
                        record.proposal.stream_id,
                        record.proposal.need_id,
                        float(flow),
                        float(flow) * value,
                    )
                )
    flows.sort(key=lambda flow: (-flow.value, flow.proposal_id))
    return RegionalPlan(
        objective=objective,
        status=plan.status,
        total_value=plan.total_value,
        value_unit=problem.value_unit,
        flows=tuple(flows),
        left_out=tuple(left_out),
        solver_name=plan.solve.solver_name,
        solver_version=plan.solve.solver_version,
        runtime_s=plan.solve.runtime_s,
    )
