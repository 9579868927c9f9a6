"""/api/v1/streams and /api/v1/needs over real HTTP on SQLite and PostgreSQL: each kind of
reader sees the same listing at its own level, filters never reveal what a reader may not see,
and streams and needs are created and changed through the import columns' rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sidestream.bootstrap.container import Container
from tests.support.api import Api, running_api


@pytest.fixture
def api(container: Container) -> Iterator[Api]:
    with running_api(container) as running:
        yield running


def _streams(api: Api, who: str | None, **params: str) -> dict[str, Any]:
    with api.client(who) as client:
        response = client.get("/streams", params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def _stream_id(api: Api, name: str) -> int:
    with api.container.unit_of_work() as uow:
        found = next(s.stream_id for s in uow.streams.list_all() if s.name == name)
    assert found is not None
    return found


def _get(api: Api, who: str | None, path: str) -> httpx.Response:
    with api.client(who) as client:
        return client.get(path)


# --- reading ---------------------------------------------------------------------------------


def test_each_reader_sees_a_public_anonymous_stream_at_its_own_level(api: Api) -> None:
    heat_id = _stream_id(api, "Cooling water heat")  # Test Steel's, public_anonymous
    seen = {}
    for who in (None, "mine", "steel", "facilitator"):
        response = _get(api, who, f"/streams/{heat_id}")
        assert response.status_code == 200, response.text
        seen[who] = response.json()
    for outsider in (None, "mine"):
        listing = seen[outsider]
        assert listing["access"] == "anonymous"
        assert listing["title"] == listing["material"] == "Waste heat, below 60 °C"
        assert listing["organisation_name"] is None and listing["site_name"] is None
        assert listing["quantity"] == "over 100,000 MWh/yr"  # a band, not 150,000
        assert "cost_eur_per_unit" not in listing and "visibility" not in listing
        assert "Cooling water heat" not in str(listing) and "Steel" not in str(listing)
    for insider in ("steel", "facilitator"):
        listing = seen[insider]
        assert listing["access"] == "full"
        assert (listing["title"], listing["organisation_name"]) == (
            "Cooling water heat",
            "Test Steel Oy",
        )
        assert listing["quantity"] == "150,000 MWh/yr"
        assert listing["visibility"] == "public_anonymous"
        assert "cost_eur_per_unit" in listing


def test_costs_only_to_the_owner_and_facilitators(api: Api) -> None:
    slag_id = _stream_id(api, "Ferrochrome slag")  # Test Steel's, public
    public = _get(api, None, f"/streams/{slag_id}").json()
    assert public["access"] == "public"
    assert public["organisation_name"] == "Test Steel Oy" and public["price_eur_per_unit"] == 4.5
    assert "cost_eur_per_unit" not in public
    dust_id = _stream_id(api, "Filter dust")  # Test Steel's, private, costs 95 €/t to landfill
    for outsider in (None, "mine", "soil"):
        hidden = _get(api, outsider, f"/streams/{dust_id}")
        assert hidden.status_code == 404
        assert hidden.json()["type"] == "/problems/not-found"
    for insider in ("steel", "facilitator"):
        dust = _get(api, insider, f"/streams/{dust_id}").json()
        assert dust["cost_eur_per_unit"] == 95 and dust["visibility"] == "private"
        assert dust["is_hazardous"] is True and dust["ewc_code"] == "10 02 07*"


def test_lists_count_what_they_hide_and_page(api: Api) -> None:
    public = _streams(api, None)
    assert public["total_count"] == 2 and public["hidden_count"] == 2  # private and partners
    assert {item["access"] for item in public["items"]} == {"public", "anonymous"}
    everything = _streams(api, "facilitator")
    assert (everything["total_count"], everything["hidden_count"]) == (4, 0)
    first = _streams(api, "facilitator", limit="3")
    rest = _streams(api, "facilitator", offset="3", limit="3")
    assert (first["limit"], len(first["items"]), len(rest["items"])) == (3, 3, 1)
    assert [i["listing_id"] for i in first["items"] + rest["items"]] == [
        i["listing_id"] for i in everything["items"]
    ]
    with api.client() as client:
        needs = client.get("/needs").json()
    assert needs["total_count"] == 2 and needs["hidden_count"] == 1  # the private heat need
    assert {item["kind"] for item in needs["items"]} == {"need"}


def test_text_search_only_finds_what_the_reader_may_see(api: Api) -> None:
    # The anonymous heat stream is not found by its name or its owner by the public...
    assert _streams(api, None, q="cooling")["items"] == []
    assert [i["title"] for i in _streams(api, None, q="test steel")["items"]] == [
        "Ferrochrome slag"
    ]
    # ...but by its material; its owner finds it by name.
    [heat] = _streams(api, None, q="waste heat")["items"]
    assert heat["access"] == "anonymous"
    [own] = _streams(api, "steel", q="COOLING water")["items"]
    assert own["title"] == "Cooling water heat"


def test_filters_by_material_class_and_municipality(api: Api) -> None:
    slag = _streams(api, None, material_class_code="ferrochrome_slag")["items"]
    assert [item["title"] for item in slag] == ["Ferrochrome slag"]
    assert _streams(api, None, municipality_code="240")["items"] == []  # Kemi: no streams
    in_tornio = _streams(api, "facilitator", municipality_code="851")
    assert in_tornio["total_count"] == 3
    with api.client() as client:
        accepting = client.get("/needs", params={"material_class_code": "ferrochrome_slag"})
    assert [item["title"] for item in accepting.json()["items"]] == [
        "Cover layer for waste-rock pile"
    ]
    with api.client() as client:
        typo = client.get("/streams", params={"material_class_code": "ferochrome_slag"})
    assert typo.status_code == 422
    assert [e["field"] for e in typo.json()["errors"]] == ["material_class_code"]


# --- writing ---------------------------------------------------------------------------------


def mill_scale(**changes: object) -> dict[str, object]:
    """A valid new stream of Test Steel Oy."""
    body: dict[str, object] = {
        "organisation_name": "Test Steel Oy",
        "site_name": "Röyttä works",
        "name": "Mill scale",
        "description": "Hilsettä valssaamolta",
        "description_lang": "fi",
        "ewc_code": "10 02 10",
        "material_class_code": "mill_scale",
        "physical_form": "solid",
        "quantity_amount": 3000,
        "quantity_low": 2500,
        "quantity_high": 3500,
        "quantity_unit": "t/yr",
        "recurrence": "continuous",
        "properties": [
            {
                "property_code": "moisture",
                "value": 4.5,
                "unit": "%",
                "method": "EN 1097-5",
                "measured_on": "2026-10-01",
                "laboratory": "",
            }
        ],
        "management_route": "landfill",
        "management_cost_eur_per_unit": 60,
        "asking_price_eur_per_unit": -5.5,
        "visibility": "partners",
        "valid_until": "2027-12-31",
    }
    return body | changes


def test_a_member_creates_and_changes_its_stream(api: Api) -> None:
    with api.client("steel") as steel:
        created = steel.post("/streams", json=mill_scale())
        assert created.status_code == 201, created.text
        stream_id = created.json()["stream_id"]
        assert created.headers["location"] == f"/api/v1/streams/{stream_id}"
        fields = steel.get(f"/streams/{stream_id}/fields").json()
        assert fields == created.json()
        expected = mill_scale(
            stream_id=stream_id,
            quantity_amount=3000.0,
            recurrence_months=[],
            temperature_c=None,
            max_distance_km=None,
            hazard_assessment_basis=None,
            hazard_assessed_on=None,
        )
        assert fields == expected
        shown = steel.get(api.url + created.headers["location"]).json()
        assert (shown["title"], shown["cost_eur_per_unit"], shown["ewc_code"]) == (
            "Mill scale",
            60,
            "10 02 10",
        )
        changed = steel.put(
            f"/streams/{stream_id}",
            json=mill_scale(
                quantity_amount=3200,
                recurrence="seasonal",
                recurrence_months=[5, 6, 7],
                visibility="public",
            ),
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["recurrence_months"] == [5, 6, 7]
    public = _get(api, None, f"/streams/{stream_id}").json()
    assert public["quantity"] == "3,200 t/yr" and "cost_eur_per_unit" not in public
    [event, *_] = api.audit_events("stream")
    assert (event.action.value, event.entity_id) == ("changed", stream_id)


def test_an_invalid_stream_is_refused_naming_every_field_and_nothing_is_stored(
    api: Api,
) -> None:
    streams_before = api.count("side_streams")
    with api.client("steel") as steel:
        refused = steel.post(
            "/streams",
            json=mill_scale(quantity_amount=-5, material_class_code="unobtainium"),
        )
        assert refused.status_code == 422
        assert refused.headers["content-type"] == "application/problem+json"
        errors = {e["field"]: e["reason"] for e in refused.json()["errors"]}
        assert set(errors) == {"quantity_amount", "material_class_code"}
        assert "unobtainium" in errors["material_class_code"]
        # Typed fields are checked before the rules: each is named, nested ones dotted.
        mistyped = steel.post(
            "/streams",
            json=mill_scale(
                quantity_unit="tonnes",
                valid_until="next year",
                properties=[{"property_code": "moisture", "value": "wet"}],
            ),
        )
        assert mistyped.status_code == 422
        fields = {e["field"] for e in mistyped.json()["errors"]}
        assert {"quantity_unit", "valid_until", "properties.0.value"} <= fields
        assert "properties.0.method" in fields  # missing
    assert api.count("side_streams") == streams_before


def test_only_members_and_facilitators_write_an_organisations_listings(api: Api) -> None:
    slag_id = _stream_id(api, "Ferrochrome slag")
    with api.client("mine") as mine:
        assert mine.post("/streams", json=mill_scale()).status_code == 403
        assert mine.put(f"/streams/{slag_id}", json=mill_scale()).status_code == 403
        assert mine.get(f"/streams/{slag_id}/fields").status_code == 404
    with api.client() as public:
        assert public.post("/streams", json=mill_scale()).status_code == 403
    with api.client("facilitator") as facilitator:
        assert facilitator.post("/streams", json=mill_scale()).status_code == 201
        slag = facilitator.get(f"/streams/{slag_id}/fields").json()
    assert slag["name"] == "Ferrochrome slag" and slag["quantity_low"] == 650000
    assert api.count("side_streams") == 5


def test_a_member_creates_and_changes_its_need(api: Api) -> None:
    body: dict[str, object] = {
        "organisation_name": "Test Soil Oy",
        "site_name": "Ajos plant",
        "name": "Lime for soil stabilisation",
        "accepted_material_class_codes": ["lime_kiln_dust", "lime_mud"],
        "accepted_ewc_codes": ["10 13 06"],
        "quantity_amount": 800,
        "quantity_unit": "t/yr",
        "recurrence": "continuous",
        "property_limits": [
            {"property_code": "cao", "unit": "%", "min_value": 30},
            {"property_code": "moisture", "unit": "%", "max_value": 20},
        ],
        "max_distance_km": 150,
        "willingness_to_pay_eur_per_unit": 12,
        "visibility": "public",
        "valid_until": "2027-06-30",
    }
    with api.client("soil") as soil:
        created = soil.post("/needs", json=body)
        assert created.status_code == 201, created.text
        need = created.json()
        assert created.headers["location"] == f"/api/v1/needs/{need['need_id']}"
        assert need["accepted_ewc_codes"] == ["10 13 06"]
        assert need["property_limits"] == [
            {"property_code": "cao", "unit": "%", "min_value": 30.0, "max_value": None},
            {"property_code": "moisture", "unit": "%", "min_value": None, "max_value": 20.0},
        ]
        unbounded = soil.put(
            f"/needs/{need['need_id']}",
            json=body | {"property_limits": [{"property_code": "cao", "unit": "%"}]},
        )
        assert unbounded.status_code == 422
        assert [e["field"] for e in unbounded.json()["errors"]] == ["property_limits.0"]
        changed = soil.put(f"/needs/{need['need_id']}", json=body | {"max_distance_km": 90})
        assert changed.status_code == 200 and changed.json()["max_distance_km"] == 90
    with api.client() as public:
        shown = public.get(f"/needs/{need['need_id']}").json()
    assert shown["organisation_name"] == "Test Soil Oy" and shown["price_eur_per_unit"] == 12
