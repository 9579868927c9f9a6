"""The stream and need forms as a browser uses them, over real HTTP on both databases: fields
checked as they are typed, a rejected value shown next to its field with nothing stored, the
pickers, and only members and facilitators let in."""

from __future__ import annotations

import re

import httpx

from tests.integration.test_web_auth import (
    FACILITATOR,
    MEMBER,
    PASSWORD,
    Site,
    form_token,
    sign_in,
)

NEW_STREAM = {
    "organisation_name": "Test Steel Oy",
    "site_name": "Röyttä works",
    "name": "Ladle slag",
    "ewc_code": "10 02 02",
    "material_class_code": "ferrochrome_slag",
    "physical_form": "solid",
    "quantity_amount": "25000",
    "quantity_unit": "t/yr",
    "recurrence": "continuous",
    "properties": "cao=31 % [EN 196-2; 2025-03-01]\nparticle_size_max=32 mm [EN 933-1; 2025-03-01]",
    "management_route": "landfill",
    "management_cost_eur_per_unit": "42",
    "visibility": "partners",
    "valid_until": "2028-12-31",
}
FIELD_ERROR = re.compile(r'<p class="field-error" id="error-([a-z_]+)"[^>]*>([^<]+)</p>')


def _field_errors(html: str) -> dict[str, str]:
    return dict(FIELD_ERROR.findall(html))


def _stream_names(site: Site) -> set[str]:
    with site.container.unit_of_work() as uow:
        return {stream.name for stream in uow.streams.list_all()}


def test_a_member_creates_a_stream_and_a_wrong_value_is_shown_by_its_field(site: Site) -> None:
    with site.client() as browser:
        sign_in(browser, MEMBER)
        form = browser.get("/streams/new")
        assert form.status_code == 200
        assert '<option value="Test Steel Oy" selected>' in form.text
        assert "Test Mine Oy" not in form.text  # not the member's organisation
        token = form_token(form)
        before = _stream_names(site)
        wrong = browser.post(
            "/streams/new",
            data=NEW_STREAM | {"quantity_amount": "lots", "csrf_token": token},
        )
        assert wrong.status_code == 422
        assert _field_errors(wrong.text) == {"quantity_amount": "&#39;lots&#39; is not a number"}
        assert 'value="lots"' in wrong.text  # what was typed is kept
        assert "1 field needs attention; nothing was saved." in wrong.text
        assert _stream_names(site) == before
        saved = browser.post("/streams/new", data=NEW_STREAM | {"csrf_token": token})
        assert saved.status_code == 303
        # matched at once: the registry's cover layer and geopolymer needs take this slag
        assert saved.headers["location"].endswith("saved=1&proposals=2")
        edit = browser.get(saved.headers["location"])
        assert "Saved." in edit.text and 'value="Ladle slag"' in edit.text
        assert "2 proposals found" in edit.text
        assert "cao=31 % [EN 196-2; 2025-03-01]\nparticle_size_max" in edit.text
        twin = browser.get(saved.headers["location"].split("?")[0] + ".json").json()
        assert twin["fields"]["management_cost_eur_per_unit"] == "42"
        changed = browser.post(
            saved.headers["location"].split("?")[0],
            data=NEW_STREAM | {"quantity_amount": "26000", "csrf_token": token},
        )
        assert changed.status_code == 303
    with site.container.unit_of_work() as uow:
        stream = next(s for s in uow.streams.list_all() if s.name == "Ladle slag")
    assert stream.quantity.amount == 26_000
    assert [p.property_code for p in stream.properties] == ["cao", "particle_size_max"]


def test_fields_are_checked_as_they_are_typed_without_storing(site: Site) -> None:
    with site.client() as browser:
        sign_in(browser, MEMBER)
        token = form_token(browser.get("/needs/new"))
        before = site.count("needs")
        checked = browser.post(
            "/needs/check",
            data={"name": "", "quantity_amount": "-5", "max_distance_km": "far"},
            headers={"X-CSRF-Token": token, "HX-Request": "true"},
        )
        assert checked.status_code == 200
        errors = _field_errors(checked.text)
        assert {"name", "max_distance_km", "valid_until"} <= set(errors)
        assert 'hx-swap-oob="true"' in checked.text
        assert site.count("needs") == before
        # without the page's token the check is refused like any state-changing request
        assert browser.post("/needs/check", data={"name": "x"}).status_code == 403


def test_the_waste_code_picker_searches_the_list_as_one_types(site: Site) -> None:
    with site.client() as browser:
        options = browser.get("/pickers/waste-codes", params={"ewc_code": "10 02"}).text
        assert '<option value="10 02 02">' in options
        more = browser.get(
            "/pickers/waste-codes", params={"accepted_ewc_codes": "10 02 02; slag"}
        ).text
        assert '<option value="10 02 02;10 02 02">' in more  # the chosen code kept
        nace = browser.get("/pickers/nace", params={"q": "24.1"}).text
        assert '<option value="24.10">' in nace
        assert browser.get("/pickers/waste-codes", params={"ewc_code": ""}).text.strip() == ""


def test_only_members_and_facilitators_reach_a_listing_form(site: Site) -> None:
    with site.container.unit_of_work() as uow:
        dust = next(s for s in uow.streams.list_all() if s.name == "Filter dust")
        heat = next(n for n in uow.needs.list_all() if n.name == "Heat for drying")
    anonymous = httpx.get(site.url + f"/streams/{dust.stream_id}/edit", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin")
    with site.client() as browser:
        sign_in(browser, MEMBER)
        assert browser.get(f"/streams/{dust.stream_id}/edit").status_code == 200  # own
        other = browser.get(f"/needs/{heat.need_id}/edit")  # another organisation's need
        assert other.status_code == 404
        assert "Heat for drying" not in other.text
        token = form_token(browser.get("/streams/new"))
        refused = browser.post(
            f"/needs/{heat.need_id}/edit", data={"name": "taken", "csrf_token": token}
        )
        assert refused.status_code in (403, 404) and "taken" not in refused.text
    with site.client() as browser:
        sign_in(browser, FACILITATOR)
        assert browser.get(f"/needs/{heat.need_id}/edit").status_code == 200


def test_hostile_text_is_stored_as_typed_and_shown_escaped(site: Site) -> None:
    hostile = "<script>alert('x')</script>'; DROP TABLE streams; --"
    with site.client() as browser:
        sign_in(browser, MEMBER)
        token = form_token(browser.get("/streams/new"))
        saved = browser.post(
            "/streams/new",
            data=NEW_STREAM
            | {
                "name": hostile,
                "description": hostile,
                "description_lang": "en",
                "csrf_token": token,
            },
        )
        assert saved.status_code == 303
        edit = browser.get(saved.headers["location"])
        assert "<script>alert" not in edit.text
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in edit.text
        huge = browser.post(
            "/streams/new",
            data=NEW_STREAM | {"name": "Huge", "quantity_amount": "1e999", "csrf_token": token},
        )
        assert huge.status_code == 422 and "quantity_amount" in _field_errors(huge.text)
        oversized = browser.post(
            "/streams/new",
            data=NEW_STREAM | {"name": "Big", "description": "x" * 70_000, "csrf_token": token},
        )
        assert oversized.status_code == 413
    assert hostile in _stream_names(site) and "Huge" not in _stream_names(site)


def test_sign_in_goes_on_to_the_page_asked_for_and_never_to_another_site(site: Site) -> None:
    with site.client() as browser:
        asked = browser.get("/streams/new", follow_redirects=False)
        assert asked.headers["location"] == "/signin?next=/streams/new"
        form = browser.get(asked.headers["location"])
        assert 'name="next" value="/streams/new"' in form.text
        token = form_token(form)
        credentials = {"email": MEMBER, "password": PASSWORD, "csrf_token": token}
        signed_in = browser.post("/signin", data=credentials | {"next": "/streams/new"})
        assert signed_in.headers["location"] == "/streams/new"
    for elsewhere in (
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:x",
    ):
        with site.client() as browser:
            token = form_token(browser.get("/signin"))
            signed_in = browser.post(
                "/signin",
                data={
                    "email": MEMBER,
                    "password": PASSWORD,
                    "csrf_token": token,
                    "next": elsewhere,
                },
            )
            assert signed_in.headers["location"] == "/", elsewhere


def test_a_wrong_value_is_explained_in_finnish_on_a_finnish_page(site: Site) -> None:
    with site.client() as browser:
        sign_in(browser, MEMBER)
        token = form_token(browser.get("/streams/new?lang=fi"))
        unreadable = browser.post(
            "/streams/new",
            data=NEW_STREAM | {"quantity_amount": "paljon", "csrf_token": token},
        )
        assert unreadable.status_code == 422
        assert _field_errors(unreadable.text) == {"quantity_amount": "&#39;paljon&#39; ei ole luku"}
        assert "1 kenttä vaatii huomiota; mitään ei tallennettu." in unreadable.text
        unknown = browser.post(
            "/streams/new", data=NEW_STREAM | {"ewc_code": "99 99 99", "csrf_token": token}
        )
        assert _field_errors(unknown.text) == {
            "ewc_code": "&#39;99 99 99&#39; ei ole jäteluettelossa"
        }
        checked = browser.post(
            "/streams/check",
            data=NEW_STREAM | {"temperature_c": "5000"},
            headers={"X-CSRF-Token": token},
        )
        assert "5000.0 °C ei ole välillä -50..2000" in checked.text
