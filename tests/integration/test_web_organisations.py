"""An organisation's profile kept by its members in the browser, over real HTTP on both
databases: the NACE picker's code checked against NACE Rev. 2, partners named in the same
transaction, nothing stored when a field is wrong, and nobody else let in."""

from __future__ import annotations

import re

import httpx

from sidestream.domain.accounts import AuditFilter, Principal
from sidestream.services.accounts import partners_of, read_audit_log
from tests.integration.test_web_auth import FACILITATOR, MEMBER, Site, form_token, sign_in

FIELD_ERROR = re.compile(r'<p class="field-error" id="error-([a-z_]+)">([^<]+)</p>')


def _ids(site: Site) -> dict[str, int]:
    with site.container.unit_of_work() as uow:
        return {o.name: o.organisation_id for o in uow.organisations.list_all()}  # type: ignore[misc]


def test_a_member_keeps_the_profile_and_partners_of_their_organisation(site: Site) -> None:
    ids = _ids(site)
    steel, mine = ids["Test Steel Oy"], ids["Test Mine Oy"]
    path = f"/organisations/{steel}/edit"
    assert httpx.get(site.url + path, follow_redirects=False).status_code == 303
    with site.client() as browser:
        sign_in(browser, MEMBER)
        dashboard = browser.get("/dashboard")
        assert f'href="{path}"' in dashboard.text
        form = browser.get(path)
        assert 'hx-get="/pickers/nace"' in form.text
        token = form_token(form)
        wrong = browser.post(
            path,
            data={
                "csrf_token": token,
                "nace_code": "99.99",
                "contact_email": "not an address",
                "partner_ids": str(mine),
            },
        )
        assert wrong.status_code == 422
        assert set(dict(FIELD_ERROR.findall(wrong.text))) == {"nace_code", "contact_email"}
        assert partners_of(site.container.unit_of_work, steel) == frozenset()  # nothing stored
        saved = browser.post(
            path,
            data={
                "csrf_token": token,
                "nace_code": "24.10",
                "size_class": "large",
                "contact_name": "Maija Meikäläinen",
                "contact_email": "maija@example.org",
                "contact_phone": "+358 40 123 4567",
                "partner_ids": str(mine),
            },
        )
        assert saved.status_code == 303
        twin = browser.get(path + ".json").json()
        assert twin["fields"]["contact_phone"] == "+358 40 123 4567"
        assert twin["partner_ids"] == [mine]
        assert browser.get(f"/organisations/{mine}/edit").status_code == 404  # not theirs
    assert partners_of(site.container.unit_of_work, steel) == frozenset({mine})
    events = read_audit_log(
        site.container.unit_of_work,
        Principal(1, is_facilitator=True),
        AuditFilter(entity_kind="organisation"),
    )
    assert {event.detail.split(":")[1].strip().split(" ")[0] for event in events} >= {
        "profile",
        "partners",
    }
    with site.client() as browser:
        sign_in(browser, FACILITATOR)
        assert browser.get(f"/organisations/{mine}/edit").status_code == 200
