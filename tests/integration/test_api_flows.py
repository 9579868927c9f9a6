"""The flow diagrams over real HTTP on SQLite and PostgreSQL: realised synergies as each kind of
reader may see them (names for facilitators and for a member's own organisation, municipalities
for everyone else, sums only), the flows of a saved scenario's plan for facilitators only, and
the flows page's choices.

The helpers here (accounts with API tokens, realised synergies and a saved scenario on the demo
region) are used by the browser tests too."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import httpx
import pytest

from sidestream.adapters.datasets.demo import load_demo_tables
from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import Principal
from sidestream.domain.network_design import Criterion
from sidestream.domain.organisations import Organisation
from sidestream.domain.scenarios import (
    HubSpec,
    PlannedFlow,
    ScenarioPlan,
    ScenarioRun,
    ScenarioSpec,
)
from sidestream.domain.streams import Need, SideStream
from sidestream.domain.synergies import agreed_quantity_limit
from sidestream.entrypoints.server import create_app
from sidestream.services.accounts import create_api_token, create_user
from sidestream.services.demo import build_demo_region
from sidestream.services.scenarios import save_scenario_run
from sidestream.services.synergies import open_synergy, realise_synergy
from tests.integration.test_synergies import _propose
from tests.integration.test_web_auth import CHEAP_HASHER, PASSWORD, _prepare
from tests.support.server import running_server

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
STARTED = date(2027, 1, 1)
SCENARIO = "Ajos crushing hub"
FACILITATOR_EMAIL = "fasilitaattori@example.org"
MEMBER_EMAIL = "jasen@example.org"


@dataclass(frozen=True)
class Realised:
    stream: SideStream
    need: Need
    quantity: float
    unit: str


def realise_demo_synergies(container: Container, in_tonnes: int = 3) -> list[Realised]:
    """Realise synergies between demo streams and needs that accept their class: `in_tonnes`
    agreed in tonnes and one in MWh, each between two different organisations."""
    with container.unit_of_work() as uow:
        streams = sorted(uow.streams.list_all(), key=lambda stream: stream.stream_id or 0)
        needs = sorted(uow.needs.list_all(), key=lambda need: need.need_id or 0)
    wanted = {"t": in_tonnes, "MWh": 1}
    used: set[int | None] = set()
    realised = []
    for need in needs:
        for stream in streams:
            unit = stream.quantity.unit.basis
            if (
                wanted.get(unit, 0) > 0
                and stream.stream_id not in used
                and stream.material_class_code in need.accepted_material_class_codes
                and stream.organisation_id != need.organisation_id
                and need.quantity.unit.basis == unit
            ):
                assert stream.stream_id is not None and need.need_id is not None
                _, limit = agreed_quantity_limit(stream.quantity, need.quantity)
                quantity = float(min(limit, 5000.0))
                proposal_id = _propose(container, stream.stream_id, need.need_id)
                synergy = open_synergy(
                    container.unit_of_work, proposal_id, Principal.operator(), NOW
                )
                assert synergy.synergy_id is not None
                realise_synergy(
                    container.unit_of_work,
                    synergy.synergy_id,
                    quantity,
                    STARTED,
                    Principal.operator(),
                    NOW,
                )
                realised.append(Realised(stream, need, quantity, unit))
                used.add(stream.stream_id)
                wanted[unit] -= 1
                break
    assert not any(wanted.values()), f"the demo region lacks pairs: {wanted}"
    return realised


def save_demo_scenario(container: Container, realised: list[Realised]) -> ScenarioRun:
    """A saved run with one plan: the first two tonne flows through a hub, the third direct."""
    hub = HubSpec(
        name="Ajos crushing station",
        latitude_deg=65.672,
        longitude_deg=24.520,
        capacity_t=300_000,
        fixed_cost_eur=0.0,
        process_code="crushing_screening",
        accepts_material_class_codes=tuple(
            sorted({pair.stream.material_class_code for pair in realised if pair.unit == "t"})
        ),
    )
    spec = ScenarioSpec(name=SCENARIO, description="a hub at Ajos", hubs=(hub,))
    tonnes = [pair for pair in realised if pair.unit == "t"]
    flows = tuple(
        PlannedFlow(
            proposal_id=index + 1,
            stream_id=pair.stream.stream_id or 0,
            need_id=pair.need.need_id or 0,
            stream=pair.stream.name,
            need=pair.need.name,
            producer=f"producer {index}",
            receiver=f"receiver {index}",
            hub=hub.name if index < 2 else None,
            modes="rail+road" if index < 2 else "road",
            flow_t=1000.0 * (index + 1),
            eur=10.0,
            co2e_t=1.0,
        )
        for index, pair in enumerate(tonnes[:3])
    )
    plan = ScenarioPlan(
        label="maximise co2e",
        status="optimal",
        termination="optimal",
        message="",
        weights={Criterion.CO2E: 1.0},
        floors={},
        eur=30.0,
        co2e_t=3.0,
        tonnes=sum(flow.flow_t for flow in flows),
        hubs_opened=(hub.name,),
        flows=flows,
        solver_name="highs",
        solver_version="test",
        solver_options={},
        runtime_s=0.1,
        relative_gap_frac=0.0,
    )
    return save_scenario_run(container.unit_of_work, ScenarioRun(spec, (plan,), (), NOW))


@dataclass
class Readers:
    """API tokens of a facilitator and of a member of the first realised producer."""

    facilitator_token: str
    member_token: str
    member_organisation_id: int


def add_readers(container: Container, member_organisation_id: int) -> Readers:
    facilitator = create_user(
        container.unit_of_work,
        CHEAP_HASHER,
        Principal.operator(),
        email=FACILITATOR_EMAIL,
        display_name="Fanni Fasilitaattori",
        password=PASSWORD,
        now=NOW,
        is_facilitator=True,
    )
    member = create_user(
        container.unit_of_work,
        CHEAP_HASHER,
        Principal.operator(),
        email=MEMBER_EMAIL,
        display_name="Jussi Jäsen",
        password=PASSWORD,
        now=NOW,
        organisation_ids=[member_organisation_id],
    )
    tokens = []
    for user in (facilitator, member):
        assert user.user_id is not None
        tokens.append(
            create_api_token(
                container.unit_of_work, Principal.of(user), user.user_id, "tests", None, NOW
            ).secret
        )
    return Readers(tokens[0], tokens[1], member_organisation_id)


@dataclass
class FlowSite:
    url: str
    container: Container
    realised: list[Realised]
    readers: Readers
    organisations: dict[int, Organisation]

    def get(self, path: str, token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.get(self.url + path, headers=headers, timeout=30)


@pytest.fixture
def site(container: Container) -> Iterator[FlowSite]:
    _prepare(container)
    build_demo_region(
        load_demo_tables(),
        container.unit_of_work,
        container.reference,
        container.regulatory_knowledge,
        container.today(),
        container.clock.now(),
    )
    realised = realise_demo_synergies(container)
    save_demo_scenario(container, realised)
    readers = add_readers(container, realised[0].stream.organisation_id)
    with container.unit_of_work() as uow:
        organisations = {
            o.organisation_id: o for o in uow.organisations.list_all() if o.organisation_id
        }
    with running_server(create_app(container)) as url:
        yield FlowSite(url, container, realised, readers, organisations)


def _names(site: FlowSite) -> set[str]:
    return {organisation.name for organisation in site.organisations.values()}


def _party_names(site: FlowSite) -> set[str]:
    return {
        site.organisations[listing.organisation_id].name
        for pair in site.realised
        for listing in (pair.stream, pair.need)
    }


def test_the_public_sees_municipalities_and_material_classes_and_sums_only(
    site: FlowSite,
) -> None:
    response = site.get("/api/v1/flows/realised")
    assert response.status_code == 200
    body = response.json()
    assert body["unit"] == "t" and body["units"] == ["MWh", "t"]
    assert {node["kind"] for node in body["nodes"]} == {"municipality", "material_class"}
    for name in _names(site):
        assert name not in response.text
    tonnes = [pair for pair in site.realised if pair.unit == "t"]
    assert body["total_per_yr"] == pytest.approx(sum(pair.quantity for pair in tonnes))
    classes = {pair.stream.material_class_code for pair in tonnes}
    materials = {node["node_id"] for node in body["nodes"] if node["kind"] == "material_class"}
    assert materials == {f"material:{code}" for code in classes}
    # What enters each material class leaves it: sums, not single synergies, per node pair.
    for material in materials:
        into = sum(
            li["quantity_per_yr"] for li in body["links"] if li["target_node_id"] == material
        )
        out = sum(li["quantity_per_yr"] for li in body["links"] if li["source_node_id"] == material)
        assert into == pytest.approx(out) and into > 0
    heat = site.get("/api/v1/flows/realised?unit=MWh").json()
    assert heat["total_per_yr"] == pytest.approx(
        sum(pair.quantity for pair in site.realised if pair.unit == "MWh")
    )
    assert response.headers["cache-control"] == "no-cache"
    assert "Cookie" in response.headers["vary"]


def test_municipality_nodes_are_named_after_the_parties_sites(site: FlowSite) -> None:
    body = site.get("/api/v1/flows/realised").json()
    labels = {node["node_id"]: node["label"] for node in body["nodes"]}
    reference = site.container.reference
    for pair in site.realised:
        if pair.unit != "t":
            continue
        producer = site.organisations[pair.stream.organisation_id]
        site_row = producer.site(pair.stream.site_id)
        code = site_row.municipality_code
        assert code is not None
        assert labels[f"producer:municipality:{code}"] == reference.municipalities[code].name_fi


def test_facilitators_see_every_party_by_name(site: FlowSite) -> None:
    response = site.get("/api/v1/flows/realised", site.readers.facilitator_token)
    body = response.json()
    assert {node["kind"] for node in body["nodes"]} == {"organisation", "material_class"}
    labels = {node["label"] for node in body["nodes"] if node["kind"] == "organisation"}
    tonnes = [pair for pair in site.realised if pair.unit == "t"]
    assert labels == {
        site.organisations[listing.organisation_id].name
        for pair in tonnes
        for listing in (pair.stream, pair.need)
    }
    first = tonnes[0]
    source = f"producer:organisation:{first.stream.organisation_id}"
    target = f"material:{first.stream.material_class_code}"
    link = next(
        li
        for li in body["links"]
        if li["source_node_id"] == source and li["target_node_id"] == target
    )
    assert link["quantity_per_yr"] == pytest.approx(
        sum(
            pair.quantity
            for pair in tonnes
            if pair.stream.organisation_id == first.stream.organisation_id
            and pair.stream.material_class_code == first.stream.material_class_code
        )
    )
    assert response.headers["cache-control"] == "private, no-store"


def test_members_see_only_their_own_organisation_by_name(site: FlowSite) -> None:
    response = site.get("/api/v1/flows/realised", site.readers.member_token)
    body = response.json()
    own = site.organisations[site.readers.member_organisation_id].name
    named = {node["label"] for node in body["nodes"] if node["kind"] == "organisation"}
    assert named == {own}
    for name in _party_names(site) - {own}:
        assert name not in response.text


def test_an_unknown_unit_is_refused(site: FlowSite) -> None:
    response = site.get("/api/v1/flows/realised?unit=kg")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "unit"


def test_facilitators_see_a_saved_plan_through_its_hub(site: FlowSite) -> None:
    response = site.get(
        f"/api/v1/flows/scenarios/{SCENARIO}?plan=1", site.readers.facilitator_token
    )
    assert response.status_code == 200
    body = response.json()
    assert body["scenario_name"] == SCENARIO and body["unit"] == "t"
    assert body["plan"] == {
        "plan_number": 1,
        "label": "maximise co2e",
        "status": "optimal",
        "flow_t": 6000.0,
    }
    assert body["total_per_yr"] == pytest.approx(6000.0)
    hub = "hub:Ajos crushing station"
    into = [li for li in body["links"] if li["target_node_id"] == hub]
    out = [li for li in body["links"] if li["source_node_id"] == hub]
    assert sorted(li["quantity_per_yr"] for li in into) == [1000.0, 2000.0]
    assert sum(li["quantity_per_yr"] for li in out) == pytest.approx(3000.0)
    direct = [
        li
        for li in body["links"]
        if li["source_node_id"].startswith("stream:") and li["target_node_id"].startswith("need:")
    ]
    assert [li["quantity_per_yr"] for li in direct] == [3000.0]
    kinds = {node["kind"] for node in body["nodes"]}
    assert kinds == {"stream", "hub", "need"}
    assert any("producer 0" in node["label"] for node in body["nodes"])


def test_scenario_flows_are_for_facilitators_only(site: FlowSite) -> None:
    for token in (None, site.readers.member_token):
        for name in (SCENARIO, "no such scenario"):
            response = site.get(f"/api/v1/flows/scenarios/{name}", token)
            assert response.status_code == 403, (token, name)
            assert response.headers["content-type"] == "application/problem+json"
            assert SCENARIO not in response.text or name == SCENARIO


def test_unknown_scenarios_and_plans_are_not_found(site: FlowSite) -> None:
    token = site.readers.facilitator_token
    assert site.get("/api/v1/flows/scenarios/nothing", token).status_code == 404
    assert site.get(f"/api/v1/flows/scenarios/{SCENARIO}?plan=2", token).status_code == 404
    assert site.get(f"/api/v1/flows/scenarios/{SCENARIO}?plan=0", token).status_code == 422


def test_the_flows_page_offers_the_diagrams_the_reader_may_see(site: FlowSite) -> None:
    public = site.get("/flows")
    assert public.status_code == 200
    assert "/api/v1/flows/realised?unit=t" in public.text
    assert "/api/v1/flows/realised?unit=MWh" in public.text
    assert "/api/v1/flows/scenarios/" not in public.text
    assert "vendor/echarts/echarts.min.js" in public.text
    assert "<script>" not in public.text
    facilitator = site.get("/flows", site.readers.facilitator_token)
    assert "/api/v1/flows/scenarios/Ajos%20crushing%20hub?plan=1" in facilitator.text
    twin = site.get("/flows.json", site.readers.facilitator_token).json()
    assert [choice["url"] for choice in twin["choices"]] == [
        "/api/v1/flows/realised?unit=t",
        "/api/v1/flows/realised?unit=MWh",
        "/api/v1/flows/scenarios/Ajos%20crushing%20hub?plan=1",
    ]
    assert len(site.get("/flows.json").json()["choices"]) == 2
