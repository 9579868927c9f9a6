"""Documents attached to a stream as files: the authority's by-product or end-of-waste decision,
the environmental permit, a MARA notification, a laboratory's test report, a safety data sheet.

A document is confidential evidence: only readers with full access to its stream see it (the
services decide, with domain/access.py). What a file is, is decided from its content, never from
the type the client claims: a PDF starts with `%PDF-`, PNG and JPEG with their signatures, XLSX,
DOCX and ODT are ZIP archives with their telltale parts, CSV and plain text are text. A file whose
content contradicts its name's extension is refused, so a program disguised as a report never
reaches a reader's disk under a harmless name.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sidestream.domain.errors import FieldError, InvalidInput, field_error

# The bytes are kept in the database and held in memory while checked: 20 MB takes a scanned
# decision of some dozens of pages or a lab report with photographs, and no more.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_TITLE_LENGTH = 200
MAX_FILE_NAME_LENGTH = 255  # what most file systems allow for a name


class DocumentKind(StrEnum):
    DECISION = "decision"  # the authority's by-product or end-of-waste decision
    PERMIT = "permit"  # an environmental permit
    NOTIFICATION = "notification"  # e.g. a MARA notification (Government Decree 843/2017)
    LAB_REPORT = "lab_report"  # a laboratory's test report
    SAFETY_DATA_SHEET = "safety_data_sheet"
    OTHER = "other"


@dataclass(frozen=True)
class FileType:
    label: str  # as a person names it, in any language
    media_type: str
    extensions: tuple[str, ...]


PDF = FileType("PDF", "application/pdf", (".pdf",))
PNG = FileType("PNG", "image/png", (".png",))
JPEG = FileType("JPEG", "image/jpeg", (".jpg", ".jpeg"))
CSV = FileType("CSV", "text/csv", (".csv",))
XLSX = FileType(
    "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
)
DOCX = FileType(
    "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)
)
ODT = FileType("ODT", "application/vnd.oasis.opendocument.text", (".odt",))
PLAIN_TEXT = FileType("TXT", "text/plain", (".txt",))
ACCEPTED_TYPES = (PDF, PNG, JPEG, CSV, XLSX, DOCX, ODT, PLAIN_TEXT)
ACCEPTED_LABELS = "PDF, PNG, JPEG, CSV, XLSX, DOCX, ODT or plain text"
TYPES_BY_EXTENSION = {
    name: file_type for file_type in ACCEPTED_TYPES for name in file_type.extensions
}


@dataclass(frozen=True)
class DocumentUpload:
    """A file as someone sends it, with what they say of it: nothing here is checked yet."""

    stream_id: int
    title: str
    kind: str
    file_name: str  # as the client named it, perhaps with a path
    content: bytes
    status_record_id: int | None = None  # the regulatory status record it supports


@dataclass(frozen=True)
class StreamDocument:
    """A stored file's description (its bytes are stored beside it, read only to download)."""

    stream_id: int
    title: str
    kind: DocumentKind
    file_name: str  # safe to show and to offer as the download's name
    media_type: str  # decided from the content
    size_bytes: int
    sha256: str  # hex digest of the content: the evidence can be shown unchanged
    uploaded_by_user_id: int | None  # None: the operator, at the command line
    uploaded_at: datetime
    status_record_id: int | None = None
    document_id: int | None = None


# --- what a file is --------------------------------------------------------------------------

_SIGNATURES = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
_ZIP_SIGNATURE = b"PK\x03\x04"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Text holds no control characters but tab, line feed, form feed and carriage return.
_CONTROL_BYTES = frozenset({*range(0x20), 0x7F}) - {0x09, 0x0A, 0x0C, 0x0D}
_TEXT_BYTES = bytes(byte for byte in range(256) if byte not in _CONTROL_BYTES)
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # the same, in text


def _is_text(content: bytes) -> bool:
    """UTF-8 or an 8-bit code page without control characters, or UTF-16 with its byte-order
    mark (what Excel writes as "Unicode text")."""
    if content.startswith(_UTF16_BOMS):
        try:
            decoded = content.decode("utf-16")
        except UnicodeDecodeError:
            return False
        return _CONTROL_CHARACTER.search(decoded) is None
    return not content.translate(None, _TEXT_BYTES)  # what is left are the control bytes


def _office_type(content: bytes) -> FileType | None:
    """XLSX, DOCX or ODT, from the parts of the ZIP archive; None for any other archive. Only
    the archive's directory and the few bytes of ODT's `mimetype` are read, never the parts
    themselves, so an archive that expands to gigabytes costs nothing."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as declared:
                    return ODT if declared.read(64).strip() == ODT.media_type.encode() else None
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return XLSX
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, ValueError):
        return None  # damaged, encrypted or compressed in a way we cannot read: no document
    return None


def content_types(content: bytes) -> tuple[FileType, ...]:
    """What the content can be: one type for a signature, plain text or CSV for text (the name
    tells them apart), none when it is of no accepted type."""
    for signature, file_type in _SIGNATURES:
        if content.startswith(signature):
            return (file_type,)
    if content.startswith(_ZIP_SIGNATURE):
        office = _office_type(content)
        return (office,) if office is not None else ()
    return (PLAIN_TEXT, CSV) if _is_text(content) else ()


def safe_file_name(raw: str) -> str:
    """The name without any directories, control or format characters (a right-to-left
    override, U+202E, shows `report<U+202E>fdp.exe` as `reportexe.pdf`), characters that some
    systems refuse in a name, leading dots and surrounding spaces; cut to
    MAX_FILE_NAME_LENGTH, keeping the extension. Empty when nothing of the name is left."""
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(
        "_" if character in '<>:"|?*' else character
        for character in unicodedata.normalize("NFC", base)
        if unicodedata.category(character) not in ("Cc", "Cf")
    )
    name = kept.strip().lstrip(".").rstrip(". ")
    if len(name) > MAX_FILE_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) < 10:
            name = stem[: MAX_FILE_NAME_LENGTH - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:MAX_FILE_NAME_LENGTH]
    return name


def _extension(file_name: str) -> str:
    stem, dot, extension = file_name.rpartition(".")
    return f".{extension.lower()}" if dot and stem else ""


def _file_type(file_name: str, content: bytes, errors: list[FieldError]) -> FileType | None:
    """The file's type from its content, agreeing with its name's extension."""
    extension = _extension(file_name)
    named = TYPES_BY_EXTENSION.get(extension)
    if extension and named is None:
        errors.append(
            field_error(
                "file",
                "{name}: {extension} files are not accepted; send a PDF, PNG, JPEG, CSV, "
                "XLSX, DOCX, ODT or plain text file",
                {"name": file_name, "extension": extension},
            )
        )
        return None
    found = content_types(content)
    if not found:
        errors.append(
            field_error(
                "file",
                "{name}: the content is not a PDF, PNG, JPEG, CSV, XLSX, DOCX, ODT or plain "
                "text file",
                {"name": file_name},
            )
        )
        return None
    if named is None:  # no extension: the content decides
        return found[0]
    if named not in found:
        errors.append(
            field_error(
                "file",
                "{name} is named as {named}, but its content is {found}",
                {"name": file_name, "named": named.label, "found": found[0].label},
            )
        )
        return None
    return named


# --- checking --------------------------------------------------------------------------------


def size_error(size_bytes: int) -> FieldError | None:
    """Why a file of this size is refused, if it is too large (a caller with the file on disk
    asks before reading it)."""
    if size_bytes <= MAX_DOCUMENT_BYTES:
        return None
    return field_error(
        "file",
        "is {size} MB; at most {limit} MB are accepted",
        {"size": f"{size_bytes / 2**20:.1f}", "limit": MAX_DOCUMENT_BYTES // 2**20},
    )


def _kind(text: str) -> DocumentKind | None:
    try:
        return DocumentKind(text.strip())
    except ValueError:
        return None


def _is_printable(text: str) -> bool:
    return not any(unicodedata.category(character) == "Cc" for character in text)


def check_document(
    upload: DocumentUpload,
    status_record_ids: Collection[int],
    uploaded_by_user_id: int | None,
    uploaded_at: datetime,
) -> StreamDocument:
    """The document as it is stored, or InvalidInput naming every wrong field.
    `status_record_ids`: the stream's own status records, the only ones it may support."""
    errors: list[FieldError] = []
    title = upload.title.strip()
    if not title:
        errors.append(field_error("title", "is required"))
    elif len(title) > MAX_TITLE_LENGTH:
        errors.append(
            field_error(
                "title",
                "is {length} characters long; at most {limit} are allowed",
                {"length": len(title), "limit": MAX_TITLE_LENGTH},
            )
        )
    elif not _is_printable(title):
        errors.append(field_error("title", "holds control characters"))
    kind = _kind(upload.kind)
    if kind is None:
        errors.append(
            field_error(
                "kind",
                "{kind} is not a kind of document ({accepted})",
                {"kind": repr(upload.kind.strip()), "accepted": ", ".join(DocumentKind)},
            )
        )
    if upload.status_record_id is not None and upload.status_record_id not in status_record_ids:
        errors.append(
            field_error(
                "status_record_id",
                "{id} is not a status record of this stream",
                {"id": upload.status_record_id},
            )
        )
    file_name = safe_file_name(upload.file_name)
    size = len(upload.content)
    file_type = None
    if not file_name:
        errors.append(field_error("file", "has no name"))
    if size == 0:
        errors.append(field_error("file", "is empty"))
    elif (too_large := size_error(size)) is not None:
        errors.append(too_large)
    elif file_name:
        file_type = _file_type(file_name, upload.content, errors)
    if errors:
        raise InvalidInput(errors)
    assert kind is not None and file_type is not None
    return StreamDocument(
        stream_id=upload.stream_id,
        title=title,
        kind=kind,
        file_name=file_name,
        media_type=file_type.media_type,
        size_bytes=size,
        sha256=hashlib.sha256(upload.content).hexdigest(),
        uploaded_by_user_id=uploaded_by_user_id,
        uploaded_at=uploaded_at,
        status_record_id=upload.status_record_id,
    )
