"""Shared fixtures: reference data, and databases on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sidestream.adapters.datasets.knowledge import load_knowledge_base
from sidestream.adapters.datasets.reference import load_reference_data
from sidestream.adapters.text_similarity import MaterialTextMatcher
from sidestream.bootstrap.container import Container
from sidestream.bootstrap.settings import Settings
from sidestream.domain.reference import ReferenceData
from sidestream.domain.routes import KnowledgeBase
from tests.support.postgres import TemporaryPostgres

DATA = Path(__file__).parent / "data"
_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def reference() -> ReferenceData:
    return load_reference_data()


@pytest.fixture(scope="session")
def knowledge_base(reference: ReferenceData) -> KnowledgeBase:
    return load_knowledge_base(reference)


@pytest.fixture(scope="session")
def text_matcher(reference: ReferenceData) -> MaterialTextMatcher:
    return MaterialTextMatcher.from_reference(reference)


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A PostgreSQL server able to create databases: SIDESTREAM_TEST_DATABASE_URL or our own."""
    configured = os.environ.get("SIDESTREAM_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    server = TemporaryPostgres.start()
    server.wait_ready()
    try:
        yield server.url()
    finally:
        server.stop()


def _fresh_postgres_database(admin_url: str) -> str:
    name = f"sidestream_test_{os.getpid()}_{next(_database_numbers)}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return str(engine.url.set(database=name).render_as_string(hide_password=False))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database, once as an SQLite file and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sidestream.sqlite3'}"
    admin_url = request.getfixturevalue("postgres_admin_url")
    return _fresh_postgres_database(admin_url)


def migrated_container(database_url: str, reference: ReferenceData) -> Container:
    """The composition root on a migrated database, sharing the session's reference data."""
    built = Container(settings=Settings(database_url=database_url))
    built.__dict__["reference"] = reference  # loaded once per session
    built.upgrade_database()
    return built


@pytest.fixture
def container(database_url: str, reference: ReferenceData) -> Iterator[Container]:
    """The composition root on a migrated, empty database: SQLite, then PostgreSQL."""
    built = migrated_container(database_url, reference)
    try:
        yield built
    finally:
        built.dispose()


@pytest.fixture
def sqlite_container(tmp_path: Path, reference: ReferenceData) -> Iterator[Container]:
    """For what only SQLite has (pragmas) or what is too slow to repeat on both."""
    built = migrated_container(f"sqlite:///{tmp_path / 'only.sqlite3'}", reference)
    try:
        yield built
    finally:
        built.dispose()
