"""The documentation says what the code does: commands, settings and formats."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from sidestream.bootstrap.settings import Settings
from sidestream.entrypoints.cli.app import app
from sidestream.services.tabular_rows import NEED_COLUMNS, ORGANISATION_COLUMNS, STREAM_COLUMNS

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second() -> None:
    first_commands = re.findall(r"^    (make \w+)", README, flags=re.MULTILINE)[:2]
    assert first_commands == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:", makefile, flags=re.MULTILINE)
    assert re.search(r"^test:", makefile, flags=re.MULTILINE)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"SIDESTREAM_{name.upper()}" in README, name


def test_every_command_in_the_readme_exists() -> None:
    documented = set(re.findall(r"^    sidestream ([a-z-]+)", README, flags=re.MULTILINE))
    help_text = CliRunner().invoke(app, ["--help"]).output
    for command in documented - {"--help"}:
        assert command in help_text, command


def test_the_format_reference_documents_every_column() -> None:
    reference = (ROOT / "docs" / "reference" / "tabular-format.md").read_text(encoding="utf-8")
    for column in {*ORGANISATION_COLUMNS, *STREAM_COLUMNS, *NEED_COLUMNS}:
        assert f"`{column}`" in reference, column


def test_every_shipped_data_file_has_provenance() -> None:
    data = ROOT / "src" / "sidestream" / "data"
    provenance = (data / "PROVENANCE.md").read_text(encoding="utf-8")
    for path in [*data.glob("*/*.csv"), *data.rglob("*.geojson")]:
        if path.parent.name == "demo":
            continue
        assert f"`{path.name}`" in provenance, path.name
