"""/api/v1/impact: what the region's synergies achieve, as you may see it
(services.impact_views: € per organisation only to its members, flows and company names only
to facilitators and administrators)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from sidestream.domain.impact import Estimate, Grouping, Indicator
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.services.impact import Selection
from sidestream.services.impact_views import TotalsRow, impact_for_reader

router = APIRouter(prefix="/impact", tags=["impact"])


class ImpactSelection(StrEnum):
    """What to account (a saved plan's impact is read with its scenario)."""

    AGREED = Selection.AGREED.value
    PIPELINE = Selection.PIPELINE.value
    REALISED = Selection.REALISED.value


class EstimateRead(BaseModel):
    central: float
    p10: float
    p50: float
    p90: float


class TotalsRowRead(BaseModel):
    grouping: Grouping
    group: str = Field(description="`region`, a municipality, an organisation or a year")
    indicator: Indicator
    unit: str
    central: float
    p10: float
    p50: float
    p90: float
    flows_covered: int = Field(description="Flows where the indicator could be estimated")
    flow_count: int


class FlowImpactRead(BaseModel):
    flow_key: str
    label: str
    basis: str = Field(description="t, MWh or m3")
    producer_organisation: str
    receiver_organisation: str
    municipality: str
    year: int
    estimates: dict[Indicator, EstimateRead]
    not_estimated: dict[Indicator, str] = Field(description="Indicator: why not")


class ImpactRead(BaseModel):
    selection: ImpactSelection
    scope: str
    generated_on: date
    synergy_count: int
    organisations_involved: int
    smes_involved: int
    is_complete: bool = Field(description="False when figures were withheld from you")
    totals: list[TotalsRowRead]
    flows: list[FlowImpactRead] = Field(description="Facilitators and administrators only")
    left_out: list[str] = Field(description="Why: facilitators and administrators only")
    left_out_count: int


def _estimate(estimate: Estimate) -> EstimateRead:
    return EstimateRead(
        central=estimate.central, p10=estimate.p10, p50=estimate.p50, p90=estimate.p90
    )


def _totals_row(row: TotalsRow) -> TotalsRowRead:
    return TotalsRowRead(
        grouping=row.grouping,
        group=row.group,
        indicator=row.indicator,
        unit=row.unit,
        central=row.estimate.central,
        p10=row.estimate.p10,
        p50=row.estimate.p50,
        p90=row.estimate.p90,
        flows_covered=row.flows_covered,
        flow_count=row.flow_count,
    )


@router.get("", summary="Impact of the agreed, pipeline or realised synergies")
def get_impact(
    container: AppContainer,
    visitor: CurrentVisitor,
    selection: Annotated[
        ImpactSelection,
        Query(description="agreed (both parties accepted), pipeline (facilitators), realised"),
    ] = ImpactSelection.AGREED,
) -> ImpactRead:
    view = impact_for_reader(
        container.unit_of_work,
        container.reference,
        container.knowledge_base,
        container.impact_factors,
        visitor.principal,
        container.today(),
        Selection(selection.value),
    )
    return ImpactRead(
        selection=ImpactSelection(view.selection.value),
        scope=view.scope,
        generated_on=view.generated_on,
        synergy_count=view.synergy_count,
        organisations_involved=view.organisations_involved,
        smes_involved=view.smes_involved,
        is_complete=view.is_complete,
        totals=[_totals_row(row) for row in view.totals],
        flows=[
            FlowImpactRead(
                flow_key=flow.flow_key,
                label=flow.label,
                basis=flow.basis,
                producer_organisation=flow.producer_organisation,
                receiver_organisation=flow.receiver_organisation,
                municipality=flow.municipality,
                year=flow.year,
                estimates={
                    indicator: _estimate(estimate) for indicator, estimate in flow.estimates.items()
                },
                not_estimated=flow.not_estimated,
            )
            for flow in view.flows
        ],
        left_out=list(view.left_out),
        left_out_count=view.left_out_count,
    )
