"""Pages: a stream's lab results screened against the limit values of each use, with the
limits' legal sources, the test each result comes from and why a result of another test does not
count, and the plain statement that screening is not a legal opinion; a laboratory's file added
from the page, a regulatory status recorded on it, and the stream's documents."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path as FilePath
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.responses import Response

from sidestream.adapters.tabular.files import FileFormat, read_rows
from sidestream.bootstrap.container import Container
from sidestream.domain.documents import MAX_DOCUMENT_BYTES, DocumentKind, DocumentUpload
from sidestream.domain.errors import FieldError, Forbidden, InvalidInput, NotFound, field_error
from sidestream.domain.regulation import (
    CONCENTRATION,
    Basis,
    RegulatoryStatus,
    StatusRecord,
    check_status_record,
)
from sidestream.domain.regulatory_path import RegulatoryKnowledge
from sidestream.domain.routes import ValorisationRoute
from sidestream.domain.units import UNITS_BY_DIMENSION
from sidestream.entrypoints.http.bodies import MULTIPART_OVERHEAD_BYTES, limited_body_route
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.entrypoints.http.files import DocumentUploadRoute, download, form_upload
from sidestream.entrypoints.http.security import Visitor, read_form, read_form_lists
from sidestream.entrypoints.web import i18n
from sidestream.entrypoints.web.i18n import gettext_noop
from sidestream.entrypoints.web.listings import STREAM, match_at_once
from sidestream.entrypoints.web.pages import finish, page
from sidestream.services.documents import (
    delete_document,
    document_file,
    readable_documents,
    upload_document,
    with_documents,
)
from sidestream.services.screening import (
    FIRST_DATA_ROW,
    LAB_RESULT_COLUMNS,
    add_lab_results,
    record_status,
    screen_stream,
    screening_record,
)
from sidestream.services.tabular_rows import RowReader

router = APIRouter(include_in_schema=False)
Form = Annotated[dict[str, str], Depends(read_form)]
FormLists = Annotated[dict[str, list[str]], Depends(read_form_lists)]

# The names of the kinds of test (TestMethod.label), plain strings in domain/regulation.py that
# its sentences carry as phrases: named here, word for word, so that `make messages` extracts them.
SCREENING_WORDS = (
    gettext_noop("batch leaching test"),
    gettext_noop("column leaching test"),
    gettext_noop("total-content analysis"),
    gettext_noop("unrecognised test"),
)


@router.get("/streams/{stream_id}/screening.json")
def screening_json(
    request: Request,
    container: AppContainer,
    visitor: CurrentVisitor,
    stream_id: int,
    use: str | None = None,
) -> Response:
    screened = screen_stream(
        container.unit_of_work,
        container.regulation,
        visitor.principal,
        stream_id,
        use,
        regulatory=container.regulatory_knowledge,
        today=container.today(),
    )
    documents = readable_documents(container.unit_of_work, visitor.principal, stream_id)
    body = with_documents(screening_record(screened), documents)
    return finish(JSONResponse(body), request, visitor)


@router.get("/streams/{stream_id}/screening", response_class=HTMLResponse)
def screening_page(
    request: Request,
    container: AppContainer,
    visitor: CurrentVisitor,
    stream_id: int,
    use: str | None = None,
    added: Annotated[int | None, Query(ge=0)] = None,
    proposals: Annotated[int, Query(ge=-1)] = -1,
    recorded: bool = False,
) -> Response:
    """`added` and `proposals`: the notice after a laboratory's file was added (see
    add_laboratory_file); `recorded`: after a status was recorded (see add_status)."""
    notice = LabResultsAdded(added, proposals) if added is not None else None
    return _screening_page(
        request, container, visitor, stream_id, use, lab_results=notice, status_form=recorded
    )


def _screening_page(
    request: Request,
    container: Container,
    visitor: Visitor,
    stream_id: int,
    use: str | None = None,
    documents_form: DocumentsForm | None = None,
    status_code: int = 200,
    lab_results: LabResultsAdded | LabResultsRefused | None = None,
    status_form: StatusForm | bool = False,
) -> Response:
    """`status_form`: a status refused (what was typed, and why), or True after one was
    recorded."""
    screened = screen_stream(
        container.unit_of_work,
        container.regulation,
        visitor.principal,
        stream_id,
        use,
        regulatory=container.regulatory_knowledge,
        today=container.today(),
    )
    documents = _documents_context(container, visitor, stream_id, documents_form)
    uses = [  # the routes that take the stream's material: each a page of its own
        route
        for route in container.knowledge_base.routes
        if screened.material_class_code in route.input_material_class_codes
    ]
    uses = sorted(uses, key=lambda route: route.name)
    context = {
        "screened": screened,
        "parameters": container.regulation.parameters,
        "properties": container.reference.properties,
        "uses": uses,
        "use": use,
        # The requirements a status record meets, by name (the status table, the form).
        "requirement_kinds": container.regulatory_knowledge.kinds,
    }
    statuses = _status_context(container, uses, use, status_form)
    return page(
        request,
        visitor,
        "screening.html",
        {**context, **documents, **_lab_results_context(lab_results), **statuses},
        status_code=status_code,
        # The documents' upload and delete, the laboratory's file and the status form: for the
        # same readers.
        has_form=documents["documents"] is not None,
    )


# --- documents: the stream's files, on its page for readers with full access ------------------

DOCUMENT_KINDS = {
    DocumentKind.DECISION: gettext_noop("authority's decision"),
    DocumentKind.PERMIT: gettext_noop("environmental permit"),
    DocumentKind.NOTIFICATION: gettext_noop("notification (e.g. MARA)"),
    DocumentKind.LAB_REPORT: gettext_noop("laboratory's test report"),
    DocumentKind.SAFETY_DATA_SHEET: gettext_noop("safety data sheet"),
    DocumentKind.OTHER: gettext_noop("other document"),
}
# Database ids are 32-bit integers: a larger number is no id, and must not reach the database.
RecordId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@dataclass(frozen=True)
class DocumentsForm:
    """An upload refused: what was typed, and why, to show next to the fields."""

    fields: dict[str, str]
    errors: tuple[FieldError, ...]


def _documents_context(
    container: Container, visitor: Visitor, stream_id: int, form: DocumentsForm | None
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    for error in form.errors if form else ():
        errors.setdefault(error.field, []).append(i18n.translate_error(error))
    return {
        "documents": readable_documents(container.unit_of_work, visitor.principal, stream_id),
        "document_kinds": DOCUMENT_KINDS,
        "document_fields": form.fields if form else {},
        "document_errors": {field: " ".join(reasons) for field, reasons in errors.items()},
        "max_document_mb": MAX_DOCUMENT_BYTES // 2**20,
    }


def _status_record_id(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput.single(
            "status_record_id", "{id} is not a status record of this stream", id=repr(text)
        )
    return int(text)


def add_document(
    request: Request,
    container: AppContainer,
    visitor: CurrentVisitor,
    stream_id: RecordId,
    form: Form,
    upload: Annotated[tuple[str, bytes], Depends(form_upload)],
) -> Response:
    """Attach the form's file; a refusal shows the page again, each reason by its field."""
    file_name, content = upload
    try:
        upload_document(
            container.unit_of_work,
            visitor.principal,
            DocumentUpload(
                stream_id=stream_id,
                title=form.get("title", ""),
                kind=form.get("kind", ""),
                file_name=file_name,
                content=content,
                status_record_id=_status_record_id(form.get("status_record_id", "")),
            ),
            container.clock.now(),
        )
    except InvalidInput as error:
        refused = DocumentsForm(form, error.errors)
        return _screening_page(request, container, visitor, stream_id, None, refused, 422)
    return RedirectResponse(f"/streams/{stream_id}/screening#documents", status_code=303)


# A route of its own class: its body may hold a document (http/files.py), no other's may.
router.add_api_route(
    "/streams/{stream_id}/documents",
    add_document,
    methods=["POST"],
    route_class_override=DocumentUploadRoute,
)


@router.get("/streams/{stream_id}/documents/{document_id}")
def download_document(
    request: Request,
    container: AppContainer,
    visitor: CurrentVisitor,
    stream_id: RecordId,
    document_id: RecordId,
) -> Response:
    file = document_file(container.unit_of_work, visitor.principal, stream_id, document_id)
    return finish(download(file), request, visitor)


@router.post("/streams/{stream_id}/documents/{document_id}/delete")
def remove_document(
    container: AppContainer, visitor: CurrentVisitor, stream_id: RecordId, document_id: RecordId
) -> Response:
    delete_document(
        container.unit_of_work, visitor.principal, stream_id, document_id, container.clock.now()
    )
    return RedirectResponse(f"/streams/{stream_id}/screening#documents", status_code=303)


# --- a laboratory's file, added on the page by readers with full access ----------------------

# A laboratory's file is a table of some dozens of rows, a few kB as CSV; 5 MB (the limit of the
# API's table imports) is ample, and smaller than a document's limit because the whole file is
# parsed in this request, an Excel workbook unpacked in memory.
MAX_LAB_FILE_BYTES = 5 * 2**20
# At most as many results as the API takes in one request: the page lists every problem of
# every row, and one request stores them all.
MAX_LAB_FILE_ROWS = 1000
LabFileUploadRoute = limited_body_route(
    MAX_LAB_FILE_BYTES + MULTIPART_OVERHEAD_BYTES, takes_files=True
)
_ZIP_SIGNATURE = b"PK\x03\x04"  # an .xlsx workbook is a zip archive
_UNSAFE_IN_FILE_NAME = re.compile(r"[^\w .()-]")

# What each column holds, for the form's help; a column's choices are listed beside it.
LAB_RESULT_COLUMN_HELP = {
    "parameter_code": gettext_noop("the parameter: one of the codes below"),
    "basis": gettext_noop(
        "what the value is of: the total content, or leaching at L/S 2 or 10 l/kg"
    ),
    "value": gettext_noop("the result per dry mass, in the unit; a decimal point or comma"),
    "unit": gettext_noop("the unit of the value"),
    "standard": gettext_noop("the test or analysis standard, e.g. EN 12457-4"),
    "laboratory": gettext_noop("the laboratory (optional)"),
    "tested_on": gettext_noop("the day of the test, e.g. 2026-03-01"),
    "below_detection": gettext_noop(
        "yes when the value is the detection limit and the true value is lower; else no"
    ),
}
LAB_RESULT_CHOICES = {
    "basis": tuple(basis.value for basis in Basis),
    "unit": tuple(UNITS_BY_DIMENSION[CONCENTRATION]),
}
LAB_RESULT_EXAMPLE = {
    "parameter_code": "molybdenum",
    "basis": "leaching_ls10",
    "value": "0.8",
    "unit": "mg/kg",
    "standard": "EN 12457-4",
    "laboratory": "Test Lab Oy",
    "tested_on": "2026-03-01",
    "below_detection": "no",
}


@dataclass(frozen=True)
class LabResultsAdded:
    """The notice after a laboratory's file was added: how many results, and how many
    proposals the stream has after matching it again (-1: the matcher cannot evaluate it)."""

    added: int
    proposals: int = -1


@dataclass(frozen=True)
class LabResultsRefused:
    """A laboratory's file refused, nothing added: every reason, each with its row and field."""

    errors: tuple[FieldError, ...]


def _lab_results_context(
    lab_results: LabResultsAdded | LabResultsRefused | None,
) -> dict[str, Any]:
    file_errors: list[str] = []
    row_errors: list[tuple[int | None, str, str]] = []
    if isinstance(lab_results, LabResultsRefused):
        for error in lab_results.errors:
            if error.row is None and error.field in ("file", "rows"):
                file_errors.append(i18n.translate_error(error))
            else:
                row_errors.append((error.row, error.field, i18n.translate_error(error)))
    return {
        "lab_result_columns": LAB_RESULT_COLUMNS,
        "lab_result_column_help": LAB_RESULT_COLUMN_HELP,
        "lab_result_choices": LAB_RESULT_CHOICES,
        "lab_result_example": [LAB_RESULT_EXAMPLE.get(c, "") for c in LAB_RESULT_COLUMNS],
        "max_lab_file_mb": MAX_LAB_FILE_BYTES // 2**20,
        "lab_results_added": lab_results if isinstance(lab_results, LabResultsAdded) else None,
        "lab_file_error": " ".join(file_errors),
        "lab_row_errors": row_errors,
    }


def _file_format(file_name: str, content: bytes) -> FileFormat:
    """CSV or XLSX, from the file's name and its content; anything else is refused, and so is a
    file whose content is not what its name says."""
    suffix = FilePath(file_name).suffix.lower()
    name = repr(file_name)
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput.single(
            "file", "{name}: send the laboratory's results as a .csv or .xlsx file", name=name
        )
    if len(content) > MAX_LAB_FILE_BYTES:
        raise InvalidInput.single(
            "file", "{name} is larger than {size} MB", name=name, size=MAX_LAB_FILE_BYTES // 2**20
        )
    if not content:
        raise InvalidInput.single("file", "{name} is empty", name=name)
    is_workbook = content.startswith(_ZIP_SIGNATURE)
    if suffix == ".xlsx":
        if not is_workbook:
            raise InvalidInput.single(
                "file",
                "{name} is named as an Excel workbook (.xlsx), but its content is not one",
                name=name,
            )
        return FileFormat.XLSX
    if is_workbook:
        raise InvalidInput.single(
            "file",
            "{name} is named as CSV, but its content is an Excel workbook: name it .xlsx",
            name=name,
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput.single(
            "file", "{name} is not UTF-8 text: save it from the spreadsheet as CSV UTF-8", name=name
        ) from None
    if "\x00" in text:  # no stored text may hold a NUL character (PostgreSQL refuses it)
        raise InvalidInput.single("file", "{name} is not a text file", name=name)
    return FileFormat.CSV


def _laboratory_file_rows(file_name: str, content: bytes) -> list[dict[str, str]]:
    """The rows of a laboratory's uploaded file, read by the tabular reader of
    `sidestream import lab-results`; InvalidInput on field `file` when it is not a readable
    CSV or XLSX table of the lab-result columns."""
    file_name = FilePath(file_name.replace("\\", "/")).name  # some browsers send a path
    if not file_name and not content:
        raise InvalidInput.single("file", "choose the laboratory's file")
    file_format = _file_format(file_name, content)
    # The reader reads paths: the upload goes to a private directory for the moment, under
    # (a safe form of) its own name, which the reader's reasons quote.
    stem = _UNSAFE_IN_FILE_NAME.sub("_", FilePath(file_name).stem)[:100] or "upload"
    with tempfile.TemporaryDirectory(prefix="sidestream-lab-") as directory:
        path = FilePath(directory) / f"{stem}.{file_format.value}"
        path.write_bytes(content)
        rows = read_rows(path, LAB_RESULT_COLUMNS)
    if not rows:
        raise InvalidInput.single(
            "file", "{name} has no results below its header row", name=repr(file_name)
        )
    if len(rows) > MAX_LAB_FILE_ROWS:
        raise InvalidInput.single(
            "file",
            "{name} has {count} rows; a laboratory's file may have at most {limit}",
            name=repr(file_name),
            count=len(rows),
            limit=MAX_LAB_FILE_ROWS,
        )
    nul = [
        field_error(column, "holds a NUL character", row=index + FIRST_DATA_ROW)
        for index, row in enumerate(rows)
        for column, value in row.items()
        if "\x00" in value
    ]
    if nul:  # an .xlsx cell; a CSV with one is refused above
        raise InvalidInput(nul)
    return rows


def _check_full_access(
    container: Container, visitor: Visitor, stream_id: int, refusal: Forbidden
) -> None:
    """Before a form's file or fields are read: only the readers the form is shown to (full
    access to the stream, as for its documents) may send it, the anonymous refused with
    `refusal`; the service checks again."""
    if visitor.principal.is_anonymous:
        raise refusal
    if readable_documents(container.unit_of_work, visitor.principal, stream_id) is None:
        raise NotFound("stream", stream_id)  # as if there were none: nothing to tell


def add_laboratory_file(
    request: Request,
    container: AppContainer,
    visitor: CurrentVisitor,
    stream_id: RecordId,
    upload: Annotated[tuple[str, bytes], Depends(form_upload)],
) -> Response:
    """Add the results of the form's file, all or none, and match the stream again; a refusal
    shows the page again (422) with every reason, each by its row and field."""
    _check_full_access(container, visitor, stream_id, Forbidden("sign in to add lab results"))
    file_name, content = upload
    try:
        added = add_lab_results(
            container.unit_of_work,
            container.regulation,
            visitor.principal,
            stream_id,
            _laboratory_file_rows(file_name, content),
            container.today(),
            container.clock.now(),
            from_file=True,
            reference=container.reference,
        )
    except InvalidInput as error:
        refused = LabResultsRefused(error.errors)
        return _screening_page(
            request, container, visitor, stream_id, status_code=422, lab_results=refused
        )
    proposals = match_at_once(container, STREAM, stream_id)  # they weigh the new results
    return RedirectResponse(
        f"/streams/{stream_id}/screening?added={added}&proposals={proposals}#lab-results",
        status_code=303,
    )


# A route of its own class, like the documents' upload: its body may hold a laboratory's file.
router.add_api_route(
    "/streams/{stream_id}/lab-results",
    add_laboratory_file,
    methods=["POST"],
    route_class_override=LabFileUploadRoute,
)


# --- a regulatory status, recorded on the page by readers with full access ---------------------

# The form's fields as StatusRecord names them (the requirements met, `fulfils`, are checkboxes
# and may be several).
STATUS_FIELDS = (
    "use",
    "route_id",
    "status",
    "legal_basis",
    "decision_reference",
    "authority",
    "decided_on",
    "valid_until",
    "scope_of_use",
    "documents",
)
# As many document references as the API takes in one record.
MAX_DOCUMENT_REFERENCES = 50


@dataclass(frozen=True)
class StatusForm:
    """A status refused, nothing recorded: what was typed, and why, to show by the fields."""

    fields: dict[str, str]
    fulfils: tuple[str, ...]
    errors: tuple[FieldError, ...]


def _status_context(
    container: Container,
    uses: list[ValorisationRoute],
    use: str | None,
    form: StatusForm | bool,
) -> dict[str, Any]:
    regulatory = container.regulatory_knowledge
    # The routes a status may be recorded for: those that take the stream's material, and the
    # route the page was opened for (?use=), which is then chosen.
    routes = [route for route in uses if route.route_id in regulatory.routes]
    asked = container.knowledge_base.routes_by_id.get(use) if use else None
    if asked is not None and asked.route_id in regulatory.routes and asked not in routes:
        routes.append(asked)
    refused = form if isinstance(form, StatusForm) else None
    fields = dict(refused.fields) if refused else {}
    if refused is None and asked is not None:
        fields["route_id"] = asked.route_id
    errors: dict[str, list[str]] = {}
    for error in refused.errors if refused else ():
        errors.setdefault(error.field, []).append(i18n.translate_error(error))
    shown = {*STATUS_FIELDS, "fulfils"}
    return {
        "status_routes": routes,
        "status_values": [status.value for status in RegulatoryStatus],
        "status_fields": fields,
        "status_fulfils": set(refused.fulfils) if refused else set(),
        "status_errors": {field: " ".join(reasons) for field, reasons in errors.items()},
        # Reasons of no field of the form (none are expected): said above it.
        "status_other_errors": [
            reason for field, reasons in errors.items() if field not in shown for reason in reasons
        ],
        "status_recorded": form is True,
        "status_action": f"?{urlencode({'use': use})}" if use else "",
    }


def _status_record(
    stream_id: int,
    fields: dict[str, str],
    fulfils: tuple[str, ...],
    regulatory: RegulatoryKnowledge,
    today: date,
) -> StatusRecord:
    """The form's record, or InvalidInput naming every wrong field: a date that is no date, a
    status that is none, and whatever check_status_record finds in the other fields (which
    record_status checks again)."""
    reader = RowReader(fields, None)
    status = reader.choice("status", RegulatoryStatus)
    decided_on = reader.date("decided_on", required=True)
    valid_until = reader.date("valid_until")
    documents = tuple(
        line.strip() for line in (reader.text("documents") or "").splitlines() if line.strip()
    )
    if len(documents) > MAX_DOCUMENT_REFERENCES:
        reader.fail(
            "documents",
            "names {count} documents; a status may name at most {limit}",
            count=len(documents),
            limit=MAX_DOCUMENT_REFERENCES,
        )
    for name, value in (*fields.items(), *(("fulfils", code) for code in fulfils)):
        if "\x00" in value:  # no stored text may hold one (PostgreSQL refuses it)
            reader.fail(name, "holds a NUL character")
    record = StatusRecord(
        stream_id=stream_id,
        use=fields.get("use", ""),
        status=status or RegulatoryStatus.WASTE,
        legal_basis=fields.get("legal_basis", ""),
        # An unread day stands in as the earliest, so that no other rule fails for it.
        decided_on=decided_on or date.min,
        route_id=reader.text("route_id"),
        decision_reference=fields.get("decision_reference"),
        authority=fields.get("authority"),
        valid_until=valid_until,
        scope_of_use=fields.get("scope_of_use"),
        documents=documents,
        fulfils=fulfils,
    )
    if not reader.errors:
        return record
    # The form's own problems, with the rules' findings on the fields read well.
    failed = {error.field for error in reader.errors}
    found: tuple[FieldError, ...] = ()
    try:
        check_status_record(
            record, frozenset(regulatory.routes), today, frozenset(regulatory.kinds)
        )
    except InvalidInput as error:
        found = tuple(
            e
            for e in error.errors
            if e.field not in failed
            # valid_until is judged against decided_on, which was not read.
            and not (e.field == "valid_until" and "decided_on" in failed)
        )
    raise InvalidInput([*reader.errors, *found])


@router.post("/streams/{stream_id}/statuses", response_class=HTMLResponse)
def add_status(
    request: Request,
    container: AppContainer,
    visitor: CurrentVisitor,
    stream_id: RecordId,
    form: FormLists,
    use: str | None = None,
) -> Response:
    """Record the form's status of the stream for one use; a refusal shows the page again
    (422), each reason by its field and what was typed kept. `use`: the route the page was
    opened for, which it is shown for again."""
    _check_full_access(
        container, visitor, stream_id, Forbidden("sign in to record a regulatory status")
    )
    fields = {name: (form.get(name) or [""])[0] for name in STATUS_FIELDS}
    fulfils = tuple(dict.fromkeys(code for code in form.get("fulfils", []) if code))
    regulatory = container.regulatory_knowledge
    try:
        record = _status_record(stream_id, fields, fulfils, regulatory, container.today())
        record_status(
            container.unit_of_work,
            frozenset(regulatory.routes),
            visitor.principal,
            record,
            container.today(),
            container.clock.now(),
            requirement_codes=frozenset(regulatory.kinds),
        )
    except InvalidInput as error:
        refused = StatusForm(fields, fulfils, error.errors)
        return _screening_page(
            request, container, visitor, stream_id, use, status_code=422, status_form=refused
        )
    query = urlencode({"recorded": 1, **({"use": use} if use else {})})
    return RedirectResponse(
        f"/streams/{stream_id}/screening?{query}#record-status", status_code=303
    )
