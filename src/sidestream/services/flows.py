"""Read models of the flow diagrams (Sankey): where material goes in the realised synergies,
and in a plan of a saved optimiser scenario.

Realised synergies go producer → material class → receiver, in the quantity agreed a year, one
diagram per unit (t, MWh or m3: tonnes and megawatt-hours do not add up). Who may see whom:
facilitators and administrators see every organisation's name; a member sees the names of their
own organisations; everyone else, the public included, sees each other party as its
municipality. Only sums per node pair are given, never a synergy on its own.

A saved scenario's plan goes stream → hub → need (or straight to the need), in tonnes a year,
with the names the plan was made with; only facilitators and administrators see it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from sidestream.domain.accounts import Principal
from sidestream.domain.errors import Forbidden, InvalidInput, NotFound
from sidestream.domain.organisations import Organisation
from sidestream.domain.reference import ReferenceData
from sidestream.domain.scenarios import ScenarioPlan, ScenarioRun
from sidestream.domain.synergies import Stage
from sidestream.domain.units import QuantityUnit
from sidestream.services.ports import UnitOfWorkFactory

SCENARIO_FLOW_UNIT = "t"


class NodeKind(StrEnum):
    ORGANISATION = "organisation"
    MUNICIPALITY = "municipality"  # the organisations there that the reader may not name
    MATERIAL_CLASS = "material_class"
    STREAM = "stream"
    HUB = "hub"
    NEED = "need"


@dataclass(frozen=True)
class FlowNode:
    node_id: str  # unique in its diagram: "producer:organisation:3", "hub:Ajos crushing"
    label: str
    kind: NodeKind


@dataclass(frozen=True)
class FlowLink:
    source_node_id: str
    target_node_id: str
    quantity_per_yr: float  # in the diagram's unit


@dataclass(frozen=True)
class FlowDiagram:
    unit: str  # t, MWh or m3
    nodes: tuple[FlowNode, ...]
    links: tuple[FlowLink, ...]
    total_per_yr: float  # what leaves the first column


@dataclass(frozen=True)
class RealisedFlows:
    diagram: FlowDiagram
    units: tuple[str, ...]  # the units realised synergies are agreed in, each its own diagram


@dataclass(frozen=True)
class PlanSummary:
    plan_number: int  # from 1, in the order the run keeps its plans
    label: str
    status: str
    flow_t: float  # a year, all flows of the plan


@dataclass(frozen=True)
class ScenarioFlows:
    scenario_name: str
    plan: PlanSummary
    plans: tuple[PlanSummary, ...]
    message: str  # the solver's, when the plan has no flows
    diagram: FlowDiagram


class _Diagram:
    """Nodes in the order first met, and links summed per node pair."""

    def __init__(self) -> None:
        self.nodes: dict[str, FlowNode] = {}
        self.links: dict[tuple[str, str], float] = {}
        self.total = 0.0

    def node(self, node_id: str, label: str, kind: NodeKind) -> str:
        self.nodes.setdefault(node_id, FlowNode(node_id, label, kind))
        return node_id

    def path(self, node_ids: Iterable[str], quantity: float) -> None:
        for source, target in pairwise(node_ids):
            self.links[(source, target)] = self.links.get((source, target), 0.0) + quantity
        self.total += quantity

    def build(self, unit: str) -> FlowDiagram:
        return FlowDiagram(
            unit=unit,
            nodes=tuple(self.nodes.values()),
            links=tuple(
                FlowLink(source, target, quantity)
                for (source, target), quantity in self.links.items()
            ),
            total_per_yr=self.total,
        )


def realised_flows(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    reader: Principal,
    unit: str = "t",
) -> RealisedFlows:
    """The realised synergies agreed in `unit`, as the reader may see them."""
    units = {quantity_unit.basis for quantity_unit in QuantityUnit}
    if unit not in units:
        raise InvalidInput.single("unit", f"{unit!r} is not one of {', '.join(sorted(units))}")
    with unit_of_work() as uow:
        registry = uow.registry_snapshot()
    synergies = [synergy for synergy in registry.synergies if synergy.stage is Stage.REALISED]
    records = registry.proposals_by_id
    streams = registry.streams_by_id
    needs = registry.needs_by_id
    organisations = registry.organisations_by_id
    diagram = _Diagram()
    agreed_units = set()
    for synergy in synergies:
        agreement = synergy.agreement
        record = records.get(synergy.proposal_id)
        if agreement is None or record is None:  # realised synergies have both
            continue
        agreed_units.add(agreement.unit)
        if agreement.unit != unit:
            continue
        stream = streams[record.proposal.stream_id]
        need = needs[record.proposal.need_id]
        producer = organisations[stream.organisation_id]
        receiver = organisations[need.organisation_id]
        material = reference.material_classes.get(stream.material_class_code)
        diagram.path(
            (
                _party(diagram, "producer", producer, stream.site_id, reader, reference),
                diagram.node(
                    f"material:{stream.material_class_code}",
                    material.name if material else stream.material_class_code,
                    NodeKind.MATERIAL_CLASS,
                ),
                _party(diagram, "receiver", receiver, need.site_id, reader, reference),
            ),
            agreement.quantity,
        )
    return RealisedFlows(diagram.build(unit), tuple(sorted(agreed_units)))


def _party(
    diagram: _Diagram,
    role: str,
    organisation: Organisation,
    site_id: int,
    reader: Principal,
    reference: ReferenceData,
) -> str:
    """The node of a party: its name where the reader may see it, else its municipality."""
    assert organisation.organisation_id is not None
    if reader.oversees_registry or organisation.organisation_id in reader.organisation_ids:
        return diagram.node(
            f"{role}:organisation:{organisation.organisation_id}",
            organisation.name,
            NodeKind.ORGANISATION,
        )
    site = next((site for site in organisation.sites if site.site_id == site_id), None)
    code = site.municipality_code if site else None
    municipality = reference.municipalities.get(code) if code else None
    return diagram.node(
        f"{role}:municipality:{code or 'none'}",
        municipality.name_fi if municipality else "outside Finland",
        NodeKind.MUNICIPALITY,
    )


def check_may_see_scenario_flows(reader: Principal) -> None:
    if not reader.oversees_registry:
        raise Forbidden("only facilitators and administrators see the flows of saved scenarios")


def _summary(number: int, plan: ScenarioPlan) -> PlanSummary:
    return PlanSummary(number, plan.label, plan.status, sum(flow.flow_t for flow in plan.flows))


def scenario_plans(run: ScenarioRun) -> tuple[PlanSummary, ...]:
    return tuple(_summary(number, plan) for number, plan in enumerate(run.plans, start=1))


def scenario_flows(
    unit_of_work: UnitOfWorkFactory, reader: Principal, scenario_name: str, plan_number: int = 1
) -> ScenarioFlows:
    """The flows of one plan (numbered from 1) of a saved scenario: facilitators and
    administrators only (Forbidden for anyone else, whether or not the scenario exists)."""
    check_may_see_scenario_flows(reader)
    with unit_of_work() as uow:
        run = uow.scenarios.get_by_name(scenario_name)
    if run is None:
        raise NotFound("scenario", scenario_name)
    if not 1 <= plan_number <= len(run.plans):
        raise NotFound("plan", f"{scenario_name} #{plan_number}")
    plan = run.plans[plan_number - 1]
    diagram = _Diagram()
    for flow in plan.flows:
        path = [
            diagram.node(
                f"stream:{flow.stream_id}", f"{flow.stream} ({flow.producer})", NodeKind.STREAM
            )
        ]
        if flow.hub is not None:
            path.append(diagram.node(f"hub:{flow.hub}", flow.hub, NodeKind.HUB))
        path.append(
            diagram.node(f"need:{flow.need_id}", f"{flow.need} ({flow.receiver})", NodeKind.NEED)
        )
        diagram.path(path, flow.flow_t)
    return ScenarioFlows(
        scenario_name=run.spec.name,
        plan=_summary(plan_number, plan),
        plans=scenario_plans(run),
        message=plan.message,
        diagram=diagram.build(SCENARIO_FLOW_UNIT),
    )


def list_scenario_flow_choices(
    unit_of_work: UnitOfWorkFactory, reader: Principal
) -> list[tuple[str, tuple[PlanSummary, ...]]]:
    """The saved scenarios whose flows the reader may see, with their plans, oldest first:
    every one for facilitators and administrators, none for anyone else."""
    if not reader.oversees_registry:
        return []
    with unit_of_work() as uow:
        runs = uow.scenarios.list_all()
    return [(run.spec.name, scenario_plans(run)) for run in runs]
