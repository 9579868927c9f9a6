"""What the region's synergies achieve: impact accounting over stored proposals.

Agreed synergies (both parties accepted) are accounted by default; a facilitator may include
the proposals still open to see what the pipeline would add, or account only the synergies
confirmed realised, each at the quantity its parties agreed. Proposals that draw on the same
listing share it pro rata, so no total counts a tonne twice. Roll-ups per region,
municipality, organisation and year, and the indicators funders ask for, come with each
report; every figure keeps its calculation trace."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from sidestream.domain.impact import (
    DERIVED,
    TRACED,
    UNITS,
    AccountingSettings,
    FlowImpact,
    FlowInput,
    Grouping,
    ImpactFactors,
    Indicator,
    Leg,
    Totals,
    UncertainAmount,
    account,
    roll_up,
    share_listings,
)
from sidestream.domain.organisations import Organisation, SizeClass
from sidestream.domain.proposals import ProposalRecord, ProposalStatus
from sidestream.domain.reference import ReferenceData
from sidestream.domain.routes import KnowledgeBase, TransportModeName
from sidestream.domain.streams import Need, Quantity, SideStream
from sidestream.domain.synergies import Stage, Synergy
from sidestream.domain.units import QuantityUnit
from sidestream.services.ports import UnitOfWorkFactory


class Selection(StrEnum):
    AGREED = "agreed"  # both parties accepted
    PIPELINE = "pipeline"  # agreed and still proposed (not declined)
    PLAN = "plan"  # the flows of a saved optimiser plan
    REALISED = "realised"  # synergies a facilitator confirmed realised, at the agreed quantity


SCOPES = {
    Selection.AGREED: "agreed synergies (both parties accepted)",
    Selection.PIPELINE: "agreed and proposed synergies (the pipeline)",
    Selection.REALISED: "realised synergies",
}
STATUSES = {
    Selection.AGREED: {ProposalStatus.ACCEPTED},
    Selection.PIPELINE: {ProposalStatus.ACCEPTED, ProposalStatus.PROPOSED},
}


@dataclass(frozen=True)
class FunderIndicators:
    """The figures regional funders ask for, for the region as a whole."""

    synergies: int
    organisations_involved: int
    smes_involved: int  # micro, small and medium enterprises (Recommendation 2003/361/EC)
    totals: Totals


@dataclass(frozen=True)
class ImpactReport:
    selection: Selection
    scope: str  # what was accounted, in words
    settings: AccountingSettings
    generated_on: date
    impacts: tuple[FlowImpact, ...]
    left_out: tuple[str, ...]  # proposals not accounted, and why
    funder: FunderIndicators
    by: dict[Grouping, list[Totals]]


def _amount(key: str, quantity: Quantity) -> UncertainAmount:
    low, high = quantity.range
    return UncertainAmount(key, quantity.amount, low, high)


def _year(record: ProposalRecord, today: date) -> int:
    when = record.decided_at or record.created_at
    return when.year if when is not None else today.year


def flow_of_proposal(
    record: ProposalRecord,
    stream: SideStream,
    need: Need,
    organisations: dict[int, Organisation],
    reference: ReferenceData,
    knowledge: KnowledgeBase,
    today: date,
) -> FlowInput:
    proposal = record.proposal
    producer = organisations[stream.organisation_id]
    receiver = organisations[need.organisation_id]
    site = next(site for site in producer.sites if site.site_id == stream.site_id)
    found = reference.municipalities.get(site.municipality_code or "")
    municipality = found.name_fi if found is not None else "outside Finland"
    piped = QuantityUnit(stream.quantity.unit) is QuantityUnit.MWH_PER_YEAR
    return FlowInput(
        flow_key=f"proposal {record.proposal_id}",
        label=f"{stream.name} ({producer.name}) → {need.name} ({receiver.name})",
        basis=stream.quantity.unit.basis,
        supply=_amount(f"stream {stream.stream_id}", stream.quantity),
        demand=_amount(f"need {need.need_id}", need.quantity),
        legs=()
        if piped
        else (Leg(TransportModeName(proposal.transport_mode), proposal.distance_km),),
        route=knowledge.routes_by_id.get(proposal.route_id) if proposal.route_id else None,
        current_route=stream.management_route,
        is_hazardous=stream.is_hazardous,
        current_cost_eur_per_unit=stream.management_cost_eur_per_unit,
        price_eur_per_unit=stream.asking_price_eur_per_unit,
        willingness_to_pay_eur_per_unit=need.willingness_to_pay_eur_per_unit,
        need_replaces_virgin_material_code=need.replaces_virgin_material_code,
        producer_organisation=producer.name,
        receiver_organisation=receiver.name,
        municipality=municipality,
        year=_year(record, today),
    )


def _realised_flows(
    synergies: list[Synergy],
    records: dict[int | None, ProposalRecord],
    streams: dict[int | None, SideStream],
    needs: dict[int | None, Need],
    organisations: dict[int, Organisation],
    reference: ReferenceData,
    knowledge: KnowledgeBase,
    today: date,
) -> tuple[list[FlowInput], list[str]]:
    """Each realised synergy as a fixed flow of its agreed quantity, in the year it started.
    Its own key: what the parties agreed is counted exactly, not shared with other flows."""
    flows, left_out = [], []
    for synergy in synergies:
        agreement = synergy.agreement
        assert agreement is not None  # realised synergies carry their agreement
        record = records[synergy.proposal_id]
        stream = streams[record.proposal.stream_id]
        need = needs[record.proposal.need_id]
        if stream.quantity.unit.basis != agreement.unit:
            left_out.append(
                f"synergy {synergy.synergy_id}: agreed in {agreement.unit} but the stream is "
                f"now counted in {stream.quantity.unit.basis}"
            )
            continue
        key = f"synergy {synergy.synergy_id}"
        base = flow_of_proposal(record, stream, need, organisations, reference, knowledge, today)
        flows.append(
            replace(
                base,
                flow_key=key,
                supply=UncertainAmount.exact(key, agreement.quantity),
                demand=None,
                year=agreement.started_on.year,
            )
        )
    return flows, left_out


def _proposal_flows(
    records: list[ProposalRecord],
    streams: dict[int | None, SideStream],
    needs: dict[int | None, Need],
    organisations: dict[int, Organisation],
    reference: ReferenceData,
    knowledge: KnowledgeBase,
    today: date,
) -> tuple[list[FlowInput], list[str]]:
    flows, left_out = [], []
    for record in sorted(records, key=lambda record: record.proposal_id or 0):
        stream = streams[record.proposal.stream_id]
        need = needs[record.proposal.need_id]
        if stream.quantity.unit.basis != need.quantity.unit.basis:
            left_out.append(
                f"proposal {record.proposal_id}: the stream is counted in "
                f"{stream.quantity.unit.basis} and the need in {need.quantity.unit.basis}"
            )
            continue
        flows.append(
            flow_of_proposal(record, stream, need, organisations, reference, knowledge, today)
        )
    return flows, left_out


def account_proposals(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    knowledge: KnowledgeBase,
    factors: ImpactFactors,
    today: date,
    selection: Selection = Selection.AGREED,
    settings: AccountingSettings | None = None,
) -> ImpactReport:
    """Account the agreed proposals, the pipeline, or the realised synergies."""
    settings = settings or AccountingSettings()
    with unit_of_work() as uow:
        registry = uow.registry_snapshot()
    proposals = list(registry.proposals)
    realised = (
        [synergy for synergy in registry.synergies if synergy.stage is Stage.REALISED]
        if selection is Selection.REALISED
        else []
    )
    streams: dict[int | None, SideStream] = {s.stream_id: s for s in registry.streams}
    needs: dict[int | None, Need] = {n.need_id: n for n in registry.needs}
    organisations = dict(registry.organisations_by_id)
    if selection is Selection.REALISED:
        by_id = {record.proposal_id: record for record in proposals}
        flows, left_out = _realised_flows(
            realised, by_id, streams, needs, organisations, reference, knowledge, today
        )
    else:
        records = [record for record in proposals if record.status in STATUSES[selection]]
        flows, left_out = _proposal_flows(
            records, streams, needs, organisations, reference, knowledge, today
        )
    impacts = account(share_listings(flows), factors, settings)
    return build_report(
        impacts,
        organisations.values(),
        selection,
        SCOPES[selection],
        settings,
        today,
        tuple(left_out),
    )


def build_report(
    impacts: list[FlowImpact],
    organisations: Iterable[Organisation],
    selection: Selection,
    scope: str,
    settings: AccountingSettings,
    today: date,
    left_out: tuple[str, ...],
) -> ImpactReport:
    size_of = {organisation.name: organisation.size_class for organisation in organisations}
    by = {grouping: roll_up(impacts, grouping, settings.draws) for grouping in Grouping}
    region = by[Grouping.REGION][0] if impacts else Totals("region", 0, frozenset(), {}, {})
    smes = {SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM}
    funder = FunderIndicators(
        synergies=len(impacts),
        organisations_involved=len(region.organisations),
        smes_involved=sum(1 for name in region.organisations if size_of.get(name) in smes),
        totals=region,
    )
    return ImpactReport(selection, scope, settings, today, tuple(impacts), left_out, funder, by)


# --- tables for files and pages -----------------------------------------------------------------

SUMMARY_COLUMNS = (
    "grouping",
    "group",
    "indicator",
    "unit",
    "central",
    "p10",
    "p50",
    "p90",
    "flows_covered",
    "flows",
)
TRACE_COLUMNS = ("flow", "synergy", "indicator", "term", "expression", "value", "unit", "sources")


def _number(value: float) -> str:
    return f"{value:.6g}"


def summary_rows(report: ImpactReport, groupings: Iterable[Grouping]) -> list[dict[str, str]]:
    """One row per group and indicator: central figure, P10/P50/P90 and coverage."""
    rows = []
    for grouping in groupings:
        for totals in report.by[grouping]:
            for indicator, estimate in totals.estimates.items():
                rows.append(
                    {
                        "grouping": grouping.value,
                        "group": totals.key,
                        "indicator": indicator.value,
                        "unit": UNITS[indicator],
                        "central": _number(estimate.central),
                        "p10": _number(estimate.p10),
                        "p50": _number(estimate.p50),
                        "p90": _number(estimate.p90),
                        "flows_covered": str(totals.covered[indicator]),
                        "flows": str(totals.flow_count),
                    }
                )
    return rows


def trace_rows(report: ImpactReport) -> list[dict[str, str]]:
    """Every term of every flow, then each flow's indicator totals and what was not
    estimated: enough to redo each sum by hand."""
    rows = []
    for impact in report.impacts:
        flow = impact.flow
        for term in impact.trace:
            rows.append(
                {
                    "flow": flow.flow_key,
                    "synergy": flow.label,
                    "indicator": term.indicator.value,
                    "term": term.description,
                    "expression": term.expression,
                    "value": _number(term.value),
                    "unit": UNITS[term.indicator],
                    "sources": " | ".join(term.sources),
                }
            )
        for indicator, estimate in impact.estimates.items():
            rows.append(
                {
                    "flow": flow.flow_key,
                    "synergy": flow.label,
                    "indicator": indicator.value,
                    "term": "total",
                    "expression": _total_expression(indicator),
                    "value": _number(estimate.central),
                    "unit": UNITS[indicator],
                    "sources": "",
                }
            )
        for indicator, reason in impact.not_estimated.items():
            rows.append(
                {
                    "flow": flow.flow_key,
                    "synergy": flow.label,
                    "indicator": indicator.value,
                    "term": "not estimated",
                    "expression": reason,
                    "value": "",
                    "unit": UNITS[indicator],
                    "sources": "",
                }
            )
    return rows


def _total_expression(indicator: Indicator) -> str:
    parts = DERIVED.get(indicator)
    if parts is None:
        return "sum of the terms above" if indicator in TRACED else "amount exchanged"
    return " ".join(
        f"{'+' if sign > 0 else '−'} {part.value}" for part, sign in parts
    ).removeprefix("+ ")
