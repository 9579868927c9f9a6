"""Alembic environment: runs on the connection handed over by sidestream.adapters.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from sidestream.adapters.db.tables import Base

config = context.config


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite can only alter tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `sidestream db upgrade`")
run_migrations(connection)
