"""Saved optimiser runs for those who may read them: facilitators and administrators.

A plan names the flows between companies, with their tonnes and euros, whatever each listing's
visibility: it is the centre's working material, not something a member or the public reads.
"""

from __future__ import annotations

from sidestream.domain.accounts import Principal
from sidestream.domain.errors import Forbidden
from sidestream.domain.scenarios import ScenarioRun
from sidestream.services.ports import UnitOfWorkFactory
from sidestream.services.scenarios import (
    ScenarioComparison,
    compare_scenario_runs,
    get_scenario_run,
    list_scenario_runs,
)


def _refuse_unless_overseer(reader: Principal) -> None:
    if not reader.oversees_registry:
        raise Forbidden(
            "saved scenarios name confidential flows: facilitators and administrators only"
        )


def read_scenario_runs(unit_of_work: UnitOfWorkFactory, reader: Principal) -> list[ScenarioRun]:
    """Every saved run, oldest first."""
    _refuse_unless_overseer(reader)
    return list_scenario_runs(unit_of_work)


def read_scenario_run(unit_of_work: UnitOfWorkFactory, reader: Principal, name: str) -> ScenarioRun:
    """The run saved under the name; NotFound when there is none."""
    _refuse_unless_overseer(reader)
    return get_scenario_run(unit_of_work, name)


def compare_saved_scenarios(
    unit_of_work: UnitOfWorkFactory, reader: Principal, names: list[str]
) -> ScenarioComparison:
    """The runs named, each after the first compared with the first."""
    _refuse_unless_overseer(reader)
    return compare_scenario_runs(unit_of_work, names)
