"""How `sidestream screen` prints a stream's screening: per rule set, each parameter's verdict
with the result, the test it comes from, the limit, its unit and its source, why a result does
not count where it does not, and the disclaimer."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sidestream.domain.regulation import DISCLAIMER, Verdict
from sidestream.services.screening import StreamScreening

VERDICT_STYLE = {Verdict.WITHIN: "green", Verdict.EXCEEDS: "bold red", Verdict.MISSING: "yellow"}


def _figure(value: float) -> str:
    return f"{value:,.4g}"


def print_screening(console: Console, screened: StreamScreening) -> None:
    console.print(f"[bold]{escape(screened.stream_name)}[/bold] (stream {screened.stream_id})")
    for record in screened.statuses:
        decision = (
            f", {record.decision_reference} ({record.authority})"
            if record.decision_reference
            else ""
        )
        until = f", valid until {record.valid_until}" if record.valid_until else ""
        console.print(
            escape(
                f"Status for {record.use}: {record.status.value.replace('_', ' ')} "
                f"({record.legal_basis}{decision}; decided {record.decided_on}{until})"
            )
        )
    for screening in screened.screenings:
        rule_set = screening.rule_set
        verdict = screening.verdict
        table = Table(
            title=(
                f"{escape(rule_set.name)}: [{VERDICT_STYLE[verdict]}]{verdict.value}"
                f"[/{VERDICT_STYLE[verdict]}]"
            ),
            title_justify="left",
            caption=escape(f"{rule_set.legal_source}; {rule_set.source_locator}"),
            caption_justify="left",
        )
        columns = ("parameter", "basis", "verdict", "result", "test", "limit", "unit", "× limit")
        for column in columns:
            table.add_column(column, justify="right" if column in ("result", "limit") else "left")
        reasons = []
        for parameter in screening.parameters:
            limit, result = parameter.limit, parameter.result
            shown = "—"
            if result is not None and parameter.value_in_limit_unit is not None:
                below = "<" if result.is_below_detection else ""
                shown = f"{below}{_figure(parameter.value_in_limit_unit)}"
            share = parameter.share_of_limit
            method = parameter.test_method
            table.add_row(
                limit.parameter_code,
                limit.basis.label,
                f"[{VERDICT_STYLE[parameter.verdict]}]{parameter.verdict.value}[/]",
                shown,
                method.label if method is not None else "",
                _figure(limit.limit_value) + ("" if limit.is_verified else " (unverified)"),
                limit.unit,
                "" if share is None else f"{share:.2f}",
            )
            if parameter.reason is not None:
                reasons.append(f"{limit.parameter_code} ({limit.basis.label}): {parameter.reason}")
        console.print(table)
        for reason in reasons:
            console.print(escape(reason))
    if screened.path is not None:
        console.print(f"[bold]Regulatory path of {escape(screened.path.route_id)}[/bold]")
        for step in screened.path.steps:
            style = "green" if not step.is_open else "yellow"
            sources = "; ".join(kind.legal_source for kind in step.requirements)
            console.print(
                f"[{style}]{escape(str(step.sentence))}[/{style}]"
                + (f" ({escape(sources)})" if sources else "")
            )
    console.print(f"[italic]{DISCLAIMER}[/italic]")
