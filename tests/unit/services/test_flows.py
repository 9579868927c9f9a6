"""The flow diagrams' read models over an in-memory fake of the unit of work: who is named,
who is a municipality, sums per node pair, one diagram per unit, and saved plans for
facilitators only."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from sidestream.domain.accounts import Principal
from sidestream.domain.errors import Forbidden, InvalidInput, NotFound
from sidestream.domain.matching import BenefitEstimate, Proposal
from sidestream.domain.network_design import Criterion
from sidestream.domain.organisations import Organisation, Site
from sidestream.domain.proposals import ProposalRecord
from sidestream.domain.reference import ReferenceData
from sidestream.domain.routes import TransportModeName
from sidestream.domain.scenarios import PlannedFlow, ScenarioPlan, ScenarioRun, ScenarioSpec
from sidestream.domain.streams import (
    ManagementRoute,
    Need,
    PhysicalForm,
    Quantity,
    Recurrence,
    SideStream,
    Visibility,
)
from sidestream.domain.synergies import Agreement, Stage, realise, start
from sidestream.domain.units import QuantityUnit
from sidestream.services.flows import (
    NodeKind,
    list_scenario_flow_choices,
    realised_flows,
    scenario_flows,
)
from sidestream.services.ports import RegistrySnapshot

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
TORNIO, KEMI, KOLARI = "851", "240", "273"
FACILITATOR = Principal(1, is_facilitator=True)


class _Listing:
    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def list_all(self, stage: Stage | None = None) -> list[Any]:
        if stage is None:
            return list(self.items)
        return [item for item in self.items if item.stage is stage]


@dataclass
class _Scenarios:
    runs: list[ScenarioRun] = field(default_factory=list)

    def list_all(self) -> list[ScenarioRun]:
        return list(self.runs)

    def get_by_name(self, name: str) -> ScenarioRun | None:
        return next((run for run in self.runs if run.spec.name == name), None)


class _Partners:
    def all_partners(self) -> dict[int, frozenset[int]]:
        return {}


class FakeUnitOfWork:
    """Only the repositories the flow and map read models use, each with its reads."""

    def __init__(self) -> None:
        self.organisations = _Listing([])
        self.streams = _Listing([])
        self.needs = _Listing([])
        self.proposals = _Listing([])
        self.synergies = _Listing([])
        self.scenarios = _Scenarios()
        self.partners = _Partners()

    def __call__(self) -> FakeUnitOfWork:
        return self

    def __enter__(self) -> FakeUnitOfWork:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def registry_snapshot(self) -> RegistrySnapshot:
        return RegistrySnapshot(
            organisations=tuple(self.organisations.list_all()),
            streams=tuple(self.streams.list_all()),
            needs=tuple(self.needs.list_all()),
            partners=self.partners.all_partners(),
            proposals=tuple(self.proposals.list_all()),
            synergies=tuple(self.synergies.list_all()),
        )


def _organisation(organisation_id: int, name: str, municipality_code: str) -> Organisation:
    site = Site(
        "works",
        65.8,
        24.2,
        municipality_code,
        site_id=organisation_id * 10,
        organisation_id=organisation_id,
    )
    return Organisation(name, sites=[site], organisation_id=organisation_id)


def _quantity(amount: float, unit: QuantityUnit = QuantityUnit.TONNES_PER_YEAR) -> Quantity:
    return Quantity(amount, unit, Recurrence.CONTINUOUS)


@dataclass
class Region:
    uow: FakeUnitOfWork
    steel: int = 1
    pulp: int = 2
    mine: int = 3


def _realised(
    uow: FakeUnitOfWork, producer: int, receiver: int, material: str, quantity: float, unit: str
) -> None:
    number = len(uow.synergies.items) + 1
    quantity_unit = QuantityUnit.MWH_PER_YEAR if unit == "MWh" else QuantityUnit.TONNES_PER_YEAR
    stream = SideStream(
        producer,
        producer * 10,
        f"stream {number}",
        material,
        PhysicalForm.SOLID,
        _quantity(10_000, quantity_unit),
        ManagementRoute.LANDFILL,
        Visibility.PRIVATE,
        date(2030, 1, 1),
        stream_id=number,
    )
    need = Need(
        receiver,
        receiver * 10,
        f"need {number}",
        _quantity(10_000, quantity_unit),
        200.0,
        Visibility.PRIVATE,
        date(2030, 1, 1),
        accepted_material_class_codes=(material,),
        need_id=number,
    )
    proposal = Proposal(
        stream_id=number,
        need_id=number,
        score=0.5,
        transport_mode=TransportModeName.ROAD,
        distance_km=50.0,
        route_id=None,
        reasons=(),
        factors=(),
        benefit=BenefitEstimate(quantity, unit, None, None, 1.0, ()),
    )
    uow.streams.items.append(stream)
    uow.needs.items.append(need)
    uow.proposals.items.append(ProposalRecord(proposal, proposal_id=number))
    opened = replace(start(number, NOW, None), synergy_id=number)
    uow.synergies.items.append(
        realise(opened, Agreement(quantity, unit, date(2027, 1, 1)), NOW, None)
    )


@pytest.fixture
def region() -> Region:
    uow = FakeUnitOfWork()
    uow.organisations.items = [
        _organisation(1, "Steel Oy", TORNIO),
        _organisation(2, "Pulp Oy", KEMI),
        _organisation(3, "Mine Oy", KOLARI),
    ]
    _realised(uow, 1, 3, "ferrochrome_slag", 1000.0, "t")
    _realised(uow, 1, 3, "ferrochrome_slag", 500.0, "t")
    _realised(uow, 2, 3, "green_liquor_dregs", 300.0, "t")
    _realised(uow, 2, 1, "waste_heat_medium", 40_000.0, "MWh")
    # A synergy under way is not a flow yet.
    uow.synergies.items.append(replace(start(99, NOW, None), synergy_id=99))
    return Region(uow)


def _links(diagram: Any) -> dict[tuple[str, str], float]:
    return {
        (link.source_node_id, link.target_node_id): link.quantity_per_yr for link in diagram.links
    }


def test_the_public_sees_municipalities_and_sums(region: Region, reference: ReferenceData) -> None:
    flows = realised_flows(region.uow, reference, Principal.anonymous())
    assert flows.units == ("MWh", "t")
    diagram = flows.diagram
    assert diagram.unit == "t" and diagram.total_per_yr == 1800.0
    assert {node.kind for node in diagram.nodes} == {
        NodeKind.MUNICIPALITY,
        NodeKind.MATERIAL_CLASS,
    }
    labels = {node.node_id: node.label for node in diagram.nodes}
    assert labels[f"producer:municipality:{TORNIO}"] == "Tornio"
    assert labels[f"receiver:municipality:{KOLARI}"] == "Kolari"
    assert _links(diagram) == {
        (f"producer:municipality:{TORNIO}", "material:ferrochrome_slag"): 1500.0,
        ("material:ferrochrome_slag", f"receiver:municipality:{KOLARI}"): 1500.0,
        (f"producer:municipality:{KEMI}", "material:green_liquor_dregs"): 300.0,
        ("material:green_liquor_dregs", f"receiver:municipality:{KOLARI}"): 300.0,
    }
    assert not any("Oy" in node.label for node in diagram.nodes)


def test_heat_is_its_own_diagram(region: Region, reference: ReferenceData) -> None:
    diagram = realised_flows(region.uow, reference, FACILITATOR, "MWh").diagram
    assert diagram.total_per_yr == 40_000.0
    assert _links(diagram) == {
        ("producer:organisation:2", "material:waste_heat_medium"): 40_000.0,
        ("material:waste_heat_medium", "receiver:organisation:1"): 40_000.0,
    }
    with pytest.raises(InvalidInput):
        realised_flows(region.uow, reference, FACILITATOR, "kg")


def test_facilitators_see_names_and_members_their_own(
    region: Region, reference: ReferenceData
) -> None:
    named = realised_flows(region.uow, reference, FACILITATOR).diagram
    assert {node.label for node in named.nodes if node.kind is NodeKind.ORGANISATION} == {
        "Steel Oy",
        "Pulp Oy",
        "Mine Oy",
    }
    member = Principal(5, organisation_ids=frozenset({region.mine}))
    seen = realised_flows(region.uow, reference, member).diagram
    organisations = [node for node in seen.nodes if node.kind is NodeKind.ORGANISATION]
    assert [(node.node_id, node.label) for node in organisations] == [
        ("receiver:organisation:3", "Mine Oy")
    ]
    assert seen.total_per_yr == named.total_per_yr


def _run(name: str) -> ScenarioRun:
    def flow(stream_id: int, need_id: int, hub: str | None, tonnes: float) -> PlannedFlow:
        return PlannedFlow(
            stream_id,
            stream_id,
            need_id,
            f"s{stream_id}",
            f"n{need_id}",
            "P",
            "R",
            hub,
            "road",
            tonnes,
            0.0,
            0.0,
        )

    plans = tuple(
        ScenarioPlan(
            label,
            "optimal",
            "optimal",
            "",
            {Criterion.CO2E: 1.0},
            {},
            0.0,
            0.0,
            0.0,
            (),
            flows,
            "highs",
            "1",
            {},
            0.1,
            0.0,
        )
        for label, flows in (
            ("first", (flow(1, 1, "Hub", 100.0), flow(2, 1, "Hub", 50.0), flow(3, 2, None, 7.0))),
            ("second", ()),
        )
    )
    return ScenarioRun(ScenarioSpec(name=name), plans, (), NOW)


def test_a_plan_goes_from_streams_through_hubs_to_needs(region: Region) -> None:
    region.uow.scenarios.runs.append(_run("hub"))
    flows = scenario_flows(region.uow, FACILITATOR, "hub", 1)
    assert flows.plan.label == "first" and flows.plan.flow_t == 157.0
    assert [plan.label for plan in flows.plans] == ["first", "second"]
    assert _links(flows.diagram) == {
        ("stream:1", "hub:Hub"): 100.0,
        ("stream:2", "hub:Hub"): 50.0,
        ("hub:Hub", "need:1"): 150.0,
        ("stream:3", "need:2"): 7.0,
    }
    assert flows.diagram.total_per_yr == 157.0
    empty = scenario_flows(region.uow, FACILITATOR, "hub", 2)
    assert empty.diagram.links == () and empty.diagram.total_per_yr == 0.0
    with pytest.raises(NotFound):
        scenario_flows(region.uow, FACILITATOR, "hub", 3)
    with pytest.raises(NotFound):
        scenario_flows(region.uow, FACILITATOR, "none", 1)


def test_only_facilitators_and_administrators_see_plans(region: Region) -> None:
    region.uow.scenarios.runs.append(_run("hub"))
    for reader in (Principal.anonymous(), Principal(5, organisation_ids=frozenset({1}))):
        with pytest.raises(Forbidden):
            scenario_flows(region.uow, reader, "hub", 1)
        with pytest.raises(Forbidden):  # whether or not it exists
            scenario_flows(region.uow, reader, "none", 1)
        assert list_scenario_flow_choices(region.uow, reader) == []
    administrator = Principal(2, is_administrator=True)
    choices = list_scenario_flow_choices(region.uow, administrator)
    assert [(name, len(plans)) for name, plans in choices] == [("hub", 2)]
