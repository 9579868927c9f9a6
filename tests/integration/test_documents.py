"""Documents of a stream in the database and at the command line, on SQLite and PostgreSQL: a
listing never reads the bytes, a download does, and `sidestream document` adds and lists."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from typer.testing import CliRunner

from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import AuditFilter, Principal
from sidestream.domain.documents import DocumentUpload
from sidestream.entrypoints.cli.app import app
from sidestream.services.accounts import read_audit_log
from sidestream.services.documents import document_file, list_documents, upload_document
from tests.integration.test_registry import _load_registry
from tests.support import documents as files

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture
def registry(container: Container, monkeypatch: pytest.MonkeyPatch) -> Container:
    _load_registry(container)
    monkeypatch.setenv("SIDESTREAM_DATABASE_URL", container.settings.database_url)
    return container


def _stream_id(container: Container, name: str = "Ferrochrome slag") -> int:
    with container.unit_of_work() as uow:
        found = next(s.stream_id for s in uow.streams.list_all() if s.name == name)
    assert found is not None
    return found


@contextmanager
def statements(container: Container) -> Iterator[list[str]]:
    """The SQL sent to the database inside the block."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(args[2])  # (connection, cursor, statement, parameters, context, many)

    event.listen(container.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(container.engine, "before_cursor_execute", record)


def test_a_listing_never_reads_the_bytes_and_a_download_does(registry: Container) -> None:
    slag = _stream_id(registry)
    content = files.xlsx()
    upload_document(
        registry.unit_of_work,
        Principal.operator(),
        DocumentUpload(slag, "Lab report", "lab_report", "report.xlsx", content),
        NOW,
    )
    with statements(registry) as listing:
        (document,) = list_documents(registry.unit_of_work, Principal.operator(), slag)
    assert listing and not [sql for sql in listing if "stream_documents.content" in sql]
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.uploaded_at == NOW  # in UTC, on both databases
    assert document.document_id is not None

    with statements(registry) as download:
        got = document_file(registry.unit_of_work, Principal.operator(), slag, document.document_id)
    assert [sql for sql in download if "stream_documents.content" in sql]
    assert got.content == content and got.document == document


def test_the_command_line_adds_and_lists_a_stream_documents(
    registry: Container, tmp_path: Path
) -> None:
    slag = _stream_id(registry)
    decision = tmp_path / "päätös.pdf"
    decision.write_bytes(files.PDF)
    added = runner.invoke(app, ["document", "add", str(slag), str(decision), "--kind", "decision"])
    assert added.exit_code == 0, added.output
    assert (
        "application/pdf" in added.output and hashlib.sha256(files.PDF).hexdigest() in added.output
    )

    listed = runner.invoke(app, ["document", "list", str(slag), "--json"])
    assert listed.exit_code == 0, listed.output
    (record,) = json.loads(listed.output)
    assert (record["title"], record["file_name"], record["kind"]) == (
        "päätös.pdf",
        "päätös.pdf",
        "decision",
    )
    table = runner.invoke(app, ["document", "list", str(slag)], env={"COLUMNS": "200"})
    assert "päätös.pdf" in table.output

    disguised = tmp_path / "report.pdf"
    disguised.write_bytes(files.png())
    refused = runner.invoke(
        app, ["document", "add", str(slag), str(disguised), "--kind", "lab_report"]
    )
    assert refused.exit_code == 1
    assert "Nothing was written" in refused.output and "its content is PNG" in refused.output
    assert len(list_documents(registry.unit_of_work, Principal.operator(), slag)) == 1
    (event_,) = [
        e
        for e in read_audit_log(registry.unit_of_work, Principal.operator(), AuditFilter())
        if "document #" in e.detail
    ]
    assert event_.actor_user_id is None and "(command line)" in event_.detail
