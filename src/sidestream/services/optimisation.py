"""Which synergies to realise across the region, scenario by scenario.

Candidate paths come from the stored proposals: a stream → need pair may go directly by every
transport mode both ends allow (road always; rail between rail sidings; sea between ports), or
through a hub of the scenario that accepts the stream's material class, by any allowed mode
on each leg. Each path's net € and net CO2e per tonne come from impact accounting (the same
factors and arithmetic as the funder report), so a plan and its report cannot disagree. The
network-design model (domain/network_design.py) then chooses flows, hubs and lots for the
scenario's objective, or a Pareto front between two criteria.

Proposals that cannot be in the model are listed with the reason: declined or expired
listings, heat and volumes (not hauled as tonnes), pairs whose € or CO2e cannot be estimated
when the objective needs it, and paths that could never reach the minimum lot.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np

from sidestream.domain.errors import FieldError, InvalidInput
from sidestream.domain.geography import great_circle_distance_km
from sidestream.domain.impact import (
    AccountingSettings,
    FlowInput,
    ImpactFactors,
    Indicator,
    Leg,
    UncertainAmount,
    central_figures,
)
from sidestream.domain.network_design import (
    Criterion,
    DesignObjective,
    HubState,
    NetworkDesignProblem,
    NetworkPlan,
    pareto_front,
    plan_network,
)
from sidestream.domain.organisations import Organisation, Site
from sidestream.domain.proposals import ProposalRecord, ProposalStatus
from sidestream.domain.reference import ReferenceData
from sidestream.domain.routes import KnowledgeBase, TransportModeName
from sidestream.domain.scenarios import (
    HubSpec,
    HubStatus,
    PlannedFlow,
    ScenarioPlan,
    ScenarioRun,
    ScenarioSpec,
)
from sidestream.domain.solving import LinearProgram, LinearProgramSolver, SolveOptions, SolveResult
from sidestream.domain.streams import Need, SideStream
from sidestream.services.impact import flow_of_proposal
from sidestream.services.ports import UnitOfWorkFactory

SMALLEST_FLOW_T = 1e-6  # below this a flow is solver noise, not a delivery
SolverFor = Callable[[LinearProgram], LinearProgramSolver]

INDICATOR_OF = {Criterion.EUR: Indicator.EUR_NET, Criterion.CO2E: Indicator.NET_CO2E}
HUB_STATE = {
    HubStatus.CANDIDATE: HubState.CANDIDATE,
    HubStatus.OPEN: HubState.OPEN,
    HubStatus.CLOSED: HubState.CLOSED,
}


@dataclass(frozen=True)
class Place:
    """Where a leg starts or ends, and which modes can load there."""

    latitude_deg: float
    longitude_deg: float
    has_rail_siding: bool
    has_port: bool
    max_distance_km: float  # how far this end accepts the leg to be


@dataclass(frozen=True)
class _Path:
    record: ProposalRecord
    stream: SideStream
    need: Need
    producer: str
    receiver: str
    hub: int  # index into the scenario's hubs; -1: direct
    legs: tuple[Leg, ...]
    eur_per_t: float
    co2e_per_t: float

    @property
    def modes(self) -> str:
        return "+".join(leg.mode.value for leg in self.legs)


def leg_between(
    mode: TransportModeName, start: Place, end: Place, circuity: Mapping[TransportModeName, float]
) -> Leg | None:
    if mode is TransportModeName.RAIL and not (start.has_rail_siding and end.has_rail_siding):
        return None
    if mode is TransportModeName.SEA and not (start.has_port and end.has_port):
        return None
    distance_km = circuity[mode] * great_circle_distance_km(
        start.latitude_deg, start.longitude_deg, end.latitude_deg, end.longitude_deg
    )
    if distance_km > min(start.max_distance_km, end.max_distance_km):
        return None
    return Leg(mode, distance_km)


def sites_with_changes(
    organisations: Mapping[int, Organisation], spec: ScenarioSpec
) -> dict[int, Site]:
    """Every site by id, with the scenario's infrastructure changes applied."""
    sites = {
        site.site_id: site
        for organisation in organisations.values()
        for site in organisation.sites
        if site.site_id is not None
    }
    by_name = {organisation.name: organisation for organisation in organisations.values()}
    errors = []
    for index, change in enumerate(spec.site_changes):
        organisation = by_name.get(change.organisation)
        site = organisation.site_named(change.site) if organisation else None
        if organisation is None:
            errors.append((f"site_changes[{index}].organisation", "no such organisation"))
        elif site is None or site.site_id is None:
            errors.append((f"site_changes[{index}].site", f"{organisation.name} has no such site"))
        else:
            sites[site.site_id] = replace(
                sites[site.site_id],
                has_rail_siding=site.has_rail_siding
                if change.has_rail_siding is None
                else change.has_rail_siding,
                has_port=site.has_port if change.has_port is None else change.has_port,
            )
    if errors:
        raise InvalidInput([FieldError(where, reason) for where, reason in errors])
    return sites


def _needed_criteria(spec: ScenarioSpec) -> set[Criterion]:
    needed = {criterion for criterion, weight in spec.weights.items() if weight}
    needed |= set(spec.floors)
    if spec.pareto is not None:
        needed |= set(spec.pareto)
    return needed


def run_scenario(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    knowledge: KnowledgeBase,
    factors: ImpactFactors,
    spec: ScenarioSpec,
    solver_for: SolverFor,
    today: date,
    now: datetime,
    settings: AccountingSettings | None = None,
) -> ScenarioRun:
    """Build the scenario's network from the stored proposals, solve it and return its plans
    (one, or the points of a Pareto front). Nothing is written: saving is the caller's choice."""
    settings = settings or AccountingSettings()
    wanted = {ProposalStatus.ACCEPTED}
    if spec.include_undecided:
        wanted.add(ProposalStatus.PROPOSED)
    with unit_of_work() as uow:
        records = [r for r in uow.proposals.list_all() if r.status in wanted]
        streams = {s.stream_id: s for s in uow.streams.list_all()}
        needs = {n.need_id: n for n in uow.needs.list_all()}
        organisations = {
            o.organisation_id: o for o in uow.organisations.list_all() if o.organisation_id
        }
    sites = sites_with_changes(organisations, spec)
    circuity = {mode.mode: mode.circuity_factor for mode in knowledge.transport_modes}
    needed = _needed_criteria(spec)
    left_out: list[str] = []
    paths: list[_Path] = []
    for record in sorted(records, key=lambda r: r.proposal_id or 0):
        stream = streams[record.proposal.stream_id]
        need = needs[record.proposal.need_id]
        why = _why_not_in_model(stream, need, today)
        if why:
            left_out.append(f"proposal {record.proposal_id}: {why}")
            continue
        base = flow_of_proposal(record, stream, need, organisations, reference, knowledge, today)
        found, missing = _paths_of(
            record, stream, need, base, sites, spec, circuity, factors, settings, needed
        )
        paths.extend(found)
        if not found:
            reason = "; ".join(sorted(missing)) or "no transport mode reaches within the limits"
            left_out.append(f"proposal {record.proposal_id}: {reason}")
    problem, paths, dropped = _problem(paths, spec)
    left_out.extend(dropped)
    options = SolveOptions(
        time_limit_s=spec.time_limit_s, mip_relative_gap_frac=spec.mip_relative_gap_frac
    )

    def solve(program: LinearProgram) -> SolveResult:
        return solver_for(program).solve(program, options)

    if spec.pareto is not None:
        first, second = spec.pareto
        front = pareto_front(
            problem, first, second, solve, points=spec.pareto_points, floors=spec.floors
        )
        plans = tuple(
            _scenario_plan(plan, paths, spec, f"Pareto point {number} of {len(front.plans)}")
            for number, plan in enumerate(front.plans, start=1)
        )
    else:
        objective = DesignObjective(dict(spec.weights), dict(spec.floors))
        plan = plan_network(problem, objective, solve)
        plans = (_scenario_plan(plan, paths, spec, _objective_label(objective)),)
    return ScenarioRun(spec, plans, tuple(left_out), now)


def _why_not_in_model(stream: SideStream, need: Need, today: date) -> str | None:
    if stream.is_expired(today) or need.is_expired(today):
        return "a listing has expired since it was proposed"
    if stream.quantity.unit.basis != "t" or need.quantity.unit.basis != "t":
        return "heat and volumes are not hauled as tonnes; impact accounting covers them"
    return None


def _paths_of(
    record: ProposalRecord,
    stream: SideStream,
    need: Need,
    base: FlowInput,
    sites: Mapping[int, Site],
    spec: ScenarioSpec,
    circuity: Mapping[TransportModeName, float],
    factors: ImpactFactors,
    settings: AccountingSettings,
    needed: set[Criterion],
) -> tuple[list[_Path], set[str]]:
    """Every way the pair can be served in this scenario, with its € and CO2e per tonne."""
    source_site, target_site = sites[stream.site_id], sites[need.site_id]
    source = Place(
        source_site.latitude_deg,
        source_site.longitude_deg,
        source_site.has_rail_siding,
        source_site.has_port,
        stream.max_distance_km if stream.max_distance_km is not None else math.inf,
    )
    target = Place(
        target_site.latitude_deg,
        target_site.longitude_deg,
        target_site.has_rail_siding,
        target_site.has_port,
        need.max_distance_km,
    )
    routes: list[tuple[int, tuple[Leg, ...], str | None]] = []
    for mode in spec.modes:
        leg = leg_between(mode, source, target, circuity)
        if leg is not None:
            routes.append((-1, (leg,), None))
    for index, hub in enumerate(spec.hubs):
        if hub.status is HubStatus.CLOSED:
            continue
        if stream.material_class_code not in hub.accepts_material_class_codes:
            continue
        at_hub = Place(
            hub.latitude_deg, hub.longitude_deg, hub.has_rail_siding, hub.has_port, math.inf
        )
        for first_mode in spec.modes:
            inbound = leg_between(first_mode, source, at_hub, circuity)
            if inbound is None:
                continue
            for second_mode in spec.modes:
                outbound = leg_between(second_mode, at_hub, target, circuity)
                if outbound is not None:
                    routes.append((index, (inbound, outbound), hub.process_code))
    found = []
    missing: set[str] = set()
    for hub_index, legs, process in routes:
        flow = replace(
            base,
            supply=UncertainAmount.exact(base.supply.key, 1.0),
            demand=None,
            legs=legs,
            hub_process_code=process,
        )
        figures, reasons = central_figures(flow, factors, settings)
        gaps = [
            f"no {criterion.value} figure: {reasons[INDICATOR_OF[criterion]]}"
            for criterion in needed
            if criterion in INDICATOR_OF and INDICATOR_OF[criterion] not in figures
        ]
        if gaps:
            missing.update(gaps)
            continue
        found.append(
            _Path(
                record,
                stream,
                need,
                base.producer_organisation,
                base.receiver_organisation,
                hub_index,
                legs,
                figures.get(Indicator.EUR_NET, 0.0),
                figures.get(Indicator.NET_CO2E, 0.0),
            )
        )
    return found, missing


def _problem(
    paths: list[_Path], spec: ScenarioSpec
) -> tuple[NetworkDesignProblem, list[_Path], list[str]]:
    """The columnar model; with a minimum lot, paths that could never carry it are left out."""
    stream_ids = sorted({path.stream.stream_id or 0 for path in paths})
    need_ids = sorted({path.need.need_id or 0 for path in paths})
    supply = {path.stream.stream_id or 0: path.stream.quantity.amount for path in paths}
    demand = {path.need.need_id or 0: path.need.quantity.amount for path in paths}
    dropped = []
    if spec.min_lot_t > 0:
        kept = []
        for path in paths:
            most = min(
                supply[path.stream.stream_id or 0],
                demand[path.need.need_id or 0],
                spec.hubs[path.hub].capacity_t if path.hub >= 0 else math.inf,
            )
            if most < spec.min_lot_t:
                dropped.append(
                    f"proposal {path.record.proposal_id} "
                    f"({'via ' + spec.hubs[path.hub].name if path.hub >= 0 else 'direct'}, "
                    f"{path.modes}): at most {most:,.0f} t, below the minimum lot of "
                    f"{spec.min_lot_t:,.0f} t"
                )
            else:
                kept.append(path)
        paths = kept
    source_of = {stream_id: row for row, stream_id in enumerate(stream_ids)}
    target_of = {need_id: row for row, need_id in enumerate(need_ids)}
    hubs: tuple[HubSpec, ...] = spec.hubs
    problem = NetworkDesignProblem(
        supply_t=np.array([supply[i] for i in stream_ids], dtype=np.float64),
        demand_t=np.array([demand[i] for i in need_ids], dtype=np.float64),
        path_source=np.array([source_of[p.stream.stream_id or 0] for p in paths], np.int64),
        path_target=np.array([target_of[p.need.need_id or 0] for p in paths], np.int64),
        path_hub=np.array([p.hub for p in paths], dtype=np.int64),
        path_mode=np.array(
            [list(TransportModeName).index(p.legs[-1].mode) for p in paths], np.int64
        ),
        path_eur_per_t=np.array([p.eur_per_t for p in paths], dtype=np.float64),
        path_co2e_per_t=np.array([p.co2e_per_t for p in paths], dtype=np.float64),
        path_min_lot_t=np.full(len(paths), spec.min_lot_t) if spec.min_lot_t > 0 else None,
        hub_capacity_t=np.array([hub.capacity_t for hub in hubs], dtype=np.float64),
        hub_fixed_eur=np.array([hub.fixed_cost_eur for hub in hubs], dtype=np.float64),
        hub_fixed_co2e_t=np.array([hub.fixed_co2e_t for hub in hubs], dtype=np.float64),
        hub_state=np.array([HUB_STATE[hub.status] for hub in hubs], dtype=np.int8),
    )
    return problem, paths, dropped


def _objective_label(objective: DesignObjective) -> str:
    terms = [
        criterion.value if weight == 1 else f"{weight:g} × {criterion.value}"
        for criterion, weight in objective.weights.items()
        if weight
    ]
    floors = [f"{criterion.value} ≥ {floor:,.6g}" for criterion, floor in objective.floors.items()]
    return "maximise " + " + ".join(terms) + (f" with {', '.join(floors)}" if floors else "")


def _scenario_plan(
    plan: NetworkPlan, paths: list[_Path], spec: ScenarioSpec, label: str
) -> ScenarioPlan:
    flows = []
    if plan.flow_t is not None:
        for path, flow in zip(paths, plan.flow_t, strict=True):
            if flow <= SMALLEST_FLOW_T:
                continue
            assert path.record.proposal_id is not None
            assert path.stream.stream_id is not None and path.need.need_id is not None
            flows.append(
                PlannedFlow(
                    proposal_id=path.record.proposal_id,
                    stream_id=path.stream.stream_id,
                    need_id=path.need.need_id,
                    stream=path.stream.name,
                    need=path.need.name,
                    producer=path.producer,
                    receiver=path.receiver,
                    hub=spec.hubs[path.hub].name if path.hub >= 0 else None,
                    modes=path.modes,
                    flow_t=float(flow),
                    eur=float(flow) * path.eur_per_t,
                    co2e_t=float(flow) * path.co2e_per_t,
                )
            )
    flows.sort(key=lambda flow: (-flow.flow_t, flow.proposal_id))
    opened = (
        tuple(hub.name for hub, is_open in zip(spec.hubs, plan.hub_open, strict=True) if is_open)
        if plan.hub_open is not None
        else ()
    )
    message = plan.solve.message
    if plan.guard_violations:
        message = "; ".join(plan.guard_violations)
    return ScenarioPlan(
        label=label,
        status=plan.status.value,
        termination=plan.termination.value,
        message=message,
        weights=dict(plan.objective.weights),
        floors=dict(plan.objective.floors),
        eur=None if plan.totals is None else plan.totals.eur,
        co2e_t=None if plan.totals is None else plan.totals.co2e_t,
        tonnes=None if plan.totals is None else plan.totals.tonnes,
        hubs_opened=opened,
        flows=tuple(flows),
        solver_name=plan.solver_name,
        solver_version=plan.solver_version,
        solver_options=dict(plan.options),
        runtime_s=plan.runtime_s,
        relative_gap_frac=plan.relative_gap_frac,
    )
