"""Settings from the environment (prefix SIDESTREAM_) or a .env file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///sidestream.sqlite3"
DEFAULT_SECRET_KEY_FILE = Path("sidestream.secret_key")
MIN_SECRET_KEY_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIDESTREAM_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL: an SQLite file by default, postgresql+psycopg://user:pw@host/db else."""

    host: str = "127.0.0.1"
    """Interface the web app listens on."""

    port: int = 8000
    """Port the web app listens on."""

    workers: int = Field(default=1, ge=1, le=64)
    """Server processes of `sidestream serve`; more use more cores (each keeps its own copy of
    the registry's snapshot, kept fresh through the database)."""

    session_idle_hours: float = Field(default=8.0, gt=0)
    """A sign-in session ends after this many hours without use."""

    session_absolute_days: float = Field(default=7.0, gt=0)
    """A sign-in session ends this many days after sign-in, however much it is used."""

    secret_key: SecretStr | None = Field(default=None, min_length=MIN_SECRET_KEY_LENGTH)
    """The server's secret that signs the web forms' CSRF tokens (at least 32 characters). Unset:
    the key kept in `secret_key_file`, made there at first start."""

    secret_key_file: Path = DEFAULT_SECRET_KEY_FILE
    """Where the server's secret is kept when `secret_key` is unset (created with mode 0600)."""

    cookie_secure: bool | None = None
    """Whether cookies carry the Secure flag (sent over HTTPS only). Unset: yes, unless the web app
    listens on a loopback address and the request came over plain HTTP (local use)."""

    map_tile_url: str | None = Field(
        default=None, pattern=r"^https?://[^/\s]+/\S*\{z\}\S*\{x\}\S*\{y\}\S*$"
    )
    """Base map tiles under /map: an XYZ URL template, https://tiles.example.org/{z}/{x}/{y}.png.
    Unset: the map draws only the municipality and region outlines shipped in the package and
    works offline. The page's Content-Security-Policy then allows images from that host."""

    map_tile_attribution: str = ""
    """The attribution the tile provider asks for, shown on the map as text with the tiles."""
