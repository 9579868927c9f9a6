"""The demo region's tables, shipped in sidestream/data/demo (see its PROVENANCE.md)."""

from __future__ import annotations

from sidestream.adapters.datasets.files import read_data_csv

DEMO_TABLES = ("organisations", "streams", "needs", "lab_results", "statuses")


def load_demo_tables() -> dict[str, list[dict[str, str]]]:
    return {table: read_data_csv(f"demo/{table}.csv") for table in DEMO_TABLES}
