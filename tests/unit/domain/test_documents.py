"""A document's checks: its type decided from its content and agreeing with its name, a safe
name, the size limits, the kind, and the status record it supports being its stream's."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from sidestream.domain.documents import (
    CSV,
    DOCX,
    JPEG,
    MAX_DOCUMENT_BYTES,
    ODT,
    PDF,
    PLAIN_TEXT,
    PNG,
    XLSX,
    DocumentKind,
    DocumentUpload,
    check_document,
    content_types,
    safe_file_name,
)
from sidestream.domain.errors import InvalidInput
from tests.support import documents as files

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def upload(file_name: str, content: bytes, **changes: object) -> DocumentUpload:
    fields: dict[str, object] = {
        "stream_id": 7,
        "title": "ELY decision",
        "kind": "decision",
        "file_name": file_name,
        "content": content,
        "status_record_id": None,
    }
    return DocumentUpload(**(fields | changes))  # type: ignore[arg-type]


def reasons(error: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {e.field: e.reason for e in error.value.errors}


@pytest.mark.parametrize(
    ("file_name", "content", "expected"),
    [
        ("decision.pdf", files.PDF, PDF),
        ("photo.png", files.png(), PNG),
        ("photo.JPG", files.JPEG, JPEG),
        ("photo.jpeg", files.JPEG, JPEG),
        ("results.csv", files.CSV, CSV),
        ("results.xlsx", files.xlsx(), XLSX),
        ("permit.docx", files.docx(), DOCX),
        ("notification.odt", files.odt(), ODT),
        ("notes.txt", "Lämpötila 20 °C\r\n".encode(), PLAIN_TEXT),
        ("notes.txt", "Unicode text\n".encode("utf-16"), PLAIN_TEXT),
        ("tulokset.csv", "kromi;12\n".encode("cp1252"), CSV),
        ("decision", files.PDF, PDF),  # no extension: the content decides
    ],
)
def test_each_accepted_type_is_known_by_its_content(
    file_name: str, content: bytes, expected: object
) -> None:
    document = check_document(upload(file_name, content), (), 3, NOW)
    assert document.media_type == expected.media_type  # type: ignore[attr-defined]
    assert document.size_bytes == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert (document.kind, document.uploaded_by_user_id, document.uploaded_at) == (
        DocumentKind.DECISION,
        3,
        NOW,
    )


@pytest.mark.parametrize(
    ("file_name", "content", "reason"),
    [
        ("decision.pdf", files.png(), "decision.pdf is named as PDF, but its content is PNG"),
        ("decision.pdf", files.EXECUTABLE, "decision.pdf: the content is not a PDF"),
        ("report.csv", files.PDF, "report.csv is named as CSV, but its content is PDF"),
        ("report.txt", files.EXECUTABLE, "report.txt: the content is not a PDF"),
        ("sheet.xlsx", files.docx(), "sheet.xlsx is named as XLSX, but its content is DOCX"),
        ("sheet.xlsx", files.plain_zip(), "sheet.xlsx: the content is not a PDF"),
        ("sheet.xlsx", b"PK\x03\x04broken", "sheet.xlsx: the content is not a PDF"),
        ("setup.exe", files.EXECUTABLE, "setup.exe: .exe files are not accepted"),
        ("archive.zip", files.plain_zip(), "archive.zip: .zip files are not accepted"),
        ("program", files.EXECUTABLE, "program: the content is not a PDF"),
    ],
)
def test_a_file_of_another_type_or_disguised_is_refused(
    file_name: str, content: bytes, reason: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_document(upload(file_name, content), (), 3, NOW)
    assert reasons(refused)["file"].startswith(reason)


def test_every_wrong_field_is_named_at_once() -> None:
    wrong = upload("../", b"", title="  ", kind="poem", status_record_id=99)
    with pytest.raises(InvalidInput) as refused:
        check_document(wrong, {1, 2}, 3, NOW)
    assert [e.field for e in refused.value.errors] == [
        "title",
        "kind",
        "status_record_id",
        "file",
        "file",
    ]
    assert [e.reason for e in refused.value.errors][-2:] == ["has no name", "is empty"]
    assert all(e.template for e in refused.value.errors)  # translatable


def test_the_size_limit_counts_bytes() -> None:
    at_limit = files.PDF + b" " * (MAX_DOCUMENT_BYTES - len(files.PDF))
    assert check_document(upload("big.pdf", at_limit), (), 3, NOW).size_bytes == MAX_DOCUMENT_BYTES
    with pytest.raises(InvalidInput) as refused:
        check_document(upload("big.pdf", at_limit + b" "), (), 3, NOW)
    assert reasons(refused) == {"file": "is 20.0 MB; at most 20 MB are accepted"}


def test_a_status_record_of_the_stream_is_kept_and_text_is_trimmed() -> None:
    document = check_document(
        upload("d.pdf", files.PDF, title="  Päätös  ", kind=" permit ", status_record_id=2),
        {1, 2},
        None,
        NOW,
    )
    assert (document.title, document.kind, document.status_record_id) == (
        "Päätös",
        DocumentKind.PERMIT,
        2,
    )
    assert document.uploaded_by_user_id is None  # the operator


def test_a_title_with_control_characters_or_too_long_is_refused() -> None:
    for title, reason in (
        ("line\nbreak", "holds control characters"),
        ("x" * 201, "is 201 characters long; at most 200 are allowed"),
    ):
        with pytest.raises(InvalidInput) as refused:
            check_document(upload("d.pdf", files.PDF, title=title), (), 3, NOW)
        assert reasons(refused) == {"title": reason}


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("C:\\Users\\lab\\report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("/tmp/.hidden.pdf", "hidden.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # the override that hid the extension
        ("na\x00me.pdf", "name.pdf"),
        ('a<b>:"c"|?*.pdf', "a_b___c____.pdf"),
        ("  päätös.pdf. ", "päätös.pdf"),
        ("Pa\u0308a\u0308to\u0308s.pdf", "Päätös.pdf"),  # decomposed umlauts composed (NFC)
        ("..", ""),
        ("dir/", ""),
    ],
)
def test_file_names_keep_no_path_and_nothing_that_disguises_them(raw: str, safe: str) -> None:
    assert safe_file_name(raw) == safe


def test_a_long_name_is_cut_keeping_its_extension() -> None:
    name = safe_file_name("x" * 300 + ".pdf")
    assert len(name) == 255 and name.endswith("x.pdf")


def test_a_right_to_left_override_cannot_pass_a_program_off_as_a_pdf() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_document(upload("invoice\u202efdp.exe", files.EXECUTABLE), (), 3, NOW)
    assert reasons(refused)["file"].startswith("invoicefdp.exe: .exe files are not accepted")


def test_text_and_binary_are_told_apart() -> None:
    assert content_types(b"a,b\n1,2\n") == (PLAIN_TEXT, CSV)
    assert content_types(b"a\x00b") == ()
    assert content_types(b"\xff\xfe" + "ok".encode("utf-16-le")) == (PLAIN_TEXT, CSV)
    assert content_types(b"\xff\xfe\x00") == ()  # half a UTF-16 character
