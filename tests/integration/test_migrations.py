"""The migrations build exactly the schema the table models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from sidestream.adapters.db.migrate import current_revision, head_revision
from sidestream.adapters.db.tables import Base
from sidestream.bootstrap.container import Container


def test_upgrade_reaches_head_and_matches_the_models(container: Container) -> None:
    assert current_revision(container.engine) == head_revision()
    with container.engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert differences == []


def test_upgrade_twice_is_harmless(container: Container) -> None:
    container.upgrade_database()
    tables = set(inspect(container.engine).get_table_names())
    assert {"organisations", "sites", "side_streams", "needs", "stream_properties"} <= tables


def test_sqlite_runs_with_foreign_keys_and_wal(sqlite_container: Container) -> None:
    with sqlite_container.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
