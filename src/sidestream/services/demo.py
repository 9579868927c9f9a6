"""The Kemi–Tornio demo region, loaded through the same services users use: the importer for
its organisations, streams and needs, then lab results and regulatory status records for a few
of its streams, as `sidestream import lab-results` and `sidestream status` store them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sidestream.domain.accounts import Principal
from sidestream.domain.errors import InvalidInput, field_error
from sidestream.domain.reference import ReferenceData
from sidestream.domain.regulation import RegulationData, RegulatoryStatus, StatusRecord
from sidestream.domain.regulatory_path import RegulatoryKnowledge
from sidestream.services.ports import ProgressCallback, UnitOfWorkFactory, no_progress
from sidestream.services.screening import LAB_RESULT_COLUMNS, add_lab_results, record_status
from sidestream.services.tabular_rows import Row, RowReader
from sidestream.services.transfer import (
    ImportReport,
    import_needs,
    import_organisations,
    import_streams,
)

# The demo's lab results and status records name their stream by its organisation and name.
StreamKey = tuple[str, str]
FIRST_DATA_ROW = 2  # as a spreadsheet numbers them; the header is row 1


@dataclass(frozen=True)
class DemoReport:
    imports: tuple[ImportReport, ...]  # organisations, streams, needs
    lab_results_added: int  # results stored by this run
    streams_given_results: int  # streams whose results this run stored
    streams_with_results_before: int  # streams left alone: they had lab results already
    statuses_added: int  # status records stored by this run
    statuses_there_before: int  # left alone: the stream had a status for the use already


def build_demo_region(
    tables: Mapping[str, Sequence[Row]],
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    regulatory: RegulatoryKnowledge,
    today: date,
    now: datetime,
    progress: ProgressCallback = no_progress,
) -> DemoReport:
    """Load (or refresh) the demo organisations, streams and needs, and give a few streams lab
    results and regulatory status records. Running it twice changes nothing the second time.

    `regulatory` holds the valorisation routes and requirements a status record may name, and
    the rule sets (`regulatory.rule_sets`) whose parameters a lab result may measure."""
    lab_rows = tables.get("lab_results", ())
    status_rows = tables.get("statuses", ())
    total = sum(len(rows) for rows in tables.values())
    offset = 0

    def step(done: int, _total: int) -> None:
        progress(offset + done, total)

    imports = [import_organisations(tables["organisations"], unit_of_work, reference, step)]
    offset += len(tables["organisations"])
    imports.append(import_streams(tables["streams"], unit_of_work, reference, today, step))
    offset += len(tables["streams"])
    imports.append(import_needs(tables["needs"], unit_of_work, reference, step))
    offset += len(tables["needs"])
    streams = _stream_ids(unit_of_work)
    added, given, before = _load_lab_results(
        lab_rows, streams, unit_of_work, regulatory.rule_sets, today, now, step
    )
    offset += len(lab_rows)
    recorded, there = _load_statuses(status_rows, streams, unit_of_work, regulatory, today, now)
    progress(total, total)
    return DemoReport(tuple(imports), added, given, before, recorded, there)


def _stream_ids(unit_of_work: UnitOfWorkFactory) -> dict[StreamKey, list[int]]:
    with unit_of_work() as uow:
        names = {o.organisation_id: o.name for o in uow.organisations.list_all()}
        ids: dict[StreamKey, list[int]] = defaultdict(list)
        for stream in uow.streams.list_all():
            if stream.stream_id is not None:
                ids[(names[stream.organisation_id], stream.name)].append(stream.stream_id)
    return ids


def _stream_id(streams: Mapping[StreamKey, list[int]], row: Row, row_number: int) -> int:
    key = (row.get("organisation_name", "").strip(), row.get("stream_name", "").strip())
    found = streams.get(key, [])
    if len(found) != 1:
        template = "{organisation} has no single stream named {stream}"
        params = {"organisation": repr(key[0]), "stream": repr(key[1])}
        raise InvalidInput([field_error("stream_name", template, params, row_number)])
    return found[0]


def _load_lab_results(
    rows: Sequence[Row],
    streams: Mapping[StreamKey, list[int]],
    unit_of_work: UnitOfWorkFactory,
    regulation: RegulationData,
    today: date,
    now: datetime,
    progress: ProgressCallback,
) -> tuple[int, int, int]:
    """(results stored, streams given results, streams that had results already)."""
    by_stream: dict[int, list[Row]] = defaultdict(list)
    for index, row in enumerate(rows):
        stream_id = _stream_id(streams, row, index + FIRST_DATA_ROW)
        by_stream[stream_id].append({column: row.get(column, "") for column in LAB_RESULT_COLUMNS})
    with unit_of_work() as uow:
        tested = set(uow.lab_results.by_stream())
    added = given = before = done = 0
    for stream_id, results in by_stream.items():
        # Lab results are only ever added, so storing them again would repeat every one: a
        # stream that has results already (from an earlier run, or its own) is left alone.
        if stream_id in tested:
            before += 1
        else:
            # Without the reference data: the demo's listings carry their own measured
            # properties, and a rebuild re-imports them from the file, so totals are not
            # also turned into properties here.
            added += add_lab_results(
                unit_of_work,
                regulation,
                Principal.operator(),
                stream_id,
                results,
                today,
                now,
                from_file=False,
            )
            given += 1
        done += len(results)
        progress(done, len(rows))
    return added, given, before


def _status_record(row: Row, stream_id: int, row_number: int) -> StatusRecord:
    reader = RowReader(row, row_number)
    status = reader.choice("status", RegulatoryStatus)
    decided_on = reader.date("decided_on", required=True)
    record = StatusRecord(
        stream_id=stream_id,
        use=reader.required_text("use"),
        status=status or RegulatoryStatus.WASTE,
        legal_basis=reader.required_text("legal_basis"),
        decided_on=decided_on or date.min,
        route_id=reader.text("route_id"),
        decision_reference=reader.text("decision_reference"),
        authority=reader.text("authority"),
        valid_until=reader.date("valid_until"),
        scope_of_use=reader.text("scope_of_use"),
        documents=reader.codes("documents"),
        fulfils=reader.codes("fulfils"),
    )
    if reader.errors:
        raise InvalidInput(reader.errors)
    return record


def _use_of(record: StatusRecord) -> str:
    return record.route_id or record.use.strip().casefold()


def _load_statuses(
    rows: Sequence[Row],
    streams: Mapping[StreamKey, list[int]],
    unit_of_work: UnitOfWorkFactory,
    regulatory: RegulatoryKnowledge,
    today: date,
    now: datetime,
) -> tuple[int, int]:
    """(records stored, records left out because the stream had a status for the use)."""
    route_ids = frozenset(regulatory.routes)
    requirement_codes = frozenset(regulatory.kinds)
    recorded = there = 0
    for index, row in enumerate(rows):
        row_number = index + FIRST_DATA_ROW
        record = _status_record(row, _stream_id(streams, row, row_number), row_number)
        with unit_of_work() as uow:
            existing = uow.statuses.for_stream(record.stream_id)
        # Status records are only ever added: a stream that has a status for this use (its
        # route, or the same words without one) from an earlier run, or its own, keeps it.
        if any(_use_of(other) == _use_of(record) for other in existing):
            there += 1
            continue
        record_status(
            unit_of_work,
            route_ids,
            Principal.operator(),
            record,
            today,
            now,
            requirement_codes=requirement_codes,
        )
        recorded += 1
    return recorded, there
