"""/api/v1/flows: where material goes, as the nodes and links of a Sankey diagram: in the
realised synergies (producer → material class → receiver), and in a plan of a saved optimiser
scenario (stream → hub → need)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from sidestream.entrypoints.api.geo import for_reader
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.services.flows import (
    FlowDiagram,
    NodeKind,
    PlanSummary,
    realised_flows,
    scenario_flows,
)

router = APIRouter(prefix="/flows", tags=["flows"])


class FlowNodeRead(BaseModel):
    node_id: str
    label: str
    kind: NodeKind


class FlowLinkRead(BaseModel):
    source_node_id: str
    target_node_id: str
    quantity_per_yr: float


class FlowDiagramRead(BaseModel):
    unit: str
    nodes: list[FlowNodeRead]
    links: list[FlowLinkRead]
    total_per_yr: float


class RealisedFlowsRead(FlowDiagramRead):
    units: list[str]


class PlanSummaryRead(BaseModel):
    plan_number: int
    label: str
    status: str
    flow_t: float


class ScenarioFlowsRead(FlowDiagramRead):
    scenario_name: str
    plan: PlanSummaryRead
    plans: list[PlanSummaryRead]
    message: str


def _diagram_fields(diagram: FlowDiagram) -> dict[str, Any]:
    return FlowDiagramRead(
        unit=diagram.unit,
        nodes=[
            FlowNodeRead(node_id=node.node_id, label=node.label, kind=node.kind)
            for node in diagram.nodes
        ],
        links=[
            FlowLinkRead(
                source_node_id=link.source_node_id,
                target_node_id=link.target_node_id,
                quantity_per_yr=link.quantity_per_yr,
            )
            for link in diagram.links
        ],
        total_per_yr=diagram.total_per_yr,
    ).model_dump()


def _plan(summary: PlanSummary) -> PlanSummaryRead:
    return PlanSummaryRead(
        plan_number=summary.plan_number,
        label=summary.label,
        status=summary.status,
        flow_t=summary.flow_t,
    )


@router.get("/realised", response_model=RealisedFlowsRead)
def realised(
    container: AppContainer,
    visitor: CurrentVisitor,
    unit: Annotated[
        str, Query(description="t, MWh or m3: each unit is its own diagram (see `units`)")
    ] = "t",
) -> Response:
    """The realised synergies agreed in `unit`, summed per producer, material class and
    receiver, in the quantity agreed a year. Facilitators and administrators see every
    organisation's name; members see their own organisations' names; every other party, and
    every party for the public, appears as its municipality."""
    flows = realised_flows(container.unit_of_work, container.reference, visitor.principal, unit)
    body = RealisedFlowsRead(units=list(flows.units), **_diagram_fields(flows.diagram))
    return for_reader(JSONResponse(body.model_dump(mode="json")), visitor)


@router.get("/scenarios/{name}", response_model=ScenarioFlowsRead)
def scenario(
    container: AppContainer,
    visitor: CurrentVisitor,
    name: Annotated[str, Path(description="the saved scenario's name")],
    plan: Annotated[int, Query(ge=1, description="which of the run's plans, from 1")] = 1,
) -> Response:
    """The flows of one plan of a saved scenario, stream → hub → need, in tonnes a year:
    facilitators and administrators only."""
    flows = scenario_flows(container.unit_of_work, visitor.principal, name, plan)
    body = ScenarioFlowsRead(
        scenario_name=flows.scenario_name,
        plan=_plan(flows.plan),
        plans=[_plan(summary) for summary in flows.plans],
        message=flows.message,
        **_diagram_fields(flows.diagram),
    )
    return for_reader(JSONResponse(body.model_dump(mode="json")), visitor)
