"""Documents attached to a stream, through the API over real HTTP on SQLite and PostgreSQL: the
bytes come back unchanged, only readers with full access to the stream learn that they exist,
and a refused upload names its fields and stores nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import Principal
from sidestream.domain.documents import MAX_DOCUMENT_BYTES
from sidestream.domain.regulation import RegulatoryStatus, StatusRecord
from sidestream.entrypoints.http.bodies import MULTIPART_OVERHEAD_BYTES
from sidestream.services.accounts import set_partners
from sidestream.services.screening import record_status
from tests.integration.test_api_problems import assert_problem, fields_of
from tests.support import documents as files
from tests.support.api import Api, running_api

DOCUMENT_FIELDS = {
    "document_id",
    "stream_id",
    "status_record_id",
    "title",
    "kind",
    "file_name",
    "media_type",
    "size_bytes",
    "sha256",
    "uploaded_by_user_id",
    "uploaded_at",
}
CONFIDENTIAL_TITLE = "ELY decision on the slag"


@pytest.fixture
def api(container: Container) -> Iterator[Api]:
    with running_api(container) as running:
        yield running


def stream_id(api: Api, name: str) -> int:
    with api.container.unit_of_work() as uow:
        found = next(s.stream_id for s in uow.streams.list_all() if s.name == name)
    assert found is not None
    return found


def add_status(api: Api, stream: int) -> int:
    saved = record_status(
        api.container.unit_of_work,
        frozenset(),
        Principal.operator(),
        StatusRecord(
            stream_id=stream,
            use="cover layer of a waste-rock pile",
            status=RegulatoryStatus.BY_PRODUCT,
            legal_basis="Waste Act 646/2011, section 5",
            decided_on=date(2025, 5, 1),
            decision_reference="LAPELY/123/2025",
            authority="Lapland ELY Centre",
        ),
        api.container.today(),
        api.clock.now(),
    )
    assert saved.status_record_id is not None
    return saved.status_record_id


def upload(
    client: httpx.Client,
    stream: int,
    file_name: str,
    content: bytes,
    claimed_type: str = "application/octet-stream",
    **fields: str,
) -> httpx.Response:
    form = {"title": CONFIDENTIAL_TITLE, "kind": "decision"} | fields
    return client.post(
        f"/streams/{stream}/documents",
        files={"file": (file_name, content, claimed_type)},
        data=form,
    )


def test_a_member_uploads_and_lists_and_downloads_the_same_bytes(api: Api) -> None:
    slag = stream_id(api, "Ferrochrome slag")
    status_id = add_status(api, slag)
    with api.client("steel") as steel:
        added = upload(steel, slag, "päätös 2026.pdf", files.PDF, status_record_id=str(status_id))
        assert added.status_code == 201, added.text
        document = added.json()
        assert set(document) == DOCUMENT_FIELDS
        assert document["media_type"] == "application/pdf"  # from the content, not the claim
        assert document["sha256"] == hashlib.sha256(files.PDF).hexdigest()
        assert document["size_bytes"] == len(files.PDF)
        assert document["uploaded_by_user_id"] == api.user_ids["steel"]
        assert document["status_record_id"] == status_id

        listed = steel.get(f"/streams/{slag}/documents")
        assert listed.status_code == 200
        assert listed.json() == [document]  # the description only: no bytes in a listing

        downloaded = steel.get(f"/streams/{slag}/documents/{document['document_id']}")
        screening = steel.get(f"/streams/{slag}/screening").json()
    assert downloaded.status_code == 200
    assert downloaded.content == files.PDF
    assert hashlib.sha256(downloaded.content).hexdigest() == document["sha256"]
    assert downloaded.headers["content-type"] == "application/pdf"
    assert downloaded.headers["content-disposition"] == (
        'attachment; filename="p__t_s 2026.pdf"; '  # an ASCII name for older clients
        "filename*=UTF-8''p%C3%A4%C3%A4t%C3%B6s%202026.pdf"
    )
    assert downloaded.headers["x-content-type-options"] == "nosniff"
    assert downloaded.headers["cache-control"] == "no-store"
    (status,) = screening["statuses"]
    assert [d["document_id"] for d in status["attached_documents"]] == [document["document_id"]]
    assert status["documents"] == []  # the free-text references stay as they were
    (listed_with_screening,) = screening["stream_documents"]
    assert listed_with_screening.keys() == document.keys()
    assert listed_with_screening["sha256"] == document["sha256"]
    (event, *_) = api.audit_events("stream")
    assert event.actor_user_id == api.user_ids["steel"]
    assert f"document #{document['document_id']}" in event.detail and "added" in event.detail
    assert document["sha256"] in event.detail

    with api.client("facilitator") as facilitator:
        sheet = upload(facilitator, slag, "results.xlsx", files.xlsx(), kind="lab_report")
        assert sheet.status_code == 201
        assert sheet.json()["media_type"].endswith("spreadsheetml.sheet")
        assert len(facilitator.get(f"/streams/{slag}/documents").json()) == 2
        text = upload(facilitator, slag, "notes.txt", "ääkköset\n".encode("cp1252"))
        got = facilitator.get(f"/streams/{slag}/documents/{text.json()['document_id']}")
    assert got.headers["content-type"] == "text/plain"  # no charset is claimed for the bytes
    assert got.content == "ääkköset\n".encode("cp1252")


def test_nobody_without_full_access_learns_of_a_document(api: Api) -> None:
    slag = stream_id(api, "Ferrochrome slag")  # public: everyone sees the stream itself
    dust = stream_id(api, "Filter dust")  # private
    set_partners(
        api.container.unit_of_work,
        Principal.operator(),
        api.organisation_ids["Test Steel Oy"],
        [api.organisation_ids["Test Mine Oy"]],
        api.clock.now(),
    )
    documents: dict[int, int] = {}
    with api.client("steel") as steel:
        for stream in (slag, dust):
            added = upload(steel, stream, "decision.pdf", files.PDF)
            documents[stream] = added.json()["document_id"]
    for who in (None, "mine", "soil"):  # the public, a partner, another organisation
        with api.client(who) as other:
            for stream, document in documents.items():
                for path in (
                    f"/streams/{stream}/documents",
                    f"/streams/{stream}/documents/{document}",
                ):
                    refused = assert_problem(other.get(path), 404, "not-found")
                    assert CONFIDENTIAL_TITLE not in str(refused)
            screening = other.get(f"/streams/{slag}/screening")
            assert screening.status_code == 200  # the stream's screening, without documents
            assert "stream_documents" not in screening.json()
            assert CONFIDENTIAL_TITLE not in screening.text
            if who is not None:
                deleted = other.delete(f"/streams/{slag}/documents/{documents[slag]}")
                assert_problem(deleted, 404, "not-found")
                planted = upload(other, slag, "fake.pdf", files.PDF)
                assert_problem(planted, 404, "not-found")
    assert api.count("stream_documents") == 2
    with api.client("facilitator") as facilitator:
        for stream, document in documents.items():
            assert facilitator.get(f"/streams/{stream}/documents").status_code == 200
            got = facilitator.get(f"/streams/{stream}/documents/{document}")
            assert got.content == files.PDF
        # A document is found under its own stream only.
        assert facilitator.get(f"/streams/{dust}/documents/{documents[slag]}").status_code == 404


def _refusals(api: Api, slag: int, other_status: int) -> dict[str, tuple[httpx.Response, str]]:
    too_large = files.PDF + b" " * (MAX_DOCUMENT_BYTES + 1 - len(files.PDF))
    with api.client("steel") as steel:
        return {
            "empty": (upload(steel, slag, "empty.pdf", b""), "file"),
            "too large": (upload(steel, slag, "big.pdf", too_large), "file"),
            "disguised": (
                upload(steel, slag, "decision.pdf", files.png(), "application/pdf"),
                "file",
            ),
            "a program": (upload(steel, slag, "setup.exe", files.EXECUTABLE), "file"),
            "a program as text": (upload(steel, slag, "notes.txt", files.EXECUTABLE), "file"),
            "unknown kind": (upload(steel, slag, "d.pdf", files.PDF, kind="poem"), "kind"),
            "no title": (upload(steel, slag, "d.pdf", files.PDF, title=" "), "title"),
            "another stream's status": (
                upload(steel, slag, "d.pdf", files.PDF, status_record_id=str(other_status)),
                "status_record_id",
            ),
        }


def test_a_refused_upload_names_its_field_and_stores_nothing(api: Api) -> None:
    slag = stream_id(api, "Ferrochrome slag")
    other_status = add_status(api, stream_id(api, "Filter dust"))
    rows, events = api.count("stream_documents"), len(api.audit_events())
    for case, (response, field) in _refusals(api, slag, other_status).items():
        body = assert_problem(response, 422, "invalid-input")
        assert fields_of(body) == {field}, case
    assert (api.count("stream_documents"), len(api.audit_events())) == (rows, events)
    disguised = _refusals(api, slag, other_status)["disguised"][0].json()
    assert disguised["errors"][0]["reason"] == (
        "decision.pdf is named as PDF, but its content is PNG"
    )


def test_a_body_over_the_upload_limit_is_refused_before_it_is_read(api: Api) -> None:
    slag = stream_id(api, "Ferrochrome slag")
    huge = files.PDF + b" " * (MAX_DOCUMENT_BYTES + MULTIPART_OVERHEAD_BYTES)
    with api.client("steel") as steel:
        assert_problem(upload(steel, slag, "huge.pdf", huge), 413, "too-large")
        # The other API bodies keep their own limits: a document's bound is its route's only.
        assert_problem(steel.post("/streams", content=b"x" * (300 * 1024)), 413, "too-large")
    assert api.count("stream_documents") == 0


def test_a_member_deletes_a_document_and_the_log_keeps_what_it_was(api: Api) -> None:
    slag = stream_id(api, "Ferrochrome slag")
    with api.client("steel") as steel:
        document: dict[str, Any] = upload(steel, slag, "decision.pdf", files.PDF).json()
        path = f"/streams/{slag}/documents/{document['document_id']}"
        assert steel.delete(path).status_code == 204
        assert steel.get(f"/streams/{slag}/documents").json() == []
        assert_problem(steel.get(path), 404, "not-found")
        assert_problem(steel.delete(path), 404, "not-found")
    assert api.count("stream_documents") == 0
    (deleted, added, *_) = api.audit_events("stream")
    assert "deleted" in deleted.detail and "added" in added.detail
    assert document["sha256"] in deleted.detail
