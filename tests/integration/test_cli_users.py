"""`sidestream users` and `sidestream audit`, as an operator runs them on an SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sidestream.bootstrap.container import Container
from sidestream.bootstrap.settings import Settings
from sidestream.domain.accounts import Principal
from sidestream.entrypoints.cli.app import app
from sidestream.services.accounts import resolve_token, user_by_email
from tests.conftest import DATA

runner = CliRunner()
PASSWORD = "ferrochrome slag for road base"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("SIDESTREAM_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")  # no wrapping in Rich tables
    monkeypatch.delenv("SIDESTREAM_NEW_PASSWORD", raising=False)
    return url


@pytest.fixture
def with_registry(database: str) -> str:
    result = runner.invoke(
        app, ["import", "organisations", str(DATA / "registry" / "organisations.csv")]
    )
    assert result.exit_code == 0, result.output
    return database


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_help_lists_the_account_commands() -> None:
    assert "users" in runner.invoke(app, ["--help"]).output
    assert "audit" in runner.invoke(app, ["--help"]).output
    users_help = runner.invoke(app, ["users", "--help"]).output
    for command in ("add", "list", "set-organisations", "token"):
        assert command in users_help


def test_the_first_account_must_be_an_administrator(database: str) -> None:
    refused = runner.invoke(
        app, ["users", "add", "first@example.fi", "--name", "First"], input=f"{PASSWORD}\n" * 2
    )
    assert refused.exit_code == 1
    assert "the first account must be an administrator" in _flat(refused.output)
    assert "Traceback" not in refused.output

    added = runner.invoke(
        app,
        ["users", "add", "First@Example.fi", "--name", "First Admin", "--administrator"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert added.exit_code == 0, added.output
    assert "Added first@example.fi (administrator)." in added.output
    assert PASSWORD not in added.output  # typed without being shown


def test_the_password_is_asked_again_until_both_agree(database: str) -> None:
    added = runner.invoke(
        app,
        ["users", "add", "a@example.fi", "--name", "A", "--administrator"],
        input=f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert added.exit_code == 0, added.output
    assert "do not match" in added.output


def test_a_short_password_is_refused_with_the_reason(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIDESTREAM_NEW_PASSWORD", "short")
    result = runner.invoke(app, ["users", "add", "a@example.fi", "--name", "A", "--administrator"])
    assert result.exit_code == 1
    assert "Nothing was written" in result.output
    assert "password" in result.output and "use at least 12" in _flat(result.output)
    listed = runner.invoke(app, ["users", "list"])
    assert "No accounts yet" in listed.output


def test_users_are_added_listed_given_organisations_and_tokens(
    with_registry: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIDESTREAM_NEW_PASSWORD", PASSWORD)
    admin = runner.invoke(
        app, ["users", "add", "admin@example.fi", "--name", "A", "--administrator"]
    )
    assert admin.exit_code == 0, admin.output
    member = runner.invoke(
        app,
        [
            "users",
            "add",
            "maija@example.org",
            "--name",
            "Maija Meikäläinen",
            "--organisation",
            "Test Steel Oy",
        ],
    )
    assert member.exit_code == 0, member.output
    assert "Added maija@example.org (member)." in member.output
    facilitator = runner.invoke(
        app, ["users", "add", "fanni@example.fi", "--name", "Fanni", "--facilitator"]
    )
    assert "(facilitator)" in facilitator.output

    unknown = runner.invoke(
        app, ["users", "add", "x@example.fi", "--name", "X", "--organisation", "Nobody Oy"]
    )
    assert unknown.exit_code == 1
    assert "no organisation is named 'Nobody Oy'" in _flat(unknown.output)
    twice = runner.invoke(app, ["users", "add", "MAIJA@example.org", "--name", "Twin"])
    assert twice.exit_code == 1 and "exists already" in twice.output

    listed = _flat(runner.invoke(app, ["users", "list"]).output)
    for expected in ("admin@example.fi", "fanni@example.fi", "maija@example.org"):
        assert expected in listed
    assert "Test Steel Oy" in listed and "Maija Meikäläinen" in listed

    moved = runner.invoke(
        app,
        [
            "users",
            "set-organisations",
            "maija@example.org",
            "--organisation",
            "Test Mine Oy",
            "--organisation",
            "Test Soil Oy",
        ],
    )
    assert moved.exit_code == 0, moved.output
    assert "maija@example.org is now a member of 2 organisation(s)." in moved.output
    listed = _flat(runner.invoke(app, ["users", "list"]).output)
    assert "Test Mine Oy, Test Soil Oy" in listed and "Test Steel Oy" not in listed

    token = runner.invoke(
        app, ["users", "token", "maija@example.org", "--name", "ci", "--days", "30"]
    )
    assert token.exit_code == 0, token.output
    secret = token.stdout.strip()
    assert len(secret) >= 43 and "\n" not in secret
    assert "shown only now" in _flat(token.stderr)
    container = Container(settings=Settings(database_url=with_registry))
    try:
        principal = resolve_token(container.unit_of_work, secret, datetime.now(UTC))
        maija = user_by_email(container.unit_of_work, Principal.operator(), "maija@example.org")
        assert principal == Principal.of(maija)
        later = datetime.now(UTC) + timedelta(days=31)
        assert resolve_token(container.unit_of_work, secret, later) is None
    finally:
        container.dispose()
    nobody = runner.invoke(app, ["users", "token", "nobody@example.fi", "--name", "ci"])
    assert nobody.exit_code == 1 and "not found" in nobody.output

    log = runner.invoke(app, ["audit", "--limit", "3"])
    assert log.exit_code == 0, log.output
    lines = [line for line in log.output.splitlines() if "example" in line]
    assert len(lines) == 3
    assert "token_created" in lines[0] and "'ci' for maija@example.org" in lines[0]
    assert "changed" in lines[1] and "Test Mine Oy, Test Soil Oy" in lines[1]
    assert "(command line)" in lines[0]
    full = _flat(runner.invoke(app, ["audit"]).output)
    assert full.count(" created ") == 3


def test_an_empty_audit_log(database: str) -> None:
    result = runner.invoke(app, ["audit"])
    assert result.exit_code == 0, result.output
    assert "The audit log is empty." in result.output
