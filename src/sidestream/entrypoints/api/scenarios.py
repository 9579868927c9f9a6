"""/api/v1/scenarios: saved runs of the regional optimiser and how they compare. For
facilitators and administrators (services.scenario_views): plans name confidential flows.
Runs are made with `sidestream scenarios run`; a solve is too long a job for a request."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from sidestream.domain.network_design import Criterion
from sidestream.domain.scenarios import ScenarioPlan, ScenarioRun
from sidestream.entrypoints.api.schemas import NO_NUL
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.services.scenario_views import (
    compare_saved_scenarios,
    read_scenario_run,
    read_scenario_runs,
)

router = APIRouter(prefix="/scenarios", tags=["scenarios"])

ScenarioName = Annotated[
    str, Path(min_length=1, max_length=200, pattern=NO_NUL, description="As saved")
]
QueryName = Annotated[str, Query(min_length=1, max_length=200, pattern=NO_NUL)]


class PlannedFlowRead(BaseModel):
    proposal_id: int
    stream_id: int
    need_id: int
    stream: str = Field(description="The stream and its site, as named when planned")
    need: str
    producer: str
    receiver: str
    hub: str | None = Field(description="null: delivered directly")
    modes: str = Field(description="`road`, or one per leg through a hub: `rail+road`")
    flow_t: float = Field(description="A year")
    eur: float = Field(description="A year, net for all parties")
    co2e_t: float = Field(description="A year, net avoided")


class ScenarioPlanRead(BaseModel):
    label: str
    status: str
    termination: str
    message: str
    weights: dict[Criterion, float]
    floors: dict[Criterion, float]
    eur: float | None = Field(description="A year, hubs' fixed terms included; null: no plan")
    co2e_t: float | None
    tonnes: float | None
    hubs_opened: list[str]
    flows: list[PlannedFlowRead]
    solver_name: str
    solver_version: str
    runtime_s: float
    relative_gap_frac: float | None


class ScenarioSummaryRead(BaseModel):
    name: str
    description: str
    created_at: datetime
    plan_labels: list[str]


class ScenarioRead(ScenarioSummaryRead):
    plans: list[ScenarioPlanRead]
    left_out: list[str] = Field(description="Proposals and paths not in the model, and why")


class FlowChangeRead(BaseModel):
    stream: str
    need: str
    route: str = Field(description="`direct by road` or `via <hub> by rail+road`")
    before_t: float = Field(description="A year, in the first run's best plan")
    after_t: float = Field(description="A year, in the other run's best plan")


class ScenarioComparisonRead(BaseModel):
    runs: list[ScenarioSummaryRead]
    changes: list[FlowChangeRead] = Field(description="How b moves material differently from a")


def _summary(run: ScenarioRun) -> ScenarioSummaryRead:
    return ScenarioSummaryRead(
        name=run.spec.name,
        description=run.spec.description,
        created_at=run.created_at,
        plan_labels=[plan.label for plan in run.plans],
    )


def _plan(plan: ScenarioPlan) -> ScenarioPlanRead:
    return ScenarioPlanRead(
        label=plan.label,
        status=plan.status,
        termination=plan.termination,
        message=plan.message,
        weights=dict(plan.weights),
        floors=dict(plan.floors),
        eur=plan.eur,
        co2e_t=plan.co2e_t,
        tonnes=plan.tonnes,
        hubs_opened=list(plan.hubs_opened),
        flows=[PlannedFlowRead(**vars(flow)) for flow in plan.flows],
        solver_name=plan.solver_name,
        solver_version=plan.solver_version,
        runtime_s=plan.runtime_s,
        relative_gap_frac=plan.relative_gap_frac,
    )


@router.get("", summary="Every saved scenario run, oldest first")
def list_scenarios(container: AppContainer, visitor: CurrentVisitor) -> list[ScenarioSummaryRead]:
    return [_summary(run) for run in read_scenario_runs(container.unit_of_work, visitor.principal)]


@router.get("/compare", summary="How scenario b moves material differently from scenario a")
def compare_scenarios(
    container: AppContainer,
    visitor: CurrentVisitor,
    a: QueryName,
    b: QueryName,
) -> ScenarioComparisonRead:
    comparison = compare_saved_scenarios(container.unit_of_work, visitor.principal, [a, b])
    return ScenarioComparisonRead(
        runs=[_summary(run) for run in comparison.runs],
        changes=[FlowChangeRead(**vars(change)) for change in comparison.changes[0]],
    )


@router.get("/{name:path}", summary="One saved scenario run with its plans")
def get_scenario(
    name: ScenarioName, container: AppContainer, visitor: CurrentVisitor
) -> ScenarioRead:
    run = read_scenario_run(container.unit_of_work, visitor.principal, name)
    return ScenarioRead(
        **_summary(run).model_dump(),
        plans=[_plan(plan) for plan in run.plans],
        left_out=list(run.left_out),
    )
