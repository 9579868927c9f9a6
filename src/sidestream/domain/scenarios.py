"""Scenarios of the regional optimiser: what a facilitator asks ("open a rail siding at Kemi
port", "run a crushing station at Tornio"), and the plans the optimiser answered with, kept so
that scenarios can be compared side by side later.

A ScenarioSpec is read from a plain mapping (a TOML file, a JSON body) by
`scenario_from_mapping`, which names every bad field ("hubs[2].capacity_t") instead of
stopping at the first; `scenario_to_mapping` writes it back, so a saved scenario can be rerun.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sidestream.domain.errors import FieldError, InvalidInput
from sidestream.domain.network_design import Criterion
from sidestream.domain.routes import TransportModeName

MAX_NAME_LENGTH = 200
MAX_PARETO_POINTS = 25


class HubStatus(StrEnum):
    CANDIDATE = "candidate"  # the optimiser decides whether to run it
    OPEN = "open"  # runs in this scenario
    CLOSED = "closed"  # described but not used


@dataclass(frozen=True)
class HubSpec:
    """A processing site material may pass through on its way to a need."""

    name: str
    latitude_deg: float
    longitude_deg: float
    capacity_t: float  # a year
    fixed_cost_eur: float  # a year, whatever passes through
    process_code: str  # from processing_steps.csv, e.g. crushing_screening
    accepts_material_class_codes: tuple[str, ...]
    status: HubStatus = HubStatus.CANDIDATE
    fixed_co2e_t: float = 0.0  # a year, e.g. heating the building
    has_rail_siding: bool = False
    has_port: bool = False


@dataclass(frozen=True)
class SiteChange:
    """Infrastructure a scenario adds to (or takes from) a registered site."""

    organisation: str
    site: str
    has_rail_siding: bool | None = None
    has_port: bool | None = None


@dataclass(frozen=True)
class ScenarioSpec:
    name: str
    description: str = ""
    weights: Mapping[Criterion, float] = field(default_factory=lambda: {Criterion.CO2E: 1.0})
    floors: Mapping[Criterion, float] = field(default_factory=dict)
    pareto: tuple[Criterion, Criterion] | None = None
    pareto_points: int = 5
    modes: tuple[TransportModeName, ...] = tuple(TransportModeName)
    min_lot_t: float = 0.0  # a path carries nothing or at least this much
    hubs: tuple[HubSpec, ...] = ()
    site_changes: tuple[SiteChange, ...] = ()
    include_undecided: bool = True  # proposals not yet accepted by both parties
    time_limit_s: float | None = None
    mip_relative_gap_frac: float = 1e-4


# --- reading and writing a scenario -------------------------------------------------------------


class _Reader:
    """Reads typed values from a mapping, collecting every problem with its field path."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, where: str, reason: str) -> None:
        self.errors.append(FieldError(where, reason))

    def text(
        self, data: Mapping[str, Any], key: str, where: str, default: str | None = None
    ) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            self.fail(where, "must be a non-empty text")
            return ""
        if len(value) > MAX_NAME_LENGTH * 10:
            self.fail(where, "is too long")
        return value.strip()

    def number(
        self,
        data: Mapping[str, Any],
        key: str,
        where: str,
        default: float | None = None,
        minimum: float | None = 0.0,
        allow_inf: bool = False,
    ) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(where, "must be a number")
            return 0.0
        try:
            number = float(value)
        except OverflowError:  # a whole number too large for a float
            number = math.inf
        if math.isnan(number) or (math.isinf(number) and not allow_inf):
            self.fail(where, "must be a finite number")
        elif minimum is not None and number < minimum:
            self.fail(where, f"must be at least {minimum:g}")
        return number

    def flag(self, data: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.fail(where, "must be true or false")
            return default
        return value

    def criterion(self, value: object, where: str) -> Criterion | None:
        if not isinstance(value, str) or value not in set(Criterion):
            self.fail(where, f"{value!r} is not one of {', '.join(Criterion)}")
            return None
        return Criterion(str(value))

    def criteria_values(
        self, data: Mapping[str, Any], key: str, minimum: float | None
    ) -> dict[Criterion, float] | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.fail(key, "must map criteria (eur, co2e, tonnes) to numbers")
            return {}
        out = {}
        for name in value:
            criterion = self.criterion(name, f"{key}.{name}")
            amount = self.number(value, name, f"{key}.{name}", minimum=minimum)
            if criterion is not None:
                out[criterion] = amount
        return out

    def table_list(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
            self.fail(key, "must be a list of tables")
            return []
        return value


KNOWN_KEYS = {
    "name",
    "description",
    "objective",
    "weights",
    "floors",
    "pareto",
    "pareto_points",
    "modes",
    "min_lot_t",
    "hubs",
    "site_changes",
    "include_undecided",
    "time_limit_s",
    "mip_relative_gap_frac",
}


def scenario_from_mapping(
    data: Mapping[str, Any],
    process_codes: Sequence[str],
    material_class_codes: Sequence[str],
) -> ScenarioSpec:
    """The scenario a mapping describes; InvalidInput lists every bad field."""
    read = _Reader()
    for key in sorted(set(data) - KNOWN_KEYS):
        read.fail(key, f"unknown setting (known: {', '.join(sorted(KNOWN_KEYS))})")
    name = read.text(data, "name", "name")
    if len(name) > MAX_NAME_LENGTH:
        read.fail("name", f"at most {MAX_NAME_LENGTH} characters")
    description = read.text(data, "description", "description", default="")
    weights = read.criteria_values(data, "weights", minimum=None)
    objective = data.get("objective")
    if objective is not None and weights is not None:
        read.fail("objective", "give either objective or weights, not both")
    if objective is not None:
        criterion = read.criterion(objective, "objective")
        weights = {criterion: 1.0} if criterion else {}
    if weights is not None and weights and not any(weights.values()):
        read.fail("weights", "at least one weight must be non-zero")
    floors = read.criteria_values(data, "floors", minimum=None) or {}
    pareto = None
    if "pareto" in data:
        pair = data["pareto"]
        if not isinstance(pair, list) or len(pair) != 2:
            read.fail("pareto", "must name two criteria, e.g. ['eur', 'co2e']")
        else:
            first, second = (read.criterion(item, "pareto") for item in pair)
            if first is not None and second is not None:
                if first is second:
                    read.fail("pareto", "must name two different criteria")
                pareto = (first, second)
    points = data.get("pareto_points", 5)
    if (
        isinstance(points, bool)
        or not isinstance(points, int)
        or not 2 <= points <= MAX_PARETO_POINTS
    ):
        read.fail("pareto_points", f"must be a whole number from 2 to {MAX_PARETO_POINTS}")
        points = 5
    modes_data = data.get("modes", [mode.value for mode in TransportModeName])
    modes: list[TransportModeName] = []
    if not isinstance(modes_data, list) or not modes_data:
        read.fail("modes", "must list one or more of road, rail, sea")
    else:
        for item in modes_data:
            if not isinstance(item, str) or item not in set(TransportModeName):
                read.fail("modes", f"{item!r} is not one of road, rail, sea")
            else:
                modes.append(TransportModeName(item))
    min_lot = read.number(data, "min_lot_t", "min_lot_t", default=0.0)
    hubs = tuple(
        hub
        for index, item in enumerate(read.table_list(data, "hubs"))
        if (hub := _hub(read, item, f"hubs[{index}]", process_codes, material_class_codes))
    )
    names = [hub.name for hub in hubs]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        read.fail("hubs", f"hub name {duplicate!r} is used twice")
    changes = tuple(
        _site_change(read, item, f"site_changes[{index}]")
        for index, item in enumerate(read.table_list(data, "site_changes"))
    )
    include_undecided = read.flag(data, "include_undecided", "include_undecided", True)
    time_limit = data.get("time_limit_s")
    time_limit_s = None if time_limit is None else read.number(data, "time_limit_s", "time_limit_s")
    gap = read.number(data, "mip_relative_gap_frac", "mip_relative_gap_frac", default=1e-4)
    if gap > 1:
        read.fail("mip_relative_gap_frac", "must be a fraction from 0 to 1")
    if read.errors:
        raise InvalidInput(read.errors)
    return ScenarioSpec(
        name=name,
        description=description,
        weights=weights or {Criterion.CO2E: 1.0},
        floors=floors,
        pareto=pareto,
        pareto_points=points,
        modes=tuple(dict.fromkeys(modes)),
        min_lot_t=min_lot,
        hubs=hubs,
        site_changes=changes,
        include_undecided=include_undecided,
        time_limit_s=time_limit_s,
        mip_relative_gap_frac=gap,
    )


def _hub(
    read: _Reader,
    data: Mapping[str, Any],
    where: str,
    process_codes: Sequence[str],
    material_class_codes: Sequence[str],
) -> HubSpec | None:
    before = len(read.errors)
    name = read.text(data, "name", f"{where}.name")
    latitude = read.number(data, "latitude_deg", f"{where}.latitude_deg", minimum=-90.0)
    longitude = read.number(data, "longitude_deg", f"{where}.longitude_deg", minimum=-180.0)
    if latitude > 90:
        read.fail(f"{where}.latitude_deg", "must be at most 90")
    if longitude > 180:
        read.fail(f"{where}.longitude_deg", "must be at most 180")
    capacity = read.number(data, "capacity_t", f"{where}.capacity_t", allow_inf=True)
    fixed_cost = read.number(data, "fixed_cost_eur", f"{where}.fixed_cost_eur", default=0.0)
    fixed_co2e = read.number(data, "fixed_co2e_t", f"{where}.fixed_co2e_t", default=0.0)
    process = read.text(data, "process_code", f"{where}.process_code")
    if process and process not in process_codes:
        read.fail(f"{where}.process_code", f"{process!r} is not a known processing step")
    accepts = data.get("accepts_material_class_codes")
    if not isinstance(accepts, list) or not accepts:
        read.fail(f"{where}.accepts_material_class_codes", "must list one or more classes")
        accepts = []
    for code in accepts:
        if code not in material_class_codes:
            read.fail(f"{where}.accepts_material_class_codes", f"{code!r} is not a material class")
    status = data.get("status", HubStatus.CANDIDATE.value)
    if not isinstance(status, str) or status not in set(HubStatus):
        read.fail(f"{where}.status", f"{status!r} is not one of candidate, open, closed")
        status = HubStatus.CANDIDATE.value
    rail = read.flag(data, "has_rail_siding", f"{where}.has_rail_siding", False)
    port = read.flag(data, "has_port", f"{where}.has_port", False)
    if len(read.errors) > before:
        return None
    return HubSpec(
        name=name,
        latitude_deg=latitude,
        longitude_deg=longitude,
        capacity_t=capacity,
        fixed_cost_eur=fixed_cost,
        process_code=process,
        accepts_material_class_codes=tuple(str(code) for code in accepts),
        status=HubStatus(status),
        fixed_co2e_t=fixed_co2e,
        has_rail_siding=rail,
        has_port=port,
    )


def _site_change(read: _Reader, data: Mapping[str, Any], where: str) -> SiteChange:
    organisation = read.text(data, "organisation", f"{where}.organisation")
    site = read.text(data, "site", f"{where}.site")
    rail = data.get("has_rail_siding")
    port = data.get("has_port")
    for key, value in (("has_rail_siding", rail), ("has_port", port)):
        if value is not None and not isinstance(value, bool):
            read.fail(f"{where}.{key}", "must be true or false")
    if rail is None and port is None:
        read.fail(where, "changes nothing: give has_rail_siding or has_port")
    return SiteChange(
        organisation,
        site,
        rail if isinstance(rail, bool) else None,
        port if isinstance(port, bool) else None,
    )


def scenario_to_mapping(spec: ScenarioSpec) -> dict[str, Any]:
    """The mapping scenario_from_mapping reads back into an equal spec."""
    data: dict[str, Any] = {
        "name": spec.name,
        "description": spec.description,
        "weights": {criterion.value: weight for criterion, weight in spec.weights.items()},
        "floors": {criterion.value: floor for criterion, floor in spec.floors.items()},
        "pareto_points": spec.pareto_points,
        "modes": [mode.value for mode in spec.modes],
        "min_lot_t": spec.min_lot_t,
        "hubs": [
            {
                "name": hub.name,
                "latitude_deg": hub.latitude_deg,
                "longitude_deg": hub.longitude_deg,
                "capacity_t": hub.capacity_t,
                "fixed_cost_eur": hub.fixed_cost_eur,
                "fixed_co2e_t": hub.fixed_co2e_t,
                "process_code": hub.process_code,
                "accepts_material_class_codes": list(hub.accepts_material_class_codes),
                "status": hub.status.value,
                "has_rail_siding": hub.has_rail_siding,
                "has_port": hub.has_port,
            }
            for hub in spec.hubs
        ],
        "site_changes": [
            {
                key: value
                for key, value in (
                    ("organisation", change.organisation),
                    ("site", change.site),
                    ("has_rail_siding", change.has_rail_siding),
                    ("has_port", change.has_port),
                )
                if value is not None
            }
            for change in spec.site_changes
        ],
        "include_undecided": spec.include_undecided,
        "mip_relative_gap_frac": spec.mip_relative_gap_frac,
    }
    if spec.pareto is not None:
        data["pareto"] = [criterion.value for criterion in spec.pareto]
    if spec.time_limit_s is not None:
        data["time_limit_s"] = spec.time_limit_s
    return data


# --- what the optimiser answered ----------------------------------------------------------------


@dataclass(frozen=True)
class PlannedFlow:
    """One flow of a plan, with the names it had when the plan was made (a saved scenario is
    a record: the listings may change or go later)."""

    proposal_id: int
    stream_id: int
    need_id: int
    stream: str  # "Ferrochrome slag (Tornio works)"
    need: str
    producer: str
    receiver: str
    hub: str | None  # None: delivered directly
    modes: str  # "road", or one per leg through a hub: "rail+road"
    flow_t: float  # a year
    eur: float  # a year, net for all parties
    co2e_t: float  # a year, net avoided


@dataclass(frozen=True)
class ScenarioPlan:
    """One solve of a scenario: the plan for an objective, or one point of a Pareto front."""

    label: str  # e.g. "maximise co2e" or "Pareto point 2 of 5"
    status: str  # SolveStatus value
    termination: str  # TerminationCondition value
    message: str
    weights: Mapping[Criterion, float]
    floors: Mapping[Criterion, float]
    eur: float | None  # totals a year, hubs' fixed terms included; None without a plan
    co2e_t: float | None
    tonnes: float | None
    hubs_opened: tuple[str, ...]
    flows: tuple[PlannedFlow, ...]
    solver_name: str
    solver_version: str
    solver_options: Mapping[str, str | int | float | bool | None]
    runtime_s: float
    relative_gap_frac: float | None


@dataclass(frozen=True)
class ScenarioRun:
    spec: ScenarioSpec
    plans: tuple[ScenarioPlan, ...]
    left_out: tuple[str, ...]  # proposals and paths not in the model, and why
    created_at: datetime
    scenario_id: int | None = None


# --- comparing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowChange:
    stream: str
    need: str
    route: str  # "direct by road" or "via <hub> by rail+road"
    before_t: float
    after_t: float


def _best_plan(run: ScenarioRun) -> ScenarioPlan | None:
    plans = [plan for plan in run.plans if plan.eur is not None]
    return plans[0] if plans else None


def flow_changes(
    before: ScenarioRun, after: ScenarioRun, tolerance_t: float = 0.5
) -> list[FlowChange]:
    """How the first plan of `after` moves material differently from the first of `before`."""

    def keyed(run: ScenarioRun) -> dict[tuple[str, str, str], float]:
        plan = _best_plan(run)
        out: dict[tuple[str, str, str], float] = {}
        for flow in plan.flows if plan else ():
            route = f"via {flow.hub} by {flow.modes}" if flow.hub else f"direct by {flow.modes}"
            key = (flow.stream, flow.need, route)
            out[key] = out.get(key, 0.0) + flow.flow_t
        return out

    old, new = keyed(before), keyed(after)
    changes = []
    for key in sorted(set(old) | set(new)):
        before_t, after_t = old.get(key, 0.0), new.get(key, 0.0)
        if abs(after_t - before_t) > tolerance_t:
            stream, need, route = key
            changes.append(FlowChange(stream, need, route, before_t, after_t))
    return sorted(changes, key=lambda change: -abs(change.after_t - change.before_t))
