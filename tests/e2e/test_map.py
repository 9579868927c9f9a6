"""The map page in a real browser: Leaflet draws the packaged outlines and the listings with no
tile server and no request leaving the machine; the material class filter; popups show what
the data says as text."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import FACILITATOR, HOSTILE_NAME, BrowserPage, DemoSite

pytestmark = pytest.mark.e2e
LISTINGS = "/api/v1/map/listings.geojson"


def _open_map(browser_page: BrowserPage, query: str = "") -> None:
    browser_page.goto("/map" + query)
    browser_page.page.wait_for_selector("#map[data-ready=true]", timeout=20_000)


def _marker_count(browser_page: BrowserPage) -> int:
    """Listings on the map: single markers plus the listings inside clusters."""
    return int(
        browser_page.page.evaluate(
            """() => {
              let count = document.querySelectorAll('.listing-marker').length;
              for (const cluster of document.querySelectorAll('.marker-cluster span')) {
                count += Number(cluster.textContent);
              }
              return count;
            }"""
        )
    )


def test_the_map_draws_outlines_and_listings_without_leaving_the_machine(
    browser_page: BrowserPage, demo_site: DemoSite, screenshot: Callable[[str], Path]
) -> None:
    _open_map(browser_page)
    page = browser_page.page
    assert page.locator(".leaflet-container").count() == 1
    assert page.locator(".leaflet-tile").count() == 0  # no tile server configured
    municipalities = page.locator("path.outline-municipality").count()
    regions = page.locator("path.outline-region").count()
    assert municipalities == 309 and regions == 19
    assert page.get_attribute("#map", "data-outline-count") == "309"
    features = httpx.get(demo_site.url + LISTINGS).json()["features"]
    placed = [feature for feature in features if feature["geometry"]]
    assert page.get_attribute("#map", "data-listing-count") == str(len(placed))
    assert page.locator(".listing-marker, .marker-cluster").count() > 0
    # The map starts fitted to the listings: every one of them is on screen.
    assert _marker_count(browser_page) == len(placed)
    streams = sum(1 for feature in placed if feature["properties"]["kind"] == "stream")
    status = page.text_content("#map-status") or ""
    assert f"{streams} side streams and {len(placed) - streams} needs" in status
    assert "National Land Survey of Finland" in (
        page.text_content(".leaflet-control-attribution") or ""
    )
    page.hover("#map", position={"x": 720, "y": 120})  # inland, away from the markers
    assert page.locator(".leaflet-tooltip").count() == 1  # the municipality's name
    screenshot("map-public")
    browser_page.assert_clean()
    assert any(url.endswith("/static/vendor/leaflet/leaflet.js") for url in browser_page.requests)


def test_the_material_class_filter_changes_the_markers(
    browser_page: BrowserPage, demo_site: DemoSite, screenshot: Callable[[str], Path]
) -> None:
    _open_map(browser_page)
    page = browser_page.page
    everything = int(page.get_attribute("#map", "data-listing-count") or 0)
    options = page.eval_on_selector_all(
        "#material-class option", "options => options.map(o => [o.value, o.textContent])"
    )
    names = httpx.get(demo_site.url + LISTINGS).json()["material_class_names"]
    assert options == [
        ["", "All material classes"],
        *([code, name] for code, name in names.items()),
    ]
    code = "ferrochrome_slag"
    expected = httpx.get(f"{demo_site.url}{LISTINGS}?material_class_code={code}").json()
    page.select_option("#material-class", code)
    page.wait_for_selector("#map[data-ready=true]")
    filtered = int(page.get_attribute("#map", "data-listing-count") or 0)
    assert filtered == len(expected["features"]) and 0 < filtered < everything
    assert _marker_count(browser_page) == filtered
    screenshot("map-filtered")
    page.select_option("#material-class", "")
    page.wait_for_selector("#map[data-ready=true]")
    assert page.get_attribute("#map", "data-listing-count") == str(everything)
    browser_page.assert_clean()


def _open_popup_of(browser_page: BrowserPage, title: str) -> None:
    """Zoom into clusters until the listing's own marker shows, then click it."""
    page = browser_page.page
    marker = page.locator(f".listing-marker[title={json.dumps(title)}]")  # a CSS string
    for _ in range(10):
        if marker.count():
            break
        page.locator(".marker-cluster").first.click()
        page.wait_for_timeout(600)
    marker.first.click()
    page.wait_for_selector(".listing-popup")


def test_popups_show_names_as_text_never_as_markup(
    browser_page: BrowserPage, demo_site: DemoSite, screenshot: Callable[[str], Path]
) -> None:
    stream = demo_site.hostile_stream
    _open_map(browser_page, f"?material_class_code={stream.material_class_code}")
    page = browser_page.page
    assert page.input_value("#material-class") == stream.material_class_code
    _open_popup_of(browser_page, HOSTILE_NAME)
    popup = page.locator(".listing-popup")
    assert popup.locator(".popup-title").text_content() == HOSTILE_NAME
    assert popup.locator("img, b").count() == 0
    assert page.locator("img.injected").count() == 0
    text = popup.text_content() or ""
    assert "Organisation" in text and "Quantity" in text
    screenshot("map-popup")
    browser_page.assert_clean()


def test_anonymous_listings_are_drawn_at_their_municipality_for_the_public(
    browser_page: BrowserPage, demo_site: DemoSite
) -> None:
    # A material class whose only listing the public sees anonymously.
    features = httpx.get(demo_site.url + LISTINGS).json()["features"]
    alone = None
    for code in sorted({c for f in features for c in f["properties"]["material_class_codes"]}):
        of_class = [f for f in features if code in f["properties"]["material_class_codes"]]
        if len(of_class) == 1 and of_class[0]["properties"]["location"] == "municipality_centre":
            alone = code, of_class[0]
            break
    assert alone is not None
    code, feature = alone
    _open_map(browser_page, f"?material_class_code={code}")
    _open_popup_of(browser_page, feature["properties"]["title"])
    popup = browser_page.page.locator(".listing-popup")
    text = popup.text_content() or ""
    assert "Organisation not shown" in text
    assert feature["properties"]["municipality"] in text
    assert browser_page.page.locator(".listing-marker.listing-approximate").count() == 1
    browser_page.assert_clean()


def test_a_facilitator_sees_the_private_listings_on_the_map(
    browser_page: BrowserPage, demo_site: DemoSite, screenshot: Callable[[str], Path]
) -> None:
    _open_map(browser_page)
    public = int(browser_page.page.get_attribute("#map", "data-listing-count") or 0)
    browser_page.sign_in(FACILITATOR)
    _open_map(browser_page)
    signed_in = int(browser_page.page.get_attribute("#map", "data-listing-count") or 0)
    with demo_site.container.unit_of_work() as uow:
        everything = len(uow.streams.list_all()) + len(uow.needs.list_all())
    assert public < signed_in == everything
    screenshot("map-facilitator")
    browser_page.assert_clean()
