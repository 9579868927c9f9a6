"""What a proposal's explanation may say to each reader (the double opt-in of domain.access).

The matcher's stored sentences (`Proposal.reasons`, `ScoreFactor.sentence`,
`BenefitEstimate.trace`) quote both listings in full: exact quantities, measured values with
method and date, the need's limits, distance limits, and the producer's current-route cost
inside the € figure. They are shown only to a reader with FULL access to both listings
(facilitators, administrators, a member of both organisations). For a party, the explanation
is rebuilt here from the listings, at the level the party may see of the other one:

- ANONYMOUS (until both accept): the other party's quantity as its band, the quantity fit
  rounded to 10 % and the distance to 10 km (so neither can be inverted to the exact amount or
  limit), the score rounded to 0.05; none of the other party's measured values, methods, dates,
  limit values, temperature or distance limit ("within the receiver's limit"); no names.
- PUBLIC (after both accept): exact quantities, measurements and limits, never the other
  party's cost.
- FULL: the stored sentences and trace.

€ shown to a party is its own part only: the producer's current-route cost avoided (amount ×
its own management cost), the receiver's value at its own willingness to pay. Where the amount
is known only as a band, every figure computed from it is a range (`Span`).

The explanation never takes an organisation's or a site's name, so it cannot quote one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sidestream.domain.access import Access
from sidestream.domain.matching import Proposal, ScoreFactor, latest_measurements
from sidestream.domain.phrases import phrase
from sidestream.domain.proposals import Side
from sidestream.domain.reference import ReferenceData
from sidestream.domain.routes import KnowledgeBase, TransportMode, ValorisationRoute
from sidestream.domain.streams import MeasuredProperty, Need, PropertyLimit, Quantity, SideStream
from sidestream.domain.units import QuantityUnit
from sidestream.domain.visibility import QUANTITY_BAND_EDGES, quantity_band

FIT_STEP_ANONYMOUS = 0.1  # quantity and distance fits, shown to an anonymous counterpart
SCORE_STEP_ANONYMOUS = 0.05  # finer would let the quantity fit be worked back out of the score
DISTANCE_STEP_KM_ANONYMOUS = 10.0
ROLE = {Side.STREAM: "producer", Side.NEED: "receiver"}


@dataclass(frozen=True)
class Span:
    """A figure known exactly (low == high), or only within bounds (high None: no upper one)."""

    low: float
    high: float | None

    @classmethod
    def exact(cls, value: float) -> Span:
        return cls(value, value)

    @property
    def is_exact(self) -> bool:
        return self.high == self.low

    def times(self, factor: float) -> Span:
        """The span scaled by the factor (a negative one only when the span is bounded)."""
        if factor >= 0:
            return Span(self.low * factor, None if self.high is None else self.high * factor)
        if self.high is None:
            raise ValueError("an unbounded span cannot be scaled by a negative factor")
        return Span(self.high * factor, self.low * factor)

    def text(self, unit: str) -> str:
        if self.is_exact:
            return f"{figure(self.low)} {unit}"
        if self.high is None:
            return phrase("over {amount} {unit}", amount=figure(self.low), unit=unit)
        if self.low == 0:
            return phrase("up to {amount} {unit}", amount=figure(self.high), unit=unit)
        return f"{figure(self.low)}–{figure(self.high)} {unit}"


@dataclass(frozen=True)
class Explanation:
    """Why a proposal was made and what it may be worth, as one reader may see it."""

    level: Access  # what the reader sees of the other party (FULL: everything, stored text)
    score: float  # rounded to SCORE_STEP_ANONYMOUS when the other party is anonymous
    distance_km: float  # rounded to DISTANCE_STEP_KM_ANONYMOUS when anonymous
    reasons: tuple[str, ...]
    factors: tuple[ScoreFactor, ...]
    benefit: tuple[str, ...]  # the estimate in lines a person can check
    basis: str  # t, MWh or m3
    amount: Span  # that would change hands a year (or in the one batch)
    eur_per_yr: Span | None  # see eur_meaning; None when no money figure is known
    eur_meaning: str
    avoided_co2e_t_per_yr: Span | None  # None when no route or no cited factor
    transport_co2e_t_per_yr: Span
    trace: tuple[str, ...] = ()  # the matcher's own trace: FULL only


def figure(value: float) -> str:
    """1,234 above 100, three significant digits below."""
    if value == 0:
        return "0"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def band_bounds(quantity: Quantity) -> tuple[float, float | None]:
    """The bounds of quantity_band(quantity): (lower, upper), upper None when open."""
    lower = 0.0
    for edge in QUANTITY_BAND_EDGES:
        if quantity.amount < edge:
            return lower, edge
        lower = edge
    return lower, None


def _rounded(value: float, step: float) -> float:
    return round(round(value / step) * step, 10)


def explain_proposal(
    proposal: Proposal,
    stream: SideStream,
    need: Need,
    reference: ReferenceData,
    knowledge: KnowledgeBase,
    reader_side: Side | None,
    level: Access,
) -> Explanation:
    """The explanation of a proposal for a reader on `reader_side` (None: on neither or both)
    who may see the other party at `level` (domain.access.counterpart_access)."""
    if (stream.stream_id, need.need_id) != (proposal.stream_id, proposal.need_id):
        raise ValueError("the stream and need are not the proposal's")
    if level is Access.HIDDEN:
        raise ValueError("a party to a proposal sees the other party at least anonymously")
    if level is Access.FULL:
        return _full_explanation(proposal)
    if reader_side is None:
        raise ValueError("below full access, the explanation is for one party's side")
    return _PartyExplanation(
        proposal, stream, need, reference, knowledge, reader_side, level
    ).build()


def _full_explanation(proposal: Proposal) -> Explanation:
    benefit = proposal.benefit
    period = "yr"
    lines = [f"amount: {figure(benefit.amount)} {benefit.basis}"]
    if benefit.eur_per_yr is not None:
        lines.append(
            f"{figure(benefit.eur_per_yr)} EUR/{period} for the pair: the producer's current "
            "route's cost avoided and the receiver's willingness to pay, less freight"
        )
    if benefit.avoided_co2e_t_per_yr is not None:
        lines.append(f"{figure(benefit.avoided_co2e_t_per_yr)} t CO2e/{period} avoided")
    lines.append(f"{figure(benefit.transport_co2e_t_per_yr)} t CO2e/{period} from transport")
    return Explanation(
        level=Access.FULL,
        score=proposal.score,
        distance_km=proposal.distance_km,
        reasons=proposal.reasons,
        factors=proposal.factors,
        benefit=tuple(lines),
        basis=benefit.basis,
        amount=Span.exact(benefit.amount),
        eur_per_yr=None if benefit.eur_per_yr is None else Span.exact(benefit.eur_per_yr),
        eur_meaning=(
            "the pair's estimate: the producer's current-route cost avoided plus the "
            "receiver's willingness to pay, less freight"
        ),
        avoided_co2e_t_per_yr=(
            None
            if benefit.avoided_co2e_t_per_yr is None
            else Span.exact(benefit.avoided_co2e_t_per_yr)
        ),
        transport_co2e_t_per_yr=Span.exact(benefit.transport_co2e_t_per_yr),
        trace=benefit.trace,
    )


def _amount_text(amount: float, unit: str) -> str:
    return f"{amount:,.0f} {unit}" if amount >= 100 else f"{amount:,.3g} {unit}"


def _value_text(value: float, unit: str) -> str:
    text = f"{value:,.4g}"
    return text if unit in ("", "-") else f"{text} {unit}"


def _bound_text(limit: PropertyLimit) -> str:
    """'maximum of 50 %', 'minimum of 20 %' or 'range 1–2 %'."""
    if limit.min_value is not None and limit.max_value is not None:
        return phrase(
            "range {low}–{high}",
            low=f"{limit.min_value:,.4g}",
            high=_value_text(limit.max_value, limit.unit),
        )
    if limit.min_value is not None:
        return phrase("minimum of {value}", value=_value_text(limit.min_value, limit.unit))
    assert limit.max_value is not None  # a limit has a minimum or a maximum (check_need)
    return phrase("maximum of {value}", value=_value_text(limit.max_value, limit.unit))


def _measured_text(name: str, measured: MeasuredProperty) -> str:
    value = _value_text(measured.value, measured.unit)
    return f"{name} {value} ({measured.method}, {measured.measured_on.isoformat()})"


class _PartyExplanation:
    """The explanation for one party, at ANONYMOUS or PUBLIC level of the other."""

    def __init__(
        self,
        proposal: Proposal,
        stream: SideStream,
        need: Need,
        reference: ReferenceData,
        knowledge: KnowledgeBase,
        side: Side,
        level: Access,
    ) -> None:
        self.proposal = proposal
        self.stream = stream
        self.need = need
        self.reference = reference
        self.knowledge = knowledge
        self.side = side
        self.anonymous = level is Access.ANONYMOUS
        self.level = level
        self.other_role = ROLE[Side.NEED if side is Side.STREAM else Side.STREAM]
        self.is_producer = side is Side.STREAM
        self.basis = stream.quantity.unit.basis
        self.period = "batch" if stream.quantity.unit is QuantityUnit.TONNES_PER_BATCH else "yr"

    # --- what the reader may know -----------------------------------------------------------

    @property
    def own_quantity(self) -> Quantity:
        return self.stream.quantity if self.is_producer else self.need.quantity

    @property
    def other_quantity(self) -> Quantity:
        return self.need.quantity if self.is_producer else self.stream.quantity

    def other_quantity_text(self) -> str:
        quantity = self.other_quantity
        if self.anonymous:
            return quantity_band(quantity)
        return _amount_text(quantity.amount, quantity.unit.value)

    def amount(self) -> tuple[Span, str]:
        """The amount that would change hands, and how it is shown."""
        own, other = self.own_quantity.amount, self.other_quantity.amount
        if self.anonymous and other < own:
            low, high = band_bounds(self.other_quantity)
            span = Span(low, own if high is None else min(high, own))
            band = quantity_band(self.other_quantity)
            if self.is_producer:
                return span, phrase("the receiver's {band}, shown as its band", band=band)
            return span, phrase("the producer's {band}, shown as its band", band=band)
        amount = min(own, other)
        return Span.exact(amount), _amount_text(amount, self.basis)

    def distance_km(self) -> float:
        if self.anonymous:
            return _rounded(self.proposal.distance_km, DISTANCE_STEP_KM_ANONYMOUS)
        return self.proposal.distance_km

    def distance_text(self) -> str:
        distance = self.distance_km()
        if not self.anonymous:
            return f"{distance:,.0f} km"
        if distance == 0:
            return phrase("under {distance} km", distance=f"{DISTANCE_STEP_KM_ANONYMOUS / 2:g}")
        return phrase("about {distance} km", distance=f"{distance:,.0f}")

    def fit(self, value: float) -> float:
        return _rounded(value, FIT_STEP_ANONYMOUS) if self.anonymous else value

    # --- reasons ----------------------------------------------------------------------------

    def reasons(self) -> list[str]:
        stream, need, reference = self.stream, self.need, self.reference
        material = reference.material_classes[stream.material_class_code].name
        route = self.route()
        found: list[str] = []
        if stream.material_class_code in need.accepted_material_class_codes:
            found.append(
                phrase("{material} is a material class the receiver accepts", material=material)
                if self.is_producer
                else phrase("{material} is a material class your need accepts", material=material)
            )
        elif stream.ewc_code and stream.ewc_code in need.accepted_ewc_codes:
            code = reference.waste_codes[stream.ewc_code]
            entry = {"code": code.display_code, "description": code.description}
            found.append(
                phrase("List of Waste {code} ({description}) is accepted by the receiver", **entry)
                if self.is_producer
                else phrase(
                    "List of Waste {code} ({description}) is accepted by your need", **entry
                )
            )
        elif route is not None:
            virgin = reference.virgin_materials[route.replaces_virgin_material_code].name
            found.append(
                phrase(
                    "{material} can replace {virgin} by the route '{route}' (TRL {trl})",
                    material=material,
                    virgin=virgin.lower(),
                    route=route.name,
                    trl=route.trl,
                )
            )
        if stream.is_hazardous:
            found.append(
                phrase("your stream is hazardous waste, which the receiver accepts")
                if self.is_producer
                else phrase("hazardous waste, which your need accepts")
            )
        latest = latest_measurements(stream.properties)
        for limit in need.property_limits:
            name = reference.properties[limit.property_code].name
            found.append(self.property_sentence(name, limit, latest.get(limit.property_code)))
        if need.min_temperature_c is not None and stream.temperature_c is not None:
            found.append(self.temperature_sentence(stream.temperature_c, need.min_temperature_c))
        return found

    def property_sentence(
        self, name: str, limit: PropertyLimit, measured: MeasuredProperty | None
    ) -> str:
        bound = _bound_text(limit)
        if self.is_producer:  # own measurements, the receiver's limits
            theirs = (
                phrase("the receiver's limit")
                if self.anonymous
                else phrase("the receiver's {bound}", bound=bound)
            )
            if measured is None:
                return phrase(
                    "{name} is not measured: a lab test must show it meets {theirs}",
                    name=name,
                    theirs=theirs,
                )
            shown = _measured_text(name, measured)
            if self.anonymous:
                return phrase("{measured} is within {theirs}", measured=shown, theirs=theirs)
            return phrase("{measured} meets {theirs}", measured=shown, theirs=theirs)
        # own limits, the producer's measurements
        if measured is None:
            return phrase(
                "{name} is not measured: a lab test must show it meets your {bound}",
                name=name,
                bound=bound,
            )
        if self.anonymous:
            return phrase("{name} is measured and within your {bound}", name=name, bound=bound)
        return phrase(
            "{measured} meets your {bound}", measured=_measured_text(name, measured), bound=bound
        )

    def temperature_sentence(self, temperature_c: float, minimum_c: float) -> str:
        heat, minimum = f"{temperature_c:g}", f"{minimum_c:g}"
        if not self.anonymous:
            return phrase(
                "heat at {heat} °C meets the minimum of {minimum} °C", heat=heat, minimum=minimum
            )
        if self.is_producer:
            return phrase(
                "your heat at {heat} °C meets the receiver's minimum temperature", heat=heat
            )
        return phrase("the heat meets your minimum of {minimum} °C", minimum=minimum)

    # --- score factors ----------------------------------------------------------------------

    def stored_factor(self, name: str) -> ScoreFactor | None:
        return next((f for f in self.proposal.factors if f.factor == name), None)

    def factors(self) -> list[ScoreFactor]:
        built = []
        for stored in self.proposal.factors:
            if stored.factor == "distance":
                sentence = self.distance_sentence()
                value = self.fit(stored.value)
            elif stored.factor == "quantity":
                value = self.fit(stored.value)
                sentence = self.quantity_sentence(value)
            elif stored.factor == "evidence":
                value, sentence = stored.value, self.evidence_sentence()
            elif stored.factor == "months":
                value, sentence = stored.value, self.months_sentence()
            elif stored.factor == "learning":
                value = stored.value
                sentence = phrase(
                    "what parties decided on earlier proposals like this: score ×{multiplier}",
                    multiplier=f"{value:.2f}",
                )
            elif stored.factor == "regulation":
                # Only that the stream's lab results exceed limits of the use: its values are
                # for those who may see the stream itself.
                value = stored.value
                sentence = phrase(
                    "the stream's lab results exceed limit values of this use: score ×{multiplier}",
                    multiplier=f"{value:.2f}",
                )
            else:  # a factor this module does not know yet: its sentence may quote anything
                continue
            built.append(ScoreFactor(stored.factor, value, stored.weight, sentence))
        return built

    def distance_sentence(self) -> str:
        mode = phrase(self.proposal.transport_mode.value)  # road, rail or sea: translatable
        own_limit = self.stream.max_distance_km if self.is_producer else self.need.max_distance_km
        where = {"distance": self.distance_text(), "mode": mode}
        if self.anonymous:
            if own_limit is None:
                return (
                    phrase("{distance} by {mode}, within the receiver's limit", **where)
                    if self.is_producer
                    else phrase("{distance} by {mode}, within the producer's limit", **where)
                )
            limit = f"{own_limit:,.0f}"
            return (
                phrase(
                    "{distance} by {mode}, within your {limit} km limit and the receiver's",
                    limit=limit,
                    **where,
                )
                if self.is_producer
                else phrase(
                    "{distance} by {mode}, within your {limit} km limit and the producer's",
                    limit=limit,
                    **where,
                )
            )
        limit_km = min(self.need.max_distance_km, self.stream.max_distance_km or math.inf)
        return phrase(
            "{distance} by {mode}, within the {limit} km limit", limit=f"{limit_km:,.0f}", **where
        )

    def quantity_sentence(self, fit: float) -> str:
        own = _amount_text(self.own_quantity.amount, self.own_quantity.unit.value)
        other = self.other_quantity_text()
        if self.anonymous:
            share: str = (
                phrase("about {share}", share=f"{fit:.0%}")
                if fit > 0
                else phrase("under {share}", share=f"{FIT_STEP_ANONYMOUS / 2:.0%}")
            )
        else:
            share = f"{fit:.0%}"
        if self.is_producer:
            return phrase(
                "you offer {own}, the receiver needs {other}: the smaller is {share} of the larger",
                own=own,
                other=other,
                share=share,
            )
        return phrase(
            "you need {own}, the producer offers {other}: the smaller is {share} of the larger",
            own=own,
            other=other,
            share=share,
        )

    def evidence_sentence(self) -> str:
        limits = self.need.property_limits
        if not limits:
            return phrase("no property limits to meet")
        latest = latest_measurements(self.stream.properties)
        missing = sum(1 for limit in limits if limit.property_code not in latest)
        counts = {"shown": len(limits) - missing, "total": len(limits)}
        if missing:
            return phrase(
                "{shown} of {total} property limits shown by measurements, {missing} not measured",
                missing=missing,
                **counts,
            )
        return phrase("{shown} of {total} property limits shown by measurements", **counts)

    def months_sentence(self) -> str:
        common = len(self.stream.quantity.months & self.need.quantity.months)
        return phrase(
            "available in {common} of the {months} months of need",
            common=common,
            months=len(self.need.quantity.months),
        )

    # --- benefit ----------------------------------------------------------------------------

    def route(self) -> ValorisationRoute | None:
        return self.knowledge.routes_by_id.get(self.proposal.route_id or "")

    def transport_mode(self) -> TransportMode:
        mode = self.proposal.transport_mode
        return next(m for m in self.knowledge.transport_modes if m.mode is mode)

    def own_money(self, amount: Span) -> tuple[Span | None, str, str]:
        """(€ a period, what it means, the line saying so) from the reader's own price."""
        amount_text = amount.text(self.basis)
        per = f"EUR/{self.period}"
        unit_price = f"EUR/{self.basis}"
        line: str
        if self.is_producer:
            meaning: str = phrase("your current route's cost avoided")
            cost = self.stream.management_cost_eur_per_unit
            if cost is None:
                line = phrase(
                    "your current route's cost is not in your listing: no money figure for you"
                )
                return None, meaning, line
            eur = amount.times(cost)
            if cost < 0:  # the current route earns money: that income would be forgone
                line = phrase(
                    "your current route earns {price} {unit} (your listing): "
                    "{amount} × {price} {unit} = {forgone} forgone",
                    price=f"{-cost:g}",
                    unit=unit_price,
                    amount=amount_text,
                    forgone=amount.times(-cost).text(per),
                )
            else:
                line = phrase(
                    "your current route's cost avoided: {amount} × {price} {unit} "
                    "(your listing) = {eur}",
                    amount=amount_text,
                    price=f"{cost:g}",
                    unit=unit_price,
                    eur=eur.text(per),
                )
            return eur, meaning, line
        meaning = phrase("what it is worth to you at your willingness to pay")
        price = self.need.willingness_to_pay_eur_per_unit
        if price is None:
            line = phrase("your willingness to pay is not in your listing: no money figure for you")
            return None, meaning, line
        eur = amount.times(price)
        line = phrase(
            "worth {eur} to you: {amount} × your willingness to pay of {price} {unit}",
            eur=eur.text(per),
            amount=amount_text,
            price=f"{price:g}",
            unit=unit_price,
        )
        return eur, meaning, line

    def build(self) -> Explanation:
        proposal = self.proposal
        amount, amount_text = self.amount()
        lines: list[str] = [
            phrase("amount: the smaller of offer and need, {amount}", amount=amount_text)
        ]
        eur, meaning, money_line = self.own_money(amount)
        lines.append(money_line)
        per = f"/{self.period}"
        transport = Span.exact(0.0)
        if self.stream.quantity.unit is QuantityUnit.MWH_PER_YEAR:
            lines.append(
                phrase("heat is piped, not hauled: no freight cost or emissions estimated")
            )
        else:
            mode = self.transport_mode()
            tonne_km = amount.times(self.distance_km())
            transport = tonne_km.times(mode.co2e_kg_per_tkm / 1000.0)
            lines.append(
                phrase(
                    "transport {tkm} by {mode} × {factor} kg CO2e/tkm ({sources}) = {co2e}, "
                    "laden one way",
                    tkm=tonne_km.text("tkm"),
                    mode=phrase(mode.mode.value),
                    factor=f"{mode.co2e_kg_per_tkm:g}",
                    sources="; ".join(mode.co2e_sources),
                    co2e=transport.text("t CO2e" + per),
                )
            )
            if mode.cost_eur_per_tkm is not None:
                freight = tonne_km.times(mode.cost_eur_per_tkm)
                lines.append(
                    phrase(
                        "freight {price} EUR/tkm ({source}): {eur}, shared as the parties agree",
                        price=f"{mode.cost_eur_per_tkm:g}",
                        source=mode.cost_source,
                        eur=freight.text("EUR" + per),
                    )
                )
            else:
                lines.append(phrase("freight cost unknown for this mode"))
        avoided = None
        route = self.route()
        virgin_factors = self.knowledge.virgin_factors
        factor = virgin_factors.get(route.replaces_virgin_material_code) if route else None
        if route is not None and factor is not None:
            avoided = amount.times(route.substitution_ratio * factor.co2e_t_per_unit)
            virgin = self.reference.virgin_materials[route.replaces_virgin_material_code].name
            lines.append(
                phrase(
                    "replaces {ratio} {basis} of {virgin} per {basis} ({route_source}); {item}: "
                    "{factor} t CO2e per unit ({factor_source}) = {co2e} avoided",
                    ratio=f"{route.substitution_ratio:g}",
                    basis=self.basis,
                    virgin=virgin.lower(),
                    route_source=route.sources[0],
                    item=factor.item,
                    factor=f"{factor.co2e_t_per_unit:g}",
                    factor_source=factor.source
                    if factor.is_verified
                    else phrase("{source}, unverified", source=factor.source),
                    co2e=avoided.text("t CO2e" + per),
                )
            )
        else:
            lines.append(
                phrase("avoided virgin production not estimated: no route or no cited factor")
            )
        return Explanation(
            level=self.level,
            score=(
                _rounded(proposal.score, SCORE_STEP_ANONYMOUS) if self.anonymous else proposal.score
            ),
            distance_km=self.distance_km(),
            reasons=tuple(self.reasons()),
            factors=tuple(self.factors()),
            benefit=tuple(lines),
            basis=self.basis,
            amount=amount,
            eur_per_yr=eur,
            eur_meaning=meaning,
            avoided_co2e_t_per_yr=avoided,
            transport_co2e_t_per_yr=transport,
        )
