"""How the command line shows optimiser scenarios: plans, flows and comparisons (Rich)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from sidestream.domain.scenarios import ScenarioPlan, ScenarioRun
from sidestream.services.scenarios import ScenarioComparison

FLOWS_SHOWN = 30


def _money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _tonnes(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def _plans_table(plans: Sequence[ScenarioPlan]) -> Table:
    table = Table(show_header=True, title="Plans (totals a year, hubs' fixed terms included)")
    for column in ("plan", "status", "€ net", "t CO2e avoided", "t diverted", "hubs", "solver"):
        table.add_column(
            column, justify="left" if column in ("plan", "status", "hubs") else "right"
        )
    for plan in plans:
        gap = (
            "" if plan.relative_gap_frac is None else f", gap {100 * plan.relative_gap_frac:.2g} %"
        )
        table.add_row(
            plan.label,
            plan.status
            if not plan.message or plan.status == "optimal"
            else f"{plan.status}: {plan.message}",
            _money(plan.eur),
            _tonnes(plan.co2e_t),
            _tonnes(plan.tonnes),
            ", ".join(plan.hubs_opened) or "—",
            f"{plan.solver_name} {plan.solver_version}, {plan.runtime_s:.2f} s{gap}",
        )
    return table


def print_scenario_run(console: Console, run: ScenarioRun) -> None:
    spec = run.spec
    console.print(
        f"Scenario [bold]{spec.name}[/bold]: modes {', '.join(m.value for m in spec.modes)}; "
        f"{len(spec.hubs)} hubs; {len(spec.site_changes)} site changes"
        + (f"; minimum lot {spec.min_lot_t:,.0f} t" if spec.min_lot_t else "")
    )
    console.print(_plans_table(run.plans))
    shown = next((plan for plan in run.plans if plan.flows), None)
    if shown is not None:
        table = Table(show_header=True, title=f"Flows of '{shown.label}'")
        for column in ("proposal", "from", "to", "via", "modes", "t a year", "€", "t CO2e"):
            table.add_column(
                column, justify="right" if column in ("t a year", "€", "t CO2e") else "left"
            )
        for flow in shown.flows[:FLOWS_SHOWN]:
            table.add_row(
                str(flow.proposal_id),
                f"{flow.stream} ({flow.producer})",
                f"{flow.need} ({flow.receiver})",
                flow.hub or "direct",
                flow.modes,
                f"{flow.flow_t:,.0f}",
                _money(flow.eur),
                _tonnes(flow.co2e_t),
            )
        console.print(table)
        if len(shown.flows) > FLOWS_SHOWN:
            console.print(f"… and {len(shown.flows) - FLOWS_SHOWN} more flows")
    if run.left_out:
        console.print(f"{len(run.left_out)} left out of the model, e.g.:")
        for line in run.left_out[:5]:
            console.print(f"  {line}")


def print_scenario_list(console: Console, runs: Sequence[ScenarioRun]) -> None:
    if not runs:
        console.print("No saved scenarios.")
        return
    table = Table(show_header=True)
    for column in ("name", "saved", "plans", "first plan", "€ net", "t CO2e avoided"):
        table.add_column(column)
    for run in runs:
        first = run.plans[0] if run.plans else None
        table.add_row(
            run.spec.name,
            run.created_at.strftime("%Y-%m-%d %H:%M"),
            str(len(run.plans)),
            first.label if first else "—",
            _money(first.eur if first else None),
            _tonnes(first.co2e_t if first else None),
        )
    console.print(table)


def print_comparison(console: Console, comparison: ScenarioComparison) -> None:
    table = Table(show_header=True, title="Scenarios side by side (first plan of each)")
    table.add_column("")
    for run in comparison.runs:
        table.add_column(run.spec.name, justify="right")
    firsts = [run.plans[0] if run.plans else None for run in comparison.runs]
    rows = (
        ("objective", lambda p: p.label),
        ("status", lambda p: p.status),
        ("€ net a year", lambda p: _money(p.eur)),
        ("t CO2e avoided a year", lambda p: _tonnes(p.co2e_t)),
        ("t diverted a year", lambda p: _tonnes(p.tonnes)),
        ("flows", lambda p: str(len(p.flows))),
        ("hubs run", lambda p: ", ".join(p.hubs_opened) or "—"),
        ("solver", lambda p: f"{p.solver_name} {p.solver_version}"),
    )
    for label, cell in rows:
        table.add_row(label, *("—" if plan is None else cell(plan) for plan in firsts))
    console.print(table)
    for run, changes in zip(comparison.runs[1:], comparison.changes, strict=True):
        if not changes:
            console.print(f"{run.spec.name}: the same flows as {comparison.runs[0].spec.name}.")
            continue
        flows = Table(
            show_header=True,
            title=f"Flows that differ: {comparison.runs[0].spec.name} → {run.spec.name}",
        )
        for column in ("from", "to", "route", "t before", "t after"):
            flows.add_column(column, justify="right" if column.startswith("t ") else "left")
        for change in changes[:FLOWS_SHOWN]:
            flows.add_row(
                change.stream,
                change.need,
                change.route,
                f"{change.before_t:,.0f}",
                f"{change.after_t:,.0f}",
            )
        console.print(flows)
