"""The impact report as a self-contained HTML page (inline styles, no scripts, printable to
PDF from any browser) and its summary and trace tables as CSV."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from sidestream.adapters.tabular.files import FileFormat, write_records
from sidestream.domain.impact import AMOUNT_OF_BASIS, UNITS, Grouping, Indicator
from sidestream.services.impact import (
    SUMMARY_COLUMNS,
    TRACE_COLUMNS,
    ImpactReport,
    summary_rows,
    trace_rows,
)
from sidestream.services.transfer import ExportRecord

HEADLINE = (
    Indicator.TONNES,
    Indicator.HEAT_MWH,
    Indicator.LANDFILL_DIVERTED,
    Indicator.CO2E_AVOIDED,
    Indicator.CO2E_TRANSPORT,
    Indicator.CO2E_PROCESSING,
    Indicator.NET_CO2E,
    Indicator.EUR_NET,
)
LABELS = {
    Indicator.TONNES: "Side streams put to use",
    Indicator.HEAT_MWH: "Waste heat put to use",
    Indicator.VOLUME_M3: "Volumes put to use",
    Indicator.LANDFILL_DIVERTED: "Diverted from landfill",
    Indicator.CO2E_AVOIDED: "CO2e avoided (virgin production replaced)",
    Indicator.CO2E_TRANSPORT: "CO2e added by transport",
    Indicator.CO2E_PROCESSING: "CO2e added by processing",
    Indicator.NET_CO2E: "CO2e reduced, net",
    Indicator.EUR_PRODUCER: "€ for producers",
    Indicator.EUR_RECEIVER: "€ for receivers",
    Indicator.EUR_NET: "€ for the parties together",
}
GROUP_COLUMNS = (Indicator.TONNES, Indicator.NET_CO2E, Indicator.EUR_NET)

_environment = Environment(
    loader=PackageLoader("sidestream.adapters.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _figure(value: float) -> str:
    magnitude = abs(value)
    return (
        f"{value:,.0f}"
        if magnitude >= 100
        else f"{value:,.2f}"
        if magnitude >= 1
        else f"{value:.3g}"
    )


def render_html(report: ImpactReport, confidential: bool) -> str:
    """The funder report; with `confidential`, also each organisation's and each synergy's
    figures, which only the centre's staff and the parties themselves may see."""
    sources = sorted(
        {source for impact in report.impacts for term in impact.trace for source in term.sources}
    )
    reasons = sorted(
        {
            f"{indicator.value}: {reason}"
            for impact in report.impacts
            for indicator, reason in impact.not_estimated.items()
        }
    )
    template = _environment.get_template("impact_report.html")
    return template.render(
        report=report,
        confidential=confidential,
        headline=HEADLINE,
        group_columns=GROUP_COLUMNS,
        labels=LABELS,
        units=UNITS,
        groupings=(Grouping.MUNICIPALITY, Grouping.YEAR)
        + ((Grouping.ORGANISATION,) if confidential else ()),
        figure=_figure,
        amount_of=AMOUNT_OF_BASIS,
        amounts=frozenset(AMOUNT_OF_BASIS.values()),
        net_co2e=Indicator.NET_CO2E,
        eur_net=Indicator.EUR_NET,
        sources=sources,
        reasons=reasons,
    )


def write_html(path: Path, report: ImpactReport, confidential: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    try:
        temporary.write_text(render_html(report, confidential), encoding="utf-8")
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    records = [ExportRecord(row, 0.0, 0.0) for row in rows]
    write_records(path, FileFormat.CSV, columns, records)


def write_summary_csv(path: Path, report: ImpactReport, confidential: bool) -> None:
    groupings = [Grouping.REGION, Grouping.MUNICIPALITY, Grouping.YEAR]
    if confidential:
        groupings.append(Grouping.ORGANISATION)
    _write_csv(path, SUMMARY_COLUMNS, summary_rows(report, groupings))


def write_trace_csv(path: Path, report: ImpactReport) -> None:
    _write_csv(path, TRACE_COLUMNS, trace_rows(report))
