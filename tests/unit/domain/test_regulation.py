"""Screening test results against the limit values of a use: hand-checked cases, total content
kept apart from leaching, units converted, the edge of a limit, the kind of test read from a
result's standard, and a limit that counts only some tests."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sidestream.domain.errors import InvalidInput
from sidestream.domain.regulation import (
    DISCLAIMER,
    Basis,
    LabResult,
    LimitValue,
    Parameter,
    RegulatoryStatus,
    RuleSet,
    StatusRecord,
    TestMethod,
    Verdict,
    check_lab_result,
    check_status_record,
    classify_standard,
    rule_set_problems,
    screen,
    to_unit,
)

TODAY = date(2026, 11, 23)
PARAMETERS = {
    code: Parameter(code, code) for code in ("chromium_total", "molybdenum", "fluoride", "zinc")
}
INERT = RuleSet(
    rule_set_id="inert",
    name="inert-waste landfill",
    use="landfill for inert waste",
    legal_source="Council Decision 2003/33/EC",
    source_locator="Annex, 2.1.2.1",
    in_force_from=date(2004, 7, 16),
    limits=(
        LimitValue("chromium_total", Basis.LEACHING_LS10, 0.5, "mg/kg", True),
        LimitValue("molybdenum", Basis.LEACHING_LS10, 0.5, "mg/kg", True),
        LimitValue("fluoride", Basis.LEACHING_LS10, 10.0, "mg/kg", True),
    ),
)


def result(
    parameter: str,
    value: float,
    unit: str = "mg/kg",
    basis: Basis = Basis.LEACHING_LS10,
    tested_on: date = date(2026, 3, 1),
    standard: str | None = None,
) -> LabResult:
    # A leaching result from the batch test, a total content from aqua regia digestion.
    standard = standard or ("EN 12457-4" if basis.is_leaching else "EN 13657")
    return LabResult(parameter, basis, value, unit, standard, "Test Lab Oy", tested_on)


def test_a_slag_with_low_leaching_but_high_total_chromium_is_screened_on_leaching() -> None:
    """Ferrochrome slag holds chromium in its minerals: a high total content is not leaching,
    and the authorities judge the two apart (hand-checked against the three limits)."""
    screening = screen(
        INERT,
        [
            result("chromium_total", 120_000.0, basis=Basis.TOTAL),  # 12 %: not a leaching value
            result("chromium_total", 0.3),  # 0.3 <= 0.5: within
            result("molybdenum", 0.8),  # 0.8 > 0.5: exceeds, at 1.6 times the limit
        ],
    )
    by_parameter = {p.limit.parameter_code: p for p in screening.parameters}
    assert by_parameter["chromium_total"].verdict is Verdict.WITHIN
    assert by_parameter["chromium_total"].result is not None
    assert by_parameter["chromium_total"].result.basis is Basis.LEACHING_LS10
    assert by_parameter["molybdenum"].verdict is Verdict.EXCEEDS
    assert by_parameter["molybdenum"].share_of_limit == pytest.approx(1.6)
    assert by_parameter["fluoride"].verdict is Verdict.MISSING  # a lab test is needed
    assert screening.verdict is Verdict.EXCEEDS
    assert (screening.count(Verdict.WITHIN), screening.count(Verdict.MISSING)) == (1, 1)
    assert screening.disclaimer == DISCLAIMER and "not a legal opinion" in DISCLAIMER


def test_the_latest_result_counts_and_units_are_converted() -> None:
    screening = screen(
        INERT,
        [
            result("molybdenum", 0.9, tested_on=date(2025, 1, 1)),
            result("molybdenum", 400.0, unit="g/t", tested_on=date(2026, 1, 1)),  # wrong: 400
            result("molybdenum", 0.00004, unit="%", tested_on=date(2026, 6, 1)),  # 0.4 mg/kg
            result("chromium_total", 0.5),
            result("fluoride", 0.009, unit="g/kg"),  # 9 mg/kg
        ],
    )
    assert screening.verdict is Verdict.WITHIN
    molybdenum = next(p for p in screening.parameters if p.limit.parameter_code == "molybdenum")
    assert molybdenum.value_in_limit_unit == pytest.approx(0.4)


def test_without_results_every_limit_is_missing() -> None:
    screening = screen(INERT, [])
    assert screening.verdict is Verdict.MISSING
    assert screening.count(Verdict.MISSING) == 3


@given(
    limit=st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False),
    unit=st.sampled_from(["mg/kg", "g/t", "ppm", "g/kg", "%"]),
)
def test_a_value_at_the_limit_is_within_and_just_above_exceeds(limit: float, unit: str) -> None:
    rule_set = RuleSet(
        "r",
        "r",
        "use",
        "source",
        "locator",
        date(2020, 1, 1),
        (LimitValue("zinc", Basis.TOTAL, limit, unit, True),),
    )
    at = screen(rule_set, [result("zinc", limit, unit, Basis.TOTAL)])
    above = screen(rule_set, [result("zinc", math.nextafter(limit, math.inf), unit, Basis.TOTAL)])
    assert at.verdict is Verdict.WITHIN
    assert above.verdict is Verdict.EXCEEDS


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_mg_per_kg_and_g_per_t_round_trip(value: float) -> None:
    assert to_unit(value, "mg/kg", "g/t") == value
    assert to_unit(to_unit(value, "mg/kg", "%"), "%", "mg/kg") == pytest.approx(value)
    assert to_unit(to_unit(value, "g/kg", "mg/kg"), "mg/kg", "g/kg") == pytest.approx(value)


def test_a_result_without_unit_or_standard_or_of_an_unknown_substance_is_refused() -> None:
    bad = LabResult("unobtainium", Basis.TOTAL, -1.0, "", " ", "Lab", date(2027, 1, 1))
    with pytest.raises(InvalidInput) as raised:
        check_lab_result(bad, PARAMETERS, TODAY)
    assert {error.field for error in raised.value.errors} == {
        "parameter_code",
        "unit",
        "standard",
        "value",
        "tested_on",
    }
    with pytest.raises(InvalidInput) as raised:
        check_lab_result(result("zinc", 1.0, unit="mg/l"), PARAMETERS, TODAY)
    assert [error.field for error in raised.value.errors] == ["unit"]
    assert check_lab_result(result("zinc", 1.0, unit=" g/t "), PARAMETERS, TODAY).unit == "g/t"


def test_a_rule_set_without_its_source_or_with_a_wrong_limit_is_named() -> None:
    broken = RuleSet(
        "broken",
        "b",
        "use",
        "",
        "",
        date(2020, 1, 1),
        (
            LimitValue("zinc", Basis.TOTAL, 0.0, "mg/kg", True),
            LimitValue("zinc", Basis.TOTAL, 1.0, "mg/l", True),
            LimitValue("unobtainium", Basis.TOTAL, 1.0, "mg/kg", True),
        ),
    )
    problems = rule_set_problems(broken, PARAMETERS)
    assert any("legal source" in p for p in problems)
    assert any("not a positive limit" in p for p in problems)
    assert any("not a unit of concentration" in p for p in problems)
    assert any("unknown parameter" in p for p in problems)
    assert any("given twice" in p for p in problems)
    assert rule_set_problems(INERT, PARAMETERS) == []


@given(
    limit=st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False),
    unit=st.sampled_from(["g/t", "ppm", "g/kg", "%"]),
)
def test_a_limit_met_exactly_in_another_unit_is_within(limit: float, unit: str) -> None:
    rule_set = RuleSet(
        "r",
        "r",
        "use",
        "source",
        "locator",
        date(2020, 1, 1),
        (LimitValue("zinc", Basis.TOTAL, limit, "mg/kg", True),),
    )
    same = to_unit(limit, "mg/kg", unit)
    assert screen(rule_set, [result("zinc", same, unit, Basis.TOTAL)]).verdict is Verdict.WITHIN
    assert (
        screen(rule_set, [result("zinc", same * 1.000001, unit, Basis.TOTAL)]).verdict
        is Verdict.EXCEEDS
    )


def _status(**changes: object) -> StatusRecord:
    fields: dict[str, object] = {
        "stream_id": 1,
        "use": "cover layer of a waste-rock pile",
        "status": RegulatoryStatus.BY_PRODUCT,
        "legal_basis": "Waste Act 646/2011, section 5",
        "decided_on": date(2025, 5, 1),
    }
    return StatusRecord(**(fields | changes))  # type: ignore[arg-type]


def test_a_status_record_names_every_wrong_field() -> None:
    routes = frozenset({"waste_rock_cover_sealing_layer"})
    assert check_status_record(_status(use="  cover  "), routes, TODAY).use == "cover"
    with pytest.raises(InvalidInput) as raised:
        check_status_record(
            _status(
                use=" ",
                legal_basis="",
                route_id="moon_base",
                decided_on=date(2027, 1, 1),
                valid_until=date(2026, 1, 1),
                decision_reference="LAPELY/123/2025",
            ),
            routes,
            TODAY,
        )
    assert {error.field for error in raised.value.errors} == {
        "use",
        "legal_basis",
        "route_id",
        "decided_on",
        "valid_until",
        "authority",
    }
    with pytest.raises(InvalidInput) as raised:
        check_status_record(_status(status=RegulatoryStatus.END_OF_WASTE), routes, TODAY)
    assert [error.field for error in raised.value.errors] == ["decision_reference"]
    valid = _status(valid_until=date(2026, 12, 31))
    assert valid.is_valid_on(TODAY) and not valid.is_valid_on(date(2027, 1, 1))


def test_a_status_record_names_only_known_requirements_it_meets() -> None:
    routes = frozenset({"waste_rock_cover_sealing_layer"})
    known = frozenset({"environmental_permit", "mara_notification"})
    kept = check_status_record(
        _status(fulfils=(" mara_notification", "mara_notification")), routes, TODAY, known
    )
    assert kept.fulfils == ("mara_notification",)
    with pytest.raises(InvalidInput) as raised:
        check_status_record(_status(fulfils=("blessing_of_the_mayor",)), routes, TODAY, known)
    (error,) = raised.value.errors
    assert error.field == "fulfils" and "'blessing_of_the_mayor'" in error.reason


# --- the kind of test, and limits that count only some -------------------------------------


@pytest.mark.parametrize(
    ("standard", "method"),
    [
        ("EN 12457-4", TestMethod.BATCH),
        ("EN 12457-4:2002", TestMethod.BATCH),
        ("SFS-EN 12457-3", TestMethod.BATCH),
        ("sfs-en12457-2", TestMethod.BATCH),
        ("DIN 38414-S4", TestMethod.BATCH),
        ("DIN 38414 S 4", TestMethod.BATCH),
        ("CEN/TS 14405:2004", TestMethod.COLUMN),
        ("prEN 14405", TestMethod.COLUMN),
        ("SFS-EN 14405:2017", TestMethod.COLUMN),
        ("  en 14405  ", TestMethod.COLUMN),
        ("DIN 19528", TestMethod.COLUMN),
        ("EN 13657", TestMethod.TOTAL_CONTENT),
        ("SFS-EN 13656:2002", TestMethod.TOTAL_CONTENT),
        ("ISO 11466:1995", TestMethod.TOTAL_CONTENT),
        ("EN 15309 (XRF)", TestMethod.TOTAL_CONTENT),
        # The eluate's analysis after the test does not hide the test.
        ("EN 12457-2 / SFS-EN ISO 17294-2", TestMethod.BATCH),
        # An analysis alone says nothing of what was analysed; two kinds of test contradict.
        ("SFS-EN ISO 17294-2", TestMethod.UNKNOWN),
        ("EN 12457-2 and EN 14405", TestMethod.UNKNOWN),
        ("DIN 38414", TestMethod.UNKNOWN),  # the series, not its shaking test S4
        ("124570", TestMethod.UNKNOWN),  # not a standard's number
        ("lab's own method", TestMethod.UNKNOWN),
        ("", TestMethod.UNKNOWN),
    ],
)
def test_the_kind_of_test_is_read_from_the_standard(standard: str, method: TestMethod) -> None:
    assert classify_standard(standard) is method


COLUMN_ONLY = RuleSet(
    rule_set_id="covered",
    name="covered structure",
    use="earth construction",
    legal_source="a decree",
    source_locator="Annex 1",
    in_force_from=date(2018, 1, 1),
    limits=(
        LimitValue(
            "molybdenum", Basis.LEACHING_LS10, 0.5, "mg/kg", False, frozenset({TestMethod.COLUMN})
        ),
        LimitValue("zinc", Basis.LEACHING_LS10, 4.0, "mg/kg", False),  # any leaching test
    ),
)


def test_a_result_of_a_test_the_limit_does_not_count_leaves_it_missing_with_the_reason() -> None:
    """Molybdenum's limit counts the column test only: the later batch result (0.2, which would
    be within 0.5) does not count, so the earlier column result (0.7 > 0.5) decides: exceeds.
    Without the column result it is missing, with the reason. Zinc's limit names no test, so
    the batch result counts: 3.0 <= 4.0, within."""
    column = result("molybdenum", 0.7, tested_on=date(2025, 6, 1), standard="SFS-EN 14405:2017")
    batch = result("molybdenum", 0.2, tested_on=date(2026, 3, 1), standard="SFS-EN 12457-2")
    zinc = result("zinc", 3.0, standard="SFS-EN 12457-2")
    both = {
        p.limit.parameter_code: p for p in screen(COLUMN_ONLY, [column, batch, zinc]).parameters
    }
    assert both["molybdenum"].verdict is Verdict.EXCEEDS
    assert both["molybdenum"].result == column
    assert both["molybdenum"].test_method is TestMethod.COLUMN
    assert both["molybdenum"].share_of_limit == pytest.approx(1.4)
    assert both["zinc"].verdict is Verdict.WITHIN and both["zinc"].reason is None

    screened = screen(COLUMN_ONLY, [batch, zinc])
    molybdenum = next(p for p in screened.parameters if p.limit.parameter_code == "molybdenum")
    assert molybdenum.verdict is Verdict.MISSING and molybdenum.value_in_limit_unit is None
    assert molybdenum.result == batch  # shown with its standard and date
    assert molybdenum.test_method is TestMethod.BATCH
    assert molybdenum.reason == (
        "the result is from a batch leaching test (SFS-EN 12457-2); "
        "the limit asks for a column leaching test"
    )
    assert molybdenum.reason.template.startswith("the result is from a {done}")  # translatable
    assert screened.verdict is Verdict.MISSING


def test_a_result_of_an_unrecognised_standard_counts_only_where_the_limit_names_no_test() -> None:
    own = "the lab's own shaking method"
    screened = screen(
        COLUMN_ONLY,
        [
            result("molybdenum", 0.1, standard=own),
            result("zinc", 5.0, standard=own),  # 5.0 > 4.0: exceeds
        ],
    )
    by_parameter = {p.limit.parameter_code: p for p in screened.parameters}
    assert by_parameter["zinc"].verdict is Verdict.EXCEEDS
    assert by_parameter["molybdenum"].verdict is Verdict.MISSING
    assert by_parameter["molybdenum"].reason == (
        "the result's standard the lab's own shaking method is not a test sidestream "
        "recognises; the limit asks for a column leaching test"
    )


def test_a_stored_total_content_from_a_leaching_test_never_counts() -> None:
    """Data stored before standards were checked: a 'total' result from a batch test does not
    meet a total-content limit, and says what the limit asks for."""
    limit = LimitValue("zinc", Basis.TOTAL, 100.0, "mg/kg", True)
    rule_set = RuleSet("r", "r", "use", "source", "locator", date(2020, 1, 1), (limit,))
    (zinc,) = screen(
        rule_set, [result("zinc", 1.0, basis=Basis.TOTAL, standard="EN 12457-4")]
    ).parameters
    assert zinc.verdict is Verdict.MISSING
    assert zinc.reason == (
        "the result is from a batch leaching test (EN 12457-4); "
        "the limit asks for a total-content analysis"
    )


def test_a_leaching_limit_naming_both_tests_says_either() -> None:
    both = frozenset({TestMethod.COLUMN, TestMethod.BATCH})
    limit = LimitValue("zinc", Basis.LEACHING_LS10, 4.0, "mg/kg", True, both)
    rule_set = RuleSet("r", "r", "use", "source", "locator", date(2020, 1, 1), (limit,))
    (zinc,) = screen(rule_set, [result("zinc", 1.0, standard="EN 13657")]).parameters
    assert zinc.reason == (
        "the result is from a total-content analysis (EN 13657); "
        "the limit asks for a batch leaching test or column leaching test"
    )


def test_a_result_whose_standard_contradicts_its_basis_is_refused() -> None:
    digestion_as_leaching = result("zinc", 1.0, standard="SFS-EN 13657:2002")
    with pytest.raises(InvalidInput) as raised:
        check_lab_result(digestion_as_leaching, PARAMETERS, TODAY)
    (error,) = raised.value.errors
    assert error.field == "standard" and "not a leaching test" in error.reason
    leaching_as_total = result("zinc", 1.0, basis=Basis.TOTAL, standard="CEN/TS 14405")
    with pytest.raises(InvalidInput) as raised:
        check_lab_result(leaching_as_total, PARAMETERS, TODAY)
    (error,) = raised.value.errors
    assert error.field == "standard" and "is a leaching test" in error.reason
    # Either test is accepted on a leaching basis, and an unrecognised standard anywhere.
    for standard in ("SFS-EN 12457-3", "SFS-EN 14405", "XRF, lab method 12"):
        checked = check_lab_result(result("zinc", 1.0, standard=standard), PARAMETERS, TODAY)
        assert checked.standard == standard
    assert check_lab_result(result("zinc", 1.0, basis=Basis.TOTAL), PARAMETERS, TODAY)


def test_a_limit_naming_a_test_that_cannot_measure_its_basis_is_named() -> None:
    rule_set = RuleSet(
        "tests",
        "t",
        "use",
        "source",
        "locator",
        date(2020, 1, 1),
        (
            LimitValue("zinc", Basis.TOTAL, 1.0, "mg/kg", True, frozenset({TestMethod.COLUMN})),
            LimitValue(
                "zinc", Basis.LEACHING_LS10, 1.0, "mg/kg", True, frozenset({TestMethod.UNKNOWN})
            ),
            LimitValue(
                "fluoride", Basis.LEACHING_LS2, 1.0, "mg/kg", True, frozenset({TestMethod.BATCH})
            ),
        ),
    )
    problems = rule_set_problems(rule_set, PARAMETERS)
    assert problems == [
        "tests/zinc/total: column cannot measure total",
        "tests/zinc/leaching_ls10: a limit names the tests it counts, not an unknown one",
    ]
