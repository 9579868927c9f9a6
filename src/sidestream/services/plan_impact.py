"""The impact of a saved optimiser plan: its flows accounted like agreed synergies, so a
facilitator can hand funders the report of a scenario before anything is agreed."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

from sidestream.domain.errors import InvalidInput
from sidestream.domain.impact import (
    AccountingSettings,
    FlowInput,
    ImpactFactors,
    Leg,
    UncertainAmount,
    account,
)
from sidestream.domain.organisations import Site
from sidestream.domain.reference import ReferenceData
from sidestream.domain.routes import KnowledgeBase, TransportModeName
from sidestream.domain.scenarios import PlannedFlow, ScenarioSpec
from sidestream.services.impact import ImpactReport, Selection, build_report, flow_of_proposal
from sidestream.services.optimisation import Place, leg_between, sites_with_changes
from sidestream.services.ports import UnitOfWorkFactory
from sidestream.services.scenarios import get_scenario_run


def _place(site: Site) -> Place:
    # The plan has chosen its legs already: no delivery limit applies any more.
    return Place(
        site.latitude_deg, site.longitude_deg, site.has_rail_siding, site.has_port, math.inf
    )


def _legs(
    flow: PlannedFlow,
    spec: ScenarioSpec,
    start: Site,
    end: Site,
    circuity: dict[TransportModeName, float],
) -> tuple[Leg, ...] | None:
    modes = [TransportModeName(mode) for mode in flow.modes.split("+")]
    places = [_place(start), _place(end)]
    if flow.hub is not None:
        hub = next((hub for hub in spec.hubs if hub.name == flow.hub), None)
        if hub is None:
            return None
        places.insert(
            1,
            Place(hub.latitude_deg, hub.longitude_deg, hub.has_rail_siding, hub.has_port, math.inf),
        )
    if len(modes) != len(places) - 1:
        return None
    legs = []
    for mode, start_place, end_place in zip(modes, places[:-1], places[1:], strict=True):
        leg = leg_between(mode, start_place, end_place, circuity)
        if leg is None:
            return None
        legs.append(leg)
    return tuple(legs)


def account_plan(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    knowledge: KnowledgeBase,
    factors: ImpactFactors,
    scenario: str,
    today: date,
    plan_number: int = 1,
    settings: AccountingSettings | None = None,
) -> ImpactReport:
    """Account the flows of plan `plan_number` (from 1) of a saved scenario."""
    settings = settings or AccountingSettings()
    run = get_scenario_run(unit_of_work, scenario)
    if not 1 <= plan_number <= len(run.plans):
        raise InvalidInput.single(
            "plan", f"scenario {scenario!r} has plans 1 to {len(run.plans)}, not {plan_number}"
        )
    plan = run.plans[plan_number - 1]
    if plan.eur is None and not plan.flows:
        raise InvalidInput.single("plan", f"plan {plan_number} ended {plan.status}: no flows")
    with unit_of_work() as uow:
        records = {flow.proposal_id: uow.proposals.get(flow.proposal_id) for flow in plan.flows}
        streams = {s.stream_id: s for s in uow.streams.list_all()}
        needs = {n.need_id: n for n in uow.needs.list_all()}
        organisations = {
            o.organisation_id: o for o in uow.organisations.list_all() if o.organisation_id
        }
    sites = sites_with_changes(organisations, run.spec)
    circuity = {mode.mode: mode.circuity_factor for mode in knowledge.transport_modes}
    hubs = {hub.name: hub for hub in run.spec.hubs}
    flows: list[FlowInput] = []
    left_out = []
    for number, planned in enumerate(plan.flows, start=1):
        record = records[planned.proposal_id]
        stream = streams.get(planned.stream_id)
        need = needs.get(planned.need_id)
        if record is None or stream is None or need is None:
            left_out.append(
                f"flow {number} ({planned.stream} → {planned.need}): its proposal or a listing "
                "is no longer stored"
            )
            continue
        legs = _legs(planned, run.spec, sites[stream.site_id], sites[need.site_id], circuity)
        if legs is None:
            left_out.append(f"flow {number}: its route can no longer be retraced")
            continue
        base = flow_of_proposal(record, stream, need, organisations, reference, knowledge, today)
        flows.append(
            replace(
                base,
                flow_key=f"flow {number}",
                supply=UncertainAmount.exact(f"plan flow {number}", planned.flow_t),
                demand=None,
                legs=legs,
                hub_process_code=hubs[planned.hub].process_code if planned.hub else None,
            )
        )
    return build_report(
        account(flows, factors, settings),
        organisations.values(),
        Selection.PLAN,
        f"plan '{plan.label}' of scenario '{scenario}'",
        settings,
        today,
        tuple(left_out),
    )
