"""How `sidestream screen` prints a stream's screening: per rule set, each parameter's verdict
with the result, the limit, its unit and its source, and the disclaimer."""

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
        for column in ("parameter", "basis", "verdict", "result", "limit", "unit", "× limit"):
            table.add_column(column, justify="right" if column in ("result", "limit") else "left")
        for parameter in screening.parameters:
            limit, result = parameter.limit, parameter.result
            shown = "—"
            if result is not None and parameter.value_in_limit_unit is not None:
                below = "<" if result.is_below_detection else ""
                shown = f"{below}{_figure(parameter.value_in_limit_unit)}"
            share = parameter.share_of_limit
            table.add_row(
                limit.parameter_code,
                limit.basis.label,
                f"[{VERDICT_STYLE[parameter.verdict]}]{parameter.verdict.value}[/]",
                shown,
                _figure(limit.limit_value) + ("" if limit.is_verified else " (unverified)"),
                limit.unit,
                "" if share is None else f"{share:.2f}",
            )
        console.print(table)
    console.print(f"[italic]{DISCLAIMER}[/italic]")
