"""Files in and out, for the pages and the API alike: the routes that take a document, and a
stored document sent back as a download that no browser renders or sniffs."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.datastructures import UploadFile

from sidestream.domain.documents import MAX_DOCUMENT_BYTES
from sidestream.entrypoints.http.bodies import MULTIPART_OVERHEAD_BYTES, limited_body_route
from sidestream.services.documents import DocumentFile

FILE_FIELD = "file"
# A document's form: the file at its largest, and the few fields beside it. A larger file is
# refused by the domain with the field named; a larger body with 413 before it is read.
DocumentUploadRoute: type[APIRoute] = limited_body_route(
    MAX_DOCUMENT_BYTES + MULTIPART_OVERHEAD_BYTES, takes_files=True
)


async def form_upload(request: Request) -> tuple[str, bytes]:
    """The client's name of the file of a page's form (field FILE_FIELD) and its bytes; no
    name and no bytes when none was sent. The route has bounded the body, so the whole file
    may be read, and closes the form's files when it has answered."""
    form = await request.form()  # parsed once: the CSRF check may have asked for it already
    upload = form.get(FILE_FIELD)
    if not isinstance(upload, UploadFile):
        return "", b""
    return upload.filename or "", await upload.read()


def _ascii_fallback(file_name: str) -> str:
    """The name for clients that do not read `filename*` (RFC 6266): ASCII, without quotes."""
    return "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in file_name
    )


def download(file: DocumentFile) -> Response:
    """The document's bytes as an attachment, with the media type decided when it was stored.
    nosniff and a sandboxing policy: a browser neither guesses another type nor runs anything
    in it; no-store: confidential evidence stays in no cache on the way."""
    document = file.document
    disposition = (
        f'attachment; filename="{_ascii_fallback(document.file_name)}"; '
        f"filename*=UTF-8''{quote(document.file_name, safe='')}"
    )
    return Response(
        file.content,
        headers={
            # Given as a header, not as media_type: Starlette would add a charset to text.
            "Content-Type": document.media_type,
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "no-store",
        },
    )
