"""Saved runs of the regional optimiser on SQLite and PostgreSQL: stored and loaded equal in every
field, replaced, deleted with their plans and flows, and compared."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from sidestream.adapters.db.repositories import SqlScenarioRepository
from sidestream.bootstrap.container import Container
from sidestream.domain.errors import Conflict, InvalidInput, NotFound
from sidestream.domain.network_design import Criterion
from sidestream.domain.scenarios import (
    HubSpec,
    ScenarioPlan,
    ScenarioRun,
    ScenarioSpec,
    flow_changes,
)
from sidestream.services.scenarios import (
    compare_scenario_runs,
    delete_scenario_run,
    get_scenario_run,
    list_scenario_runs,
    save_scenario_run,
)
from tests.unit.domain.test_scenarios import flow, full_spec, plan

CREATED_AT = datetime(2026, 11, 23, 15, 0, 0, 123456, tzinfo=UTC)
HELSINKI_WINTER = timezone(timedelta(hours=2))


def pareto_run(name: str = "Kemi rail siding — Pareto €/CO₂e") -> ScenarioRun:
    """Several plans (one without a solution), flows through a hub and direct, unicode names,
    awkward floats and solver options of every kind. The ids name no stored listing: a saved
    run refers to none."""
    points = tuple(
        replace(
            plan(
                (
                    flow("Ferrokromikuona (Röyttä works)", "Tienrakenne – Kemi", 1000.0 + index),
                    flow(
                        "Lentotuhka",
                        "Täyttö",
                        0.1 + 0.2,
                        hub="Tornio crushing station",
                        modes="rail+road",
                        proposal_id=2,
                    ),
                ),
                label=f"Pareto point {index + 1} of 3",
            ),
            weights={Criterion.EUR: 1.0 - index / 3, Criterion.CO2E: index / 3},
            floors={Criterion.TONNES: 1e-300} if index else {},
            eur=-1234.5678901234567,
            solver_options={
                "presolve": True,
                "parallel": False,
                "time_limit_s": None,
                "mip_rel_gap": 1e-4,
                "threads": 2,
                "method": "ipm",
            },
            relative_gap_frac=None if index == 2 else 3e-5,
        )
        for index in range(3)
    )
    unsolved = plan(solved=False, label="maximise tonnes")
    return ScenarioRun(
        spec=replace(full_spec(), name=name),
        plans=(*points, unsolved, plan(label="nothing moves")),
        left_out=("proposal 7: heat is not allocated yet", "proposal 9: expired 1.1.2026"),
        created_at=CREATED_AT,
    )


def simple_run(
    name: str, created_at: datetime = CREATED_AT, flow_t: float = 1000.0, via: str | None = None
) -> ScenarioRun:
    flows = (flow(flow_t=flow_t, hub=via, modes="rail+road" if via else "road"),)
    return ScenarioRun(
        spec=ScenarioSpec(name=name), plans=(plan(flows),), left_out=(), created_at=created_at
    )


def row_counts(container: Container) -> tuple[int, ...]:
    """Rows of scenarios, scenario_plans and scenario_flows."""
    with container.engine.connect() as connection:
        return tuple(
            connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("scenarios", "scenario_plans", "scenario_flows")
        )


def test_a_saved_run_loads_equal_in_every_field(container: Container) -> None:
    run = pareto_run()

    saved = save_scenario_run(container.unit_of_work, run)

    assert saved.scenario_id is not None
    assert saved == replace(run, scenario_id=saved.scenario_id)
    loaded = get_scenario_run(container.unit_of_work, run.spec.name)
    assert loaded == saved
    assert loaded.spec.hubs[0].capacity_t == math.inf
    assert loaded.plans[3].eur is None and loaded.plans[3].flows == ()
    assert loaded.plans[4].flows == () and loaded.plans[4].eur == 0
    options = loaded.plans[0].solver_options
    assert [type(options[key]) for key in ("presolve", "threads", "mip_rel_gap")] == [
        bool,
        int,
        float,
    ]
    assert options["time_limit_s"] is None
    assert loaded.created_at.utcoffset() == timedelta(0)
    assert row_counts(container) == (1, 5, 6)


def test_a_run_without_plans_and_a_moment_in_another_time_zone_load_equal(
    container: Container,
) -> None:
    moment = datetime(2026, 1, 15, 9, 30, 1, 5, tzinfo=HELSINKI_WINTER)
    run = ScenarioRun(spec=ScenarioSpec(name="tyhjä"), plans=(), left_out=(), created_at=moment)

    save_scenario_run(container.unit_of_work, run)

    loaded = get_scenario_run(container.unit_of_work, "tyhjä")
    assert loaded == replace(run, scenario_id=loaded.scenario_id)
    assert loaded.created_at == moment and loaded.created_at.hour == 7  # the same moment, in UTC


def test_a_saved_spec_loads_whatever_the_reference_data_now_holds(container: Container) -> None:
    retired = HubSpec(
        name="Old works",
        latitude_deg=65.0,
        longitude_deg=25.0,
        capacity_t=1.0,
        fixed_cost_eur=0.0,
        process_code="a_step_no_longer_listed",
        accepts_material_class_codes=("a_class_no_longer_listed",),
    )
    run = replace(simple_run("retired codes"), spec=ScenarioSpec(name="x", hubs=(retired,)))

    save_scenario_run(container.unit_of_work, run)

    assert get_scenario_run(container.unit_of_work, "x").spec.hubs == (retired,)


def test_runs_are_listed_oldest_first_then_by_name(container: Container) -> None:
    later = CREATED_AT + timedelta(microseconds=1)
    for name, moment in (("c", later), ("b", CREATED_AT), ("a", later)):
        save_scenario_run(container.unit_of_work, simple_run(name, moment))

    runs = list_scenario_runs(container.unit_of_work)

    assert [run.spec.name for run in runs] == ["b", "a", "c"]
    assert runs[0] == get_scenario_run(container.unit_of_work, "b")


def test_a_name_already_saved_is_a_conflict_and_the_stored_run_stays(
    container: Container,
) -> None:
    first = save_scenario_run(container.unit_of_work, pareto_run("kemi"))

    with pytest.raises(Conflict, match=r"^name: .*'kemi'"):
        save_scenario_run(container.unit_of_work, simple_run("kemi", flow_t=5.0))

    assert get_scenario_run(container.unit_of_work, "kemi") == first
    assert row_counts(container) == (1, 5, 6)


def test_replace_puts_the_new_run_in_place_of_the_old(container: Container) -> None:
    save_scenario_run(container.unit_of_work, pareto_run("kemi"))
    save_scenario_run(container.unit_of_work, simple_run("other"))
    newer = simple_run("kemi", CREATED_AT + timedelta(days=1), flow_t=5.0)

    saved = save_scenario_run(container.unit_of_work, newer, replace=True)

    assert saved == replace(newer, scenario_id=saved.scenario_id)
    assert get_scenario_run(container.unit_of_work, "kemi") == saved
    assert row_counts(container) == (2, 2, 2)  # the old plans and flows went with it
    assert [run.spec.name for run in list_scenario_runs(container.unit_of_work)] == [
        "other",
        "kemi",
    ]


def test_a_replace_that_fails_leaves_the_old_run(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = save_scenario_run(container.unit_of_work, pareto_run("kemi"))

    def fail(self: SqlScenarioRepository, run: ScenarioRun) -> ScenarioRun:
        raise Conflict("the disk is full")

    monkeypatch.setattr(SqlScenarioRepository, "add", fail)
    with pytest.raises(Conflict, match="disk"):
        save_scenario_run(container.unit_of_work, simple_run("kemi"), replace=True)

    assert get_scenario_run(container.unit_of_work, "kemi") == first  # one transaction
    assert row_counts(container) == (1, 5, 6)


def test_replace_of_a_name_not_saved_saves_it(container: Container) -> None:
    saved = save_scenario_run(container.unit_of_work, simple_run("new"), replace=True)
    assert list_scenario_runs(container.unit_of_work) == [saved]


def test_delete_takes_the_plans_and_flows_with_it(container: Container) -> None:
    save_scenario_run(container.unit_of_work, pareto_run("kemi"))
    kept = save_scenario_run(container.unit_of_work, simple_run("kept"))
    assert row_counts(container) == (2, 6, 7)

    delete_scenario_run(container.unit_of_work, "kemi")

    assert row_counts(container) == (1, 1, 1)
    assert list_scenario_runs(container.unit_of_work) == [kept]
    with pytest.raises(NotFound, match="kemi"):
        get_scenario_run(container.unit_of_work, "kemi")


def test_names_not_saved_are_not_found(container: Container) -> None:
    save_scenario_run(container.unit_of_work, simple_run("a"))
    with pytest.raises(NotFound, match="scenario 'missing'"):
        get_scenario_run(container.unit_of_work, "missing")
    with pytest.raises(NotFound, match="scenario 'missing'"):
        delete_scenario_run(container.unit_of_work, "missing")
    with pytest.raises(NotFound, match="scenario 'missing'"):
        compare_scenario_runs(container.unit_of_work, ["a", "missing"])
    assert row_counts(container) == (1, 1, 1)


def test_runs_that_cannot_load_again_are_not_saved(container: Container) -> None:
    naive = replace(simple_run("naive"), created_at=datetime(2026, 1, 1, 12, 0))
    padded = simple_run(" padded ")  # would read back as "padded"
    negative = replace(simple_run("x"), spec=ScenarioSpec(name="x", min_lot_t=-1.0))

    for run, field in ((naive, "created_at"), (padded, "spec"), (negative, "min_lot_t")):
        with pytest.raises(InvalidInput) as caught:
            save_scenario_run(container.unit_of_work, run)
        assert [error.field for error in caught.value.errors] == [field]
    assert row_counts(container) == (0, 0, 0)


def test_compare_gives_the_runs_in_the_order_asked_and_the_changes_from_the_first(
    container: Container,
) -> None:
    save_scenario_run(container.unit_of_work, simple_run("baseline", flow_t=1000.0))
    save_scenario_run(container.unit_of_work, simple_run("more", flow_t=1500.0))
    hub = save_scenario_run(container.unit_of_work, simple_run("hub", via="Tornio"))
    unsolved = ScenarioRun(
        spec=ScenarioSpec(name="unsolved"),
        plans=(plan(solved=False),),
        left_out=(),
        created_at=CREATED_AT,
    )
    save_scenario_run(container.unit_of_work, unsolved)

    comparison = compare_scenario_runs(
        container.unit_of_work, ["more", "baseline", "hub", "unsolved"]
    )

    assert [run.spec.name for run in comparison.runs] == ["more", "baseline", "hub", "unsolved"]
    assert comparison.runs[2] == hub
    baseline, via_hub, nothing = comparison.changes
    assert baseline == tuple(flow_changes(comparison.runs[0], comparison.runs[1]))
    assert [(c.route, c.before_t, c.after_t) for c in baseline] == [
        ("direct by road", 1500.0, 1000.0)
    ]
    assert [(c.route, c.before_t, c.after_t) for c in via_hub] == [
        ("direct by road", 1500.0, 0.0),
        ("via Tornio by rail+road", 0.0, 1000.0),
    ]
    assert [(c.route, c.before_t, c.after_t) for c in nothing] == [("direct by road", 1500.0, 0.0)]


@pytest.mark.parametrize("names", [[], ["a"], ["a", "a"], "ab", ["a", "b", "a"]], ids=repr)
def test_compare_needs_two_different_names(container: Container, names: list[str]) -> None:
    save_scenario_run(container.unit_of_work, simple_run("a"))
    save_scenario_run(container.unit_of_work, simple_run("b"))
    with pytest.raises(InvalidInput) as caught:
        compare_scenario_runs(container.unit_of_work, names)
    assert [error.field for error in caught.value.errors] == ["names"]


def test_a_plan_keeps_its_position_and_every_flow_its_order(container: Container) -> None:
    flows = tuple(
        flow(f"stream {index}", flow_t=float(index), proposal_id=index) for index in range(12)
    )
    plans = tuple(replace(plan(flows[index:]), label=f"plan {index}") for index in range(12))
    run = ScenarioRun(ScenarioSpec(name="order"), plans, ("b", "a"), CREATED_AT)

    save_scenario_run(container.unit_of_work, run)

    loaded = get_scenario_run(container.unit_of_work, "order")
    assert [p.label for p in loaded.plans] == [p.label for p in plans]
    assert loaded.plans == plans and loaded.left_out == ("b", "a")
    assert isinstance(loaded.plans[0], ScenarioPlan)
