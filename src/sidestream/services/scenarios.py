"""Use cases of saved scenarios: keep a run of the regional optimiser under its scenario's name,
list, load and delete saved runs, and compare how they move material. Each is one transaction.

A saved run is a historical record: it holds the names its flows had when the plan was made and
loads whatever has become of the listings and the reference data since.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sidestream.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from sidestream.domain.scenarios import (
    FlowChange,
    ScenarioRun,
    ScenarioSpec,
    flow_changes,
    scenario_from_mapping,
    scenario_to_mapping,
)
from sidestream.services.ports import UnitOfWorkFactory


@dataclass(frozen=True)
class ScenarioComparison:
    runs: tuple[ScenarioRun, ...]  # in the order asked
    # For each run after the first, how its plan moves material differently from the first's:
    # changes[i] is flow_changes(runs[0], runs[i + 1]).
    changes: tuple[tuple[FlowChange, ...], ...]


def _check_storable(run: ScenarioRun) -> None:
    """A run is stored only if it will load again: an aware timestamp, and a spec that reads
    back equal. The spec is read against the processing steps and material classes it names
    itself, as the repository reads it, so later changes of reference data cannot break it."""
    errors = []
    if run.created_at.tzinfo is None or run.created_at.utcoffset() is None:
        errors.append(FieldError("created_at", "must carry a time zone"))
    spec: ScenarioSpec = run.spec
    try:
        read_back = scenario_from_mapping(
            scenario_to_mapping(spec),
            [hub.process_code for hub in spec.hubs],
            [code for hub in spec.hubs for code in hub.accepts_material_class_codes],
        )
    except InvalidInput as error:
        errors.extend(error.errors)
    else:
        if read_back != spec:
            errors.append(FieldError("spec", "does not read back as it is; it cannot be saved"))
    if errors:
        raise InvalidInput(errors)


def save_scenario_run(
    unit_of_work: UnitOfWorkFactory, run: ScenarioRun, replace: bool = False
) -> ScenarioRun:
    """Store a run under its scenario's name; with replace, in place of a run of that name."""
    _check_storable(run)
    name = run.spec.name
    with unit_of_work() as uow:
        if uow.scenarios.get_by_name(name) is not None:
            if not replace:
                raise Conflict(f"name: a scenario named {name!r} is already saved")
            uow.scenarios.delete(name)
        saved = uow.scenarios.add(run)
        uow.commit()
    return saved


def list_scenario_runs(unit_of_work: UnitOfWorkFactory) -> list[ScenarioRun]:
    """Every saved run, oldest first."""
    with unit_of_work() as uow:
        return uow.scenarios.list_all()


def get_scenario_run(unit_of_work: UnitOfWorkFactory, name: str) -> ScenarioRun:
    with unit_of_work() as uow:
        run = uow.scenarios.get_by_name(name)
    if run is None:
        raise NotFound("scenario", name)
    return run


def delete_scenario_run(unit_of_work: UnitOfWorkFactory, name: str) -> None:
    """Remove a saved run with its plans and flows."""
    with unit_of_work() as uow:
        uow.scenarios.delete(name)
        uow.commit()


def compare_scenario_runs(
    unit_of_work: UnitOfWorkFactory, names: Sequence[str]
) -> ScenarioComparison:
    """The runs named, each after the first compared with the first."""
    if isinstance(names, str) or len(set(names)) < 2:
        raise InvalidInput.single("names", "name at least two different saved scenarios")
    if len(set(names)) < len(names):
        repeated = sorted({name for name in names if names.count(name) > 1})
        raise InvalidInput.single("names", f"name each scenario once (repeated: {repeated})")
    with unit_of_work() as uow:
        runs = []
        for name in names:
            run = uow.scenarios.get_by_name(name)
            if run is None:
                raise NotFound("scenario", name)
            runs.append(run)
    first = runs[0]
    return ScenarioComparison(
        runs=tuple(runs),
        changes=tuple(tuple(flow_changes(first, other)) for other in runs[1:]),
    )
