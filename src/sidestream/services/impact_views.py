"""The impact report (services.impact) as one reader may see it.

- Facilitators and administrators see everything: every roll-up, every flow with the
  companies' names, and what was left out.
- Everyone else sees the region's, municipalities' and years' physical figures (tonnes, MWh,
  m3, CO2e, landfill diverted) but no euro figure there: with few synergies in a municipality
  or a year, a € total is one company's business figure. Members also see the rows of their
  own organisations, € included.
- The pipeline (proposals nobody has accepted yet) is for facilitators and administrators:
  an open proposal is known to the parties and the centre only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sidestream.domain.accounts import Principal
from sidestream.domain.errors import Forbidden, InvalidInput
from sidestream.domain.impact import (
    UNITS,
    Estimate,
    Grouping,
    ImpactFactors,
    Indicator,
    Totals,
)
from sidestream.domain.reference import ReferenceData
from sidestream.domain.routes import KnowledgeBase
from sidestream.services.impact import ImpactReport, Selection, account_proposals
from sidestream.services.ports import UnitOfWorkFactory

EURO_INDICATORS = frozenset({Indicator.EUR_PRODUCER, Indicator.EUR_RECEIVER, Indicator.EUR_NET})
PUBLIC_GROUPINGS = (Grouping.REGION, Grouping.MUNICIPALITY, Grouping.YEAR)
READABLE_SELECTIONS = (Selection.AGREED, Selection.PIPELINE, Selection.REALISED)


@dataclass(frozen=True)
class TotalsRow:
    """One indicator of one group: its central figure and P10/P50/P90, and how many of the
    group's flows it covers."""

    grouping: Grouping
    group: str
    indicator: Indicator
    unit: str
    estimate: Estimate
    flows_covered: int
    flow_count: int


@dataclass(frozen=True)
class FlowRow:
    """One accounted flow with the companies' names: facilitators and administrators only."""

    flow_key: str
    label: str
    basis: str  # t, MWh or m3
    producer_organisation: str
    receiver_organisation: str
    municipality: str
    year: int
    estimates: dict[Indicator, Estimate]
    not_estimated: dict[Indicator, str]


@dataclass(frozen=True)
class ImpactView:
    selection: Selection
    scope: str
    generated_on: date
    synergy_count: int
    organisations_involved: int
    smes_involved: int
    totals: tuple[TotalsRow, ...]
    flows: tuple[FlowRow, ...]  # empty unless the reader oversees the registry
    left_out: tuple[str, ...]  # the reasons: to facilitators and administrators only
    left_out_count: int
    is_complete: bool  # False when figures were withheld from this reader


def _rows(
    grouping: Grouping, totals: Totals, indicators_shown: frozenset[Indicator] | None
) -> list[TotalsRow]:
    return [
        TotalsRow(
            grouping=grouping,
            group=totals.key,
            indicator=indicator,
            unit=UNITS[indicator],
            estimate=estimate,
            flows_covered=totals.covered[indicator],
            flow_count=totals.flow_count,
        )
        for indicator, estimate in totals.estimates.items()
        if indicators_shown is None or indicator in indicators_shown
    ]


def _flow_rows(report: ImpactReport) -> tuple[FlowRow, ...]:
    return tuple(
        FlowRow(
            flow_key=impact.flow.flow_key,
            label=impact.flow.label,
            basis=impact.flow.basis,
            producer_organisation=impact.flow.producer_organisation,
            receiver_organisation=impact.flow.receiver_organisation,
            municipality=impact.flow.municipality,
            year=impact.flow.year,
            estimates=dict(impact.estimates),
            not_estimated=dict(impact.not_estimated),
        )
        for impact in report.impacts
    )


def _own_organisation_names(unit_of_work: UnitOfWorkFactory, reader: Principal) -> set[str]:
    if not reader.organisation_ids:
        return set()
    with unit_of_work() as uow:
        found = [uow.organisations.get(key) for key in reader.organisation_ids]
    return {organisation.name for organisation in found if organisation is not None}


def impact_for_reader(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    knowledge: KnowledgeBase,
    factors: ImpactFactors,
    reader: Principal,
    today: date,
    selection: Selection = Selection.AGREED,
) -> ImpactView:
    """Account the selection and keep what the reader may see (see the module)."""
    if selection not in READABLE_SELECTIONS:
        raise InvalidInput.single(
            "selection", f"{selection.value!r}: a plan's impact is read with its saved scenario"
        )
    if selection is Selection.PIPELINE and not reader.oversees_registry:
        raise Forbidden(
            "the pipeline includes proposals nobody has accepted yet: facilitators and "
            "administrators only"
        )
    report = account_proposals(unit_of_work, reference, knowledge, factors, today, selection)
    public_indicators = frozenset(Indicator) - EURO_INDICATORS
    rows: list[TotalsRow] = []
    if reader.oversees_registry:
        for grouping in Grouping:
            for totals in report.by[grouping]:
                rows.extend(_rows(grouping, totals, None))
    else:
        for grouping in PUBLIC_GROUPINGS:
            for totals in report.by[grouping]:
                rows.extend(_rows(grouping, totals, public_indicators))
        own = _own_organisation_names(unit_of_work, reader)
        for totals in report.by[Grouping.ORGANISATION]:
            if totals.key in own:
                rows.extend(_rows(Grouping.ORGANISATION, totals, None))
    full = reader.oversees_registry
    funder = report.funder
    return ImpactView(
        selection=report.selection,
        scope=report.scope,
        generated_on=report.generated_on,
        synergy_count=funder.synergies,
        organisations_involved=funder.organisations_involved,
        smes_involved=funder.smes_involved,
        totals=tuple(rows),
        flows=_flow_rows(report) if full else (),
        left_out=report.left_out if full else (),
        left_out_count=len(report.left_out),
        is_complete=full,
    )
