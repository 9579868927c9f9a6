"""Optimiser scenarios from the command line: run, save, list, show, compare, delete."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sidestream.entrypoints.cli.app import app

EXAMPLES = Path(__file__).parents[2] / "examples" / "scenarios"
runner = CliRunner()


@pytest.fixture
def demo_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("SIDESTREAM_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("COLUMNS", "240")  # wide enough that Rich does not wrap names
    result = runner.invoke(app, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    return path


def test_scenarios_are_saved_listed_compared_and_deleted(demo_database: Path) -> None:
    base = runner.invoke(app, ["optimise", "--name", "no hub", "--save"])
    assert base.exit_code == 0, base.output
    assert "Saved as scenario 'no hub'" in base.output
    hub = runner.invoke(
        app, ["optimise", "--scenario", str(EXAMPLES / "kemi-crushing-hub.toml"), "--save"]
    )
    assert hub.exit_code == 0, hub.output
    again = runner.invoke(app, ["optimise", "--name", "no hub", "--save"])
    assert again.exit_code == 1 and "already saved" in again.output
    replaced = runner.invoke(app, ["optimise", "--name", "no hub", "--save", "--replace"])
    assert replaced.exit_code == 0, replaced.output

    listed = runner.invoke(app, ["scenarios", "list"])
    assert listed.exit_code == 0
    assert "no hub" in listed.output and "Kemi crushing hub" in listed.output
    shown = runner.invoke(app, ["scenarios", "show", "Kemi crushing hub"])
    assert shown.exit_code == 0 and "Ajos crushing station" in shown.output
    compared = runner.invoke(app, ["scenarios", "compare", "no hub", "Kemi crushing hub"])
    assert compared.exit_code == 0, compared.output
    assert "side by side" in compared.output and "hubs run" in compared.output
    assert "Flows that differ" in compared.output

    accounted = runner.invoke(app, ["impact", "--scenario", "Kemi crushing hub", "--draws", "100"])
    assert accounted.exit_code == 0, accounted.output
    assert "plan 'maximise co2e' of scenario 'Kemi crushing hub'" in accounted.output
    no_plan = runner.invoke(app, ["impact", "--scenario", "Kemi crushing hub", "--plan", "3"])
    assert no_plan.exit_code == 1 and "plan" in no_plan.output

    deleted = runner.invoke(app, ["scenarios", "delete", "no hub"])
    assert deleted.exit_code == 0
    missing = runner.invoke(app, ["scenarios", "show", "no hub"])
    assert missing.exit_code == 1 and "no hub" in missing.output


def test_a_pareto_front_is_printed_point_by_point(demo_database: Path) -> None:
    result = runner.invoke(app, ["optimise", "--pareto", "eur,tonnes", "--points", "3"])
    assert result.exit_code == 0, result.output
    assert "Pareto point 1 of" in result.output


def test_a_weighted_objective_and_a_second_solver(demo_database: Path) -> None:
    result = runner.invoke(
        app, ["optimise", "--weight", "eur=1", "--weight", "co2e=100", "--solver", "scipy"]
    )
    assert result.exit_code == 0, result.output
    assert "maximise eur + 100 × co2e" in result.output
    bad = runner.invoke(app, ["optimise", "--weight", "eur=lots"])
    assert bad.exit_code == 1 and "weight" in bad.output


def test_a_bad_scenario_file_names_every_field_and_saves_nothing(
    demo_database: Path, tmp_path: Path
) -> None:
    scenario = tmp_path / "bad.toml"
    scenario.write_text(
        'name = "bad"\nmodes = ["road", "air"]\n\n[[hubs]]\nname = "H"\nlatitude_deg = 95\n'
        'longitude_deg = 24\ncapacity_t = -1\nprocess_code = "smelting"\n'
        'accepts_material_class_codes = ["unobtainium"]\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["optimise", "--scenario", str(scenario), "--save"])
    assert result.exit_code == 1
    for field in (
        "modes",
        "hubs[0].latitude_deg",
        "hubs[0].capacity_t",
        "hubs[0].process_code",
        "hubs[0].accepts_material_class_codes",
    ):
        assert field in result.output
    assert "Traceback" not in result.output
    listed = runner.invoke(app, ["scenarios", "list"])
    assert "No saved scenarios" in listed.output
    broken = tmp_path / "broken.toml"
    broken.write_text("name = ", encoding="utf-8")
    result = runner.invoke(app, ["optimise", "--scenario", str(broken)])
    assert result.exit_code == 1 and "not valid TOML" in result.output
