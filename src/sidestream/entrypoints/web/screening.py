"""Pages: a stream's lab results screened against the limit values of each use, with the
limits' legal sources, the test each result comes from and why a result of another test does not
count, and the plain statement that screening is not a legal opinion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.responses import Response

from sidestream.bootstrap.container import Container
from sidestream.domain.documents import MAX_DOCUMENT_BYTES, DocumentKind, DocumentUpload
from sidestream.domain.errors import FieldError, InvalidInput
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.entrypoints.http.files import DocumentUploadRoute, download, form_upload
from sidestream.entrypoints.http.security import Visitor, read_form
from sidestream.entrypoints.web import i18n
from sidestream.entrypoints.web.i18n import gettext_noop
from sidestream.entrypoints.web.pages import finish, page
from sidestream.services.documents import (
    delete_document,
    document_file,
    readable_documents,
    upload_document,
    with_documents,
)
from sidestream.services.screening import screen_stream, screening_record

router = APIRouter(include_in_schema=False)
Form = Annotated[dict[str, str], Depends(read_form)]

# The words and sentences domain/regulation.py composes for this page (TestMethod.label, the
# phrases of method_mismatch, the reasons of check_lab_result), named here, word for word, so
# that `make messages` extracts them: babel.cfg does not read the domain module.
SCREENING_WORDS = (
    gettext_noop("batch leaching test"),
    gettext_noop("column leaching test"),
    gettext_noop("total-content analysis"),
    gettext_noop("unrecognised test"),
    gettext_noop("{first} or {second}"),
    gettext_noop("the result is from a {done} ({standard}); the limit asks for a {required}"),
    gettext_noop(
        "the result's standard {standard} is not a test sidestream recognises; "
        "the limit asks for a {required}"
    ),
    gettext_noop(
        "{standard} is an analysis of the total content, not a leaching test: "
        "a result on {basis} needs a batch or column leaching test"
    ),
    gettext_noop(
        "{standard} is a leaching test, not an analysis of the total content: "
        "a leaching result is on basis leaching_ls2 or leaching_ls10"
    ),
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
) -> Response:
    return _screening_page(request, container, visitor, stream_id, use)


def _screening_page(
    request: Request,
    container: Container,
    visitor: Visitor,
    stream_id: int,
    use: str | None = None,
    documents_form: DocumentsForm | None = None,
    status_code: int = 200,
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
    documents = _documents_context(container, visitor, stream_id, documents_form)
    uses = [  # the routes that take the stream's material: each a page of its own
        route
        for route in container.knowledge_base.routes
        if screened.material_class_code in route.input_material_class_codes
    ]
    context = {
        "screened": screened,
        "parameters": container.regulation.parameters,
        "uses": sorted(uses, key=lambda route: route.name),
        "use": use,
    }
    return page(
        request,
        visitor,
        "screening.html",
        {**context, **documents},
        status_code=status_code,
        has_form=documents["documents"] is not None,  # the documents' upload and delete
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
