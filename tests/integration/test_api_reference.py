"""/api/v1/reference over real HTTP: searching the List of Waste and NACE as people type codes
and words, and the material classes and municipalities. The reference data does not live in the
database, so these run on SQLite only."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sidestream.bootstrap.container import Container
from sidestream.domain.errors import InvalidInput
from sidestream.domain.reference import ReferenceData
from sidestream.entrypoints.server import create_app
from sidestream.services.reference_search import search_nace, search_waste_codes
from tests.support.server import running_server


@pytest.fixture
def client(sqlite_container: Container) -> Iterator[httpx.Client]:
    with (
        running_server(create_app(sqlite_container)) as url,
        httpx.Client(base_url=url + "/api/v1/reference") as client,
    ):
        yield client


def _codes(response: httpx.Response, key: str = "display_code") -> list[str]:
    assert response.status_code == 200, response.text
    return [item[key] for item in response.json()]


def test_waste_codes_match_a_code_prefix_with_or_without_spaces(client: httpx.Client) -> None:
    spaced = _codes(client.get("/waste-codes", params={"q": "10 02", "limit": 100}))
    compact = _codes(client.get("/waste-codes", params={"q": "1002", "limit": 100}))
    assert spaced == compact
    assert spaced[:3] == ["10 02 01", "10 02 02", "10 02 07*"]
    assert all(code.startswith("10 02") for code in spaced)
    assert spaced == sorted(spaced)


def test_a_full_code_comes_first_then_the_entries_that_mention_it(client: httpx.Client) -> None:
    response = client.get("/waste-codes", params={"q": "10 02 07*"})
    assert _codes(response) == ["10 02 07*", "10 02 08"]  # 10 02 08 is its mirror entry
    first, mirror = response.json()
    assert first == {
        "ewc_code": "100207",
        "display_code": "10 02 07*",
        "description": first["description"],
        "is_hazardous": True,
        "is_mirror_entry": True,
    }
    assert "10 02 07" in mirror["description"] and not mirror["is_hazardous"]
    # The asterisk is read as part of the code as written, not as a filter.
    assert _codes(client.get("/waste-codes", params={"q": "10 02 02*"})) == ["10 02 02"]


def test_every_word_must_start_a_word_of_the_description(client: httpx.Client) -> None:
    slag = client.get("/waste-codes", params={"q": "SLAG", "limit": 100}).json()
    assert len(slag) > 5
    assert all("slag" in item["description"].lower() for item in slag)
    both = _codes(client.get("/waste-codes", params={"q": "unprocessed slag"}))
    assert both == ["10 02 02"]
    assert _codes(client.get("/waste-codes", params={"q": "10 02 slag"})) == [
        "10 02 01",
        "10 02 02",
    ]
    assert _codes(client.get("/waste-codes", params={"q": "slag zzzz"})) == []


def test_nace_matches_sections_codes_with_or_without_dots_and_titles(
    client: httpx.Client,
) -> None:
    assert _codes(client.get("/nace", params={"q": "c"}), "nace_code") == ["C"]
    assert _codes(client.get("/nace", params={"q": "24.1"}), "nace_code") == ["24.1", "24.10"]
    assert _codes(client.get("/nace", params={"q": "2410"}), "nace_code") == ["24.10"]
    [basic_iron] = client.get("/nace", params={"q": "basic iron steel ferro"}).json()[:1]
    assert basic_iron["nace_code"] == "24.1" and basic_iron["level_name"] == "group"


def test_limit_is_bounded_and_an_empty_query_lists_in_code_order(client: httpx.Client) -> None:
    listed = _codes(client.get("/waste-codes", params={"limit": 3}))
    assert listed == ["01 01 01", "01 01 02", "01 03 04*"]
    assert len(_codes(client.get("/waste-codes", params={"limit": 100}))) == 100
    for limit in ("0", "101", "-1", "ten"):
        refused = client.get("/waste-codes", params={"q": "slag", "limit": limit})
        assert refused.status_code == 422
        assert refused.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in refused.json()["errors"]] == ["limit"]


def test_material_classes_and_municipalities_are_listed(
    client: httpx.Client, reference: ReferenceData
) -> None:
    classes = client.get("/material-classes").json()
    assert {c["material_class_code"] for c in classes} == set(reference.material_classes)
    kemi = next(m for m in client.get("/municipalities").json() if m["municipality_code"] == "240")
    assert kemi["name_fi"] == "Kemi" and kemi["region_code"] == "19"
    assert 65 < kemi["centre_latitude_deg"] < 66
    properties = {p["property_code"]: p for p in client.get("/properties").json()}
    assert set(properties) == set(reference.properties)
    size = properties["particle_size_max"]
    assert size["kind"] == "physical" and "mm" in size["units"]


def test_the_search_functions_refuse_a_limit_below_one(reference: ReferenceData) -> None:
    with pytest.raises(InvalidInput, match="limit"):
        search_waste_codes(reference, "slag", 0)
    with pytest.raises(InvalidInput, match="limit"):
        search_nace(reference, "steel", -3)
    assert len(search_waste_codes(reference, "", 5)) == 5
    assert [hit.nace_code for hit in search_nace(reference, "", 2)] == ["A", "01"]
