"""Impact accounting: what a synergy achieves, term by term, with every factor's source.

A flow is so many tonnes (or MWh) of a side stream delivered to a need over one or more
transport legs and used by a valorisation route. It is accounted in indicators: CO2e avoided
(virgin production replaced), CO2e added by transport and by processing, tonnes diverted from
landfill, and € for the producer and for the receiver. Each indicator is a sum of terms and
each term is one line of arithmetic with its numbers and sources, so that a reader can redo
it by hand. An indicator that cannot be estimated (no factor, no stated cost, volumes without
a density) is reported as not estimated with the reason, never as a silent zero.

Uncertainty: every factor has a low, central and high value and a listing may give its
quantity as a range. Monte Carlo draws (triangular, with the central value as mode) give
P10/P50/P90. One draw of a factor is shared by every flow, because a factor that is off is
off for all of them; quantities vary per listing. The central figures and the draws come from
the same function (NumPy broadcasting), so the trace and the percentiles cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from sidestream.domain.errors import InvalidInput, ReferenceDataError
from sidestream.domain.routes import TransportModeName, ValorisationRoute
from sidestream.domain.streams import ManagementRoute

FloatArray = npt.NDArray[np.float64]
Number = float | FloatArray

DEFAULT_DRAWS = 2000
PERCENTILES = (10.0, 50.0, 90.0)


class Indicator(StrEnum):
    TONNES = "tonnes_t"  # exchanged, of flows counted in tonnes
    HEAT_MWH = "heat_mwh"  # exchanged, of heat flows
    VOLUME_M3 = "volume_m3"  # exchanged, of flows counted in cubic metres
    CO2E_AVOIDED = "co2e_avoided_t"  # virgin production replaced
    CO2E_TRANSPORT = "co2e_transport_t"  # added by hauling
    CO2E_PROCESSING = "co2e_processing_t"  # added by making the product
    NET_CO2E = "net_co2e_t"  # avoided minus added
    LANDFILL_DIVERTED = "landfill_diverted_t"
    EUR_PRODUCER = "eur_producer"
    EUR_RECEIVER = "eur_receiver"
    EUR_NET = "eur_net"  # both parties; the price paid between them cancels out


AMOUNT_OF_BASIS = {"t": Indicator.TONNES, "MWh": Indicator.HEAT_MWH, "m3": Indicator.VOLUME_M3}
UNITS = {
    Indicator.TONNES: "t",
    Indicator.HEAT_MWH: "MWh",
    Indicator.VOLUME_M3: "m3",
    Indicator.CO2E_AVOIDED: "t CO2e",
    Indicator.CO2E_TRANSPORT: "t CO2e",
    Indicator.CO2E_PROCESSING: "t CO2e",
    Indicator.NET_CO2E: "t CO2e",
    Indicator.LANDFILL_DIVERTED: "t",
    Indicator.EUR_PRODUCER: "EUR",
    Indicator.EUR_RECEIVER: "EUR",
    Indicator.EUR_NET: "EUR",
}
# Indicators made of traced terms; the other three are sums of these.
TRACED = (
    Indicator.CO2E_AVOIDED,
    Indicator.CO2E_TRANSPORT,
    Indicator.CO2E_PROCESSING,
    Indicator.LANDFILL_DIVERTED,
    Indicator.EUR_PRODUCER,
    Indicator.EUR_RECEIVER,
)
DERIVED = {
    Indicator.NET_CO2E: (
        (Indicator.CO2E_AVOIDED, 1.0),
        (Indicator.CO2E_TRANSPORT, -1.0),
        (Indicator.CO2E_PROCESSING, -1.0),
    ),
    Indicator.EUR_NET: ((Indicator.EUR_PRODUCER, 1.0), (Indicator.EUR_RECEIVER, 1.0)),
}


class Party(StrEnum):
    PRODUCER = "producer"
    RECEIVER = "receiver"


PARTY_INDICATOR = {Party.PRODUCER: Indicator.EUR_PRODUCER, Party.RECEIVER: Indicator.EUR_RECEIVER}


# --- cited factors ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CitedValue:
    """One number from the shipped data, with its plausible range and where it comes from."""

    factor_id: str
    value: float
    low: float
    high: float
    unit: str
    source: str
    verification: str

    @property
    def is_uncertain(self) -> bool:
        return self.low < self.high


@dataclass(frozen=True)
class ProcessStep:
    """What turning a tonne (or MWh) of side stream into the product takes."""

    process_code: str
    name: str
    electricity_kwh_per_unit: CitedValue
    diesel_l_per_unit: CitedValue
    other_co2e_kg_per_unit: CitedValue  # e.g. an alkali activator's production emissions
    cost_eur_per_unit: CitedValue  # excluding the energy, which is costed separately


# The factors impact accounting reads by name from reference/impact_factors.csv.
REQUIRED_FACTORS = (
    "road_vehicle_km_co2e_empty",
    "road_vehicle_km_co2e_full",
    "road_tkm_co2e_full",
    "road_wtt_uplift",
    "road_load_factor",
    "road_empty_return_share",
    "rail_tkm_co2e",
    "sea_tkm_co2e",
    "road_cost_eur_per_vehicle_km",
    "rail_cost_eur_per_tkm",
    "sea_cost_eur_per_tkm",
    "transhipment_cost_eur_per_t",
    "fi_waste_tax_eur_per_t",
    "landfill_gate_fee_eur_per_t_non_hazardous",
    "landfill_gate_fee_eur_per_t_hazardous",
    "fi_electricity_co2e_kg_per_kwh",
    "diesel_co2e_kg_per_litre",
    "fi_electricity_price_eur_per_kwh",
    "diesel_price_eur_per_litre",
)


@dataclass(frozen=True)
class ImpactFactors:
    factors: Mapping[str, CitedValue]
    processes: Mapping[str, ProcessStep]
    route_processes: Mapping[str, str]  # route_id -> process_code
    virgin_co2e_t_per_unit: Mapping[str, CitedValue]  # cradle-to-gate, per t or MWh
    virgin_prices_eur_per_unit: Mapping[str, CitedValue]

    def __post_init__(self) -> None:
        missing = [name for name in REQUIRED_FACTORS if name not in self.factors]
        if missing:
            raise ReferenceDataError(f"impact factors missing: {', '.join(missing)}")
        if "none" not in self.processes:
            raise ReferenceDataError("processing steps must include 'none'")
        unknown = sorted(set(self.route_processes.values()) - set(self.processes))
        if unknown:
            raise ReferenceDataError(f"routes name unknown processing steps: {unknown}")

    def __getitem__(self, factor_id: str) -> CitedValue:
        return self.factors[factor_id]


# --- what is accounted --------------------------------------------------------------------------


@dataclass(frozen=True)
class UncertainAmount:
    """A quantity stated as a central value, possibly with a range. Amounts with the same key
    are the same listing and are drawn together."""

    key: str
    central: float
    low: float
    high: float

    @classmethod
    def exact(cls, key: str, amount: float) -> UncertainAmount:
        return cls(key, amount, amount, amount)


@dataclass(frozen=True)
class Leg:
    mode: TransportModeName
    distance_km: float  # along the network, circuity included


@dataclass(frozen=True)
class FlowInput:
    """One synergy's flow and everything accounting needs to know about it."""

    flow_key: str  # e.g. "proposal 12"
    label: str  # e.g. "Ferrochrome slag (Tornio) → Mine road base (Kittilä)"
    basis: str  # t, MWh or m3: the unit of the amounts
    supply: UncertainAmount
    demand: UncertainAmount | None  # None when the flow is fixed (e.g. a plan's flow)
    legs: tuple[Leg, ...]  # empty for piped heat
    route: ValorisationRoute | None
    current_route: ManagementRoute
    is_hazardous: bool
    current_cost_eur_per_unit: float | None  # the producer's stated cost of its current route
    price_eur_per_unit: float | None  # asking price, paid by the receiver to the producer
    willingness_to_pay_eur_per_unit: float | None
    need_replaces_virgin_material_code: str | None  # stands in when there is no route
    # Who the flow counts for in roll-ups.
    producer_organisation: str
    receiver_organisation: str
    municipality: str  # of the producing site
    year: int
    # Processing at a hub on the way, before the route's own step; a step the route needs
    # anyway is then done once, at the hub.
    hub_process_code: str | None = None
    # The fraction of the smaller of supply and demand this flow gets, when several flows
    # draw on one listing and together would take more than it has.
    share: float = 1.0

    def __post_init__(self) -> None:
        if self.basis not in AMOUNT_OF_BASIS:
            raise InvalidInput.single("basis", f"{self.basis!r} is not one of t, MWh, m3")
        if not 0.0 < self.share <= 1.0:
            raise InvalidInput.single("share", f"{self.share} is not a fraction in (0, 1]")


def share_listings(flows: Sequence[FlowInput]) -> list[FlowInput]:
    """Flows that together would take more than a listing has (a stream agreed with two
    needs, each for the smaller of the two quantities) are scaled down pro rata, so that no
    stream gives and no need takes more than its central quantity."""
    wanted: dict[str, float] = {}
    for flow in flows:
        amount = _central_amount(flow)
        for key in _listing_keys(flow):
            wanted[key] = wanted.get(key, 0.0) + amount
    capacity = {flow.supply.key: flow.supply.central for flow in flows}
    capacity.update({flow.demand.key: flow.demand.central for flow in flows if flow.demand})
    shared = []
    for flow in flows:
        share = min(
            (min(1.0, capacity[key] / wanted[key]) for key in _listing_keys(flow) if wanted[key]),
            default=1.0,
        )
        shared.append(flow if share >= 1.0 else replace(flow, share=flow.share * share))
    return shared


def _central_amount(flow: FlowInput) -> float:
    amount = flow.supply.central
    if flow.demand is not None:
        amount = min(amount, flow.demand.central)
    return amount * flow.share


def _listing_keys(flow: FlowInput) -> tuple[str, ...]:
    return (flow.supply.key,) + ((flow.demand.key,) if flow.demand is not None else ())


@dataclass(frozen=True)
class AccountingSettings:
    freight_paid_by: Party = Party.RECEIVER  # deliveries ex works unless agreed otherwise
    draws: int = DEFAULT_DRAWS
    seed: int = 20261123


@dataclass(frozen=True)
class TraceTerm:
    indicator: Indicator
    description: str
    expression: str  # the arithmetic with its numbers, e.g. "200 t × 0.5 × 0.0046 t CO2e/t"
    value: float  # the signed contribution to the indicator
    sources: tuple[str, ...]  # factor id: source (verification), one per factor used


@dataclass(frozen=True)
class Estimate:
    central: float
    p10: float
    p50: float
    p90: float

    @classmethod
    def of(cls, central: float, draws: FloatArray) -> Estimate:
        p10, p50, p90 = (float(v) for v in np.percentile(draws, PERCENTILES))
        return cls(float(central), p10, p50, p90)


@dataclass(frozen=True)
class FlowImpact:
    flow: FlowInput
    estimates: Mapping[Indicator, Estimate]  # indicators that could be estimated
    not_estimated: Mapping[Indicator, str]  # the others, with the reason
    trace: tuple[TraceTerm, ...]
    draws: Mapping[Indicator, FloatArray] = field(repr=False)


# --- the arithmetic -----------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:,.6g}"


class _Values:
    """Hands out factor values: central numbers for the trace, or shared Monte Carlo draws."""

    def __init__(
        self, draws: int | None, rng: np.random.Generator | None, trace: bool = True
    ) -> None:
        self.draws = draws
        self._trace = trace
        self._rng = rng
        self._cache: dict[str, Number] = {}

    @property
    def tracing(self) -> bool:
        return self.draws is None and self._trace

    def _triangular(self, key: str, low: float, mode: float, high: float) -> Number:
        if self.draws is None:
            return mode
        cached = self._cache.get(key)
        if cached is None:
            assert self._rng is not None
            cached = (
                np.full(self.draws, mode)
                if low >= high
                else self._rng.triangular(low, mode, high, self.draws)
            )
            self._cache[key] = cached
        return cached

    def factor(self, value: CitedValue) -> Number:
        return self._triangular(f"factor:{value.factor_id}", value.low, value.value, value.high)

    def amount(self, amount: UncertainAmount) -> Number:
        return self._triangular(f"amount:{amount.key}", amount.low, amount.central, amount.high)


def _source(value: CitedValue) -> str:
    return f"{value.factor_id}: {value.source} ({value.verification})"


@dataclass
class _Ledger:
    """Collects the terms of one flow; in draw mode only the sums are kept."""

    values: _Values
    sums: dict[Indicator, Number] = field(default_factory=dict)
    missing: dict[Indicator, str] = field(default_factory=dict)
    terms: list[TraceTerm] = field(default_factory=list)

    def add(
        self,
        indicator: Indicator,
        value: Number,
        description: str,
        expression: Callable[[], str],
        used: Iterable[CitedValue] = (),
        stated: Iterable[str] = (),
    ) -> None:
        self.sums[indicator] = self.sums.get(indicator, 0.0) + value
        if self.values.tracing:
            self.terms.append(
                TraceTerm(
                    indicator,
                    description,
                    expression(),
                    float(value),
                    tuple(_source(factor) for factor in used) + tuple(stated),
                )
            )

    def cannot(self, indicator: Indicator, reason: str) -> None:
        self.missing.setdefault(indicator, reason)


def _account_flow(
    flow: FlowInput, factors: ImpactFactors, settings: AccountingSettings, values: _Values
) -> _Ledger:
    ledger = _Ledger(values)
    amount: Number = values.amount(flow.supply)
    if flow.demand is not None:
        amount = np.minimum(amount, values.amount(flow.demand))
    if flow.share < 1.0:
        amount = amount * flow.share
    for indicator in AMOUNT_OF_BASIS.values():
        ledger.sums[indicator] = 0.0
    _exchanged(flow, amount, ledger)
    _avoided_production(flow, factors, amount, ledger)
    _landfill(flow, factors, amount, ledger)
    _transport(flow, factors, settings, amount, ledger)
    _processing(flow, factors, amount, ledger)
    _price(flow, amount, ledger)
    for indicator in TRACED:
        ledger.sums.setdefault(indicator, 0.0)
    return ledger


@dataclass(frozen=True)
class _Replacement:
    """Which virgin material a flow replaces, how much of it per unit, and on whose word."""

    material: str
    ratio: float
    what: str  # the use, for the trace
    basis: str  # where the ratio comes from


def _replacement(flow: FlowInput) -> _Replacement | None:
    route = flow.route
    if route is not None:
        return _Replacement(
            route.replaces_virgin_material_code,
            route.substitution_ratio,
            route.name,
            f"substitution ratio: {route.sources[0]}",
        )
    if flow.need_replaces_virgin_material_code is not None:
        return _Replacement(
            flow.need_replaces_virgin_material_code,
            1.0,
            "as the need's listing states",
            "substitution ratio: one for one assumed; the need's listing names the material "
            "it replaces and no valorisation route gives a ratio",
        )
    return None


def _exchanged(flow: FlowInput, amount: Number, ledger: _Ledger) -> None:
    def expression() -> str:
        offered = f"{_fmt(flow.supply.central)} {flow.basis} offered"
        text = (
            f"min({offered}, {_fmt(flow.demand.central)} {flow.basis} needed)"
            if flow.demand is not None
            else offered
        )
        if flow.share < 1.0:
            text += f" × {_fmt(flow.share)} share"
        return f"{text} = {_fmt(float(amount))} {flow.basis}"

    ledger.add(
        AMOUNT_OF_BASIS[flow.basis],
        amount,
        "exchanged"
        + (
            ": the listing's synergies together exceed its quantity, so each gets its share"
            if flow.share < 1.0
            else ""
        ),
        expression,
        stated=("quantities: stated in the listings (or chosen by the plan)",),
    )


def _avoided_production(
    flow: FlowInput, factors: ImpactFactors, amount: Number, ledger: _Ledger
) -> None:
    values = ledger.values
    replaced = _replacement(flow)
    if replaced is None:
        reason = "no valorisation route and no material replaced named by the need"
        ledger.cannot(Indicator.CO2E_AVOIDED, reason)
        if flow.willingness_to_pay_eur_per_unit is None:
            ledger.cannot(Indicator.EUR_RECEIVER, reason)
        else:
            _willingness(flow, amount, ledger)
        return
    ratio = replaced.ratio
    virgin = factors.virgin_co2e_t_per_unit.get(replaced.material)
    if virgin is None:
        ledger.cannot(Indicator.CO2E_AVOIDED, f"no cited emission factor for {replaced.material}")
    else:
        ledger.add(
            Indicator.CO2E_AVOIDED,
            amount * ratio * values.factor(virgin),
            f"{replaced.material} production replaced ({replaced.what})",
            lambda: (
                f"{_fmt(float(amount))} {flow.basis} × {_fmt(ratio)} (substitution ratio) × "
                f"{_fmt(virgin.value)} {virgin.unit}"
            ),
            used=(virgin,),
            stated=(replaced.basis,),
        )
    price = factors.virgin_prices_eur_per_unit.get(replaced.material)
    if price is not None:
        ledger.add(
            Indicator.EUR_RECEIVER,
            amount * ratio * values.factor(price),
            f"{replaced.material} purchase avoided",
            lambda: (
                f"{_fmt(float(amount))} {flow.basis} × {_fmt(ratio)} (substitution ratio) × "
                f"{_fmt(price.value)} {price.unit}"
            ),
            used=(price,),
            stated=(replaced.basis,),
        )
    elif flow.willingness_to_pay_eur_per_unit is not None:
        _willingness(flow, amount, ledger)
    else:
        ledger.cannot(
            Indicator.EUR_RECEIVER,
            f"no cited price of {replaced.material} and no stated willingness to pay",
        )


def _willingness(flow: FlowInput, amount: Number, ledger: _Ledger) -> None:
    willingness = flow.willingness_to_pay_eur_per_unit
    assert willingness is not None
    ledger.add(
        Indicator.EUR_RECEIVER,
        amount * willingness,
        "value to the receiver (no cited price of a material replaced; the receiver's "
        "stated willingness to pay stands in)",
        lambda: f"{_fmt(float(amount))} {flow.basis} × {_fmt(willingness)} EUR/{flow.basis}",
        stated=("willingness to pay: stated in the need's listing",),
    )


def _landfill(flow: FlowInput, factors: ImpactFactors, amount: Number, ledger: _Ledger) -> None:
    values = ledger.values
    if flow.current_route is not ManagementRoute.LANDFILL:
        ledger.add(
            Indicator.LANDFILL_DIVERTED,
            0.0,
            f"not landfilled today (current route: {flow.current_route.value})",
            lambda: "0 t",
        )
    elif flow.basis != "t":
        ledger.cannot(Indicator.LANDFILL_DIVERTED, f"amount is in {flow.basis}, not tonnes")
    else:
        ledger.add(
            Indicator.LANDFILL_DIVERTED,
            amount,
            "landfilled today, delivered instead",
            lambda: f"{_fmt(float(amount))} t",
            stated=("current route: stated in the stream's listing",),
        )
    if flow.current_cost_eur_per_unit is not None:
        cost = flow.current_cost_eur_per_unit
        ledger.add(
            Indicator.EUR_PRODUCER,
            amount * cost,
            f"cost of the current route ({flow.current_route.value}) avoided",
            lambda: f"{_fmt(float(amount))} {flow.basis} × {_fmt(cost)} EUR/{flow.basis}",
            stated=("cost of the current route: stated in the stream's listing",),
        )
    elif flow.current_route is ManagementRoute.LANDFILL and flow.basis == "t":
        fee = factors[
            "landfill_gate_fee_eur_per_t_hazardous"
            if flow.is_hazardous
            else "landfill_gate_fee_eur_per_t_non_hazardous"
        ]
        tax = factors["fi_waste_tax_eur_per_t"]
        ledger.add(
            Indicator.EUR_PRODUCER,
            amount * (values.factor(fee) + values.factor(tax)),
            "landfill gate fee and waste tax avoided (no cost stated in the listing: "
            "typical values stand in)",
            lambda: (
                f"{_fmt(float(amount))} t × ({_fmt(fee.value)} {fee.unit} + "
                f"{_fmt(tax.value)} {tax.unit})"
            ),
            used=(fee, tax),
        )
    else:
        ledger.cannot(
            Indicator.EUR_PRODUCER,
            f"the cost of the current route ({flow.current_route.value}) is not stated",
        )


def _transport(
    flow: FlowInput,
    factors: ImpactFactors,
    settings: AccountingSettings,
    amount: Number,
    ledger: _Ledger,
) -> None:
    payer = PARTY_INDICATOR[settings.freight_paid_by]
    if not flow.legs:
        ledger.add(
            Indicator.CO2E_TRANSPORT,
            0.0,
            "piped or delivered on site: no haulage",
            lambda: "0 t CO2e",
        )
        return
    if flow.basis != "t":
        reason = f"hauling {flow.basis} needs a density, which the listing does not give"
        ledger.cannot(Indicator.CO2E_TRANSPORT, reason)
        ledger.cannot(payer, reason)
        return
    for number, leg in enumerate(flow.legs, start=1):
        where = f"leg {number} by {leg.mode.value}, {_fmt(leg.distance_km)} km"
        if leg.mode is TransportModeName.ROAD:
            _road_leg(factors, amount, leg, where, payer, ledger)
        else:
            _tonne_km_leg(factors, amount, leg, where, payer, ledger)


def _road_leg(
    factors: ImpactFactors,
    amount: Number,
    leg: Leg,
    where: str,
    payer: Indicator,
    ledger: _Ledger,
) -> None:
    """A truck carries payload × load factor per trip and drives part of the way back empty.
    Per vehicle-km emissions vary linearly between the empty and the full truck (DEFRA's
    per-km factors); the payload follows from DEFRA's full-truck per-km and per-tkm factors."""
    v = ledger.values
    empty, full, full_tkm = (
        factors["road_vehicle_km_co2e_empty"],
        factors["road_vehicle_km_co2e_full"],
        factors["road_tkm_co2e_full"],
    )
    wtt, load, back = (
        factors["road_wtt_uplift"],
        factors["road_load_factor"],
        factors["road_empty_return_share"],
    )
    cost = factors["road_cost_eur_per_vehicle_km"]
    # The payload is a property of the truck, not an uncertain emission: drawing the per-km
    # and per-tkm factors apart would make it meaningless, so it comes from central values.
    payload_t = full.value / full_tkm.value
    laden_km = amount / (payload_t * v.factor(load)) * leg.distance_km
    empty_km = laden_km * v.factor(back)
    laden_kg_per_km = v.factor(empty) + (v.factor(full) - v.factor(empty)) * v.factor(load)
    uplift = 1.0 + v.factor(wtt)

    def vehicle_km_text() -> str:
        return (
            f"{_fmt(float(amount))} t ÷ ({_fmt(full.value)} {full.unit} ÷ {_fmt(full_tkm.value)} "
            f"{full_tkm.unit} = {_fmt(float(payload_t))} t payload × {_fmt(load.value)} load "
            f"factor) × {_fmt(leg.distance_km)} km = {_fmt(float(laden_km))} laden vehicle-km"
        )

    ledger.add(
        Indicator.CO2E_TRANSPORT,
        laden_km * laden_kg_per_km * uplift / 1000.0,
        f"{where}, laden",
        lambda: (
            f"{vehicle_km_text()} × ({_fmt(empty.value)} + ({_fmt(full.value)} − "
            f"{_fmt(empty.value)}) × {_fmt(load.value)}) kg CO2e/vehicle-km × "
            f"(1 + {_fmt(wtt.value)} well-to-tank) ÷ 1000"
        ),
        used=(full, full_tkm, empty, load, wtt),
    )
    ledger.add(
        Indicator.CO2E_TRANSPORT,
        empty_km * v.factor(empty) * uplift / 1000.0,
        f"{where}, empty return",
        lambda: (
            f"{_fmt(float(laden_km))} laden vehicle-km × {_fmt(back.value)} driven back empty × "
            f"{_fmt(empty.value)} kg CO2e/vehicle-km × (1 + {_fmt(wtt.value)}) ÷ 1000"
        ),
        used=(back, empty, wtt),
    )
    ledger.add(
        payer,
        -(laden_km + empty_km) * v.factor(cost),
        f"{where}, freight",
        lambda: (
            f"−({_fmt(float(laden_km))} + {_fmt(float(empty_km))}) vehicle-km × "
            f"{_fmt(cost.value)} {cost.unit}"
        ),
        used=(cost,),
    )


def _tonne_km_leg(
    factors: ImpactFactors,
    amount: Number,
    leg: Leg,
    where: str,
    payer: Indicator,
    ledger: _Ledger,
) -> None:
    """Rail and sea factors are averages per tonne-km over typical loads and empty running."""
    v = ledger.values
    mode = leg.mode.value
    co2e = factors[f"{mode}_tkm_co2e"]
    cost = factors[f"{mode}_cost_eur_per_tkm"]
    handling = factors["transhipment_cost_eur_per_t"]
    tonne_km = amount * leg.distance_km
    ledger.add(
        Indicator.CO2E_TRANSPORT,
        tonne_km * v.factor(co2e) / 1000.0,
        where,
        lambda: (
            f"{_fmt(float(amount))} t × {_fmt(leg.distance_km)} km × {_fmt(co2e.value)} "
            f"{co2e.unit} ÷ 1000"
        ),
        used=(co2e,),
    )
    ledger.add(
        payer,
        -(tonne_km * v.factor(cost) + 2 * amount * v.factor(handling)),
        f"{where}, freight with loading and unloading",
        lambda: (
            f"−({_fmt(float(amount))} t × {_fmt(leg.distance_km)} km × {_fmt(cost.value)} "
            f"{cost.unit} + 2 × {_fmt(float(amount))} t × {_fmt(handling.value)} {handling.unit})"
        ),
        used=(cost, handling),
    )


def _processing(flow: FlowInput, factors: ImpactFactors, amount: Number, ledger: _Ledger) -> None:
    route_code = factors.route_processes.get(flow.route.route_id, "none") if flow.route else "none"
    codes = [code for code in (flow.hub_process_code, route_code) if code and code != "none"]
    if not codes:
        ledger.add(Indicator.CO2E_PROCESSING, 0.0, "used as delivered: no processing", lambda: "0")
        return
    for code in dict.fromkeys(codes):
        _processing_step(flow, factors, factors.processes[code], amount, ledger)


def _processing_step(
    flow: FlowInput, factors: ImpactFactors, step: ProcessStep, amount: Number, ledger: _Ledger
) -> None:
    v = ledger.values
    electricity, diesel, other = (
        step.electricity_kwh_per_unit,
        step.diesel_l_per_unit,
        step.other_co2e_kg_per_unit,
    )
    grid, fuel = factors["fi_electricity_co2e_kg_per_kwh"], factors["diesel_co2e_kg_per_litre"]
    power_price, fuel_price = (
        factors["fi_electricity_price_eur_per_kwh"],
        factors["diesel_price_eur_per_litre"],
    )
    ledger.add(
        Indicator.CO2E_PROCESSING,
        amount
        * (
            v.factor(electricity) * v.factor(grid)
            + v.factor(diesel) * v.factor(fuel)
            + v.factor(other)
        )
        / 1000.0,
        f"{step.name}: electricity, diesel and other inputs",
        lambda: (
            f"{_fmt(float(amount))} {flow.basis} × ({_fmt(electricity.value)} kWh × "
            f"{_fmt(grid.value)} {grid.unit} + {_fmt(diesel.value)} l × {_fmt(fuel.value)} "
            f"{fuel.unit} + {_fmt(other.value)} kg CO2e) ÷ 1000"
        ),
        used=(electricity, grid, diesel, fuel, other),
    )
    ledger.add(
        Indicator.EUR_RECEIVER,
        -amount
        * (
            v.factor(step.cost_eur_per_unit)
            + v.factor(electricity) * v.factor(power_price)
            + v.factor(diesel) * v.factor(fuel_price)
        ),
        f"{step.name}: operating cost and energy (borne by the receiver)",
        lambda: (
            f"−{_fmt(float(amount))} {flow.basis} × ({_fmt(step.cost_eur_per_unit.value)} EUR + "
            f"{_fmt(electricity.value)} kWh × {_fmt(power_price.value)} {power_price.unit} + "
            f"{_fmt(diesel.value)} l × {_fmt(fuel_price.value)} {fuel_price.unit})"
        ),
        used=(step.cost_eur_per_unit, electricity, power_price, diesel, fuel_price),
    )


def _price(flow: FlowInput, amount: Number, ledger: _Ledger) -> None:
    price = flow.price_eur_per_unit
    if price is None:
        ledger.add(
            Indicator.EUR_PRODUCER,
            0.0,
            "no asking price stated: delivered free of charge",
            lambda: "0 EUR",
        )
        return
    ledger.add(
        Indicator.EUR_PRODUCER,
        amount * price,
        "price received",
        lambda: f"{_fmt(float(amount))} {flow.basis} × {_fmt(price)} EUR/{flow.basis}",
        stated=("asking price: stated in the stream's listing",),
    )
    ledger.add(
        Indicator.EUR_RECEIVER,
        -amount * price,
        "price paid",
        lambda: f"−{_fmt(float(amount))} {flow.basis} × {_fmt(price)} EUR/{flow.basis}",
        stated=("asking price: stated in the stream's listing",),
    )


# --- many flows ---------------------------------------------------------------------------------


def _with_derived(
    sums: Mapping[Indicator, Number], missing: Mapping[Indicator, str]
) -> dict[Indicator, Number]:
    out = dict(sums)
    for derived, parts in DERIVED.items():
        if any(part in missing for part, _ in parts):
            continue
        out[derived] = sum((sign * sums[part] for part, sign in parts), start=0.0)
    return out


def _missing_with_derived(missing: Mapping[Indicator, str]) -> dict[Indicator, str]:
    out = dict(missing)
    for derived, parts in DERIVED.items():
        reasons = [missing[part] for part, _ in parts if part in missing]
        if reasons:
            out[derived] = reasons[0]
    return out


def central_figures(
    flow: FlowInput, factors: ImpactFactors, settings: AccountingSettings
) -> tuple[dict[Indicator, float], dict[Indicator, str]]:
    """The central value of every indicator that can be estimated, and why the others cannot;
    no draws and no trace (the optimiser asks this of every candidate path)."""
    ledger = _account_flow(flow, factors, settings, _Values(None, None, trace=False))
    missing = _missing_with_derived(ledger.missing)
    sums = _with_derived(ledger.sums, missing)
    return {k: float(v) for k, v in sums.items() if k not in missing}, missing


def account(
    flows: Sequence[FlowInput], factors: ImpactFactors, settings: AccountingSettings
) -> list[FlowImpact]:
    """Account every flow: central figures with their trace, and draws for the percentiles."""
    rng = np.random.default_rng(settings.seed)
    drawn = _Values(settings.draws, rng)
    impacts = []
    for flow in flows:
        central = _account_flow(flow, factors, settings, _Values(None, None))
        sampled = _account_flow(flow, factors, settings, drawn)
        missing = _missing_with_derived(central.missing)
        central_sums = _with_derived(central.sums, missing)
        draw_sums = _with_derived(sampled.sums, missing)
        draws = {
            indicator: np.broadcast_to(np.asarray(value, dtype=np.float64), (settings.draws,))
            for indicator, value in draw_sums.items()
            if indicator not in missing
        }
        estimates = {
            indicator: Estimate.of(float(central_sums[indicator]), draws[indicator])
            for indicator in draws
        }
        impacts.append(FlowImpact(flow, estimates, missing, tuple(central.terms), draws))
    return impacts


@dataclass(frozen=True)
class Totals:
    """Sums over a group of flows. An indicator's total covers only the flows where it could
    be estimated; `covered` says how many of `flow_count` that is."""

    key: str
    flow_count: int
    organisations: frozenset[str]
    estimates: Mapping[Indicator, Estimate]
    covered: Mapping[Indicator, int]


_ALL_PARTIES = frozenset(Party)


def total(
    key: str,
    members: Sequence[tuple[FlowImpact, frozenset[Party]]],
    draws: int,
) -> Totals:
    """Sum the flows of a group. Each member names the parties whose € count in the group:
    both for a region or a municipality, only its own side for an organisation (so that an
    organisation's net € is what it gains as producer plus what it gains as receiver)."""
    estimates = {}
    covered = {}
    for indicator in Indicator:
        having = [
            impact
            for impact, parties in members
            if indicator in impact.estimates and _counts_for(indicator, parties)
        ]
        covered[indicator] = len(having)
        if not having:
            continue
        central = sum(impact.estimates[indicator].central for impact in having)
        summed = np.zeros(draws)
        for impact in having:
            summed += impact.draws[indicator]
        estimates[indicator] = Estimate.of(central, summed)
    net_parts = [part for part, _ in DERIVED[Indicator.EUR_NET]]
    if any(parties != _ALL_PARTIES for _, parties in members):
        # An organisation's net € is the sum of its own sides, not of both parties.
        own = [estimates[part] for part in net_parts if part in estimates]
        estimates.pop(Indicator.EUR_NET, None)
        if own:
            estimates[Indicator.EUR_NET] = Estimate.of(
                sum(e.central for e in own),
                sum(
                    (
                        impact.draws[part]
                        for impact, parties in members
                        for part in net_parts
                        if part in impact.draws and _counts_for(part, parties)
                    ),
                    start=np.zeros(draws),
                ),
            )
    organisations = frozenset(
        name
        for impact, _ in members
        for name in (impact.flow.producer_organisation, impact.flow.receiver_organisation)
    )
    return Totals(key, len(members), organisations, estimates, covered)


def _counts_for(indicator: Indicator, parties: frozenset[Party]) -> bool:
    if indicator is Indicator.EUR_PRODUCER:
        return Party.PRODUCER in parties
    if indicator is Indicator.EUR_RECEIVER:
        return Party.RECEIVER in parties
    return True


class Grouping(StrEnum):
    REGION = "region"
    MUNICIPALITY = "municipality"
    ORGANISATION = "organisation"
    YEAR = "year"


def roll_up(impacts: Sequence[FlowImpact], grouping: Grouping, draws: int) -> list[Totals]:
    """Totals per group. Per organisation, a flow counts for both its producer and its
    receiver, so organisation totals overlap and do not add up to the region's."""
    groups: dict[str, dict[int, tuple[FlowImpact, set[Party]]]] = {}
    for number, impact in enumerate(impacts):
        flow = impact.flow
        if grouping is Grouping.ORGANISATION:
            keyed = [
                (flow.producer_organisation, Party.PRODUCER),
                (flow.receiver_organisation, Party.RECEIVER),
            ]
        else:
            key = {
                Grouping.REGION: "region",
                Grouping.MUNICIPALITY: flow.municipality,
                Grouping.YEAR: str(flow.year),
            }[grouping]
            keyed = [(key, Party.PRODUCER), (key, Party.RECEIVER)]
        for key, party in keyed:
            group = groups.setdefault(key, {})
            group.setdefault(number, (impact, set()))[1].add(party)
    return [
        total(key, [(impact, frozenset(parties)) for impact, parties in group.values()], draws)
        for key, group in sorted(groups.items())
    ]
