"""/api/v1/organisations over real HTTP on SQLite and PostgreSQL: everyone sees who is in the
registry; only an organisation's members and facilitators see where its sites are exactly and
whom to contact."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sidestream.bootstrap.container import Container
from tests.support.api import Api, running_api


@pytest.fixture
def api(container: Container) -> Iterator[Api]:
    with running_api(container) as running:
        yield running


def test_everyone_sees_the_organisations_of_the_registry(api: Api) -> None:
    with api.client() as public:
        listed = public.get("/organisations")
    assert listed.status_code == 200
    by_name = {item["name"]: item for item in listed.json()}
    assert set(by_name) == {"Test Steel Oy", "Test Mine Oy", "Test Soil Oy"}
    steel = by_name["Test Steel Oy"]
    assert steel == {
        "organisation_id": api.organisation_ids["Test Steel Oy"],
        "name": "Test Steel Oy",
        "nace_code": "24.10",
        "nace_title": steel["nace_title"],
        "municipalities": ["Tornio"],
        "site_count": 2,
    }
    assert "iron" in steel["nace_title"].lower()


def test_exact_locations_and_contacts_only_to_members_and_facilitators(api: Api) -> None:
    steel_id = api.organisation_ids["Test Steel Oy"]
    seen = {}
    for who in (None, "mine", "steel", "facilitator"):
        with api.client(who) as client:
            response = client.get(f"/organisations/{steel_id}")
        assert response.status_code == 200, response.text
        seen[who] = response.json()
    for outsider in (None, "mine"):
        detail = seen[outsider]
        assert detail["is_exact"] is False
        assert detail["contact_name"] is None and detail["contact_email"] is None
        for site in detail["sites"]:
            assert site["latitude_deg"] is None and site["longitude_deg"] is None
            assert site["municipality_code"] == "851" and site["municipality_name"] == "Tornio"
    for insider in ("steel", "facilitator"):
        detail = seen[insider]
        assert detail["is_exact"] is True
        assert detail["contact_email"] == "maija@example.org"
        works = next(site for site in detail["sites"] if site["name"] == "Röyttä works")
        assert (works["latitude_deg"], works["longitude_deg"]) == (65.7826, 24.1694)
        assert works["has_port"] is True
    # Everything else is the same for everyone.
    assert seen[None]["business_id"] == seen["steel"]["business_id"] == "1234567-1"
    assert [site["name"] for site in seen[None]["sites"]] == [
        site["name"] for site in seen["steel"]["sites"]
    ]


def test_an_unknown_or_impossible_organisation_id(api: Api) -> None:
    with api.client("facilitator") as client:
        missing = client.get("/organisations/999999")
        assert missing.status_code == 404
        assert missing.json()["type"] == "/problems/not-found"
        for impossible in ("0", "-1", "99999999999999999999", "steel"):
            refused = client.get(f"/organisations/{impossible}")
            assert refused.status_code == 422, impossible
            assert refused.json()["errors"][0]["field"] == "organisation_id"
