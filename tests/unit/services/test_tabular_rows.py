"""Cells of the import/export tables to domain values and back."""

from __future__ import annotations

from datetime import date

import pytest

from sidestream.domain.errors import FieldError
from sidestream.domain.streams import ALL_MONTHS, MeasuredProperty, PropertyLimit, Recurrence
from sidestream.services.tabular_rows import (
    NEED_COLUMNS,
    ORGANISATION_COLUMNS,
    STREAM_COLUMNS,
    RowReader,
    format_bool,
    format_date,
    format_months,
    format_number,
    format_properties,
    format_property_limits,
    parse_date,
    parse_number,
)

ROW_NUMBER = 7


def reader(**cells: str) -> RowReader:
    return RowReader(row=cells, row_number=ROW_NUMBER)


def only_error(row: RowReader) -> FieldError:
    (error,) = row.errors
    return error


# --- columns ---------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [ORGANISATION_COLUMNS, STREAM_COLUMNS, NEED_COLUMNS])
def test_column_lists_have_no_repeats(columns: tuple[str, ...]) -> None:
    assert len(set(columns)) == len(columns)
    assert columns[0] == "organisation_name"


@pytest.mark.parametrize("columns", [STREAM_COLUMNS, NEED_COLUMNS])
def test_the_quantity_range_sits_beside_the_amount(columns: tuple[str, ...]) -> None:
    at = columns.index("quantity_amount")
    assert columns[at : at + 4] == (
        "quantity_amount",
        "quantity_low",
        "quantity_high",
        "quantity_unit",
    )


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12.0),
        ("12.5", 12.5),
        ("12,5", 12.5),
        (" 0,25 ", 0.25),
        ("-3,5", -3.5),
        ("\u22123.5", -3.5),
        ("1 234,5", 1234.5),
        ("1\u00a0234", 1234.0),
        ("1e3", 1000.0),
        ("2.5E-3", 0.0025),
        ("+7", 7.0),
    ],
)
def test_parse_number_accepts_decimal_point_or_comma(text: str, expected: float) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text", ["", "abc", "1,2,3", "1.234,5", "12 %", "nan", "inf", "-inf", "1e400", "1..2"]
)
def test_parse_number_rejects_non_numbers(text: str) -> None:
    assert parse_number(text) is None


def test_number_reads_a_cell() -> None:
    row = reader(quantity_amount="1 500,5")
    assert row.number("quantity_amount") == 1500.5
    assert row.errors == []


def test_number_of_an_empty_or_missing_cell_is_none() -> None:
    row = reader(temperature_c="  ")
    assert row.number("temperature_c") is None
    assert row.number("not_a_column") is None
    assert row.errors == []


def test_number_required_but_empty_is_an_error() -> None:
    row = reader(quantity_amount="")
    assert row.number("quantity_amount", required=True) is None
    assert only_error(row) == FieldError("quantity_amount", "is required", ROW_NUMBER)


def test_number_bad_names_column_and_row() -> None:
    row = reader(quantity_amount="lots")
    assert row.number("quantity_amount") is None
    error = only_error(row)
    assert error == FieldError("quantity_amount", "'lots' is not a number", ROW_NUMBER)
    assert str(error) == "row 7, quantity_amount: 'lots' is not a number"


# --- text, booleans, dates, choices, codes, months -------------------------------------------


def test_text_strips_and_treats_blank_as_missing() -> None:
    row = reader(name="  Slag  ", description="   ")
    assert row.text("name") == "Slag"
    assert row.text("description") is None
    assert row.text("missing") is None


def test_required_text() -> None:
    row = reader(name=" Slag ", site_name="")
    assert row.required_text("name") == "Slag"
    assert row.required_text("site_name") == ""
    assert only_error(row) == FieldError("site_name", "is required", ROW_NUMBER)


@pytest.mark.parametrize(
    "text", ["true", "TRUE", "True", "yes", "1", "y", "Y", "kyllä", "KYLLÄ", "ja", " true "]
)
def test_boolean_true_spellings(text: str) -> None:
    row = reader(has_port=text)
    assert row.boolean("has_port") is True
    assert row.errors == []


@pytest.mark.parametrize("text", ["false", "False", "no", "0", "n", "ei", "nej", "", "  "])
def test_boolean_false_spellings_and_empty(text: str) -> None:
    row = reader(has_port=text)
    assert row.boolean("has_port") is False
    assert row.errors == []


def test_boolean_missing_column_is_false() -> None:
    row = reader()
    assert row.boolean("has_rail_siding") is False
    assert row.errors == []


@pytest.mark.parametrize("text", ["maybe", "2", "tosi", "x"])
def test_boolean_bad_names_column_and_row(text: str) -> None:
    row = reader(has_port=text)
    assert row.boolean("has_port") is False
    assert only_error(row) == FieldError("has_port", f"{text!r} is not true or false", ROW_NUMBER)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2025-03-01", date(2025, 3, 1)), (" 2028-06-30 ", date(2028, 6, 30))],
)
def test_parse_date_reads_iso_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2025-3-1",
        "01.03.2025",
        "2025/03/01",
        "20250301",
        "2025-02-30",
        "2025-13-01",
        "2025-03-01T10:00",
        "2025-03-01 10:00",
        "tomorrow",
        # The format is YYYY-MM-DD only; an ISO week date is not it.
        pytest.param("2025-W09-6", id="iso-week-date"),
    ],
)
def test_parse_date_rejects_anything_but_yyyy_mm_dd(text: str) -> None:
    assert parse_date(text) is None


def test_date_reads_a_cell() -> None:
    row = reader(valid_until="2028-06-30")
    assert row.date("valid_until", required=True) == date(2028, 6, 30)
    assert row.errors == []


def test_date_empty_is_none_unless_required() -> None:
    row = reader(hazard_assessed_on="", valid_until="")
    assert row.date("hazard_assessed_on") is None
    assert row.errors == []
    assert row.date("valid_until", required=True) is None
    assert only_error(row) == FieldError("valid_until", "is required", ROW_NUMBER)


def test_date_bad_names_column_and_row() -> None:
    row = reader(valid_until="30.6.2028")
    assert row.date("valid_until") is None
    assert only_error(row) == FieldError(
        "valid_until", "'30.6.2028' is not a date YYYY-MM-DD", ROW_NUMBER
    )


def test_choice_reads_an_enum_value() -> None:
    row = reader(recurrence=" seasonal ")
    assert row.choice("recurrence", Recurrence) is Recurrence.SEASONAL
    assert row.errors == []


def test_choice_bad_lists_the_allowed_values() -> None:
    row = reader(recurrence="Seasonal")
    assert row.choice("recurrence", Recurrence) is None
    assert only_error(row) == FieldError(
        "recurrence", "'Seasonal' is not one of continuous, seasonal, one_off", ROW_NUMBER
    )


def test_choice_missing_is_an_error_only_when_required() -> None:
    row = reader()
    assert row.choice("size_class", Recurrence, required=False) is None
    assert row.errors == []
    assert row.choice("recurrence", Recurrence) is None
    assert only_error(row) == FieldError("recurrence", "is required", ROW_NUMBER)


def test_codes_split_on_semicolons_and_drop_blanks() -> None:
    row = reader(accepted_ewc_codes=" 10 02 02; 10 02 01 ;; ", accepted_material_class_codes="")
    assert row.codes("accepted_ewc_codes") == ("10 02 02", "10 02 01")
    assert row.codes("accepted_material_class_codes") == ()
    assert row.codes("missing") == ()


def test_months_read_as_a_set() -> None:
    row = reader(recurrence_months="5;6; 7 ;9;5")
    assert row.months("recurrence_months") == frozenset({5, 6, 7, 9})
    assert row.errors == []


def test_months_empty_is_none() -> None:
    row = reader(recurrence_months=" ")
    assert row.months("recurrence_months") is None
    assert row.errors == []


@pytest.mark.parametrize(
    ("text", "bad_part"),
    [
        ("0", "0"),
        ("13", "13"),
        ("5;x", "x"),
        ("-1", "-1"),
        ("5.5", "5.5"),
        ("May", "May"),
        pytest.param("²", "²", id="superscript-digit"),
    ],
)
def test_months_bad_names_column_and_row(text: str, bad_part: str) -> None:
    row = reader(recurrence_months=text)
    assert row.months("recurrence_months") is None
    assert only_error(row) == FieldError(
        "recurrence_months", f"{bad_part!r} is not a month number 1 to 12", ROW_NUMBER
    )


# --- properties ------------------------------------------------------------------------------


def test_properties_reads_entries_separated_by_bars() -> None:
    row = reader(
        properties="cao=28 % [EN 196-2; 2024-03-01] | moisture=12,5 % [EN 1097-5; 2024-03-01]"
        " | particle_size_max=32 mm [EN 933-1; 2023-10-12]"
    )
    assert row.properties("properties") == (
        MeasuredProperty("cao", 28.0, "%", "EN 196-2", date(2024, 3, 1)),
        MeasuredProperty("moisture", 12.5, "%", "EN 1097-5", date(2024, 3, 1)),
        MeasuredProperty("particle_size_max", 32.0, "mm", "EN 933-1", date(2023, 10, 12)),
    )
    assert row.errors == []


def test_properties_tolerate_spacing_and_default_the_unit() -> None:
    row = reader(properties="  ph = 8,2 [ SFS-EN 15933 ; 2024-05-02 ]|cao=28%[XRF;2024-01-01]  |")
    assert row.properties("properties") == (
        MeasuredProperty("ph", 8.2, "-", "SFS-EN 15933", date(2024, 5, 2)),
        MeasuredProperty("cao", 28.0, "%", "XRF", date(2024, 1, 1)),
    )
    assert row.errors == []


def test_properties_keep_units_with_spaces_and_symbols() -> None:
    row = reader(
        properties="temperature=-5 °C [PT100; 2024-01-15] | purity=99.9 % v/v [GC; 2024-01-15]"
    )
    (temperature, purity) = row.properties("properties")
    assert (temperature.value, temperature.unit) == (-5.0, "°C")
    assert (purity.value, purity.unit) == (99.9, "% v/v")


def test_properties_empty_cell_is_empty() -> None:
    row = reader(properties="")
    assert row.properties("properties") == ()
    assert row.properties("missing") == ()
    assert row.errors == []


@pytest.mark.parametrize(
    "entry",
    [
        "cao 28 % [EN 196-2; 2024-03-01]",
        "cao=28 %",
        "cao=28 % [EN 196-2]",
        "cao=28 % [EN 196-2 2024-03-01]",
        "CaO=28 % [EN 196-2; 2024-03-01]",
        "cao=abc % [EN 196-2; 2024-03-01]",
        "cao=28 % [; 2024-03-01]",
        "cao=28 % [EN 196-2; March 2024]",
    ],
)
def test_properties_malformed_entry_names_column_and_row(entry: str) -> None:
    row = reader(properties=f"moisture=12 % [EN 1097-5; 2024-03-01] | {entry}")
    parsed = row.properties("properties")
    assert [p.property_code for p in parsed] == ["moisture"]
    error = only_error(row)
    assert (error.field, error.row) == ("properties", ROW_NUMBER)
    assert error.reason == f"{entry!r} is not 'code=value unit [method; YYYY-MM-DD]'"


@pytest.mark.parametrize(
    "entry", ["cao=1,2,3 % [EN 196-2; 2024-03-01]", "cao=28 % [EN 196-2; 2024-02-30]"]
)
def test_properties_bad_value_or_date_names_column_and_row(entry: str) -> None:
    row = reader(properties=entry)
    assert row.properties("properties") == ()
    assert only_error(row) == FieldError(
        "properties", f"{entry!r} has a bad value or date", ROW_NUMBER
    )


def test_properties_report_every_bad_entry() -> None:
    row = reader(properties="cao | moisture=x % [a; 2024-01-01] | ph=7 - [b; 2024-01-01]")
    assert [p.property_code for p in row.properties("properties")] == ["ph"]
    assert len(row.errors) == 2
    assert all(error.field == "properties" and error.row == ROW_NUMBER for error in row.errors)


# --- property limits -------------------------------------------------------------------------


def test_property_limits_read_minimum_and_maximum_per_code() -> None:
    row = reader(property_limits="cao>=20 % | moisture<=15 % | cao<=45,5 % | ph>=6")
    assert row.property_limits("property_limits") == (
        PropertyLimit("cao", "%", min_value=20.0, max_value=45.5),
        PropertyLimit("moisture", "%", max_value=15.0),
        PropertyLimit("ph", "-", min_value=6.0),
    )
    assert row.errors == []


def test_property_limits_tolerate_spacing() -> None:
    row = reader(property_limits="  particle_size_max <= 63mm|bulk_density >= 1.2 t/m3 |")
    assert row.property_limits("property_limits") == (
        PropertyLimit("particle_size_max", "mm", max_value=63.0),
        PropertyLimit("bulk_density", "t/m3", min_value=1.2),
    )


def test_property_limits_empty_cell_is_empty() -> None:
    row = reader(property_limits=" ")
    assert row.property_limits("property_limits") == ()
    assert row.errors == []


@pytest.mark.parametrize(
    "entry", ["cao=20 %", "cao>20 %", "cao => 20 %", "cao>=", "cao>=x %", "CaO>=20 %", ">=20 %"]
)
def test_property_limits_malformed_entry_names_column_and_row(entry: str) -> None:
    row = reader(property_limits=f"moisture<=15 % | {entry}")
    assert row.property_limits("property_limits") == (
        PropertyLimit("moisture", "%", max_value=15.0),
    )
    assert only_error(row) == FieldError(
        "property_limits",
        f"{entry!r} is not 'code>=value unit' or 'code<=value unit'",
        ROW_NUMBER,
    )


@pytest.mark.parametrize(
    ("cell", "bound"), [("cao>=20 % | cao>=30 %", "min"), ("cao<=1 % | cao<=2 %", "max")]
)
def test_property_limits_two_of_the_same_bound_is_an_error(cell: str, bound: str) -> None:
    row = reader(property_limits=cell)
    row.property_limits("property_limits")
    assert only_error(row) == FieldError(
        "property_limits", f"cao has two {bound}imum limits", ROW_NUMBER
    )


def test_property_limits_in_two_units_is_an_error() -> None:
    row = reader(property_limits="cao>=20 % | cao<=400 g/kg")
    row.property_limits("property_limits")
    assert only_error(row) == FieldError(
        "property_limits", "cao: give both limits in the same unit", ROW_NUMBER
    )


# --- formatting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (12.0, "12"),
        (-3.0, "-3"),
        (0.0, "0"),
        (12.5, "12.5"),
        (0.1, "0.1"),
        (1e16, "1e+16"),
        (1.5e-7, "1.5e-07"),
    ],
)
def test_format_number(value: float | None, text: str) -> None:
    assert format_number(value) == text


def test_format_bool_and_date() -> None:
    assert format_bool(True) == "true"
    assert format_bool(False) == "false"
    assert format_date(date(2028, 6, 30)) == "2028-06-30"
    assert format_date(None) == ""


def test_format_months_sorts_and_leaves_all_months_empty() -> None:
    assert format_months(frozenset({9, 5, 6})) == "5;6;9"
    assert format_months(ALL_MONTHS) == ""


def test_format_months_reads_back() -> None:
    months = frozenset({1, 7, 12})
    assert reader(m=format_months(months)).months("m") == months


def test_format_properties() -> None:
    properties = (
        MeasuredProperty("cao", 28.0, "%", "EN 196-2", date(2024, 3, 1)),
        MeasuredProperty("ph", 8.25, "-", "SFS-EN 15933", date(2024, 5, 2)),
    )
    assert format_properties(properties) == (
        "cao=28 % [EN 196-2; 2024-03-01] | ph=8.25 - [SFS-EN 15933; 2024-05-02]"
    )
    assert format_properties(()) == ""


def test_format_property_limits() -> None:
    limits = (
        PropertyLimit("cao", "%", min_value=20.0, max_value=45.5),
        PropertyLimit("moisture", "%", max_value=15.0),
        PropertyLimit("loi", "%"),
    )
    assert format_property_limits(limits) == "cao>=20 % | cao<=45.5 % | moisture<=15 %"
    assert format_property_limits(()) == ""
