"""Choosing the flows to realise across the demo region, on both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sidestream.adapters.datasets.demo import load_demo_tables
from sidestream.adapters.solvers import HighsSolver
from sidestream.bootstrap.container import Container
from sidestream.domain.solving import SolveStatus
from sidestream.services.demo import build_demo_region
from sidestream.services.matching import run_matching
from sidestream.services.optimisation import Objective, optimise_region


@pytest.fixture
def matched(container: Container) -> Container:
    build_demo_region(
        load_demo_tables(), container.unit_of_work, container.reference, container.today()
    )
    run_matching(
        container.unit_of_work, container.reference, container.knowledge_base, container.today()
    )
    return container


@pytest.mark.parametrize("objective", list(Objective))
def test_the_plan_respects_supplies_and_demands(matched: Container, objective: Objective) -> None:
    plan = optimise_region(matched.unit_of_work, objective, matched.solver_for, matched.today())
    assert plan.status is SolveStatus.OPTIMAL
    assert plan.flows and plan.total_value is not None
    assert sum(flow.value for flow in plan.flows) == pytest.approx(plan.total_value, rel=1e-6)
    with matched.unit_of_work() as uow:
        streams = {s.stream_id: s for s in uow.streams.list_all()}
        needs = {n.need_id: n for n in uow.needs.list_all()}
    shipped: dict[int, float] = {}
    received: dict[int, float] = {}
    for flow in plan.flows:
        shipped[flow.stream_id] = shipped.get(flow.stream_id, 0.0) + flow.flow_t
        received[flow.need_id] = received.get(flow.need_id, 0.0) + flow.flow_t
    assert all(t <= streams[i].quantity.amount * (1 + 1e-9) for i, t in shipped.items())
    assert all(t <= needs[j].quantity.amount * (1 + 1e-9) for j, t in received.items())
    assert any("heat and volumes are not allocated yet" in why for why in plan.left_out)


def test_the_network_method_and_highs_agree_on_the_region(matched: Container) -> None:
    fast = optimise_region(matched.unit_of_work, Objective.EUR, matched.solver_for, matched.today())
    general = optimise_region(
        matched.unit_of_work, Objective.EUR, lambda _: HighsSolver(), matched.today()
    )
    assert fast.solver_name != general.solver_name
    assert fast.total_value == pytest.approx(general.total_value, rel=1e-6)


def test_a_listing_expired_since_matching_is_left_out(matched: Container) -> None:
    before = optimise_region(
        matched.unit_of_work, Objective.TONNES, matched.solver_for, matched.today()
    )
    busiest = max(before.flows, key=lambda flow: flow.flow_t)
    with matched.unit_of_work() as uow:
        need = uow.needs.get(busiest.need_id)
        assert need is not None
        uow.needs.update(replace(need, valid_until=date(2020, 1, 1)))
        uow.commit()
    after = optimise_region(
        matched.unit_of_work, Objective.TONNES, matched.solver_for, matched.today()
    )
    assert busiest.need_id not in {flow.need_id for flow in after.flows}
    assert any("a listing has expired since" in why for why in after.left_out)
