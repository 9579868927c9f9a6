"""Read the CSV files shipped in sidestream/data."""

from __future__ import annotations

import csv
import io
from importlib import resources

from sidestream.domain.errors import ReferenceDataError


def read_data_csv(relative_path: str, delimiter: str = ",") -> list[dict[str, str]]:
    """Rows of a packaged CSV file as dicts; the header must be present and non-empty."""
    resource = resources.files("sidestream").joinpath("data", *relative_path.split("/"))
    try:
        text = resource.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ReferenceDataError(f"packaged data file {relative_path} is missing") from error
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    if not reader.fieldnames:
        raise ReferenceDataError(f"{relative_path} has no header row")
    return list(reader)


def require_columns(rows: list[dict[str, str]], columns: tuple[str, ...], name: str) -> None:
    if not rows:
        raise ReferenceDataError(f"{name} has no rows")
    missing = [column for column in columns if column not in rows[0]]
    if missing:
        raise ReferenceDataError(f"{name} lacks columns {', '.join(missing)}")
