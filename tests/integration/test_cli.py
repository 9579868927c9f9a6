"""The `sidestream` command line, as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sidestream.entrypoints.cli.app import app
from tests.conftest import DATA

REGISTRY = DATA / "registry"
runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("SIDESTREAM_DATABASE_URL", f"sqlite:///{path}")
    return path


def _sidestream(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("sidestream", path=str(Path(sys.executable).parent))
    assert executable is not None, "the sidestream console script is installed"
    return subprocess.run(
        [executable, *args], capture_output=True, text=True, env={**os.environ, **env}, check=False
    )


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("db", "demo", "serve", "import", "export", "reference"):
        assert command in result.output
    db_help = runner.invoke(app, ["db", "--help"])
    assert "upgrade" in db_help.output
    import_help = runner.invoke(app, ["import", "--help"])
    for table in ("organisations", "streams", "needs", "eprtr-fi"):
        assert table in import_help.output
    demo_help = runner.invoke(app, ["demo", "--help"])
    assert "--no-serve" in demo_help.output


def test_import_then_export_to_every_format(database: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    for table in ("organisations", "streams", "needs"):
        result = runner.invoke(app, ["import", table, str(REGISTRY / f"{table}.csv")])
        assert result.exit_code == 0, result.output
    assert "4 created" in result.output or "3 created" in result.output

    for file_format in ("csv", "xlsx", "geojson"):
        output = tmp_path / f"streams.{file_format}"
        result = runner.invoke(
            app, ["export", "streams", "--format", file_format, "-o", str(output)]
        )
        assert result.exit_code == 0, result.output
        assert "Wrote 4 streams rows" in result.output
        assert output.stat().st_size > 0
    geojson = json.loads((tmp_path / "streams.geojson").read_text(encoding="utf-8"))
    assert geojson["type"] == "FeatureCollection" and len(geojson["features"]) == 4
    assert geojson["features"][0]["geometry"]["coordinates"] == [24.1694, 65.7826]


def test_a_bad_file_is_reported_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "streams.csv"
    bad.write_text(
        "organisation_name,site_name,name,ewc_code\nNobody Oy,Nowhere,Thing,12 34 5\n",
        encoding="utf-8",
    )
    env = {"SIDESTREAM_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "COLUMNS": "200"}
    result = _sidestream("import", "streams", str(bad), env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "Nothing was written" in result.stderr
    assert "organisation_name" in result.stderr and "no organisation is named" in result.stderr

    typo = tmp_path / "typo.csv"
    typo.write_text("organisation_nmae\nX\n", encoding="utf-8")
    result = _sidestream("import", "organisations", str(typo), env=env)
    assert result.returncode == 1
    assert "unknown column(s) organisation_nmae" in result.stderr
    assert "Traceback" not in result.stderr


def test_reference_search_by_code_and_by_word() -> None:
    by_code = runner.invoke(app, ["reference", "10 02 02", "--json"])
    assert by_code.exit_code == 0
    assert json.loads(by_code.output)[0] == {
        "scheme": "ewc",
        "code": "10 02 02",
        "title": "Unprocessed slag",
        "detail": "non-hazardous",
    }
    by_word = runner.invoke(app, ["reference", "ferro-alloys", "--json"])
    codes = {hit["code"] for hit in json.loads(by_word.output)}
    assert "24.10" in codes
    nothing = runner.invoke(app, ["reference", "zzzzqqq"])
    assert nothing.exit_code == 1
    assert "No List of Waste or NACE entry matches" in nothing.output


def test_eprtr_import_command_twice(database: Path) -> None:
    first = runner.invoke(app, ["import", "eprtr-fi"])
    assert first.exit_code == 0, first.output
    assert "1072 sites created" in " ".join(first.output.split())
    second = runner.invoke(app, ["import", "eprtr-fi"])
    assert "0 organisations and 0 sites created, 1072 sites updated" in " ".join(
        second.output.split()
    )


def test_export_to_an_unwritable_place_fails_cleanly(database: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["export", "needs", "-o", str(blocker / "needs.csv")])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Error:" in result.output
    assert blocker.read_text(encoding="utf-8") == "x"


def test_match_and_read_proposals(database: Path) -> None:
    assert runner.invoke(app, ["demo", "--no-serve"]).exit_code == 0
    result = runner.invoke(app, ["match", "--top-k", "5"])
    assert result.exit_code == 0, result.output
    assert "proposals" in result.output and "Listings without a proposal" in result.output
    listed = runner.invoke(app, ["proposals", "--json"])
    proposals = json.loads(listed.output)
    assert proposals and {"score", "reasons", "factors", "benefit_trace"} <= set(proposals[0])
    one_need = proposals[0]["need_id"]
    again = runner.invoke(app, ["match", "--need", str(one_need)])
    assert again.exit_code == 0 and "proposals for the listing" in again.output
    bad = runner.invoke(app, ["match", "--top-k", "0"])
    assert bad.exit_code == 1 and "top_k" in bad.output


def test_prospect_prints_routes_and_industries_as_json() -> None:
    result = runner.invoke(
        app,
        [
            "prospect",
            "--ewc",
            "10 01 03",
            "--nace",
            "17.11",
            "--text",
            "puun lentotuhka",
            "--property",
            "cd_total=5 mg/kg",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert set(answer) == {"routes", "industries"}
    assert {"route_id", "name", "score", "reasons"} == set(answer["routes"][0])
    assert {"nace_code", "title", "score", "reasons"} == set(answer["industries"][0])
    scores = [route["score"] for route in answer["routes"]]
    assert scores == sorted(scores, reverse=True)
    bad = runner.invoke(app, ["prospect", "--ewc", "10 01 03", "--property", "cao"])
    assert bad.exit_code == 1 and "code=value unit" in bad.output


def test_optimise_prints_a_plan(database: Path) -> None:
    assert runner.invoke(app, ["demo", "--no-serve"]).exit_code == 0
    result = runner.invoke(app, ["optimise", "--objective", "tonnes"])
    assert result.exit_code == 0, result.output
    assert "Scenario base" in result.output and "maximise tonnes" in result.output
    assert "optimal" in result.output and "Flows of" in result.output
    bad = runner.invoke(app, ["optimise", "--objective", "happiness"])
    assert bad.exit_code != 0
