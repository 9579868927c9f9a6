"""Schema migrations with Alembic, driven from code so an installed package can upgrade itself."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_PATH = Path(__file__).with_name("migrations")


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_PATH))
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` in one transaction."""
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade_database(engine: Engine, revision: str) -> None:
    """Take the schema back to `revision` in one transaction (tests, undoing a release)."""
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def autogenerate_revision(engine: Engine, message: str) -> None:
    """Write a new migration from the difference between the tables and the database."""
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
