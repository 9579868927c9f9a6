"""/api/v1/export and /api/v1/import: whole tables in the import format
(docs/reference/tabular-format.md), for facilitators and administrators, every one audited
(services.audited_transfer)."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from sidestream.adapters.tabular.files import FileFormat, read_rows
from sidestream.domain.errors import FieldError, InvalidInput
from sidestream.entrypoints.api.bodies import (
    MAX_UPLOAD_BYTES,
    TOO_LARGE_RESPONSES,
    UploadRoute,
)
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.services.audited_transfer import (
    COLUMNS,
    check_may_transfer_tables,
    export_table,
    import_table,
)
from sidestream.services.transfer import FIRST_DATA_ROW, Table

router = APIRouter(
    tags=["import and export"], route_class=UploadRoute, responses=TOO_LARGE_RESPONSES
)
_UPLOAD_FORMATS = (FileFormat.CSV, FileFormat.XLSX)


class ImportReportRead(BaseModel):
    table: Table
    created: int
    updated: int
    unchanged: int


@router.get(
    "/export/{table}.csv",
    summary="A whole table as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a header"}},
)
def export_csv(table: Table, container: AppContainer, visitor: CurrentVisitor) -> Response:
    """Every row, confidential listings included: facilitators and administrators only, and
    written to the audit log."""
    records = export_table(
        container.unit_of_work,
        container.reference,
        visitor.principal,
        table,
        container.clock.now(),
    )
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(COLUMNS[table]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(record.row for record in records)
    return Response(
        text.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{table.value}.csv"',
            "Cache-Control": "no-store",  # confidential: no copy in a cache on the way
        },
    )


def _upload_format(upload: UploadFile) -> FileFormat:
    suffix = Path(upload.filename or "upload.csv").suffix.lower().lstrip(".") or "csv"
    for file_format in _UPLOAD_FORMATS:
        if suffix == file_format.value:
            return file_format
    raise InvalidInput.single("file", f"{upload.filename!r}: send a .csv or .xlsx file")


def _refuse_nul_characters(rows: list[dict[str, str]]) -> None:
    """No stored text may hold a NUL character (PostgreSQL refuses it): each cell is named."""
    errors = [
        FieldError(column, "holds a NUL character", index + FIRST_DATA_ROW)
        for index, row in enumerate(rows)
        for column, value in row.items()
        if "\x00" in value
    ]
    if errors:
        raise InvalidInput(errors)


@router.post("/import/{table}", summary="Import a table (CSV or Excel upload)")
def import_upload(
    table: Table,
    file: Annotated[UploadFile, File(description="The table, at most 5 MB")],
    container: AppContainer,
    visitor: CurrentVisitor,
) -> ImportReportRead:
    """All or nothing: a file with any bad row is refused whole, with a 422 problem naming
    every row's fields (`errors[].row` is the spreadsheet's row number, the header being 1).
    Facilitators and administrators only; audited."""
    check_may_transfer_tables(visitor.principal)  # before a byte of the upload is read
    file_format = _upload_format(file)
    content = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise HTTPException(413, f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB")
    # The file adapters read paths: the upload goes to a private directory for the moment.
    with tempfile.TemporaryDirectory(prefix="sidestream-upload-") as directory:
        path = Path(directory) / f"upload.{file_format.value}"
        path.write_bytes(content)
        rows = read_rows(path, COLUMNS[table])
    _refuse_nul_characters(rows)
    report = import_table(
        container.unit_of_work,
        container.reference,
        visitor.principal,
        table,
        rows,
        container.today(),
        container.clock.now(),
    )
    return ImportReportRead(
        table=report.table,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
    )
