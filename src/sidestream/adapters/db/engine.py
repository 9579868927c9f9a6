"""Engines for SQLite (default) and PostgreSQL, configured the way the project needs them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while the single writer writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def build_engine(database_url: str, echo: bool = False) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _configure_sqlite_connection)
        # Let SQLAlchemy, not the sqlite3 module, issue BEGIN: pysqlite's own handling skips it
        # before DDL, which would make migrations non-transactional.
        event.listen(
            engine,
            "connect",
            lambda dbapi_connection, _record: setattr(dbapi_connection, "isolation_level", None),
        )
        event.listen(engine, "begin", _begin)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)
