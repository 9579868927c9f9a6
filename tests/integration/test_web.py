"""The public overview page over real HTTP: what the anonymous public may and may not see."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from sidestream.bootstrap.container import Container
from sidestream.entrypoints.server import create_app
from tests.integration.test_registry import _load_registry
from tests.support.server import running_server


@pytest.fixture
def base_url(container: Container) -> Iterator[str]:
    _load_registry(container)
    with running_server(create_app(container)) as url:
        yield url


def test_the_page_lists_public_listings_and_hides_private_ones(base_url: str) -> None:
    response = httpx.get(base_url + "/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "Ferrochrome slag" in page  # public stream
    assert "Cover layer for waste-rock pile" in page  # public need
    assert "Filter dust" not in page  # private stream
    assert "Waste rock batch" not in page  # partners-only stream
    assert "Heat for drying" not in page  # private need
    assert "Test Mine Oy" in page and "Test Soil Oy" in page  # organisations are listed
    assert "/static/sidestream.css" in page
    assert httpx.get(base_url + "/static/sidestream.css").status_code == 200


def test_the_json_twin_withholds_identity_of_anonymous_listings(base_url: str) -> None:
    overview = httpx.get(base_url + "/index.json").json()
    streams = {stream["material"]: stream for stream in overview["streams"]}
    assert set(streams) == {"Ferrochrome slag", "Waste heat, below 60 °C"}
    anonymous = streams["Waste heat, below 60 °C"]
    assert anonymous["organisation_name"] is None
    assert anonymous["site_name"] is None
    assert anonymous["description"] is None
    assert anonymous["price_eur_per_unit"] is None
    assert anonymous["quantity"] == "over 100,000 MWh/yr"  # a band, not 150,000
    assert anonymous["municipality_code"] == "851"
    public = streams["Ferrochrome slag"]
    assert public["organisation_name"] == "Test Steel Oy"
    assert public["price_eur_per_unit"] == 4.5
    assert "cost" not in str(overview)  # costs are never public
    assert (overview["hidden_stream_count"], overview["hidden_need_count"]) == (2, 1)


def test_expired_listings_are_not_shown(container: Container) -> None:
    _load_registry(container)
    with container.unit_of_work() as uow:
        stream = next(s for s in uow.streams.list_all() if s.name == "Ferrochrome slag")
        stream.valid_until = stream.valid_until.replace(year=2020)
        uow.streams.update(stream)
        uow.commit()
    with running_server(create_app(container)) as url:
        overview = httpx.get(url + "/index.json").json()
    assert "Ferrochrome slag" not in {s["title"] for s in overview["streams"]}


def test_quantity_ranges_are_not_shown_to_the_public(base_url: str) -> None:
    page = httpx.get(base_url + "/").text
    overview = httpx.get(base_url + "/index.json").json()
    listings = [*overview["streams"], *overview["needs"]]
    quantities = {
        (item["kind"], item["organisation_name"] is None): item["quantity"] for item in listings
    }
    fields_shown = {name for item in listings for name in item}

    # The registry gives public and anonymous listings a range; the public sees what it saw before:
    # the band of the amount (90,000–210,000 MWh/yr reaches into the band below) or the amount.
    assert quantities == {
        ("stream", False): "700,000 t/yr",  # range 650,000–750,000
        ("stream", True): "over 100,000 MWh/yr",  # range 90,000–210,000
        ("need", False): "200,000 t/yr",  # range 150,000–250,000
        ("need", True): "10,000–100,000 t/yr",  # 20,000, at most 40,000
    }
    assert not {name for name in fields_shown if "low" in name or "high" in name or "range" in name}
    for bound in (650_000, 750_000, 90_000, 210_000, 150_000, 250_000, 40_000):
        for text in (f"{bound:,}", str(bound), f"{bound:,}".replace(",", "\u00a0")):
            assert text not in page, text
            assert text not in json.dumps(overview), text


def test_pages_speak_finnish_when_asked_and_remember_it(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as browser:
        english = browser.get("/")
        assert '<html lang="en">' in english.text and "Side streams" in english.text
        assert "Jun 30, 2028" in english.text  # dates per locale
        finnish = browser.get("/?lang=fi")
        assert '<html lang="fi">' in finnish.text
        assert "Sivuvirrat" in finnish.text and "Tarpeet" in finnish.text
        assert "30.6.2028" in finnish.text
        assert "700\u00a0000 t/v" in finnish.text  # numbers and units per locale
        assert "yli 100\u00a0000 MWh/v" in finnish.text  # an anonymous listing's band
        assert "700,000 t/yr" in english.text and "over 100,000 MWh/yr" in english.text
        assert "sidestream_lang=fi" in finnish.headers["set-cookie"]
        assert "Sivuvirrat" in browser.get("/").text  # remembered
        assert "Side streams" in browser.get("/?lang=en").text
    by_browser = httpx.get(base_url + "/", headers={"Accept-Language": "fi-FI,fi;q=0.9,en;q=0.8"})
    assert '<html lang="fi">' in by_browser.text
    assert "Accept-Language" in by_browser.headers["vary"]
    unknown = httpx.get(base_url + "/?lang=xx", headers={"Accept-Language": "de"})
    assert '<html lang="en">' in unknown.text
