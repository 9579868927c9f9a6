"""Prospecting: for a side stream nobody has asked for yet, which valorisation routes and which
receiving industries could use it, and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sidestream.domain.reference import ReferenceData
from sidestream.domain.routes import KnowledgeBase, RouteRequirement, ValorisationRoute
from sidestream.domain.units import to_canonical

# How a route's property requirements weigh on its rank when a value is known or not.
MET_FIT = 1.0
UNKNOWN_FIT = 0.85  # untested: plausible, a lab test decides
VIOLATED_FIT = 0.25  # measured outside the requirement: a pre-treatment might still help
STRONG_TEXT_SIMILARITY = 0.35  # a description this close names a material on its own
TEXT_ONLY_SHARE = 0.5  # such a class next to the code's own classes
SUBCHAPTER_SHARE = 0.5  # classes of the code's sub-chapter, when the code itself is unmapped
FIRST_INDUSTRY_WEIGHT = 1.0  # a route's first receiving industry is its main user...
OTHER_INDUSTRY_WEIGHT = 0.7  # ...the others take part of its output


@dataclass(frozen=True)
class MeasuredValue:
    property_code: str
    value: float
    unit: str


@dataclass(frozen=True)
class RankedRoute:
    route_id: str
    name: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RankedIndustry:
    nace_code: str  # a NACE Rev. 2 division
    title: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ProspectResult:
    material_classes: tuple[tuple[str, float], ...]  # (class, weight), strongest first
    routes: tuple[RankedRoute, ...]
    industries: tuple[RankedIndustry, ...]


def class_weights(
    ewc_code: str | None,
    text_similarity: Mapping[str, float],
    base: KnowledgeBase,
) -> dict[str, float]:
    """What material the stream probably is, as weights summing to 1.

    A List of Waste code is the firmer evidence: its classes, by confidence, carry the
    weight, and the description only reorders them. Where the exact code is not mapped, the
    classes of its sub-chapter (same process) stand in at half confidence. Without any code
    evidence the description decides alone; a class it strongly resembles joins in any case."""
    from_code = _code_classes(ewc_code, base) if ewc_code else {}
    weights = {
        code: confidence * (1.0 + text_similarity.get(code, 0.0))
        for code, confidence in from_code.items()
    }
    for code, similarity in text_similarity.items():
        if code not in weights and (not from_code or similarity >= STRONG_TEXT_SIMILARITY):
            weights[code] = similarity * (1.0 if not from_code else TEXT_ONLY_SHARE)
    total = sum(weights.values())
    return {code: weight / total for code, weight in weights.items()} if total else {}


def _code_classes(ewc_code: str, base: KnowledgeBase) -> dict[str, float]:
    exact = base.classes_of_waste_code(ewc_code)
    if exact:
        return {link.material_class_code: link.confidence for link in exact}
    related: dict[str, float] = {}
    for link in base.waste_code_classes:
        if link.ewc_code[:4] == ewc_code[:4]:
            related[link.material_class_code] = max(
                related.get(link.material_class_code, 0.0), link.confidence * SUBCHAPTER_SHARE
            )
    return related


def _requirement_fit(
    requirement: RouteRequirement, measured: Mapping[str, MeasuredValue], reference: ReferenceData
) -> tuple[float, str | None]:
    value = measured.get(requirement.property_code)
    definition = reference.properties[requirement.property_code]
    bounds = []
    if requirement.min_value is not None:
        bounds.append(f"minimum {requirement.min_value:g} {requirement.unit}")
    if requirement.max_value is not None:
        bounds.append(f"maximum {requirement.max_value:g} {requirement.unit}")
    wanted = " and ".join(bounds)
    if value is None:
        return UNKNOWN_FIT, None
    canonical = to_canonical(value.value, value.unit, definition.dimension)
    low = (
        to_canonical(requirement.min_value, requirement.unit, definition.dimension)
        if requirement.min_value is not None
        else None
    )
    high = (
        to_canonical(requirement.max_value, requirement.unit, definition.dimension)
        if requirement.max_value is not None
        else None
    )
    shown = f"{definition.name} {value.value:g} {value.unit}".replace(" -", "")
    if (low is not None and canonical < low) or (high is not None and canonical > high):
        return VIOLATED_FIT, f"{shown} misses the route's {wanted}"
    return MET_FIT, f"{shown} meets the route's {wanted}"


def rank_routes(
    weights: Mapping[str, float],
    measured: Mapping[str, MeasuredValue],
    base: KnowledgeBase,
    reference: ReferenceData,
    limit: int = 10,
    text_similarity: Mapping[str, float] | None = None,
) -> list[RankedRoute]:
    ranked = []
    for route in base.routes:
        share = sum(weights.get(code, 0.0) for code in route.input_material_class_codes)
        if share <= 0:
            continue
        fit = 1.0
        reasons = [_material_reason(route, weights, reference)]
        read_as = [
            (similarity, code)
            for code, similarity in (text_similarity or {}).items()
            if code in route.input_material_class_codes
        ]
        if read_as:
            similarity, code = max(read_as)
            name = reference.material_classes[code].name.lower()
            reasons.append(f"the description reads like {name} (similarity {similarity:.2f})")
        for requirement in route.requirements:
            factor, sentence = _requirement_fit(requirement, measured, reference)
            fit *= factor
            if sentence:
                reasons.append(sentence)
        maturity = 0.6 + 0.4 * route.trl / 9
        reasons.append(f"TRL {route.trl}; usual legal path: {route.regulatory_path.value}")
        ranked.append(
            RankedRoute(route.route_id, route.name, share * fit * maturity, tuple(reasons))
        )
    ranked.sort(key=lambda route: (-route.score, route.route_id))
    return ranked[:limit]


def _material_reason(
    route: ValorisationRoute, weights: Mapping[str, float], reference: ReferenceData
) -> str:
    inputs = [code for code in route.input_material_class_codes if weights.get(code, 0.0) > 0]
    best = max(inputs, key=lambda code: (weights[code], code))
    virgin = reference.virgin_materials[route.replaces_virgin_material_code].name.lower()
    name = reference.material_classes[best].name.lower()
    return f"takes {name} (likelihood {weights[best]:.2f}) and replaces {virgin}"


def rank_industries(
    routes: list[RankedRoute],
    base: KnowledgeBase,
    reference: ReferenceData,
    producer_nace_code: str | None = None,
    limit: int = 10,
) -> list[RankedIndustry]:
    """Receiving industries (NACE divisions), scored by their best route.

    A route's first receiving industry is its main user and takes its full score; the other
    industries it lists take part of it. Further routes to the same industry are named as
    reasons but do not add up, so industries with many catalogued routes are not favoured."""
    by_id = {route.route_id: route for route in base.routes}
    best: dict[str, float] = {}
    reasons: dict[str, list[str]] = {}
    for ranked in routes:
        route = by_id[ranked.route_id]
        divisions = list(dict.fromkeys(_division(code) for code in route.receiving_nace_codes))
        for position, division in enumerate(divisions):
            weight = FIRST_INDUSTRY_WEIGHT if position == 0 else OTHER_INDUSTRY_WEIGHT
            best[division] = max(best.get(division, 0.0), ranked.score * weight)
            reasons.setdefault(division, []).append(
                f"via '{route.name}' (score {ranked.score:.2f})"
            )
    producer_division = _division(producer_nace_code) if producer_nace_code else None
    industries = []
    for division, score in best.items():
        why = reasons[division][:5]
        if division == producer_division:
            why.append("also the producer's own industry")
        title = reference.nace_activities[division].title
        industries.append(RankedIndustry(division, title, score, tuple(why)))
    industries.sort(key=lambda industry: (-industry.score, industry.nace_code))
    return industries[:limit]


def _division(nace_code: str) -> str:
    """The NACE division (two digits) of a code at division level or finer."""
    code = nace_code.strip().upper()
    if code[:2].isdigit():
        return code[:2]
    raise ValueError(f"{nace_code!r} is a NACE section, not a division or finer")


def prospect(
    ewc_code: str | None,
    text_similarity: Mapping[str, float],
    measured: Mapping[str, MeasuredValue],
    base: KnowledgeBase,
    reference: ReferenceData,
    producer_nace_code: str | None = None,
    limit: int = 10,
) -> ProspectResult:
    weights = class_weights(ewc_code, text_similarity, base)
    routes = rank_routes(
        weights, measured, base, reference, limit=len(base.routes), text_similarity=text_similarity
    )
    industries = rank_industries(routes, base, reference, producer_nace_code, limit)
    strongest = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    return ProspectResult(tuple(strongest), tuple(routes[:limit]), tuple(industries))
