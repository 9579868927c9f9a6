"""Lab results and screening on both databases: a laboratory's file added all or nothing,
`sidestream screen` with its verdicts, limits and sources, the test each result comes from and
why a result of another test does not count, and who may read what."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from sidestream.adapters.tabular.files import read_rows
from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import Principal
from sidestream.domain.errors import InvalidInput, NotFound
from sidestream.domain.regulation import Verdict
from sidestream.entrypoints.cli.app import app
from sidestream.entrypoints.server import create_app
from sidestream.services.screening import (
    LAB_RESULT_COLUMNS,
    add_lab_results,
    read_lab_results,
    screen_stream,
)
from tests.integration.test_registry import _load_registry
from tests.support.server import running_server

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
runner = CliRunner()
HEADER = "parameter_code,basis,value,unit,standard,laboratory,tested_on,below_detection\n"
SLAG_RESULTS = HEADER + (
    "chromium_total,total,12,%,EN 13657,Test Lab Oy,2026-03-01,no\n"
    "chromium_total,leaching_ls10,0.3,mg/kg,EN 12457-4,Test Lab Oy,2026-03-01,no\n"
    "molybdenum,leaching_ls10,0.8,mg/kg,EN 12457-4,Test Lab Oy,2026-03-01,no\n"
    "fluoride,leaching_ls10,5,mg/kg,EN 12457-4,Test Lab Oy,2026-03-01,yes\n"
)


def _stream_id(container: Container, name: str) -> int:
    with container.unit_of_work() as uow:
        stream = next(s for s in uow.streams.list_all() if s.name == name)
    assert stream.stream_id is not None
    return stream.stream_id


@pytest.fixture
def registry(container: Container, monkeypatch: pytest.MonkeyPatch) -> Container:
    _load_registry(container)
    monkeypatch.setenv("SIDESTREAM_DATABASE_URL", container.settings.database_url)
    return container


def test_a_laboratorys_file_is_added_and_screened_from_the_command_line(
    registry: Container, tmp_path: Path
) -> None:
    slag = _stream_id(registry, "Ferrochrome slag")
    lab_file = tmp_path / "lab.csv"
    lab_file.write_text(SLAG_RESULTS, encoding="utf-8")
    added = runner.invoke(app, ["import", "lab-results", str(slag), str(lab_file)])
    assert added.exit_code == 0, added.output
    assert "Added 4 lab results" in added.output
    shown = runner.invoke(
        app, ["screen", str(slag), "--use", "eu_landfill_inert"], env={"COLUMNS": "240"}
    )
    assert shown.exit_code == 0, shown.output
    assert "exceeds" in shown.output and "2003/33/EC" in shown.output
    assert "not a legal opinion" in shown.output
    answer = json.loads(
        runner.invoke(app, ["screen", str(slag), "--use", "eu_landfill_inert", "--json"]).output
    )
    (inert,) = answer["screenings"]
    verdicts = {
        (p["parameter_code"], p["basis"]): (p["verdict"], p["value"]) for p in inert["parameters"]
    }
    assert verdicts[("chromium_total", "leaching_ls10")] == ("within", 0.3)
    assert verdicts[("molybdenum", "leaching_ls10")] == ("exceeds", 0.8)
    assert verdicts[("fluoride", "leaching_ls10")] == ("within", 5.0)  # below detection: <5
    assert verdicts[("arsenic", "leaching_ls10")] == ("missing", None)
    assert inert["verdict"] == "exceeds"
    every = json.loads(runner.invoke(app, ["screen", str(slag), "--json"]).output)
    assert {s["rule_set_id"] for s in every["screenings"]} == set(registry.regulation.rule_sets)
    assert {"eu_landfill_inert", "fi_mara_covered", "eu_fpr_liming_material"} <= {
        s["rule_set_id"] for s in every["screenings"]
    }
    unknown_use = runner.invoke(app, ["screen", str(slag), "--use", "road"])
    assert unknown_use.exit_code == 1
    assert "neither a valorisation route nor a rule set" in unknown_use.output


def test_a_file_with_a_bad_row_adds_nothing_and_names_every_problem(
    registry: Container, tmp_path: Path
) -> None:
    slag = _stream_id(registry, "Ferrochrome slag")
    bad = HEADER + (
        "zinc,leaching_ls10,1,mg/kg,EN 12457-4,Test Lab Oy,2026-03-01,no\n"
        "unobtainium,total,1,mg/kg,EN 13657,Test Lab Oy,2026-03-01,no\n"
        "lead,total,1,,EN 13657,Test Lab Oy,2026-03-01,no\n"
        "lead,leaching_ls10,1,mg/kg,,Test Lab Oy,2026-03-01,no\n"
        "lead,leaching_ls5,1,mg/kg,EN 12457-4,Test Lab Oy,2026-03-01,no\n"
    )
    lab_file = tmp_path / "bad.csv"
    lab_file.write_text(bad, encoding="utf-8")
    refused = runner.invoke(
        app, ["import", "lab-results", str(slag), str(lab_file)], env={"COLUMNS": "240"}
    )
    assert refused.exit_code == 1
    assert "Nothing was written" in refused.output
    with pytest.raises(InvalidInput) as raised:
        read_lab_results(read_rows(lab_file, LAB_RESULT_COLUMNS), registry.regulation, NOW.date())
    assert {(error.row, error.field) for error in raised.value.errors} == {
        (3, "parameter_code"),
        (4, "unit"),
        (5, "standard"),
        (6, "basis"),
    }
    screened = screen_stream(registry.unit_of_work, registry.regulation, Principal.operator(), slag)
    assert screened.results == ()  # nothing stored


def test_only_those_who_see_the_stream_publicly_read_its_results(registry: Container) -> None:
    dust = _stream_id(registry, "Filter dust")  # private to Test Steel Oy
    rows = [
        {
            "parameter_code": "zinc",
            "basis": "total",
            "value": "25",
            "unit": "%",
            "standard": "EN 13657",
            "laboratory": "Lab",
            "tested_on": "2026-02-01",
        }
    ]
    operator = Principal.operator()
    unit_of_work, regulation = registry.unit_of_work, registry.regulation
    assert (
        add_lab_results(unit_of_work, regulation, operator, dust, rows, registry.today(), NOW) == 1
    )
    with pytest.raises(NotFound):
        screen_stream(unit_of_work, regulation, Principal.anonymous(), dust)
    with pytest.raises(NotFound):  # nor may an outsider add to it
        add_lab_results(unit_of_work, regulation, Principal(5), dust, rows, registry.today(), NOW)
    facilitator = Principal(1, is_facilitator=True)
    seen = screen_stream(unit_of_work, regulation, facilitator, dust, "eu_landfill_hazardous")
    (hazardous,) = seen.screenings
    assert hazardous.verdict is Verdict.MISSING  # a total content says nothing of leaching
    with pytest.raises(InvalidInput):
        add_lab_results(unit_of_work, regulation, operator, dust, [], registry.today(), NOW)


def test_a_status_is_recorded_for_a_use_and_shown_with_the_screening(
    registry: Container,
) -> None:
    slag = _stream_id(registry, "Ferrochrome slag")
    recorded = runner.invoke(
        app,
        [
            "status",
            str(slag),
            "--status",
            "by_product",
            "--use",
            "road aggregate",
            "--legal-basis",
            "Waste Act 646/2011, section 5",
            "--decided-on",
            "2025-05-01",
            "--decision",
            "LAPELY/1234/2025",
            "--authority",
            "Lapland ELY Centre",
            "--document",
            "decision LAPELY/1234/2025.pdf",
        ],
    )
    assert recorded.exit_code == 0, recorded.output
    assert "is by product for road aggregate" in recorded.output
    answer = json.loads(runner.invoke(app, ["screen", str(slag), "--json"]).output)
    (status,) = answer["statuses"]
    assert status["status"] == "by_product" and status["authority"] == "Lapland ELY Centre"
    assert status["documents"] == ["decision LAPELY/1234/2025.pdf"]
    refused = runner.invoke(
        app,
        [
            "status",
            str(slag),
            "--status",
            "end_of_waste",
            "--use",
            "road aggregate",
            "--legal-basis",
            "Waste Act 646/2011, section 5 a",
            "--decided-on",
            "2025-05-01",
        ],
        env={"COLUMNS": "240"},
    )
    assert refused.exit_code == 1 and "decision_reference" in refused.output
    again = json.loads(runner.invoke(app, ["screen", str(slag), "--json"]).output)
    assert len(again["statuses"]) == 1  # the refused one was not stored


def test_a_laboratorys_excel_file_is_read_like_its_csv(registry: Container, tmp_path: Path) -> None:
    from openpyxl import Workbook

    slag = _stream_id(registry, "Ferrochrome slag")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for line in SLAG_RESULTS.strip().splitlines():
        sheet.append(line.split(","))
    path = tmp_path / "lab.xlsx"
    workbook.save(path)
    added = runner.invoke(app, ["import", "lab-results", str(slag), str(path)])
    assert added.exit_code == 0, added.output
    answer = json.loads(
        runner.invoke(app, ["screen", str(slag), "--use", "eu_landfill_inert", "--json"]).output
    )
    assert answer["screenings"][0]["verdict"] == "exceeds"  # molybdenum, as from the CSV


ASH_RESULTS = HEADER + (
    "molybdenum,leaching_ls10,0.3,mg/kg,SFS-EN 14405:2017,Test Lab Oy,2026-03-01,no\n"
    "vanadium,leaching_ls10,2.5,mg/kg,SFS-EN 14405:2017,Test Lab Oy,2026-03-01,no\n"
    "chloride,leaching_ls10,300,mg/kg,SFS-EN 12457-3,Test Lab Oy,2026-03-01,no\n"
)


def test_a_result_of_a_test_the_limit_does_not_count_is_missing_with_the_reason_everywhere(
    registry: Container, tmp_path: Path
) -> None:
    """MARA's leaching limits count the column test (as shipped): molybdenum 0.3 <= 0.5 and
    vanadium 2.5 > 2 from the column test are judged; chloride 300 from the two-stage batch test
    is missing, with the reason, in the JSON, on the command line and on the Finnish page."""
    slag = _stream_id(registry, "Ferrochrome slag")  # public
    lab_file = tmp_path / "ash.csv"
    lab_file.write_text(ASH_RESULTS, encoding="utf-8")
    added = runner.invoke(app, ["import", "lab-results", str(slag), str(lab_file)])
    assert added.exit_code == 0, added.output
    answer = json.loads(
        runner.invoke(app, ["screen", str(slag), "--use", "fi_mara_covered", "--json"]).output
    )
    (covered,) = answer["screenings"]
    by_key = {(p["parameter_code"], p["basis"]): p for p in covered["parameters"]}
    molybdenum = by_key[("molybdenum", "leaching_ls10")]
    assert (molybdenum["verdict"], molybdenum["test_method"]) == ("within", "column")
    assert molybdenum["limit_test_methods"] == ["column"] and molybdenum["reason"] is None
    assert by_key[("vanadium", "leaching_ls10")]["verdict"] == "exceeds"
    chloride = by_key[("chloride", "leaching_ls10")]
    assert (chloride["verdict"], chloride["value"], chloride["test_method"]) == (
        "missing",
        None,
        "batch",
    )
    assert chloride["standard"] == "SFS-EN 12457-3"
    assert chloride["reason"] == (
        "the result is from a batch leaching test (SFS-EN 12457-3); "
        "the limit asks for a column leaching test"
    )
    assert by_key[("arsenic", "total")]["test_method"] is None  # nothing measured
    shown = runner.invoke(
        app, ["screen", str(slag), "--use", "fi_mara_covered"], env={"COLUMNS": "240"}
    )
    assert shown.exit_code == 0, shown.output
    assert "column leaching test" in shown.output
    assert "chloride (leaching, L/S 10 l/kg): the result is from a batch leaching test" in (
        " ".join(shown.output.split())
    )
    with running_server(create_app(registry)) as url:
        page = httpx.get(url + f"/streams/{slag}/screening?use=fi_mara_covered&lang=fi").text
    assert "kolonnitesti" in page and "ravistelutesti" in page
    assert (
        "tuloksen testi: ravistelutesti (SFS-EN 12457-3); "
        "raja-arvon edellyttämä testi: kolonnitesti"
    ) in page


def test_a_result_whose_standard_contradicts_its_basis_is_refused_with_the_row(
    registry: Container, tmp_path: Path
) -> None:
    mixed_up = HEADER + (
        "zinc,leaching_ls10,1,mg/kg,SFS-EN 13657,Test Lab Oy,2026-03-01,no\n"
        "zinc,total,1200,mg/kg,CEN/TS 14405:2004,Test Lab Oy,2026-03-01,no\n"
        "zinc,total,1200,mg/kg,SFS-EN 13657,Test Lab Oy,2026-03-01,no\n"
    )
    lab_file = tmp_path / "mixed.csv"
    lab_file.write_text(mixed_up, encoding="utf-8")
    with pytest.raises(InvalidInput) as raised:
        read_lab_results(read_rows(lab_file, LAB_RESULT_COLUMNS), registry.regulation, NOW.date())
    assert {(error.row, error.field) for error in raised.value.errors} == {
        (2, "standard"),
        (3, "standard"),
    }
    reasons = {error.row: error.reason for error in raised.value.errors}
    assert "'SFS-EN 13657' is an analysis of the total content, not a leaching test" in reasons[2]
    assert "'CEN/TS 14405:2004' is a leaching test" in reasons[3]


def read_rows_from_text(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_laboratorys_file_measures_the_streams_properties_too(registry: Container) -> None:
    slag = _stream_id(registry, "Ferrochrome slag")
    with registry.unit_of_work() as uow:
        before = uow.streams.get(slag)
    assert before is not None
    rows = read_rows_from_text(
        HEADER
        + "particle_size_max,,45,mm,EN 933-1,Test Lab Oy,2026-03-02,no\n"
        + "compressive_strength,,4.5,MPa,EN 13286-41,Test Lab Oy,2026-03-02,no\n"
        + "vanadium,leaching_ls10,0.2,mg/kg,SFS-EN 14405,Test Lab Oy,2026-03-02,no\n"
        + "cadmium,total,0.8,mg/kg,EN 13657,Test Lab Oy,2026-03-02,no\n"
        + "lead,total,2,mg/kg,EN 13657,Test Lab Oy,2026-03-02,yes\n"
    )
    added = add_lab_results(
        registry.unit_of_work,
        registry.regulation,
        Principal.operator(),
        slag,
        rows,
        registry.today(),
        NOW,
        reference=registry.reference,
    )
    assert added == 5
    with registry.unit_of_work() as uow:
        after = uow.streams.get(slag)
        results = uow.lab_results.for_stream(slag)
    assert after is not None
    new = set(after.properties) - set(before.properties)
    assert {(m.property_code, m.value, m.unit, m.method, m.laboratory) for m in new} == {
        ("particle_size_max", 45.0, "mm", "EN 933-1", "Test Lab Oy"),
        ("compressive_strength", 4.5, "MPa", "EN 13286-41", "Test Lab Oy"),
        # A total content is also the stream's property; lead below detection is not.
        ("cd_total", 0.8, "mg/kg", "EN 13657", "Test Lab Oy"),
    }
    assert [r.parameter_code for r in results] == ["vanadium", "cadmium", "lead"]

    # A property with a basis, below detection, or in a unit of another dimension: refused,
    # with its row, and nothing stored.
    bad = read_rows_from_text(
        HEADER
        + "moisture,total,12,%,EN 14346,Test Lab Oy,2026-03-02,no\n"
        + "particle_size_max,,45,%,EN 933-1,Test Lab Oy,2026-03-02,no\n"
        + "moisture,,1,%,EN 14346,Test Lab Oy,2026-03-02,yes\n"
        + "zinc,leaching_ls10,1,mg/kg,EN 12457-4,Test Lab Oy,2026-03-01,no\n"
    )
    with pytest.raises(InvalidInput) as raised:
        add_lab_results(
            registry.unit_of_work,
            registry.regulation,
            Principal.operator(),
            slag,
            bad,
            registry.today(),
            NOW,
            reference=registry.reference,
        )
    assert {(error.row, error.field) for error in raised.value.errors} == {
        (2, "basis"),
        (3, "properties.particle_size_max"),
        (4, "below_detection"),
    }
    with registry.unit_of_work() as uow:
        assert uow.streams.get(slag) == after
        assert len(uow.lab_results.for_stream(slag)) == 3
