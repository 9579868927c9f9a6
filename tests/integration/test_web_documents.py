"""Documents on a stream's screening page, over real HTTP on SQLite and PostgreSQL: the section
only for readers with full access, uploads and deletions only with the page's CSRF token, and a
refused file's reasons by its field, in the page's language."""

from __future__ import annotations

import httpx

from sidestream.domain.accounts import Principal
from sidestream.domain.documents import DocumentUpload
from sidestream.services.documents import upload_document
from tests.integration.test_web_auth import FACILITATOR, MEMBER, T0, Site, form_token, sign_in
from tests.support import documents as files

TITLE = "Ympäristölupa LAPELY/42/2024"


def _stream_id(site: Site, name: str) -> int:
    with site.container.unit_of_work() as uow:
        found = next(s.stream_id for s in uow.streams.list_all() if s.name == name)
    assert found is not None
    return found


def _attach(site: Site, stream: int) -> int:
    document = upload_document(
        site.container.unit_of_work,
        Principal.operator(),
        DocumentUpload(stream, TITLE, "permit", "lupa.pdf", files.PDF),
        T0,
    )
    assert document.document_id is not None
    return document.document_id


def _post_file(
    browser: httpx.Client,
    stream: int,
    token: str | None,
    file_name: str,
    content: bytes,
    **data: str,
) -> httpx.Response:
    form = {"title": TITLE, "kind": "permit"} | data
    if token is not None:
        form["csrf_token"] = token
    return browser.post(
        f"/streams/{stream}/documents",
        data=form,
        files={"file": (file_name, content, "application/pdf")},
    )


def test_the_documents_section_is_for_readers_with_full_access_only(site: Site) -> None:
    slag = _stream_id(site, "Ferrochrome slag")  # public
    document = _attach(site, slag)
    page = f"/streams/{slag}/screening"
    download = f"/streams/{slag}/documents/{document}"
    with site.client() as public:
        shown = public.get(page)
        assert shown.status_code == 200 and "Ferrochrome slag" in shown.text
        assert TITLE not in shown.text and 'id="documents"' not in shown.text
        assert 'enctype="multipart/form-data"' not in shown.text
        assert "stream_documents" not in public.get(f"{page}.json").json()
        assert public.get(download).status_code == 404
    for who in (MEMBER, FACILITATOR):
        with site.client() as browser:
            sign_in(browser, who)
            shown = browser.get(page)
            assert 'id="documents"' in shown.text and TITLE in shown.text
            assert f'href="{download}"' in shown.text and "lupa.pdf" in shown.text
            got = browser.get(download)
            assert got.content == files.PDF
            assert got.headers["content-disposition"].startswith("attachment;")
            assert [d["title"] for d in browser.get(f"{page}.json").json()["stream_documents"]] == [
                TITLE
            ]


def test_uploading_and_deleting_from_the_page_need_its_csrf_token(site: Site) -> None:
    slag = _stream_id(site, "Ferrochrome slag")
    page = f"/streams/{slag}/screening"
    with site.client() as browser:
        sign_in(browser, MEMBER)
        token = form_token(browser.get(page))
        forged = _post_file(browser, slag, None, "lupa.pdf", files.PDF)
        assert forged.status_code == 403
        assert site.count("stream_documents") == 0
        wrong = _post_file(browser, slag, "not the token", "lupa.pdf", files.PDF)
        assert wrong.status_code == 403 and site.count("stream_documents") == 0

        added = _post_file(browser, slag, token, "lupa.pdf", files.PDF)
        assert added.status_code == 303, added.text
        assert added.headers["location"] == f"{page}#documents"
        assert site.count("stream_documents") == 1
        shown = browser.get(page).text
        assert TITLE in shown and "Ympäristölupa" in shown
        (document,) = browser.get(f"{page}.json").json()["stream_documents"]
        delete = f"/streams/{slag}/documents/{document['document_id']}/delete"

        assert browser.post(delete, data={}).status_code == 403
        assert site.count("stream_documents") == 1
        deleted = browser.post(delete, data={"csrf_token": token})
        assert deleted.status_code == 303
    assert site.count("stream_documents") == 0


def test_a_refused_file_is_explained_by_its_field_in_the_pages_language(site: Site) -> None:
    slag = _stream_id(site, "Ferrochrome slag")
    page = f"/streams/{slag}/screening"
    with site.client() as browser:
        sign_in(browser, MEMBER)
        token = form_token(browser.get(page + "?lang=fi"))  # remembered in a cookie
        refused = _post_file(browser, slag, token, "lupa.pdf", files.png(), title="Oma otsikko")
    assert refused.status_code == 422
    assert site.count("stream_documents") == 0
    text = refused.text
    reason = "lupa.pdf on nimetty PDF-tiedostoksi, mutta sen sisältö on PNG"
    assert f'<p class="field-error" id="error-file">{reason}</p>' in text
    assert 'value="Oma otsikko"' in text  # what was typed is kept
    assert "Tiedostoa ei liitetty" in text


def test_a_browser_session_uploads_through_the_api_with_the_token_in_the_form(site: Site) -> None:
    """The CSRF check reads the token from the multipart form that the API route parsed itself
    (or from the X-CSRF-Token header)."""
    slag = _stream_id(site, "Ferrochrome slag")
    api = f"/api/v1/streams/{slag}/documents"
    with site.client() as browser:
        sign_in(browser, MEMBER)
        token = form_token(browser.get(f"/streams/{slag}/screening"))
        forged = browser.post(api, data={"title": TITLE, "kind": "permit"}, files=_pdf())
        assert forged.status_code == 403
        in_form = browser.post(
            api, data={"title": TITLE, "kind": "permit", "csrf_token": token}, files=_pdf()
        )
        assert in_form.status_code == 201, in_form.text
        in_header = browser.post(
            api,
            data={"title": TITLE, "kind": "permit"},
            files=_pdf(),
            headers={"X-CSRF-Token": token},
        )
        assert in_header.status_code == 201
    assert site.count("stream_documents") == 2


def _pdf() -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("lupa.pdf", files.PDF, "application/pdf")}
