"""Impact accounting on hand-made factors, with every golden figure worked out in a comment."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sidestream.domain.errors import InvalidInput, ReferenceDataError
from sidestream.domain.impact import (
    REQUIRED_FACTORS,
    AccountingSettings,
    CitedValue,
    FlowInput,
    Grouping,
    ImpactFactors,
    Indicator,
    Leg,
    Party,
    ProcessStep,
    UncertainAmount,
    account,
    roll_up,
    share_listings,
)
from sidestream.domain.routes import RegulatoryPath, TransportModeName, ValorisationRoute
from sidestream.domain.streams import ManagementRoute

CENTRAL = {
    "road_vehicle_km_co2e_empty": 0.6,
    "road_vehicle_km_co2e_full": 1.2,
    "road_tkm_co2e_full": 0.04,  # payload 1.2 / 0.04 = 30 t
    "road_wtt_uplift": 0.2,
    "road_load_factor": 1.0,
    "road_empty_return_share": 1.0,
    "rail_tkm_co2e": 0.03,
    "sea_tkm_co2e": 0.01,
    "road_cost_eur_per_vehicle_km": 2.0,
    "rail_cost_eur_per_tkm": 0.05,
    "sea_cost_eur_per_tkm": 0.02,
    "transhipment_cost_eur_per_t": 3.0,
    "fi_waste_tax_eur_per_t": 80.0,
    "landfill_gate_fee_eur_per_t_non_hazardous": 50.0,
    "landfill_gate_fee_eur_per_t_hazardous": 150.0,
    "fi_electricity_co2e_kg_per_kwh": 0.1,
    "diesel_co2e_kg_per_litre": 2.7,
    "fi_electricity_price_eur_per_kwh": 0.1,
    "diesel_price_eur_per_litre": 1.5,
}


def cited(factor_id: str, value: float, spread: float = 0.0) -> CitedValue:
    return CitedValue(
        factor_id, value, value * (1 - spread), value * (1 + spread), "u", "test source", "test"
    )


def make_factors(spread: float = 0.0, **overrides: float) -> ImpactFactors:
    values = CENTRAL | overrides
    crushing = ProcessStep(
        "crushing_screening",
        "Crushing and screening",
        electricity_kwh_per_unit=cited("e", 2.0, spread),
        diesel_l_per_unit=cited("d", 0.5, spread),
        other_co2e_kg_per_unit=cited("o", 0.0),
        cost_eur_per_unit=cited("c", 3.0, spread),
    )
    none = ProcessStep(
        "none", "None", cited("e0", 0), cited("d0", 0), cited("o0", 0), cited("c0", 0)
    )
    return ImpactFactors(
        factors={name: cited(name, value, spread) for name, value in values.items()},
        processes={"none": none, "crushing_screening": crushing},
        route_processes={"slag_aggregate": "crushing_screening"},
        virgin_co2e_t_per_unit={"crushed_aggregate": cited("virgin", 0.005, spread)},
        virgin_prices_eur_per_unit={"crushed_aggregate": cited("price", 10.0, spread)},
    )


ROUTE = ValorisationRoute(
    route_id="slag_aggregate",
    name="Slag as road aggregate",
    description="",
    input_material_class_codes=("slag",),
    product="aggregate",
    replaces_virgin_material_code="crushed_aggregate",
    substitution_ratio=1.0,
    receiving_nace_codes=("42.11",),
    trl=9,
    regulatory_path=RegulatoryPath.MARA_NOTIFICATION,
    permit_notes="",
    requirements=(),
    sources=("route source",),
    source_urls=(),
)


def make_flow(**changes: object) -> FlowInput:
    flow = FlowInput(
        flow_key="proposal 1",
        label="slag → road",
        basis="t",
        supply=UncertainAmount.exact("stream 1", 1000.0),
        demand=UncertainAmount.exact("need 1", 5000.0),
        legs=(Leg(TransportModeName.ROAD, 50.0),),
        route=ROUTE,
        current_route=ManagementRoute.LANDFILL,
        is_hazardous=False,
        current_cost_eur_per_unit=40.0,
        price_eur_per_unit=None,
        willingness_to_pay_eur_per_unit=None,
        need_replaces_virgin_material_code=None,
        producer_organisation="Producer Oy",
        receiver_organisation="Receiver Oy",
        municipality="Tornio",
        year=2026,
    )
    return replace(flow, **changes)  # type: ignore[arg-type]


EXACT = AccountingSettings(draws=200)


def central(flow: FlowInput, factors: ImpactFactors | None = None, **settings: object) -> dict:
    options = replace(EXACT, **settings)  # type: ignore[arg-type]
    impact = account([flow], factors or make_factors(), options)[0]
    return {indicator: estimate.central for indicator, estimate in impact.estimates.items()}


def test_golden_road_flow() -> None:
    figures = central(make_flow())
    # 1000 t at 30 t per truck: 33.33 trips × 50 km = 1666.67 laden vehicle-km,
    # laden at 1.2 kg/km, empty return at 0.6 kg/km, both × 1.2 for well-to-tank:
    # 1666.67 × 1.2 × 1.2 / 1000 = 2.4 t and 1666.67 × 0.6 × 1.2 / 1000 = 1.2 t.
    assert figures[Indicator.CO2E_TRANSPORT] == pytest.approx(3.6)
    # 1000 t × 1.0 × 0.005 t CO2e/t
    assert figures[Indicator.CO2E_AVOIDED] == pytest.approx(5.0)
    # crushing: 1000 t × (2 kWh × 0.1 + 0.5 l × 2.7 + 0) kg / 1000
    assert figures[Indicator.CO2E_PROCESSING] == pytest.approx(1.55)
    assert figures[Indicator.NET_CO2E] == pytest.approx(5.0 - 3.6 - 1.55)
    assert figures[Indicator.LANDFILL_DIVERTED] == pytest.approx(1000.0)
    # the producer no longer pays its stated 40 EUR/t; nothing is charged for the slag
    assert figures[Indicator.EUR_PRODUCER] == pytest.approx(40_000.0)
    # receiver: 10 EUR/t aggregate not bought, 3333.33 vehicle-km × 2 EUR freight,
    # crushing 1000 t × (3 + 2 × 0.1 + 0.5 × 1.5) EUR
    assert figures[Indicator.EUR_RECEIVER] == pytest.approx(10_000 - 6666.667 - 3950, abs=0.01)
    assert figures[Indicator.EUR_NET] == pytest.approx(40_000 + 10_000 - 6666.667 - 3950, abs=0.01)
    assert figures[Indicator.TONNES] == 1000.0 and figures[Indicator.HEAT_MWH] == 0.0


def test_trace_terms_add_up_to_each_indicator_and_cite_their_factors() -> None:
    impact = account([make_flow()], make_factors(), EXACT)[0]
    for indicator in (Indicator.CO2E_TRANSPORT, Indicator.EUR_RECEIVER, Indicator.EUR_PRODUCER):
        terms = [term for term in impact.trace if term.indicator is indicator]
        assert terms
        assert sum(term.value for term in terms) == pytest.approx(
            impact.estimates[indicator].central
        )
    laden = next(term for term in impact.trace if term.description.endswith("laden"))
    assert "30 t payload" in laden.expression and "1666.67" in laden.expression.replace(",", "")
    assert any(
        source.startswith("road_vehicle_km_co2e_full: test source") for source in laden.sources
    )
    stated = next(term for term in impact.trace if "current route" in term.description)
    assert stated.sources == ("cost of the current route: stated in the stream's listing",)


def test_freight_follows_the_party_that_pays_it() -> None:
    by_receiver = central(make_flow())
    by_producer = central(make_flow(), freight_paid_by=Party.PRODUCER)
    assert by_producer[Indicator.EUR_PRODUCER] == pytest.approx(40_000 - 6666.667, abs=0.01)
    assert by_producer[Indicator.EUR_NET] == pytest.approx(by_receiver[Indicator.EUR_NET])


def test_rail_leg_counts_tonne_km_and_handling_at_both_ends() -> None:
    figures = central(make_flow(legs=(Leg(TransportModeName.RAIL, 200.0),)))
    # 1000 t × 200 km × 0.03 kg/tkm = 6 t; freight 200,000 tkm × 0.05 + 2 × 1000 t × 3 EUR
    assert figures[Indicator.CO2E_TRANSPORT] == pytest.approx(6.0)
    assert figures[Indicator.EUR_RECEIVER] == pytest.approx(10_000 - 16_000 - 3950)


def test_a_half_loaded_truck_makes_more_trips_at_a_lower_rate_per_km() -> None:
    half = central(make_flow(), make_factors(road_load_factor=0.5))
    # 66.67 trips × 50 km = 3333.33 laden km at 0.6 + 0.6 × 0.5 = 0.9 kg/km, empty back at 0.6
    expected = (3333.333 * 0.9 + 3333.333 * 0.6) * 1.2 / 1000
    assert half[Indicator.CO2E_TRANSPORT] == pytest.approx(expected, rel=1e-6)


def test_landfilled_stream_without_a_stated_cost_uses_the_cited_gate_fee_and_tax() -> None:
    plain = central(make_flow(current_cost_eur_per_unit=None))
    hazardous = central(make_flow(current_cost_eur_per_unit=None, is_hazardous=True))
    assert plain[Indicator.EUR_PRODUCER] == pytest.approx(1000 * (50 + 80))
    assert hazardous[Indicator.EUR_PRODUCER] == pytest.approx(1000 * (150 + 80))


def test_missing_factors_are_reported_not_counted_as_zero() -> None:
    impact = account(
        [make_flow(route=None, willingness_to_pay_eur_per_unit=None)], make_factors(), EXACT
    )[0]
    assert Indicator.CO2E_AVOIDED in impact.not_estimated
    assert Indicator.NET_CO2E in impact.not_estimated
    assert "no valorisation route" in impact.not_estimated[Indicator.NET_CO2E]
    assert "no valorisation route" in impact.not_estimated[Indicator.EUR_RECEIVER]
    assert Indicator.CO2E_TRANSPORT in impact.estimates
    stocked = make_flow(current_route=ManagementRoute.STOCKPILE, current_cost_eur_per_unit=None)
    impact = account([stocked], make_factors(), EXACT)[0]
    assert "stockpile" in impact.not_estimated[Indicator.EUR_PRODUCER]
    assert Indicator.EUR_NET in impact.not_estimated
    assert impact.estimates[Indicator.LANDFILL_DIVERTED].central == 0.0


def test_volumes_cannot_be_hauled_without_a_density() -> None:
    impact = account([make_flow(basis="m3")], make_factors(), EXACT)[0]
    assert "density" in impact.not_estimated[Indicator.CO2E_TRANSPORT]
    assert Indicator.NET_CO2E in impact.not_estimated
    assert Indicator.LANDFILL_DIVERTED in impact.not_estimated


def test_piped_heat_has_no_haulage() -> None:
    figures = central(make_flow(basis="MWh", legs=(), current_route=ManagementRoute.DISCHARGED))
    assert figures[Indicator.CO2E_TRANSPORT] == 0.0
    assert figures[Indicator.LANDFILL_DIVERTED] == 0.0


def test_certain_inputs_give_equal_percentiles() -> None:
    estimate = account([make_flow()], make_factors(), EXACT)[0].estimates[Indicator.NET_CO2E]
    assert estimate.p10 == pytest.approx(estimate.central)
    assert estimate.p90 == pytest.approx(estimate.central)


def test_ranges_spread_the_percentiles_reproducibly() -> None:
    flow = make_flow(supply=UncertainAmount("stream 1", 1000.0, 600.0, 1400.0))
    first = account([flow], make_factors(spread=0.3), EXACT)[0]
    again = account([flow], make_factors(spread=0.3), EXACT)[0]
    avoided = first.estimates[Indicator.CO2E_AVOIDED]
    assert avoided.p10 < avoided.p50 < avoided.p90
    assert avoided.p10 < avoided.central < avoided.p90
    assert avoided == again.estimates[Indicator.CO2E_AVOIDED]
    amounts = first.draws[Indicator.TONNES]
    assert amounts.min() >= 600.0 and amounts.max() <= 1400.0


def test_amount_is_the_smaller_of_supply_and_demand_in_every_draw() -> None:
    flow = make_flow(
        supply=UncertainAmount("stream 1", 1000.0, 800.0, 1200.0),
        demand=UncertainAmount("need 1", 900.0, 700.0, 1100.0),
    )
    impact = account([flow], make_factors(), EXACT)[0]
    assert impact.estimates[Indicator.TONNES].central == 900.0
    assert impact.draws[Indicator.TONNES].max() <= 1100.0


def test_a_factor_drawn_once_is_shared_by_every_flow() -> None:
    flows = [make_flow(), make_flow(flow_key="proposal 2")]
    first, second = account(flows, make_factors(spread=0.3), EXACT)
    assert np.array_equal(first.draws[Indicator.CO2E_AVOIDED], second.draws[Indicator.CO2E_AVOIDED])


def test_organisation_totals_count_only_their_own_side_of_the_money() -> None:
    flows = [
        make_flow(),
        make_flow(
            flow_key="proposal 2",
            producer_organisation="Receiver Oy",
            receiver_organisation="Third Oy",
            municipality="Kemi",
        ),
    ]
    impacts = account(flows, make_factors(), EXACT)
    by_org = {totals.key: totals for totals in roll_up(impacts, Grouping.ORGANISATION, EXACT.draws)}
    one = impacts[0].estimates
    receiver = by_org["Receiver Oy"]
    assert receiver.flow_count == 2
    assert receiver.estimates[Indicator.EUR_NET].central == pytest.approx(
        one[Indicator.EUR_RECEIVER].central + one[Indicator.EUR_PRODUCER].central
    )
    assert by_org["Producer Oy"].estimates[Indicator.EUR_NET].central == pytest.approx(
        one[Indicator.EUR_PRODUCER].central
    )
    (region,) = roll_up(impacts, Grouping.REGION, EXACT.draws)
    assert region.estimates[Indicator.NET_CO2E].central == pytest.approx(
        2 * one[Indicator.NET_CO2E].central
    )
    assert region.organisations == {"Producer Oy", "Receiver Oy", "Third Oy"}
    by_place = {
        totals.key: totals.flow_count
        for totals in roll_up(impacts, Grouping.MUNICIPALITY, EXACT.draws)
    }
    assert by_place == {"Kemi": 1, "Tornio": 1}


def test_totals_say_how_many_flows_an_indicator_covers() -> None:
    impacts = account([make_flow(), make_flow(flow_key="p2", route=None)], make_factors(), EXACT)
    (region,) = roll_up(impacts, Grouping.REGION, EXACT.draws)
    assert region.covered[Indicator.NET_CO2E] == 1
    assert region.covered[Indicator.CO2E_TRANSPORT] == 2


def test_factors_must_be_complete() -> None:
    factors = make_factors()
    incomplete = dict(factors.factors)
    del incomplete[REQUIRED_FACTORS[0]]
    with pytest.raises(ReferenceDataError, match=REQUIRED_FACTORS[0]):
        replace(factors, factors=incomplete)
    with pytest.raises(ReferenceDataError, match="unknown processing"):
        replace(factors, route_processes={"slag_aggregate": "smelting"})


@settings(max_examples=40, deadline=None)
@given(
    amount=st.floats(1.0, 1e6),
    distance=st.floats(0.0, 2000.0),
    scale=st.floats(0.1, 10.0),
    mode=st.sampled_from(list(TransportModeName)),
)
def test_every_indicator_is_linear_in_the_amount(
    amount: float, distance: float, scale: float, mode: TransportModeName
) -> None:
    def figures(tonnes: float) -> dict:
        return central(
            make_flow(
                supply=UncertainAmount.exact("s", tonnes),
                demand=None,
                legs=(Leg(mode, distance),),
            )
        )

    base, scaled = figures(amount), figures(amount * scale)
    for indicator, value in base.items():
        # terms that cancel leave rounding noise of the order of the amounts × 1e-15
        assert scaled[indicator] == pytest.approx(value * scale, rel=1e-9, abs=1e-6)


def test_without_a_route_the_need_names_the_material_replaced_one_for_one() -> None:
    impact = account(
        [make_flow(route=None, need_replaces_virgin_material_code="crushed_aggregate")],
        make_factors(),
        EXACT,
    )[0]
    # 1000 t × 1 (assumed) × 0.005 t CO2e/t; 1000 t × 1 × 10 EUR/t not bought
    assert impact.estimates[Indicator.CO2E_AVOIDED].central == pytest.approx(5.0)
    term = next(t for t in impact.trace if t.indicator is Indicator.CO2E_AVOIDED)
    assert any("one for one assumed" in source for source in term.sources)
    # used as delivered: no route, so no processing step
    assert impact.estimates[Indicator.CO2E_PROCESSING].central == 0.0


def test_a_hub_step_is_added_to_the_routes_own_step_and_never_done_twice() -> None:
    crushing = 1000 * (2 * 0.1 + 0.5 * 2.7) / 1000  # t CO2e, as in the golden case
    same = central(make_flow(hub_process_code="crushing_screening"))
    assert same[Indicator.CO2E_PROCESSING] == pytest.approx(crushing)
    plain = central(make_flow(route=None, hub_process_code="crushing_screening"))
    assert plain[Indicator.CO2E_PROCESSING] == pytest.approx(crushing)
    factors = make_factors()
    other = replace(factors.processes["crushing_screening"], process_code="drying", name="Drying")
    both = make_factors()
    both = replace(both, processes={**both.processes, "drying": other})
    twice = central(make_flow(hub_process_code="drying"), both)
    assert twice[Indicator.CO2E_PROCESSING] == pytest.approx(2 * crushing)


def test_flows_sharing_a_listing_get_their_share_of_it() -> None:
    # One 1000 t stream agreed with two needs of 800 t and 600 t: together they would take
    # 1400 t, so each gets 1000/1400 of its 800 or 600 t (571.4 + 428.6 = 1000 t).
    flows = [
        make_flow(demand=UncertainAmount.exact("need 1", 800.0)),
        make_flow(flow_key="proposal 2", demand=UncertainAmount.exact("need 2", 600.0)),
        make_flow(
            flow_key="proposal 3",
            supply=UncertainAmount.exact("stream 9", 50.0),
            demand=UncertainAmount.exact("need 3", 60.0),
        ),
    ]
    shared = share_listings(flows)
    impacts = account(shared, make_factors(), EXACT)
    tonnes = [impact.estimates[Indicator.TONNES].central for impact in impacts]
    assert tonnes == pytest.approx([800 * 1000 / 1400, 600 * 1000 / 1400, 50.0])
    assert shared[2] is flows[2]
    term = next(t for t in impacts[0].trace if t.indicator is Indicator.TONNES)
    assert "share" in term.expression and term.value == pytest.approx(tonnes[0])
    with pytest.raises(InvalidInput, match="share"):
        make_flow(share=0.0)
