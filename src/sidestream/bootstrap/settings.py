"""Settings from the environment (prefix SIDESTREAM_) or a .env file."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///sidestream.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIDESTREAM_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL: an SQLite file by default, postgresql+psycopg://user:pw@host/db else."""

    host: str = "127.0.0.1"
    """Interface the web app listens on."""

    port: int = 8000
    """Port the web app listens on."""

    session_idle_hours: float = Field(default=8.0, gt=0)
    """A sign-in session ends after this many hours without use."""

    session_absolute_days: float = Field(default=7.0, gt=0)
    """A sign-in session ends this many days after sign-in, however much it is used."""
