"""The dashboard and the impact pages over real HTTP on both databases: a member sees their
organisation's listings (costs included) and no one else's, a facilitator the region's, and
the impact of a realised synergy appears with its range."""

from __future__ import annotations

from datetime import date

import httpx

from sidestream.domain.accounts import Principal
from sidestream.services.synergies import realise_synergy
from tests.integration.test_web_auth import FACILITATOR, MEMBER, T0, Site, sign_in
from tests.integration.test_web_synergies import _open_synergy


def test_a_member_sees_their_own_listings_and_the_public_is_sent_to_sign_in(site: Site) -> None:
    assert httpx.get(site.url + "/dashboard").status_code == 303
    assert httpx.get(site.url + "/dashboard.json").status_code == 403
    with site.client() as browser:
        sign_in(browser, MEMBER)
        page = browser.get("/dashboard")
        assert page.status_code == 200
        assert "Test Steel Oy" in page.text and "Filter dust" in page.text
        assert "Cover layer for waste-rock pile" not in page.text  # Test Mine's need
        twin = browser.get("/dashboard.json").json()
    names = {stream["title"] for stream in twin["streams"]}
    assert names == {"Ferrochrome slag", "Filter dust", "Cooling water heat"}  # Test Steel's
    assert all("cost_eur_per_unit" in stream for stream in twin["streams"])  # own: full access
    assert twin["needs"] == [] or all(n["access"] == "full" for n in twin["needs"])
    assert twin["is_region"] is False


def test_the_region_and_the_impact_of_a_realised_synergy(site: Site) -> None:
    synergy_id = _open_synergy(site)
    facilitator = Principal(1, is_facilitator=True)
    realise_synergy(
        site.container.unit_of_work, synergy_id, 900.0, date(2026, 1, 1), facilitator, T0
    )
    with site.client() as browser:
        sign_in(browser, FACILITATOR)
        twin = browser.get("/dashboard.json").json()
        assert twin["is_region"] is True
        assert twin["synergies_by_stage"]["realised"] == 1
        assert {s["title"] for s in twin["streams"]} >= {"Ferrochrome slag", "Filter dust"}
        region = [row for row in twin["impact_realised"]["totals"] if row["grouping"] == "region"]
        tonnes = next(row for row in region if row["indicator"] == "tonnes_t")
        assert tonnes["estimate"]["central"] == 900.0
        page = browser.get("/impact?selection=realised")
        assert page.status_code == 200 and "Material exchanged" in page.text
    public = httpx.get(site.url + "/impact.json", params={"selection": "realised"}).json()
    indicators = {row["indicator"] for row in public["totals"]}
    assert "tonnes_t" in indicators
    assert not {"eur_producer", "eur_receiver", "eur_net"} & indicators  # no € for the public
    assert "Test Steel Oy" not in str(public)
