"""A regulatory status recorded on a stream's screening page, over real HTTP on SQLite and
PostgreSQL: shown in the page's status table and meeting the use's requirement in its regulatory
path; every problem of a refused status by its field in the page's language, with nothing
stored and what was typed kept; only with the page's CSRF token and only by the readers with
full access to the stream."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest

from tests.integration.test_web_auth import (
    FACILITATOR,
    MEMBER,
    OUTSIDER,
    Site,
    add_outsider,
    form_token,
    sign_in,
)
from tests.integration.test_web_documents import _stream_id

ROUTE = "ash_earth_construction_mara"  # asks for a MARA notification
MARA = "Notification of earth construction to the ELY Centre (MARA)"
MARA_FI = "MARA-ilmoitus maarakentamisesta ELY-keskukselle"  # as the data names it in Finnish
NOTIFIED: dict[str, str | list[str]] = {
    "use": "Paved field of the Elijärvi plant yard",
    "route_id": ROUTE,
    "status": "waste",
    "legal_basis": "Government Decree 843/2017 (MARA)",
    "decision_reference": "LAPELY/12/2026",
    "authority": "Lapland ELY Centre",
    "decided_on": "2026-06-01",
    "valid_until": "2028-12-31",
    "scope_of_use": "Paved structure, at most 9 000 t",
    "documents": "MARA notification of 2026-05-20\r\n\r\nTest Lab Oy report 2026-03-01\r\n",
    "fulfils": ["mara_notification"],
}
# T0 is 2026-11-23: decided in the future, valid until before it, a decision without its
# authority, and no legal basis.
REFUSED: dict[str, str | list[str]] = {
    "use": "Road base of the mine road",
    "route_id": ROUTE,
    "status": "by_product",
    "legal_basis": "  ",
    "decision_reference": "PSAVI/99/2026",
    "authority": "",
    "decided_on": "2027-01-15",
    "valid_until": "2026-12-31",
    "scope_of_use": "",
    "documents": "",
    "fulfils": ["mara_notification", "environmental_permit"],
}


def _post(
    browser: httpx.Client,
    stream: int,
    token: str | None,
    fields: dict[str, str | list[str]],
    use: str | None = None,
) -> httpx.Response:
    form = dict(fields) if token is None else {**fields, "csrf_token": token}
    query = f"?use={use}" if use else ""
    return browser.post(f"/streams/{stream}/statuses{query}", data=form)


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _field_errors(html: str) -> dict[str, str]:
    """The reasons the status form shows by its fields (the fields without one left out)."""
    found = re.findall(r'<p class="field-error" id="error-status-(\w+)">([^<]*)</p>', html)
    return {field: unescape(reason) for field, reason in found if reason}


def _value(html: str, field: str) -> str:
    match = re.search(rf'<input id="status-{field}" name="{field}"[^>]* value="([^"]*)"', html)
    assert match is not None, field
    return unescape(match.group(1))


def _selected(html: str, field: str) -> list[str]:
    select = re.search(rf'<select id="status-{field}".*?</select>', html, re.DOTALL)
    assert select is not None, field
    return re.findall(r'<option value="([^"]*)" selected>', select.group(0))


def _checked(html: str) -> set[str]:
    return set(re.findall(r'name="fulfils" value="(\w+)" checked', html))


def test_a_facilitator_records_a_status_that_meets_the_uses_requirement(site: Site) -> None:
    slag = _stream_id(site, "Ferrochrome slag")  # public, of Test Steel Oy
    page = f"/streams/{slag}/screening"
    with site.client() as browser:
        sign_in(browser, FACILITATOR)
        shown = browser.get(f"{page}?use={ROUTE}")
        assert 'id="record-status"' in shown.text
        assert f'action="/streams/{slag}/statuses?use={ROUTE}"' in shown.text
        assert _selected(shown.text, "route_id") == [ROUTE]  # the page's use, chosen
        assert _selected(browser.get(page).text, "route_id") == []  # else none is
        # Each requirement a box, by its name and legal source.
        assert f"{MARA} <span" in shown.text and "(Government Decree 843/2017" in shown.text
        assert f"to do: {MARA}" in _text(shown.text)
        assert "No status recorded yet." in shown.text

        recorded = _post(browser, slag, form_token(shown), NOTIFIED, use=ROUTE)
        assert recorded.status_code == 303, recorded.text
        location = recorded.headers["location"]
        assert location == f"{page}?recorded=1&use={ROUTE}#record-status"
        assert site.count("regulatory_statuses") == 1

        after = browser.get(location)
        text = _text(after.text)
        assert "Status recorded." in text
        # In the table: the record with the requirement it meets, by name.
        assert (
            "Paved field of the Elijärvi plant yard waste Government Decree 843/2017 (MARA) "
            "LAPELY/12/2026 (Lapland ELY Centre)"
        ) in text
        assert f"Paved structure, at most 9 000 t {MARA}" in text
        # And in the use's path: the notification is met.
        assert f"met: {MARA} (LAPELY/12/2026)" in text
        assert f"to do: {MARA}" not in text
        assert "Status recorded." not in browser.get(f"{page}?use={ROUTE}").text

        twin = browser.get(f"{page}.json?use={ROUTE}").json()
    (status,) = twin["statuses"]
    assert status["route_id"] == ROUTE and status["status"] == "waste"
    assert status["fulfils"] == ["mara_notification"]
    assert status["documents"] == [
        "MARA notification of 2026-05-20",
        "Test Lab Oy report 2026-03-01",
    ]
    assert (status["decided_on"], status["valid_until"]) == ("2026-06-01", "2028-12-31")
    assert twin["regulatory_path"]["steps"][0]["state"] == "met"


def test_a_member_records_a_status_without_a_route_nor_a_use_on_the_page(site: Site) -> None:
    slag = _stream_id(site, "Ferrochrome slag")
    page = f"/streams/{slag}/screening"
    fields = {
        "use": "Sold as aggregate",
        "route_id": "",
        "status": "product",
        "legal_basis": "REACH registration of the slag",
        "decided_on": "2026-01-10",
        "fulfils": ["reach_registration"],
    }
    with site.client() as browser:
        sign_in(browser, MEMBER)
        recorded = _post(browser, slag, form_token(browser.get(page)), fields)
        assert recorded.status_code == 303, recorded.text
        assert recorded.headers["location"] == f"{page}?recorded=1#record-status"
        text = _text(browser.get(recorded.headers["location"]).text)
        assert "Sold as aggregate product REACH registration of the slag —" in text
        assert "REACH registration of the substance (or a recorded exemption)" in text
        (status,) = browser.get(f"{page}.json").json()["statuses"]
    assert status["route_id"] is None and status["documents"] == []


def test_bad_input_names_every_problem_by_its_field_and_stores_nothing(site: Site) -> None:
    slag = _stream_id(site, "Ferrochrome slag")
    page = f"/streams/{slag}/screening"
    before = site.count("regulatory_statuses")
    with site.client() as browser:
        sign_in(browser, FACILITATOR)
        token = form_token(browser.get(page))
        refused = _post(browser, slag, token, REFUSED, use=ROUTE)
        assert refused.status_code == 422
        assert _field_errors(refused.text) == {
            "legal_basis": "is required",
            "decided_on": "lies in the future",
            "valid_until": "is before decided_on",
            "authority": "a decision names the authority that made it",
        }
        assert "Nothing was recorded; see the reasons by the fields." in refused.text
        # What was typed is kept, and the page is still the use's.
        assert _value(refused.text, "use") == "Road base of the mine road"
        assert _value(refused.text, "decision_reference") == "PSAVI/99/2026"
        assert _value(refused.text, "decided_on") == "2027-01-15"
        assert _selected(refused.text, "status") == ["by_product"]
        assert _selected(refused.text, "route_id") == [ROUTE]
        assert _checked(refused.text) == {"mara_notification", "environmental_permit"}
        assert f"to do: {MARA}" in _text(refused.text)

        # A day that is no day is named by its field, with the problems of the other fields.
        unreadable = {**REFUSED, "decided_on": "1.6.2026", "authority": "PSAVI"}
        refused = _post(browser, slag, token, unreadable)
        assert refused.status_code == 422
        assert _field_errors(refused.text) == {
            "legal_basis": "is required",
            "decided_on": "'1.6.2026' is not a date YYYY-MM-DD",
        }
        assert _value(refused.text, "decided_on") == "1.6.2026"

        # What no form of the page offers, sent all the same.
        forged = {
            **REFUSED,
            "legal_basis": "Waste Act 646/2011, section 5",
            "authority": "PSAVI",
            "decided_on": "2026-05-01",
            "valid_until": "",
            "route_id": "moon_base",
            "status": "mineral",
            "fulfils": ["moon_permit"],
        }
        refused = _post(browser, slag, token, forged)
        assert refused.status_code == 422
        assert _field_errors(refused.text) == {
            "route_id": "'moon_base' is not a valorisation route",
            "status": "'mineral' is not one of waste, by_product, end_of_waste, product",
            "fulfils": "'moon_permit' is not a requirement of any use",
        }
        end_of_waste = {**forged, "route_id": ROUTE, "status": "end_of_waste", "fulfils": []}
        end_of_waste["decision_reference"] = ""
        refused = _post(browser, slag, token, end_of_waste)
        assert _field_errors(refused.text) == {
            "decision_reference": "end-of-waste status cites the criteria or the decision "
            "it rests on"
        }
        too_many = {**forged, "route_id": "", "status": "waste", "fulfils": []}
        too_many["documents"] = "\n".join(f"report {n}" for n in range(51))
        refused = _post(browser, slag, token, too_many)
        assert _field_errors(refused.text) == {
            "documents": "names 51 documents; a status may name at most 50"
        }
        nul = {**too_many, "documents": "", "scope_of_use": "yard\x00"}
        refused = _post(browser, slag, token, nul)
        assert _field_errors(refused.text) == {"scope_of_use": "holds a NUL character"}
    assert site.count("regulatory_statuses") == before


def test_the_finnish_page_names_the_problems_in_finnish(site: Site) -> None:
    slag = _stream_id(site, "Ferrochrome slag")
    page = f"/streams/{slag}/screening"
    with site.client() as browser:
        sign_in(browser, MEMBER)
        shown = browser.get(f"{page}?lang=fi")  # remembered in a cookie
        assert "Kirjaa oikeudellinen asema" in shown.text
        refused = _post(browser, slag, form_token(shown), REFUSED)
        assert refused.status_code == 422
        assert _field_errors(refused.text) == {
            "legal_basis": "on pakollinen",
            "decided_on": "on tulevaisuudessa",
            "valid_until": "on ennen päätöspäivää (decided_on)",
            "authority": "päätöksessä mainitaan sen tehnyt viranomainen",
        }
        assert "Mitään ei kirjattu; katso syyt kenttien kohdalta." in refused.text
        recorded = _post(browser, slag, form_token(shown), NOTIFIED, use=ROUTE)
        assert recorded.status_code == 303
        text = _text(browser.get(recorded.headers["location"]).text)
        assert "Asema kirjattu." in text
        assert f"täytetty: {MARA_FI} (LAPELY/12/2026)" in text
    assert site.count("regulatory_statuses") == 1


def test_a_status_without_the_pages_csrf_token_is_refused(site: Site) -> None:
    slag = _stream_id(site, "Ferrochrome slag")
    with site.client() as browser:
        sign_in(browser, MEMBER)
        form_token(browser.get(f"/streams/{slag}/screening"))
        assert _post(browser, slag, None, NOTIFIED).status_code == 403
        assert _post(browser, slag, "not the token", NOTIFIED).status_code == 403
    assert site.count("regulatory_statuses") == 0


def test_others_neither_see_the_form_nor_record_a_status(site: Site) -> None:
    slag = _stream_id(site, "Ferrochrome slag")  # public: everyone sees its screening
    dust = _stream_id(site, "Filter dust")  # private to Test Steel Oy
    add_outsider(site)
    page = f"/streams/{slag}/screening?use={ROUTE}"
    with site.client() as outsider:
        sign_in(outsider, OUTSIDER)
        shown = outsider.get(page)
        assert shown.status_code == 200 and "Ferrochrome slag" in shown.text
        assert 'id="record-status"' not in shown.text and "/statuses" not in shown.text
        token = form_token(shown)  # the sign-out form's: a valid token of the session
        for stream in (slag, dust):
            refused = _post(outsider, stream, token, NOTIFIED)
            assert refused.status_code == 404, refused.text
            assert "Filter dust" not in refused.text
    with site.client() as public:
        shown = public.get(page)
        assert shown.status_code == 200 and 'id="record-status"' not in shown.text
        token = form_token(public.get("/signin"))  # an anonymous visitor's valid token
        for stream in (slag, dust):
            refused = _post(public, stream, token, NOTIFIED)
            assert refused.status_code == 403
            assert "Filter dust" not in refused.text
    assert site.count("regulatory_statuses") == 0


@pytest.mark.parametrize("stream_id", ["987654", "0", "x"])
def test_a_stream_that_is_none_is_not_found(site: Site, stream_id: str) -> None:
    with site.client() as browser:
        sign_in(browser, FACILITATOR)
        token = form_token(browser.get("/"))
        refused = browser.post(
            f"/streams/{stream_id}/statuses", data={**NOTIFIED, "csrf_token": token}
        )
    assert refused.status_code in (404, 422)
    assert site.count("regulatory_statuses") == 0
