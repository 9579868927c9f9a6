"""A proposal's explanation as each party may see it: hand-checked sentences at every level,
and a property: below acceptance, nothing the other party keeps to itself appears anywhere."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sidestream.domain.access import Access
from sidestream.domain.disclosure import Explanation, Span, band_bounds, explain_proposal
from sidestream.domain.matching import (
    ExplanationContext,
    MatchingKnowledge,
    MatchingVocabulary,
    Proposal,
    evaluate_listing_pair,
)
from sidestream.domain.organisations import Site
from sidestream.domain.proposals import Side
from sidestream.domain.reference import ReferenceData
from sidestream.domain.routes import KnowledgeBase
from sidestream.domain.streams import (
    ManagementRoute,
    MeasuredProperty,
    Need,
    PhysicalForm,
    PropertyLimit,
    Quantity,
    Recurrence,
    SideStream,
    Visibility,
)
from sidestream.domain.units import QuantityUnit
from sidestream.domain.visibility import quantity_band

TODAY = date(2026, 11, 23)
MILL = Site("Kemi mill of Acme Pulp", 65.7300, 24.5600, "240", site_id=10, organisation_id=1)
MINE = Site("Elijärvi mine of Kaivos Oy", 65.7780, 25.1960, "241", site_id=20, organisation_id=2)


def _stream(**changes: Any) -> SideStream:
    stream = SideStream(
        organisation_id=1,
        site_id=10,
        name="Lime mud of Acme Pulp Kemi",
        material_class_code="lime_mud",
        physical_form=PhysicalForm.SLUDGE,
        quantity=Quantity(25_000, QuantityUnit.TONNES_PER_YEAR, Recurrence.CONTINUOUS),
        management_route=ManagementRoute.LANDFILL,
        visibility=Visibility.PRIVATE,
        valid_until=date(2028, 1, 1),
        ewc_code="030309",
        description="Acme Pulp's causticising plant",
        properties=(
            MeasuredProperty("moisture", 38.5, "%", "EN 14346", date(2025, 3, 12)),
            MeasuredProperty("cd_total", 0.82, "mg/kg", "EN ISO 11885", date(2025, 3, 12)),
        ),
        management_cost_eur_per_unit=42.0,
        asking_price_eur_per_unit=3.0,
        stream_id=1,
    )
    return replace(stream, **changes)


def _need(**changes: Any) -> Need:
    need = Need(
        organisation_id=2,
        site_id=20,
        name="Dust binder for Kaivos Oy haul roads",
        quantity=Quantity(
            500, QuantityUnit.TONNES_PER_YEAR, Recurrence.SEASONAL, frozenset({5, 6, 7, 8, 9})
        ),
        max_distance_km=80.0,
        visibility=Visibility.PRIVATE,
        valid_until=date(2028, 1, 1),
        accepted_material_class_codes=("lime_mud",),
        replaces_virgin_material_code="calcium_chloride",
        property_limits=(
            PropertyLimit("moisture", "%", max_value=60),
            PropertyLimit("cd_total", "mg/kg", max_value=10),
            PropertyLimit("cao", "%", min_value=20),
        ),
        willingness_to_pay_eur_per_unit=15.0,
        need_id=2,
    )
    return replace(need, **changes)


class _Context(ExplanationContext):
    """The matcher's context, with a short repr for Hypothesis' report of a failing case."""

    def __repr__(self) -> str:
        return "ExplanationContext(<the shipped reference data and knowledge base>)"


@pytest.fixture(scope="module")
def context(reference: ReferenceData, knowledge_base: KnowledgeBase) -> ExplanationContext:
    vocabulary = MatchingVocabulary.from_reference(reference)
    return _Context(reference, MatchingKnowledge(vocabulary, knowledge_base))


def _propose(stream: SideStream, need: Need, context: ExplanationContext) -> Proposal:
    proposal = evaluate_listing_pair(stream, need, MILL, MINE, context, TODAY)
    assert isinstance(proposal, Proposal), proposal
    return proposal


def _explain(
    context: ExplanationContext,
    side: Side | None,
    level: Access,
    stream: SideStream | None = None,
    need: Need | None = None,
) -> Explanation:
    stream, need = stream or _stream(), need or _need()
    proposal = _propose(stream, need, context)
    return explain_proposal(
        proposal, stream, need, context.reference, context.knowledge.base, side, level
    )


def _factors(explanation: Explanation) -> dict[str, tuple[float, str]]:
    return {f.factor: (f.value, f.sentence) for f in explanation.factors}


def test_the_stored_sentences_quote_what_parties_may_not_see(
    context: ExplanationContext,
) -> None:
    """Why this module exists: the matcher's text holds the receiver's exact need and the
    producer's cost (42 EUR/t × 500 t + 15 EUR/t × 500 t = 28,500 EUR)."""
    proposal = _propose(_stream(), _need(), context)
    sentences = {f.factor: f.sentence for f in proposal.factors}
    assert sentences["quantity"] == (
        "25,000 t/yr offered, 500 t/yr needed: the smaller is 2% of the larger"
    )
    assert proposal.benefit.eur_per_yr == pytest.approx(28_500)
    assert any("42 EUR/t" in line for line in proposal.benefit.trace)


def test_full_access_shows_the_stored_explanation(context: ExplanationContext) -> None:
    proposal = _propose(_stream(), _need(), context)
    explanation = _explain(context, None, Access.FULL)
    assert explanation.reasons == proposal.reasons
    assert explanation.factors == proposal.factors
    assert explanation.trace == proposal.benefit.trace
    assert explanation.eur_per_yr == Span.exact(28_500)
    assert explanation.score == proposal.score


def test_the_producer_before_both_accept(context: ExplanationContext) -> None:
    explanation = _explain(context, Side.STREAM, Access.ANONYMOUS)
    assert explanation.reasons == (
        "Lime mud is a material class the receiver accepts",
        "Moisture content 38.5 % (EN 14346, 2025-03-12) is within the receiver's limit",
        "Cadmium, total (Cd) 0.82 mg/kg (EN ISO 11885, 2025-03-12) is within the receiver's limit",
        "Calcium oxide (CaO) is not measured: a lab test must show it meets the receiver's limit",
    )
    factors = _factors(explanation)
    # the exact fit is 500 / 25,000 = 2 %: rounded to 10 %, it says only "under 5 %"
    assert factors["quantity"] == (
        0.0,
        "you offer 25,000 t/yr, the receiver needs 100–1,000 t/yr: the smaller is under 5% of "
        "the larger",
    )
    # 38.4 km: about 40 km; the fit 1 - 38.4/80 = 0.52 is rounded to 0.5
    assert factors["distance"] == (0.5, "about 40 km by road, within the receiver's limit")
    assert factors["evidence"][1] == "2 of 3 property limits shown by measurements, 1 not measured"
    assert factors["months"] == (1.0, "available in 5 of the 5 months of need")
    assert explanation.distance_km == 40.0
    assert explanation.score == 0.55  # 0.5454 to the nearest 0.05
    # The receiver's 500 t is the smaller: the amount is its band, and so is every figure.
    assert explanation.amount == Span(100.0, 1000.0)
    assert explanation.benefit[0] == (
        "amount: the smaller of offer and need, the receiver's 100–1,000 t/yr, shown as its band"
    )
    assert explanation.benefit[1] == (
        "your current route's cost avoided: 100–1,000 t × 42 EUR/t (your listing) = "
        "4,200–42,000 EUR/yr"
    )
    assert explanation.eur_per_yr == Span(4_200.0, 42_000.0)
    assert explanation.eur_meaning == "your current route's cost avoided"
    # replaces 0.5 t calcium chloride per t at 0.397 t CO2e/t: 19.85..198.5 t CO2e
    avoided = explanation.avoided_co2e_t_per_yr
    assert avoided is not None
    assert avoided.low == pytest.approx(19.85) and avoided.high == pytest.approx(198.5)
    assert explanation.benefit[-1].endswith("= 19.9–198 t CO2e/yr avoided")
    assert "tkm" in explanation.benefit[2] and "4,000–40,000 tkm" in explanation.benefit[2]
    assert explanation.trace == ()


def test_the_receiver_before_both_accept(context: ExplanationContext) -> None:
    explanation = _explain(context, Side.NEED, Access.ANONYMOUS)
    assert explanation.reasons == (
        "Lime mud is a material class your need accepts",
        "Moisture content is measured and within your maximum of 60 %",
        "Cadmium, total (Cd) is measured and within your maximum of 10 mg/kg",
        "Calcium oxide (CaO) is not measured: a lab test must show it meets your minimum of 20 %",
    )
    factors = _factors(explanation)
    assert factors["quantity"][1] == (
        "you need 500 t/yr, the producer offers 10,000–100,000 t/yr: the smaller is under 5% of "
        "the larger"
    )
    assert factors["distance"][1] == (
        "about 40 km by road, within your 80 km limit and the producer's"
    )
    # Its own 500 t is the smaller: the amount is exact, and so is its own € (500 × 15).
    assert explanation.amount == Span.exact(500)
    assert explanation.benefit[1] == (
        "worth 7,500 EUR/yr to you: 500 t × your willingness to pay of 15 EUR/t"
    )
    assert explanation.eur_meaning == "what it is worth to you at your willingness to pay"
    assert not any("42" in text for text in _strings(explanation))  # the producer's cost


def test_after_both_accept_quantities_and_measurements_but_no_cost(
    context: ExplanationContext,
) -> None:
    producer = _explain(context, Side.STREAM, Access.PUBLIC)
    receiver = _explain(context, Side.NEED, Access.PUBLIC)
    assert producer.reasons[1] == (
        "Moisture content 38.5 % (EN 14346, 2025-03-12) meets the receiver's maximum of 60 %"
    )
    assert receiver.reasons[1] == (
        "Moisture content 38.5 % (EN 14346, 2025-03-12) meets your maximum of 60 %"
    )
    assert _factors(producer)["quantity"] == (
        0.02,
        "you offer 25,000 t/yr, the receiver needs 500 t/yr: the smaller is 2% of the larger",
    )
    assert _factors(receiver)["distance"][1] == "38 km by road, within the 80 km limit"
    assert producer.eur_per_yr == Span.exact(21_000)  # 500 t × its own 42 EUR/t
    assert receiver.eur_per_yr == Span.exact(7_500)  # 500 t × its own 15 EUR/t
    assert not any("42 EUR" in text or "21,000" in text for text in _strings(receiver))
    assert not any("28,500" in text for text in _strings(producer) + _strings(receiver))
    assert receiver.trace == () and producer.trace == ()


def test_a_route_that_earns_money_is_income_forgone(context: ExplanationContext) -> None:
    explanation = _explain(
        context, Side.STREAM, Access.PUBLIC, stream=_stream(management_cost_eur_per_unit=-2.0)
    )
    assert explanation.eur_per_yr == Span.exact(-1_000)
    assert explanation.benefit[1] == (
        "your current route earns 2 EUR/t (your listing): 500 t × 2 EUR/t = 1,000 EUR/yr forgone"
    )


def test_no_money_figure_without_the_readers_own_price(context: ExplanationContext) -> None:
    explanation = _explain(
        context, Side.NEED, Access.ANONYMOUS, need=_need(willingness_to_pay_eur_per_unit=None)
    )
    assert explanation.eur_per_yr is None
    assert explanation.benefit[1] == (
        "your willingness to pay is not in your listing: no money figure for you"
    )


def test_levels_that_are_not_a_partys_are_refused(context: ExplanationContext) -> None:
    with pytest.raises(ValueError, match="at least anonymously"):
        _explain(context, Side.STREAM, Access.HIDDEN)
    with pytest.raises(ValueError, match="one party's side"):
        _explain(context, None, Access.PUBLIC)
    proposal = _propose(_stream(), _need(), context)
    with pytest.raises(ValueError, match="not the proposal's"):
        explain_proposal(
            proposal,
            _stream(stream_id=9),
            _need(),
            context.reference,
            context.knowledge.base,
            Side.STREAM,
            Access.PUBLIC,
        )


@pytest.mark.parametrize(
    ("amount", "bounds"),
    [
        (5, (0.0, 100.0)),
        (100, (100.0, 1000.0)),
        (54_321, (10_000.0, 100_000.0)),
        (2e5, (1e5, None)),
    ],
)
def test_band_bounds_are_those_of_the_band_shown(
    amount: float, bounds: tuple[float, float | None]
) -> None:
    quantity = Quantity(amount, QuantityUnit.TONNES_PER_YEAR, Recurrence.CONTINUOUS)
    assert band_bounds(quantity) == bounds
    low, high = bounds
    assert (f"{high:,.0f}" if high else f"over {low:,.0f}") in quantity_band(quantity)


def test_spans_say_how_well_a_figure_is_known() -> None:
    assert Span.exact(1234.5).text("t") == "1,234 t"
    assert Span(0, 50).text("t") == "up to 50 t"
    assert Span(100_000, None).text("t") == "over 100,000 t"
    assert Span(100, 1000).times(0.5) == Span(50, 500)
    assert Span(100, 1000).times(-2) == Span(-2000, -200)
    with pytest.raises(ValueError, match="unbounded"):
        Span(1, None).times(-1)


# --- the property -------------------------------------------------------------------------------


def _strings(explanation: Explanation) -> list[str]:
    return [
        *explanation.reasons,
        *(f.sentence for f in explanation.factors),
        *explanation.benefit,
        explanation.eur_meaning,
        *explanation.trace,
    ]


def _number_pattern(texts: set[str]) -> re.Pattern[str]:
    """Any of the texts as a whole number: not inside a longer one."""
    alternatives = "|".join(re.escape(text) for text in sorted(texts, key=len, reverse=True))
    return re.compile(rf"(?<![\d.,])(?:{alternatives})(?![\d]|[.,]\d)")


def _renderings(value: float) -> set[str]:
    """How a figure may be written: 25000, 25,000; 41.37, 41.370."""
    if float(value).is_integer():
        return {f"{value:,.0f}", f"{value:.0f}"}
    return {f"{value:g}", f"{value:.2f}", f"{value:,.4g}"}


def _money(value: float) -> set[str]:
    """How a price may be written (to the cent; a rounded price is no secret)."""
    return {f"{value:g}", f"{value:.2f}"}


four_digits = st.integers(1001, 9999).filter(lambda n: n % 10 != 0)
# Prices with five significant digits: no figure of an explanation (three significant digits,
# or whole numbers) and no measured value (four) can be written the same by chance.
five_digit_price = st.integers(10_001, 99_999).filter(lambda n: n % 10 != 0).map(lambda n: n / 100)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    side=st.sampled_from(Side),
    stream_amount=st.integers(101, 900_000).filter(lambda n: n % 10 != 0),
    need_amount=st.integers(101, 900_000).filter(lambda n: n % 10 != 0),
    moisture=four_digits.map(lambda n: n / 200),  # 5.005..49.995 %, four significant digits
    cd_total=four_digits.map(lambda n: n / 1000),  # 1.001..9.999 mg/kg
    moisture_max=st.integers(51, 99),
    cao_min=st.none() | st.integers(1, 9),
    need_limit_km=st.integers(101, 499).filter(lambda n: n % 10 != 0),
    stream_limit_km=st.none() | st.integers(101, 499).filter(lambda n: n % 10 != 0),
    cost=five_digit_price,
    price=five_digit_price,
    wtp=five_digit_price,
    method=st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=6, max_size=10),
    measured_on=st.dates(date(2020, 1, 1), date(2026, 11, 1)),
    company=st.text("ÄÖabcdefghijklmnopqrstuvwxyz", min_size=8, max_size=14),
)
def test_before_both_accept_nothing_confidential_of_the_other_party_shows(
    context: ExplanationContext,
    side: Side,
    stream_amount: int,
    need_amount: int,
    moisture: float,
    cd_total: float,
    moisture_max: int,
    cao_min: int | None,
    need_limit_km: int,
    stream_limit_km: int | None,
    cost: float,
    price: float,
    wtp: float,
    method: str,
    measured_on: date,
    company: str,
) -> None:
    assume(len({stream_amount, need_amount, need_limit_km, stream_limit_km}) == 4)
    assume(len({cost, price, wtp}) == 3)
    company = f"{company.capitalize()} Oy"
    stream = _stream(
        name=f"Lime mud of {company}",
        description=f"{company}'s mill",
        quantity=Quantity(stream_amount, QuantityUnit.TONNES_PER_YEAR, Recurrence.CONTINUOUS),
        properties=(
            MeasuredProperty("moisture", moisture, "%", f"{method}-1", measured_on),
            MeasuredProperty("cd_total", cd_total, "mg/kg", f"{method}-2", measured_on),
        ),
        max_distance_km=stream_limit_km,
        management_cost_eur_per_unit=cost,
        asking_price_eur_per_unit=price,
    )
    limits = [
        PropertyLimit("moisture", "%", max_value=moisture_max),
        PropertyLimit("cd_total", "mg/kg", max_value=10),
    ]
    if cao_min is not None:
        limits.append(PropertyLimit("cao", "%", min_value=cao_min))
    need = _need(
        name=f"Dust binder of {company}",
        description=f"{company}'s haul roads",
        quantity=Quantity(need_amount, QuantityUnit.TONNES_PER_YEAR, Recurrence.CONTINUOUS),
        property_limits=tuple(limits),
        max_distance_km=float(need_limit_km),
        willingness_to_pay_eur_per_unit=wtp,
    )
    explanation = _explain(context, side, Access.ANONYMOUS, stream, need)
    text = "\n".join(_strings(explanation))

    # never: names, descriptions, sites, companies
    for name in (company, stream.name, need.name, MILL.name, MINE.name, "Acme", "Kaivos"):
        assert name not in text
    if side is Side.STREAM:  # the receiver's exact need, limits, distance limit, price
        secrets = _renderings(need_amount) | _renderings(need_limit_km)
        secrets |= {f"{moisture_max} %", "10 mg/kg"} | _money(wtp)
        if cao_min is not None:
            secrets.add(f"{cao_min} %")
        other_amount, own_amount = need_amount, stream_amount
    else:  # the producer's exact offer, measurements, methods, dates, cost, price
        secrets = _renderings(stream_amount) | _money(cost) | _money(price)
        secrets |= _renderings(moisture) | _renderings(cd_total)
        if stream_limit_km is not None:
            secrets |= _renderings(stream_limit_km)
        other_amount, own_amount = stream_amount, need_amount
        assert method not in text and measured_on.isoformat() not in text
    found = _number_pattern(secrets).search(text)
    assert found is None, f"{found.group()!r} in:\n{text}"
    # fits that depend on the other party are rounded to 10 %, the score to 0.05
    factors = _factors(explanation)
    for name in ("quantity", "distance"):
        assert round(factors[name][0] * 10, 9).is_integer()
    assert round(explanation.score * 20, 9).is_integer()
    assert round(explanation.distance_km / 10, 9).is_integer()
    if other_amount < own_amount:  # every figure from the amount is a range around its band
        assert not explanation.amount.is_exact
        assert explanation.amount.low <= other_amount <= (explanation.amount.high or 1e12)
    else:
        assert explanation.amount == Span.exact(own_amount)
