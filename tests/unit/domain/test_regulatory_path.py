"""A use's regulatory path judged by hand: which record meets which requirement (by its status,
by what it names, for which use, on which day), alternatives, and the best of the use's rule
sets deciding the screening step."""

from __future__ import annotations

from datetime import date

from sidestream.domain.phrases import Named, Phrase, either
from sidestream.domain.regulation import (
    Basis,
    LabResult,
    LimitValue,
    RegulationData,
    RegulatoryStatus,
    RuleSet,
    StatusRecord,
    screen,
)
from sidestream.domain.regulatory_path import (
    Holder,
    RegulatoryKnowledge,
    RequirementKind,
    RouteRegulation,
    StepState,
    best_screening,
    regulatory_path,
    requirements_only,
    route_problems,
)

TODAY = date(2026, 12, 7)
ROUTE = "ash_earth_construction_mara"


def _kind(
    code: str, per_use: bool = True, status: RegulatoryStatus | None = None
) -> RequirementKind:
    return RequirementKind(
        code=code,
        name=code.replace("_", " ").capitalize(),
        legal_source=f"the act on {code}",
        source_locator="section 1",
        holder=Holder.PRODUCER,
        per_use=per_use,
        fulfilled_by_status=status,
        is_verified=False,
        note="",
    )


KINDS = {
    "mara_notification": _kind("mara_notification"),
    "environmental_permit": _kind("environmental_permit"),
    "by_product_assessment": _kind("by_product_assessment", status=RegulatoryStatus.BY_PRODUCT),
    "reach_registration": _kind("reach_registration", per_use=False),
}


def _record(
    route_id: str | None = ROUTE,
    status: RegulatoryStatus = RegulatoryStatus.WASTE,
    fulfils: tuple[str, ...] = (),
    decided_on: date = date(2026, 1, 1),
    valid_until: date | None = None,
) -> StatusRecord:
    return StatusRecord(
        stream_id=1,
        use="a road embankment",
        status=status,
        legal_basis="Waste Act 646/2011",
        decided_on=decided_on,
        route_id=route_id,
        decision_reference="LAPELY/1/2026",
        authority="Lapland ELY Centre",
        valid_until=valid_until,
        fulfils=fulfils,
    )


def _route(*requirements: tuple[str, ...], rule_sets: tuple[str, ...] = ()) -> RouteRegulation:
    return RouteRegulation(ROUTE, requirements, rule_sets, "the route's permit notes")


def _states(regulation: RouteRegulation, *records: StatusRecord) -> list[StepState]:
    path = regulatory_path(regulation, KINDS, records, (), TODAY)
    return [step.state for step in path.steps]


def test_a_requirement_is_met_by_a_record_that_names_it_for_this_use() -> None:
    route = _route(("mara_notification",), ("environmental_permit",))
    notified = _record(fulfils=("mara_notification",))
    assert _states(route) == [StepState.TO_DO, StepState.TO_DO]
    assert _states(route, notified) == [StepState.MET, StepState.TO_DO]
    path = regulatory_path(route, KINDS, [notified], (), TODAY)
    assert path.steps[0].evidence == notified
    assert "LAPELY/1/2026" in str(path.steps[0].sentence)
    assert [step.state for step in path.open_steps] == [StepState.TO_DO]


def test_a_record_for_another_use_or_out_of_its_dates_meets_nothing() -> None:
    route = _route(("mara_notification",))
    assert _states(
        route, _record(route_id="crushed_brick_fill", fulfils=("mara_notification",))
    ) == [StepState.TO_DO]
    assert _states(route, _record(route_id=None, fulfils=("mara_notification",))) == [
        StepState.TO_DO
    ]
    expired = _record(fulfils=("mara_notification",), valid_until=date(2026, 12, 6))
    assert _states(route, expired) == [StepState.TO_DO]
    still_valid = _record(fulfils=("mara_notification",), valid_until=TODAY)  # the last day
    assert _states(route, still_valid) == [StepState.MET]


def test_a_status_meets_its_own_requirement_and_a_registration_holds_for_every_use() -> None:
    route = _route(("by_product_assessment",), ("reach_registration",))
    by_product = _record(status=RegulatoryStatus.BY_PRODUCT)
    registered = _record(route_id=None, fulfils=("reach_registration",))
    assert _states(route, by_product) == [StepState.MET, StepState.TO_DO]
    assert _states(route, by_product, registered) == [StepState.MET, StepState.MET]
    assert _states(route, _record(status=RegulatoryStatus.WASTE)) == [
        StepState.TO_DO,
        StepState.TO_DO,
    ]


def test_alternatives_are_met_by_any_one_of_them() -> None:
    route = _route(("by_product_assessment", "environmental_permit"))
    permit = _record(fulfils=("environmental_permit",))
    path = regulatory_path(route, KINDS, [permit], (), TODAY)
    (step,) = path.steps
    assert step.state is StepState.MET
    assert [kind.code for kind in step.requirements] == [
        "by_product_assessment",
        "environmental_permit",
    ]
    assert "By product assessment or Environmental permit" in str(step.sentence)


def _rule_set(rule_set_id: str, vanadium_limit: float) -> RuleSet:
    return RuleSet(
        rule_set_id=rule_set_id,
        name=f"MARA {rule_set_id}",
        use="earth construction",
        legal_source="Government Decree 843/2017",
        source_locator="Annex 1",
        in_force_from=date(2018, 1, 1),
        limits=(
            LimitValue("vanadium", Basis.LEACHING_LS10, vanadium_limit, "mg/kg", False),
            LimitValue("chloride", Basis.LEACHING_LS10, 800.0, "mg/kg", False),
        ),
    )


def _result(code: str, value: float) -> LabResult:
    return LabResult(
        code, Basis.LEACHING_LS10, value, "mg/kg", "EN 12457-4", "Lab", date(2026, 5, 1)
    )


def test_the_best_rule_set_decides_the_screening_step() -> None:
    covered, paved = _rule_set("covered", 1.0), _rule_set("paved", 3.0)
    results = [_result("vanadium", 2.0), _result("chloride", 100.0)]
    # Vanadium 2.0 exceeds the covered structure's 1.0 and is within the paved one's 3.0:
    # the stream can serve the use as a paved structure.
    screenings = [screen(covered, results), screen(paved, results)]
    best = best_screening(screenings)
    assert best is not None and best.rule_set.rule_set_id == "paved"
    route = _route(rule_sets=("covered", "paved"))
    path = regulatory_path(route, KINDS, (), screenings, TODAY)
    assert [step.state for step in path.steps] == [StepState.WITHIN]
    assert not path.exceeds and not path.needs_lab_test

    too_much = [_result("vanadium", 3.5), _result("chloride", 100.0)]
    path = regulatory_path(
        route, KINDS, (), [screen(covered, too_much), screen(paved, too_much)], TODAY
    )
    # Both exceed one limit; the paved structure's by less (3.5 is 1.17× its 3.0, 3.5× 1.0).
    assert path.exceeds and path.screening_step is not None
    assert "exceed 1 limit values of 'MARA paved'" in str(path.screening_step.sentence)

    only_vanadium = [_result("vanadium", 0.5)]  # chloride not measured: a lab test is needed
    path = regulatory_path(
        route, KINDS, (), [screen(covered, only_vanadium), screen(paved, only_vanadium)], TODAY
    )
    assert path.needs_lab_test
    assert "lab test needed: 1 limit values" in str(path.open_steps[0].sentence)


def test_a_reader_without_the_records_sees_only_what_the_use_asks() -> None:
    route = _route(("mara_notification",), rule_sets=("covered", "paved"))
    data = RegulationData({}, {"covered": _rule_set("covered", 1), "paved": _rule_set("paved", 3)})
    path = requirements_only(route, RegulatoryKnowledge(KINDS, {ROUTE: route}, data))
    assert [step.state for step in path.steps] == [StepState.REQUIRED, StepState.REQUIRED]
    assert not path.open_steps
    assert "MARA covered or MARA paved" in str(path.steps[1].sentence)


def test_broken_route_regulation_is_reported() -> None:
    broken = RouteRegulation(ROUTE, (("permit_of_nowhere",), ()), ("a", "a"), " ")
    problems = " ".join(route_problems(broken, KINDS))
    for expected in ("unknown requirement 'permit_of_nowhere'", "an empty requirement"):
        assert expected in problems
    assert "a rule set named twice" in problems and "no source" in problems


def test_names_from_the_data_keep_their_other_languages_through_a_sentence() -> None:
    permit = Named("Environmental permit", fi="Ympäristölupa")
    notification = Named("MARA notification", fi="MARA-ilmoitus")
    assert permit.in_language("fi") == "Ympäristölupa"
    assert permit.in_language("sv") == "Environmental permit" == permit  # English otherwise
    assert either([]) == "" and either([permit]) is permit
    said = either([permit, notification, "a third"])
    assert said == "Environmental permit or MARA notification or a third"
    assert isinstance(said, Phrase) and said.template == "{first} or {second}"
    (first, inner), (_, last) = said.params
    assert first == "first" and last == "a third"
    assert isinstance(inner, Phrase) and dict(inner.params)["first"] is permit
