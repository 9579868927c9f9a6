"""Screening through the API and the stream's page, over real HTTP on both databases: results
added all or none by the stream's members, verdicts with their sources, and nobody without
public access to the stream learning anything of it."""

from __future__ import annotations

import httpx

from sidestream.domain.accounts import Principal
from sidestream.services.accounts import create_api_token
from tests.integration.test_web_auth import FACILITATOR, MEMBER, T0, Site, sign_in

RESULTS = {
    "results": [
        {
            "parameter_code": "molybdenum",
            "basis": "leaching_ls10",
            "value": 0.8,
            "unit": "mg/kg",
            "standard": "EN 12457-4",
            "laboratory": "Test Lab Oy",
            "tested_on": "2026-03-01",
        },
        {
            "parameter_code": "chromium_total",
            "basis": "total",
            "value": 12,
            "unit": "%",
            "standard": "EN 13657",
            "tested_on": "2026-03-01",
        },
    ]
}


def _ids(site: Site) -> dict[str, int]:
    with site.container.unit_of_work() as uow:
        return {s.name: s.stream_id for s in uow.streams.list_all()}  # type: ignore[misc]


def test_a_member_adds_results_and_everyone_who_sees_the_stream_reads_the_screening(
    site: Site,
) -> None:
    slag = _ids(site)["Ferrochrome slag"]  # public
    token = create_api_token(
        site.container.unit_of_work, Principal(site.member_id), site.member_id, "lab", None, T0
    ).secret
    member = {"Authorization": f"Bearer {token}"}
    api = site.url + "/api/v1"
    wrong = dict(RESULTS)
    wrong["results"] = [RESULTS["results"][0] | {"unit": "", "standard": ""}]
    refused = httpx.post(f"{api}/streams/{slag}/lab-results", json=wrong, headers=member)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"unit", "standard"}
    added = httpx.post(f"{api}/streams/{slag}/lab-results", json=RESULTS, headers=member)
    assert added.status_code == 201 and added.json() == {"added": 2}
    public = httpx.get(f"{api}/streams/{slag}/screening", params={"use": "eu_landfill_inert"})
    assert public.status_code == 200
    answer = public.json()
    assert "not a legal opinion" in answer["disclaimer"]
    (inert,) = answer["screenings"]
    assert inert["verdict"] == "exceeds" and "2003/33/EC" in inert["legal_source"]
    molybdenum = next(
        p
        for p in inert["parameters"]
        if (p["parameter_code"], p["basis"]) == ("molybdenum", "leaching_ls10")
    )
    assert molybdenum["share_of_limit"] == 1.6
    page = httpx.get(site.url + f"/streams/{slag}/screening?lang=fi")
    assert "ylittää" in page.text and "ei oikeudellinen kannanotto" in page.text
    rule_sets = httpx.get(f"{api}/regulation/rule-sets").json()
    assert {r["rule_set_id"] for r in rule_sets} >= {"eu_landfill_inert"}


def test_the_screening_of_a_private_stream_is_not_found_for_others(site: Site) -> None:
    dust = _ids(site)["Filter dust"]  # private to Test Steel Oy
    assert httpx.get(site.url + f"/api/v1/streams/{dust}/screening").status_code == 404
    outsider_post = httpx.post(site.url + f"/api/v1/streams/{dust}/lab-results", json=RESULTS)
    assert outsider_post.status_code in (401, 403)
    with site.client() as browser:
        sign_in(browser, MEMBER)
        assert browser.get(f"/streams/{dust}/screening").status_code == 200
        assert f"/streams/{dust}/screening" in browser.get(f"/streams/{dust}/edit").text
    with site.client() as browser:
        sign_in(browser, FACILITATOR)
        assert browser.get(f"/streams/{dust}/screening.json").status_code == 200


def test_a_member_records_a_status_through_the_api(site: Site) -> None:
    slag = _ids(site)["Ferrochrome slag"]
    token = create_api_token(
        site.container.unit_of_work, Principal(site.member_id), site.member_id, "s", None, T0
    ).secret
    member = {"Authorization": f"Bearer {token}"}
    body = {
        "use": "cover layer of a waste-rock pile",
        "status": "by_product",
        "legal_basis": "Waste Act 646/2011, section 5",
        "decided_on": "2025-05-01",
        "route_id": "waste_rock_cover_sealing_layer",
    }
    url = site.url + f"/api/v1/streams/{slag}/statuses"
    wrong = httpx.post(url, json=body | {"route_id": "moon_base", "status": "gold"}, headers=member)
    assert wrong.status_code == 422 and "status" in {e["field"] for e in wrong.json()["errors"]}
    unknown_route = httpx.post(url, json=body | {"route_id": "moon_base"}, headers=member)
    assert [e["field"] for e in unknown_route.json()["errors"]] == ["route_id"]
    saved = httpx.post(url, json=body, headers=member)
    assert saved.status_code == 201 and saved.json()["status"] == "by_product"
    assert httpx.post(url, json=body).status_code in (401, 403)  # the public may not
    shown = httpx.get(site.url + f"/streams/{slag}/screening?lang=fi").text
    assert "sivutuote" in shown and "Waste Act 646/2011, section 5" in shown
