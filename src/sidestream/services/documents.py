"""Documents attached to a stream as files: the evidence behind its regulatory status (the
authority's decision, the permit, a MARA notification, a laboratory's report, a safety data
sheet).

Members of the stream's organisation and facilitators add and delete them, each change audited
in the same transaction. Documents are confidential evidence: only readers with full access to
the stream (its organisation's members, facilitators and administrators) list or download them.
To anyone else a stream's documents do not exist (NotFound), however much of the stream they may
see. A status record's `documents` stay free-text references; the files that support a record
name it (`status_record_id`) and are listed with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sidestream.domain.access import Access, listing_access
from sidestream.domain.accounts import AuditAction, EntityKind, Principal
from sidestream.domain.documents import DocumentUpload, StreamDocument, check_document
from sidestream.domain.errors import Forbidden, NotFound
from sidestream.domain.streams import SideStream
from sidestream.services.accounts import audit
from sidestream.services.ports import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class DocumentFile:
    """A document with its bytes, to download."""

    document: StreamDocument
    content: bytes


def _has_full_access(uow: UnitOfWork, reader: Principal, stream_id: int) -> bool:
    registry = uow.registry_snapshot()
    stream = registry.streams_by_id.get(stream_id)
    if stream is None:
        return False
    partners = registry.partners.get(stream.organisation_id, frozenset())
    level = listing_access(reader, stream.organisation_id, stream.visibility, partners)
    return level is Access.FULL


def _changeable_stream(uow: UnitOfWork, actor: Principal, stream_id: int) -> SideStream | None:
    """The stream, when the actor may change its records."""
    stream = uow.streams.get(stream_id)
    return stream if stream is not None and actor.acts_for(stream.organisation_id) else None


def _audit(uow: UnitOfWork, actor: Principal, stream: SideStream, what: str, now: datetime) -> None:
    audit(uow, actor, AuditAction.CHANGED, EntityKind.STREAM, stream.stream_id, now, what)


def _described(document: StreamDocument) -> str:
    return (
        f"document #{document.document_id} {document.title!r} ({document.kind.value}, "
        f"{document.file_name}, {document.size_bytes} bytes, sha256 {document.sha256})"
    )


def upload_document(
    unit_of_work: UnitOfWorkFactory, actor: Principal, upload: DocumentUpload, now: datetime
) -> StreamDocument:
    """Store a file for the stream, with its audit event, or nothing."""
    if actor.is_anonymous:
        raise Forbidden("sign in to add documents")
    with unit_of_work() as uow:
        stream = _changeable_stream(uow, actor, upload.stream_id)
        if stream is None:
            raise NotFound("stream", upload.stream_id)
        status_record_ids = {
            record.status_record_id
            for record in uow.statuses.for_stream(upload.stream_id)
            if record.status_record_id is not None
        }
        document = check_document(upload, status_record_ids, actor.user_id, now)
        saved = uow.documents.add(document, upload.content)
        _audit(uow, actor, stream, f"{stream.name}: {_described(saved)} added", now)
        uow.commit()
    return saved


def readable_documents(
    unit_of_work: UnitOfWorkFactory, reader: Principal, stream_id: int
) -> list[StreamDocument] | None:
    """The stream's documents, oldest first; None when the reader may not see them (a page
    that shows the stream then shows no documents, and no sign of any)."""
    with unit_of_work() as uow:
        if not _has_full_access(uow, reader, stream_id):
            return None
        return uow.documents.for_stream(stream_id)


def list_documents(
    unit_of_work: UnitOfWorkFactory, reader: Principal, stream_id: int
) -> list[StreamDocument]:
    """The stream's documents, oldest first; NotFound unless the reader has full access."""
    documents = readable_documents(unit_of_work, reader, stream_id)
    if documents is None:
        raise NotFound("documents of stream", stream_id)
    return documents


def document_file(
    unit_of_work: UnitOfWorkFactory, reader: Principal, stream_id: int, document_id: int
) -> DocumentFile:
    """The document with its bytes; NotFound unless it is the stream's and the reader has full
    access to the stream."""
    with unit_of_work() as uow:
        document = uow.documents.get(document_id)
        if (
            document is None
            or document.stream_id != stream_id
            or not _has_full_access(uow, reader, stream_id)
        ):
            raise NotFound("document", document_id)
        content = uow.documents.content(document_id)
    if content is None:  # deleted between the two reads
        raise NotFound("document", document_id)
    return DocumentFile(document, content)


def delete_document(
    unit_of_work: UnitOfWorkFactory,
    actor: Principal,
    stream_id: int,
    document_id: int,
    now: datetime,
) -> None:
    """Delete a file of the stream (its members and facilitators), with its audit event."""
    if actor.is_anonymous:
        raise Forbidden("sign in to delete documents")
    with unit_of_work() as uow:
        document = uow.documents.get(document_id)
        stream = _changeable_stream(uow, actor, stream_id)
        if document is None or document.stream_id != stream_id or stream is None:
            raise NotFound("document", document_id)
        uow.documents.delete(document_id)
        _audit(uow, actor, stream, f"{stream.name}: {_described(document)} deleted", now)
        uow.commit()


# --- as plain data ---------------------------------------------------------------------------


def document_record(document: StreamDocument) -> dict[str, Any]:
    """A document's description as plain data (JSON for the API, the pages' twins, the CLI)."""
    return {
        "document_id": document.document_id,
        "stream_id": document.stream_id,
        "status_record_id": document.status_record_id,
        "title": document.title,
        "kind": document.kind.value,
        "file_name": document.file_name,
        "media_type": document.media_type,
        "size_bytes": document.size_bytes,
        "sha256": document.sha256,
        "uploaded_by_user_id": document.uploaded_by_user_id,
        "uploaded_at": document.uploaded_at.isoformat(),
    }


def with_documents(
    screening: dict[str, Any], documents: Sequence[StreamDocument] | None
) -> dict[str, Any]:
    """A stream's screening record (services.screening.screening_record) with its documents,
    for a reader who may see them: every one in `stream_documents`, and each status record's
    own in its `attached_documents`. For any other reader (None), the record unchanged."""
    if documents is None:
        return screening
    statuses = [
        status
        | {
            "attached_documents": [
                document_record(document)
                for document in documents
                if document.status_record_id == status["status_record_id"]
            ]
        }
        for status in screening["statuses"]
    ]
    return screening | {
        "statuses": statuses,
        "stream_documents": [document_record(document) for document in documents],
    }
