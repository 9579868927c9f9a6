"""The Kemi–Tornio demo region, loaded through the same importer users use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sidestream.domain.reference import ReferenceData
from sidestream.services.ports import ProgressCallback, UnitOfWorkFactory, no_progress
from sidestream.services.tabular_rows import Row
from sidestream.services.transfer import (
    ImportReport,
    import_needs,
    import_organisations,
    import_streams,
)


def build_demo_region(
    tables: Mapping[str, Sequence[Row]],
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    today: date,
    progress: ProgressCallback = no_progress,
) -> list[ImportReport]:
    """Load (or refresh) the demo organisations, streams and needs. Running it twice changes
    nothing the second time."""
    total = sum(len(rows) for rows in tables.values())
    offset = 0

    def step(done: int, _total: int) -> None:
        progress(offset + done, total)

    reports = [import_organisations(tables["organisations"], unit_of_work, reference, step)]
    offset += len(tables["organisations"])
    reports.append(import_streams(tables["streams"], unit_of_work, reference, today, step))
    offset += len(tables["streams"])
    reports.append(import_needs(tables["needs"], unit_of_work, reference, step))
    return reports
