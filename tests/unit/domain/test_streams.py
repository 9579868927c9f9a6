"""The rules a side stream and a need must satisfy."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from sidestream.domain.errors import InvalidInput
from sidestream.domain.reference import ReferenceData
from sidestream.domain.streams import (
    ALL_MONTHS,
    MAX_NAME_LENGTH,
    MAX_TEXT_LENGTH,
    ManagementRoute,
    MeasuredProperty,
    Need,
    PhysicalForm,
    PropertyLimit,
    Quantity,
    Recurrence,
    SideStream,
    Visibility,
    check_need,
    check_side_stream,
)
from sidestream.domain.units import QuantityUnit

TODAY = date(2025, 6, 1)
MEASURED_ON = date(2025, 3, 1)
T_PER_YR = QuantityUnit.TONNES_PER_YEAR


def yearly(amount: float = 700_000.0, unit: QuantityUnit = T_PER_YR) -> Quantity:
    return Quantity(amount, unit, Recurrence.CONTINUOUS)


def measured(
    code: str = "cao",
    value: float = 28.0,
    unit: str = "%",
    method: str = "EN 196-2",
    measured_on: date = MEASURED_ON,
) -> MeasuredProperty:
    return MeasuredProperty(code, value, unit, method, measured_on)


def make_stream(**changes: Any) -> SideStream:
    """A valid solid, non-hazardous, absolute-entry stream."""
    stream = SideStream(
        organisation_id=1,
        site_id=1,
        name="Ferrochrome slag",
        material_class_code="ferrochrome_slag",
        physical_form=PhysicalForm.SOLID,
        quantity=yearly(),
        management_route=ManagementRoute.SOLD,
        visibility=Visibility.PUBLIC,
        valid_until=date(2028, 6, 30),
        ewc_code="10 02 02",
        properties=(measured(), measured("particle_size_max", 32.0, "mm", "EN 933-1")),
        asking_price_eur_per_unit=4.5,
    )
    return replace(stream, **changes)


def make_heat_stream(**changes: Any) -> SideStream:
    """A valid waste heat stream."""
    stream = make_stream(
        name="Cooling water heat",
        material_class_code="waste_heat_low",
        physical_form=PhysicalForm.ENERGY,
        quantity=yearly(150_000.0, QuantityUnit.MWH_PER_YEAR),
        management_route=ManagementRoute.DISCHARGED,
        ewc_code=None,
        temperature_c=35.0,
        properties=(),
    )
    return replace(stream, **changes)


def make_need(**changes: Any) -> Need:
    """A valid need for slag as aggregate."""
    need = Need(
        organisation_id=2,
        site_id=2,
        name="Road base aggregate",
        quantity=yearly(20_000.0),
        max_distance_km=150.0,
        visibility=Visibility.PUBLIC,
        valid_until=date(2027, 12, 31),
        accepted_material_class_codes=("ferrochrome_slag", "blast_furnace_slag"),
        property_limits=(PropertyLimit("particle_size_max", "mm", max_value=63.0),),
        willingness_to_pay_eur_per_unit=2.0,
    )
    return replace(need, **changes)


def stream_errors(stream: SideStream, reference: ReferenceData) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        check_side_stream(stream, reference, TODAY)
    return caught.value


def need_errors(need: Need, reference: ReferenceData) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        check_need(need, reference)
    return caught.value


def fields(error: InvalidInput) -> list[str]:
    return [field_error.field for field_error in error.errors]


# --- side streams: valid ones ----------------------------------------------------------------


def test_a_valid_stream_is_returned_non_hazardous(reference: ReferenceData) -> None:
    stream = make_stream()
    checked = check_side_stream(stream, reference, TODAY)
    assert checked is stream
    assert checked.is_hazardous is False


def test_a_valid_heat_stream_needs_no_waste_code(reference: ReferenceData) -> None:
    stream = check_side_stream(make_heat_stream(), reference, TODAY)
    assert stream.ewc_code is None
    assert stream.is_hazardous is False


@pytest.mark.parametrize("form", [PhysicalForm.GAS, PhysicalForm.LIQUID])
def test_a_gas_stream_needs_no_waste_code(reference: ReferenceData, form: PhysicalForm) -> None:
    co2 = make_stream(
        name="CO2",
        material_class_code="carbon_dioxide",
        physical_form=form,
        quantity=yearly(50_000.0),
        ewc_code=None,
        properties=(measured("purity", 99.5, "%", "GC"),),
    )
    assert check_side_stream(co2, reference, TODAY) is co2


# --- side streams: the hazardous flag and mirror entries -------------------------------------


def test_hazardous_flag_is_derived_from_an_absolute_hazardous_entry(
    reference: ReferenceData,
) -> None:
    stream = make_stream(
        material_class_code="fly_ash_coal_peat", ewc_code="10 01 04*", properties=()
    )
    assert check_side_stream(stream, reference, TODAY).is_hazardous is True


def test_hazardous_flag_is_derived_even_without_the_asterisk(reference: ReferenceData) -> None:
    stream = make_stream(material_class_code="fly_ash_coal_peat", ewc_code="100104", properties=())
    assert check_side_stream(stream, reference, TODAY).is_hazardous is True


def test_hazardous_flag_entered_by_hand_is_overwritten_by_the_list(
    reference: ReferenceData,
) -> None:
    stream = make_stream(is_hazardous=True)
    assert check_side_stream(stream, reference, TODAY).is_hazardous is False
    heat = make_heat_stream(is_hazardous=True)
    assert check_side_stream(heat, reference, TODAY).is_hazardous is False


def test_an_assessed_hazardous_mirror_entry_is_hazardous(reference: ReferenceData) -> None:
    stream = make_stream(
        material_class_code="metallurgical_dust",
        ewc_code="10 02 07*",
        hazard_assessment_basis="Zn and Pb above HP 14 thresholds",
        hazard_assessed_on=date(2025, 2, 10),
        properties=(),
    )
    assert check_side_stream(stream, reference, TODAY).is_hazardous is True


@pytest.mark.parametrize("ewc_code", ["10 02 07*", "10 02 08"])
@pytest.mark.parametrize(
    ("basis", "assessed_on"),
    [
        (None, None),
        ("lab report 2025-02", None),
        (None, date(2025, 2, 10)),
        ("", date(2025, 2, 10)),
    ],
)
def test_a_mirror_entry_needs_a_hazard_assessment_basis_and_date(
    reference: ReferenceData, ewc_code: str, basis: str | None, assessed_on: date | None
) -> None:
    stream = make_stream(
        material_class_code="metallurgical_dust",
        ewc_code=ewc_code,
        hazard_assessment_basis=basis,
        hazard_assessed_on=assessed_on,
        properties=(),
    )
    error = stream_errors(stream, reference)
    assert fields(error) == ["hazard_assessment_basis"]
    assert "is a mirror entry" in error.errors[0].reason
    assert ewc_code.split("*")[0] in error.errors[0].reason


def test_an_assessed_non_hazardous_mirror_entry_is_not_hazardous(
    reference: ReferenceData,
) -> None:
    stream = make_stream(
        material_class_code="metallurgical_dust",
        ewc_code="10 02 08",
        hazard_assessment_basis="below all HP thresholds",
        hazard_assessed_on=TODAY,
        properties=(),
    )
    assert check_side_stream(stream, reference, TODAY).is_hazardous is False


def test_a_hazard_assessment_in_the_future_is_rejected(reference: ReferenceData) -> None:
    stream = make_stream(
        material_class_code="metallurgical_dust",
        ewc_code="10 02 08",
        hazard_assessment_basis="below all HP thresholds",
        hazard_assessed_on=date(2025, 6, 2),
        properties=(),
    )
    error = stream_errors(stream, reference)
    assert fields(error) == ["hazard_assessed_on"]
    assert error.errors[0].reason == "lies in the future"


def test_a_long_hazard_assessment_basis_is_rejected(reference: ReferenceData) -> None:
    stream = make_stream(hazard_assessment_basis="x" * (MAX_TEXT_LENGTH + 1))
    assert fields(stream_errors(stream, reference)) == ["hazard_assessment_basis"]


@pytest.mark.parametrize(
    ("ewc_code", "reason"),
    [
        ("10 02 02*", "non-hazardous entry; remove the asterisk"),
        ("99 99 98", "is not in the List of Waste"),
        ("slag", "is not a List of Waste code"),
    ],
)
def test_a_bad_waste_code_is_reported(reference: ReferenceData, ewc_code: str, reason: str) -> None:
    error = stream_errors(make_stream(ewc_code=ewc_code), reference)
    assert fields(error) == ["ewc_code"]
    assert reason in error.errors[0].reason


@pytest.mark.parametrize("form", [PhysicalForm.SOLID, PhysicalForm.SLUDGE, PhysicalForm.LIQUID])
def test_a_material_stream_needs_a_waste_code(reference: ReferenceData, form: PhysicalForm) -> None:
    error = stream_errors(make_stream(ewc_code=None, physical_form=form), reference)
    assert fields(error) == ["ewc_code"]
    assert error.errors[0].reason == "a material stream needs its List of Waste code"


# --- side streams: material class, form, energy ----------------------------------------------


def test_an_unknown_material_class_is_reported(reference: ReferenceData) -> None:
    error = stream_errors(make_stream(material_class_code="unobtainium"), reference)
    assert fields(error) == ["material_class_code"]


@pytest.mark.parametrize(
    ("material_class_code", "form", "reason"),
    [
        ("waste_heat_low", PhysicalForm.GAS, "is an energy stream: use energy"),
        ("carbon_dioxide", PhysicalForm.SOLID, "is a gas: use gas or liquid"),
        ("carbon_dioxide", PhysicalForm.ENERGY, "is a gas: use gas or liquid"),
        ("ferrochrome_slag", PhysicalForm.GAS, "is a material: use solid, sludge or liquid"),
    ],
)
def test_the_physical_form_must_suit_the_material_class(
    reference: ReferenceData, material_class_code: str, form: PhysicalForm, reason: str
) -> None:
    stream = make_stream(material_class_code=material_class_code, physical_form=form)
    error = stream_errors(stream, reference)
    assert "physical_form" in fields(error)
    assert any(reason in e.reason for e in error.errors if e.field == "physical_form")


def test_a_heat_class_given_as_solid_is_reported(reference: ReferenceData) -> None:
    error = stream_errors(make_heat_stream(physical_form=PhysicalForm.SOLID), reference)
    # wrong form, MWh/yr on a stream that is not energy, and a solid without a waste code
    assert fields(error) == ["physical_form", "quantity_unit", "ewc_code"]


def test_an_energy_stream_must_be_given_in_mwh_per_year(reference: ReferenceData) -> None:
    error = stream_errors(make_heat_stream(quantity=yearly(1000.0)), reference)
    assert fields(error) == ["quantity_unit"]
    assert error.errors[0].reason == "energy streams are given in MWh/yr, and only they"


def test_only_energy_streams_are_given_in_mwh_per_year(reference: ReferenceData) -> None:
    stream = make_stream(quantity=yearly(1000.0, QuantityUnit.MWH_PER_YEAR))
    assert fields(stream_errors(stream, reference)) == ["quantity_unit"]


def test_an_energy_stream_needs_its_temperature(reference: ReferenceData) -> None:
    error = stream_errors(make_heat_stream(temperature_c=None), reference)
    assert fields(error) == ["temperature_c"]
    assert error.errors[0].reason == "a heat stream needs its supply temperature"


@pytest.mark.parametrize("temperature_c", [-50.0, 2000.0])
def test_temperature_edges_are_accepted(reference: ReferenceData, temperature_c: float) -> None:
    stream = make_heat_stream(temperature_c=temperature_c)
    assert check_side_stream(stream, reference, TODAY) is stream


@pytest.mark.parametrize("temperature_c", [-50.1, 2000.1])
def test_a_temperature_out_of_range_is_rejected(
    reference: ReferenceData, temperature_c: float
) -> None:
    error = stream_errors(make_heat_stream(temperature_c=temperature_c), reference)
    assert fields(error) == ["temperature_c"]
    assert "is outside -50..2000" in error.errors[0].reason


# --- side streams: quantity ------------------------------------------------------------------


def test_a_one_off_batch_is_given_in_tonnes_per_batch(reference: ReferenceData) -> None:
    batch = Quantity(50_000.0, QuantityUnit.TONNES_PER_BATCH, Recurrence.ONE_OFF)
    stream = make_stream(quantity=batch)
    assert check_side_stream(stream, reference, TODAY) is stream


@pytest.mark.parametrize(
    ("unit", "recurrence"),
    [
        (QuantityUnit.TONNES_PER_YEAR, Recurrence.ONE_OFF),
        (QuantityUnit.CUBIC_METRES_PER_YEAR, Recurrence.ONE_OFF),
        (QuantityUnit.TONNES_PER_BATCH, Recurrence.CONTINUOUS),
        (QuantityUnit.TONNES_PER_BATCH, Recurrence.SEASONAL),
    ],
)
def test_tonnes_per_batch_only_with_one_off(
    reference: ReferenceData, unit: QuantityUnit, recurrence: Recurrence
) -> None:
    stream = make_stream(quantity=Quantity(500.0, unit, recurrence, frozenset({5, 6})))
    error = stream_errors(stream, reference)
    assert fields(error) == ["quantity_unit"]
    assert error.errors[0].reason == "t/batch is used for one_off batches, and only for them"


@pytest.mark.parametrize("months", [frozenset({1}), frozenset({5, 6, 7, 8, 9}), ALL_MONTHS - {12}])
def test_a_seasonal_stream_names_one_to_eleven_months(
    reference: ReferenceData, months: frozenset[int]
) -> None:
    stream = make_stream(quantity=Quantity(800.0, T_PER_YR, Recurrence.SEASONAL, months))
    assert check_side_stream(stream, reference, TODAY) is stream


@pytest.mark.parametrize("months", [frozenset(), ALL_MONTHS])
def test_a_seasonal_stream_with_no_or_all_months_is_rejected(
    reference: ReferenceData, months: frozenset[int]
) -> None:
    stream = make_stream(quantity=Quantity(800.0, T_PER_YR, Recurrence.SEASONAL, months))
    error = stream_errors(stream, reference)
    assert fields(error) == ["recurrence_months"]
    assert error.errors[0].reason == "a seasonal listing names 1 to 11 months"


@pytest.mark.parametrize("months", [frozenset({0, 5}), frozenset({13}), frozenset({-1})])
def test_months_outside_one_to_twelve_are_rejected(
    reference: ReferenceData, months: frozenset[int]
) -> None:
    for recurrence in (Recurrence.SEASONAL, Recurrence.CONTINUOUS):
        stream = make_stream(quantity=Quantity(800.0, T_PER_YR, recurrence, months))
        error = stream_errors(stream, reference)
        assert fields(error) == ["recurrence_months"]
        assert error.errors[0].reason == "months are numbered 1 to 12"


@pytest.mark.parametrize("amount", [0.0, -5.0, math.nan, math.inf, -math.inf])
def test_a_quantity_must_be_positive_and_finite(reference: ReferenceData, amount: float) -> None:
    error = stream_errors(make_stream(quantity=yearly(amount)), reference)
    assert fields(error) == ["quantity_amount"]
    assert "is not a positive amount" in error.errors[0].reason


def test_a_quantity_above_a_billion_is_a_typo(reference: ReferenceData) -> None:
    assert check_side_stream(make_stream(quantity=yearly(1e9)), reference, TODAY)
    error = stream_errors(make_stream(quantity=yearly(1.5e9)), reference)
    assert fields(error) == ["quantity_amount"]
    assert error.errors[0].reason == "1.5e+09 exceeds 1e+09"


# --- side streams: quantity ranges -----------------------------------------------------------


def ranged(
    low: float | None, high: float | None, amount: float = 200.0, unit: QuantityUnit = T_PER_YR
) -> Quantity:
    return Quantity(amount, unit, Recurrence.CONTINUOUS, low=low, high=high)


def test_a_quantity_without_a_range_spans_its_amount() -> None:
    quantity = yearly(200.0)
    assert (quantity.low, quantity.high) == (None, None)
    assert quantity.range == (200.0, 200.0)


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (150.0, 250.0, (150.0, 250.0)),
        (150.0, None, (150.0, 200.0)),
        (None, 250.0, (200.0, 250.0)),
        (200.0, 200.0, (200.0, 200.0)),  # bounds may equal the amount
        (0.0, 1e9, (0.0, 1e9)),  # a stream that may not arise some years; the typo limit
    ],
)
def test_a_range_around_the_amount_is_accepted(
    reference: ReferenceData,
    low: float | None,
    high: float | None,
    expected: tuple[float, float],
) -> None:
    stream = make_stream(quantity=ranged(low, high))
    assert check_side_stream(stream, reference, TODAY) is stream
    assert stream.quantity.range == expected
    assert stream.quantity.amount == 200.0  # the amount stays the expected value


@pytest.mark.parametrize(
    ("low", "high", "field", "reason"),
    [
        (-1.0, None, "quantity_low", "-1.0 is not an amount of zero or more"),
        (math.nan, None, "quantity_low", "nan is not an amount of zero or more"),
        (-math.inf, None, "quantity_low", "-inf is not an amount of zero or more"),
        (250.0, None, "quantity_low", "250 exceeds quantity_amount 200"),
        (None, -1.0, "quantity_high", "-1.0 is not an amount of zero or more"),
        (None, math.nan, "quantity_high", "nan is not an amount of zero or more"),
        (None, math.inf, "quantity_high", "inf is not an amount of zero or more"),
        (None, 150.0, "quantity_high", "150 is below quantity_amount 200"),
        (None, 1.5e9, "quantity_high", "1.5e+09 exceeds 1e+09"),
    ],
)
def test_a_bad_range_bound_is_rejected(
    reference: ReferenceData, low: float | None, high: float | None, field: str, reason: str
) -> None:
    error = stream_errors(make_stream(quantity=ranged(low, high)), reference)
    assert fields(error) == [field]
    assert error.errors[0].reason == reason


def test_a_range_upside_down_reports_both_bounds(reference: ReferenceData) -> None:
    error = stream_errors(make_stream(quantity=ranged(250.0, 150.0)), reference)
    assert fields(error) == ["quantity_low", "quantity_high"]


def test_a_range_is_not_compared_with_a_bad_amount(reference: ReferenceData) -> None:
    for amount in (-5.0, math.nan):
        error = stream_errors(make_stream(quantity=ranged(0.0, 10.0, amount=amount)), reference)
        assert fields(error) == ["quantity_amount"]


def test_a_heat_stream_takes_its_range_in_its_own_unit(reference: ReferenceData) -> None:
    heat = ranged(120_000.0, 180_000.0, 150_000.0, QuantityUnit.MWH_PER_YEAR)
    stream = make_heat_stream(quantity=heat)
    assert check_side_stream(stream, reference, TODAY).quantity.range == (120_000.0, 180_000.0)


# --- side streams: names, descriptions, money ------------------------------------------------


@pytest.mark.parametrize("name", ["", "   "])
def test_a_name_must_not_be_empty(reference: ReferenceData, name: str) -> None:
    error = stream_errors(make_stream(name=name), reference)
    assert fields(error) == ["name"]
    assert error.errors[0].reason == "must not be empty"


def test_a_name_has_a_length_limit(reference: ReferenceData) -> None:
    assert check_side_stream(make_stream(name="x" * MAX_NAME_LENGTH), reference, TODAY)
    error = stream_errors(make_stream(name="x" * (MAX_NAME_LENGTH + 1)), reference)
    assert fields(error) == ["name"]
    assert error.errors[0].reason == "is 201 characters long; at most 200 are allowed"


def test_a_description_has_a_length_limit(reference: ReferenceData) -> None:
    long = make_stream(description="x" * (MAX_TEXT_LENGTH + 1), description_lang="en")
    assert fields(stream_errors(long, reference)) == ["description"]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_description_in_a_supported_language_is_accepted(
    reference: ReferenceData, lang: str
) -> None:
    stream = make_stream(description="Kuonaa", description_lang=lang)
    assert check_side_stream(stream, reference, TODAY) is stream


@pytest.mark.parametrize("lang", [None, "de", "FI"])
def test_a_description_needs_its_language(reference: ReferenceData, lang: str | None) -> None:
    error = stream_errors(make_stream(description="Slag", description_lang=lang), reference)
    assert fields(error) == ["description_lang"]


def test_a_language_without_description_is_ignored(reference: ReferenceData) -> None:
    stream = make_stream(description=None, description_lang="de")
    assert check_side_stream(stream, reference, TODAY) is stream


@pytest.mark.parametrize("field", ["management_cost_eur_per_unit", "asking_price_eur_per_unit"])
def test_prices_may_be_negative_within_a_million(reference: ReferenceData, field: str) -> None:
    for value in (-1e6, -35.0, 0.0, 1e6):
        stream = make_stream(**{field: value})
        assert check_side_stream(stream, reference, TODAY) is stream


@pytest.mark.parametrize("field", ["management_cost_eur_per_unit", "asking_price_eur_per_unit"])
@pytest.mark.parametrize("value", [1e6 + 1, -1e6 - 1, math.nan, math.inf])
def test_prices_out_of_range_are_rejected(
    reference: ReferenceData, field: str, value: float
) -> None:
    error = stream_errors(make_stream(**{field: value}), reference)
    assert fields(error) == [field]
    assert "is not a price between ±1e+06 EUR" in error.errors[0].reason


# --- side streams: measured properties -------------------------------------------------------


def test_an_unknown_property_code_is_reported(reference: ReferenceData) -> None:
    error = stream_errors(make_stream(properties=(measured("colour", 3.0, "-"),)), reference)
    assert fields(error) == ["properties"]
    assert "'colour' is not a known property" in error.errors[0].reason


def test_a_unit_of_the_wrong_dimension_is_reported(reference: ReferenceData) -> None:
    error = stream_errors(make_stream(properties=(measured("cao", 28.0, "mm"),)), reference)
    assert fields(error) == ["properties.cao"]
    assert "does not measure mass fraction" in error.errors[0].reason


@pytest.mark.parametrize(
    ("code", "value", "unit"),
    [
        ("cao", 100.0, "%"),
        ("cao", 0.0, "%"),
        ("cao", 1_000_000.0, "mg/kg"),
        ("cao", 1000.0, "g/kg"),
        ("purity", 100.0, "%"),
        ("purity", 1_000_000.0, "ppm"),
        ("ph", 0.0, "-"),
        ("ph", 14.0, "pH"),
        ("particle_size_max", 0.0, "mm"),
        ("temperature", -20.0, "°C"),
        ("heating_value_lhv", 8.5, "MJ/kg"),
    ],
)
def test_physical_range_edges_are_accepted(
    reference: ReferenceData, code: str, value: float, unit: str
) -> None:
    stream = make_stream(properties=(measured(code, value, unit),))
    assert check_side_stream(stream, reference, TODAY) is stream


@pytest.mark.parametrize(
    ("code", "value", "unit", "reason"),
    [
        ("cao", 100.5, "%", "100.5 % is not between 0 and 100 %"),
        ("cao", 1_000_001.0, "mg/kg", "is not between 0 and 100 %"),
        ("cao", 1001.0, "g/kg", "is not between 0 and 100 %"),
        ("moisture", -0.1, "%", "is not between 0 and 100 %"),
        ("purity", 100.1, "%", "is not between 0 and 100 %"),
        ("ph", 14.5, "-", "pH 14.5 is outside 0..14"),
        ("ph", -0.5, "-", "pH -0.5 is outside 0..14"),
        ("particle_size_max", -1.0, "mm", "cannot be negative"),
        ("bulk_density", -1.0, "t/m3", "cannot be negative"),
        ("compressive_strength", -1.0, "MPa", "cannot be negative"),
        ("hydraulic_conductivity", -1e-9, "m/s", "cannot be negative"),
        ("electrical_conductivity", -1.0, "mS/m", "cannot be negative"),
        ("cao", math.nan, "%", "is not a number"),
        ("cao", math.inf, "%", "is not a number"),
    ],
)
def test_physically_impossible_values_are_rejected(
    reference: ReferenceData, code: str, value: float, unit: str, reason: str
) -> None:
    error = stream_errors(make_stream(properties=(measured(code, value, unit),)), reference)
    assert fields(error) == [f"properties.{code}"]
    assert reason in error.errors[0].reason


def test_a_measurement_in_the_future_is_rejected(reference: ReferenceData) -> None:
    future = measured(measured_on=date(2025, 6, 2))
    error = stream_errors(make_stream(properties=(future,)), reference)
    assert fields(error) == ["properties.cao"]
    assert error.errors[0].reason == "measured on 2025-06-02, which is in the future"
    today = make_stream(properties=(measured(measured_on=TODAY),))
    assert check_side_stream(today, reference, TODAY) is today


@pytest.mark.parametrize("method", ["", "   "])
def test_a_measurement_needs_its_method(reference: ReferenceData, method: str) -> None:
    error = stream_errors(make_stream(properties=(measured(method=method),)), reference)
    assert fields(error) == ["properties.cao"]
    assert "needs the method" in error.errors[0].reason


def test_the_same_measurement_twice_is_rejected(reference: ReferenceData) -> None:
    error = stream_errors(make_stream(properties=(measured(), measured(value=30.0))), reference)
    assert fields(error) == ["properties.cao"]
    assert error.errors[0].reason == "is given twice for the same date and method"


def test_a_property_measured_on_other_dates_or_by_other_methods_is_accepted(
    reference: ReferenceData,
) -> None:
    stream = make_stream(
        properties=(
            measured(),
            measured(measured_on=date(2024, 3, 1)),
            measured(method="XRF"),
        )
    )
    assert check_side_stream(stream, reference, TODAY) is stream


# --- side streams: several errors ------------------------------------------------------------


def test_every_broken_rule_of_a_stream_is_reported_at_once(reference: ReferenceData) -> None:
    stream = make_stream(
        name="",
        material_class_code="metallurgical_dust",
        ewc_code="10 02 07*",
        quantity=Quantity(5.0, QuantityUnit.TONNES_PER_BATCH, Recurrence.CONTINUOUS),
        hazard_assessed_on=date(2026, 1, 1),
        properties=(measured("cao", 120.0, "%"), measured("colour", 1.0, "-")),
        asking_price_eur_per_unit=2e6,
    )
    error = stream_errors(stream, reference)
    assert fields(error) == [
        "name",
        "quantity_unit",
        "hazard_assessment_basis",
        "hazard_assessed_on",
        "properties.cao",
        "properties",
        "asking_price_eur_per_unit",
    ]
    assert stream.is_hazardous is False  # nothing is derived from a rejected stream


def test_is_expired() -> None:
    stream = make_stream(valid_until=TODAY)
    assert not stream.is_expired(TODAY)
    assert stream.is_expired(date(2025, 6, 2))
    need = make_need(valid_until=TODAY)
    assert not need.is_expired(TODAY)
    assert need.is_expired(date(2025, 6, 2))


# --- needs -----------------------------------------------------------------------------------


def test_a_valid_need_is_returned(reference: ReferenceData) -> None:
    need = make_need()
    assert check_need(need, reference) is need


@pytest.mark.parametrize(
    "changes",
    [
        {"accepted_material_class_codes": (), "accepted_ewc_codes": ("10 02 02",)},
        {"accepted_material_class_codes": (), "replaces_virgin_material_code": "crushed_aggregate"},
        {"accepted_material_class_codes": ("lime_mud",)},
    ],
)
def test_a_need_may_name_any_one_kind_of_accepted_material(
    reference: ReferenceData, changes: dict[str, Any]
) -> None:
    need = make_need(**changes)
    assert check_need(need, reference) is need


def test_a_need_without_any_accepted_material_is_rejected(reference: ReferenceData) -> None:
    error = need_errors(make_need(accepted_material_class_codes=()), reference)
    assert fields(error) == ["accepted_material_class_codes"]
    assert "name accepted material classes" in error.errors[0].reason


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"accepted_material_class_codes": ("unobtainium",)}, "accepted_material_class_codes"),
        ({"accepted_ewc_codes": ("99 99 98",)}, "accepted_ewc_codes"),
        ({"accepted_ewc_codes": ("10 02 02*",)}, "accepted_ewc_codes"),
        ({"replaces_virgin_material_code": "moon_rock"}, "replaces_virgin_material_code"),
    ],
)
def test_unknown_accepted_codes_are_reported(
    reference: ReferenceData, changes: dict[str, Any], field: str
) -> None:
    assert fields(need_errors(make_need(**changes), reference)) == [field]


@pytest.mark.parametrize("code", ["10 02 07*", "10 02 07", "10 01 04*"])
def test_a_hazardous_code_needs_accepts_hazardous(reference: ReferenceData, code: str) -> None:
    error = need_errors(make_need(accepted_ewc_codes=("10 02 02", code)), reference)
    assert fields(error) == ["accepted_ewc_codes"]
    assert "is hazardous but accepts_hazardous is false" in error.errors[0].reason
    need = make_need(accepted_ewc_codes=("10 02 02", code), accepts_hazardous=True)
    assert check_need(need, reference) is need


@pytest.mark.parametrize("distance_km", [0.0, -10.0, 5000.1, math.nan, math.inf])
def test_max_distance_out_of_range_is_rejected(
    reference: ReferenceData, distance_km: float
) -> None:
    error = need_errors(make_need(max_distance_km=distance_km), reference)
    assert fields(error) == ["max_distance_km"]
    assert "is not within 0..5000 km" in error.errors[0].reason


def test_max_distance_edge_is_accepted(reference: ReferenceData) -> None:
    need = make_need(max_distance_km=5000.0)
    assert check_need(need, reference) is need


@pytest.mark.parametrize(("value", "is_valid"), [(-50.0, True), (2000.0, True), (2001.0, False)])
def test_min_temperature_range(reference: ReferenceData, value: float, is_valid: bool) -> None:
    need = make_need(min_temperature_c=value)
    if is_valid:
        assert check_need(need, reference) is need
    else:
        assert fields(need_errors(need, reference)) == ["min_temperature_c"]


def test_a_need_checks_its_quantity_like_a_stream(reference: ReferenceData) -> None:
    need = make_need(quantity=Quantity(10.0, T_PER_YR, Recurrence.SEASONAL))
    assert fields(need_errors(need, reference)) == ["recurrence_months"]
    need = make_need(quantity=Quantity(10.0, QuantityUnit.TONNES_PER_BATCH, Recurrence.CONTINUOUS))
    assert fields(need_errors(need, reference)) == ["quantity_unit"]


def test_a_need_checks_its_quantity_range_like_a_stream(reference: ReferenceData) -> None:
    need = make_need(quantity=ranged(15_000.0, 30_000.0, 20_000.0))
    assert check_need(need, reference) is need
    error = need_errors(make_need(quantity=ranged(25_000.0, 10_000.0, 20_000.0)), reference)
    assert fields(error) == ["quantity_low", "quantity_high"]
    assert [e.reason for e in error.errors] == [
        "25000 exceeds quantity_amount 20000",
        "10000 is below quantity_amount 20000",
    ]


def test_willingness_to_pay_out_of_range_is_rejected(reference: ReferenceData) -> None:
    assert check_need(make_need(willingness_to_pay_eur_per_unit=-15.0), reference)
    error = need_errors(make_need(willingness_to_pay_eur_per_unit=2e6), reference)
    assert fields(error) == ["willingness_to_pay_eur_per_unit"]


# --- needs: property limits ------------------------------------------------------------------


def limits(*entries: PropertyLimit) -> Need:
    return make_need(property_limits=entries)


def test_limits_with_minimum_maximum_or_both_are_accepted(reference: ReferenceData) -> None:
    need = limits(
        PropertyLimit("cao", "%", min_value=20.0),
        PropertyLimit("moisture", "%", max_value=15.0),
        PropertyLimit("ph", "-", min_value=6.0, max_value=6.0),
    )
    assert check_need(need, reference) is need


def test_a_property_limited_twice_is_rejected(reference: ReferenceData) -> None:
    need = limits(
        PropertyLimit("cao", "%", min_value=20.0), PropertyLimit("cao", "%", max_value=40.0)
    )
    error = need_errors(need, reference)
    assert fields(error) == ["property_limits.cao"]
    assert error.errors[0].reason == "is limited twice; give one minimum and/or one maximum"


def test_a_minimum_above_the_maximum_is_rejected(reference: ReferenceData) -> None:
    error = need_errors(limits(PropertyLimit("cao", "%", 40.0, 20.0)), reference)
    assert fields(error) == ["property_limits.cao"]
    assert error.errors[0].reason == "minimum 40.0 exceeds maximum 20.0"


def test_a_limit_without_bounds_is_rejected(reference: ReferenceData) -> None:
    error = need_errors(limits(PropertyLimit("cao", "%")), reference)
    assert fields(error) == ["property_limits.cao"]
    assert error.errors[0].reason == "needs a minimum or a maximum"


@pytest.mark.parametrize(
    ("limit", "field", "reason"),
    [
        (PropertyLimit("colour", "-", 1.0), "property_limits", "is not a known property"),
        (PropertyLimit("cao", "mm", 1.0), "property_limits.cao", "does not measure mass fraction"),
        (PropertyLimit("cao", "%", max_value=101.0), "property_limits.cao", "between 0 and 100 %"),
        (PropertyLimit("ph", "-", min_value=-1.0), "property_limits.ph", "outside 0..14"),
        (PropertyLimit("bulk_density", "t/m3", -1.0), "property_limits.bulk_density", "negative"),
    ],
)
def test_a_bad_limit_is_reported(
    reference: ReferenceData, limit: PropertyLimit, field: str, reason: str
) -> None:
    error = need_errors(limits(limit), reference)
    assert fields(error) == [field]
    assert reason in error.errors[0].reason


def test_every_broken_rule_of_a_need_is_reported_at_once(reference: ReferenceData) -> None:
    need = make_need(
        name=" ",
        description="Tarvitaan kalkkia",
        description_lang=None,
        quantity=yearly(-1.0),
        accepted_material_class_codes=("unobtainium",),
        accepted_ewc_codes=("10 02 07*",),
        max_distance_km=0.0,
        property_limits=(
            PropertyLimit("cao", "%", 40.0, 20.0),
            PropertyLimit("cao", "%", min_value=10.0),
        ),
    )
    error = need_errors(need, reference)
    assert fields(error) == [
        "name",
        "description_lang",
        "quantity_amount",
        "accepted_material_class_codes",
        "accepted_ewc_codes",
        "max_distance_km",
        "property_limits.cao",
        "property_limits.cao",
    ]
    assert str(error).startswith("name: must not be empty; description_lang: must be fi, sv or en")
