"""/api/v1: documents attached to a stream as files (the authority's decision, the permit, a
lab report), for readers with full access to the stream; to anyone else they do not exist."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from sidestream.domain.documents import (
    ACCEPTED_LABELS,
    MAX_DOCUMENT_BYTES,
    DocumentKind,
    DocumentUpload,
    StreamDocument,
)
from sidestream.entrypoints.api.bodies import TOO_LARGE_RESPONSES
from sidestream.entrypoints.api.schemas import MAX_RECORD_ID, StreamId
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.entrypoints.http.files import DocumentUploadRoute, download
from sidestream.services.documents import (
    delete_document,
    document_file,
    list_documents,
    upload_document,
)

router = APIRouter(
    tags=["documents"], route_class=DocumentUploadRoute, responses=TOO_LARGE_RESPONSES
)
DocumentId = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="The document's id")]
MAX_FORM_TEXT = 2000  # longer than any field's rule: the domain names what is too long


class DocumentRead(BaseModel):
    document_id: int
    stream_id: int
    status_record_id: int | None = Field(description="The status record the file supports")
    title: str
    kind: DocumentKind
    file_name: str = Field(description="The uploaded file's name, without any path")
    media_type: str = Field(description="Decided from the file's content")
    size_bytes: int
    sha256: str = Field(description="Hex SHA-256 of the bytes, to show they are unchanged")
    uploaded_by_user_id: int | None = Field(description="None when added at the command line")
    uploaded_at: datetime


def _read(document: StreamDocument) -> DocumentRead:
    assert document.document_id is not None
    return DocumentRead(
        document_id=document.document_id,
        stream_id=document.stream_id,
        status_record_id=document.status_record_id,
        title=document.title,
        kind=document.kind,
        file_name=document.file_name,
        media_type=document.media_type,
        size_bytes=document.size_bytes,
        sha256=document.sha256,
        uploaded_by_user_id=document.uploaded_by_user_id,
        uploaded_at=document.uploaded_at,
    )


@router.post(
    "/streams/{stream_id}/documents",
    status_code=201,
    summary="Attach a file to a stream (its members and facilitators)",
)
def add_stream_document(
    stream_id: StreamId,
    container: AppContainer,
    visitor: CurrentVisitor,
    file: Annotated[
        UploadFile,
        File(description=f"{ACCEPTED_LABELS}, at most {MAX_DOCUMENT_BYTES // 2**20} MB"),
    ],
    title: Annotated[str, Form(max_length=MAX_FORM_TEXT)],
    kind: Annotated[
        str,
        Form(max_length=MAX_FORM_TEXT, json_schema_extra={"enum": [k.value for k in DocumentKind]}),
    ],
    status_record_id: Annotated[
        int | None,
        Form(ge=1, le=MAX_RECORD_ID, description="The status record the file supports"),
    ] = None,
) -> DocumentRead:
    """The file's type is decided from its content (a PDF starts with `%PDF-`, an XLSX is a ZIP
    with a workbook); one whose content contradicts its name's extension is refused. A `422`
    names every wrong field; nothing is stored. Audited."""
    content = file.file.read()  # the route has bounded the body: the whole file may be read
    upload = DocumentUpload(stream_id, title, kind, file.filename or "", content, status_record_id)
    saved = upload_document(
        container.unit_of_work, visitor.principal, upload, container.clock.now()
    )
    return _read(saved)


@router.get(
    "/streams/{stream_id}/documents",
    summary="A stream's documents, oldest first (full access to the stream only)",
)
def list_stream_documents(
    stream_id: StreamId, container: AppContainer, visitor: CurrentVisitor
) -> list[DocumentRead]:
    documents = list_documents(container.unit_of_work, visitor.principal, stream_id)
    return [_read(document) for document in documents]


@router.get(
    "/streams/{stream_id}/documents/{document_id}",
    summary="Download a document: its bytes, as an attachment",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The file"}},
)
def download_stream_document(
    stream_id: StreamId, document_id: DocumentId, container: AppContainer, visitor: CurrentVisitor
) -> Response:
    return download(
        document_file(container.unit_of_work, visitor.principal, stream_id, document_id)
    )


@router.delete(
    "/streams/{stream_id}/documents/{document_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a document (the stream's members and facilitators); audited",
)
def delete_stream_document(
    stream_id: StreamId, document_id: DocumentId, container: AppContainer, visitor: CurrentVisitor
) -> Response:
    delete_document(
        container.unit_of_work, visitor.principal, stream_id, document_id, container.clock.now()
    )
    return Response(status_code=204)
