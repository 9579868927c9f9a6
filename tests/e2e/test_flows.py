"""The flows page in a real browser: ECharts draws the Sankey diagram of the realised synergies
for the public (municipalities, no company names) and of a saved optimiser run for a
facilitator, from the API, with nothing loaded from outside the machine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import FACILITATOR, BrowserPage, DemoSite

pytestmark = pytest.mark.e2e


def _wait_for_diagram(browser_page: BrowserPage) -> None:
    browser_page.page.wait_for_selector("#sankey[data-ready=true]", timeout=20_000)


def _drawn_nodes(browser_page: BrowserPage) -> int:
    """How many nodes the chart holds, asked of ECharts itself."""
    return int(
        browser_page.page.evaluate(
            """() => {
              const chart = echarts.getInstanceByDom(document.getElementById('sankey'));
              return chart.getModel().getSeriesByType('sankey')[0].getData().count();
            }"""
        )
    )


def test_the_public_sees_the_realised_flows_by_municipality(
    browser_page: BrowserPage, demo_site: DemoSite, screenshot: Callable[[str], Path]
) -> None:
    browser_page.goto("/flows")
    _wait_for_diagram(browser_page)
    page = browser_page.page
    answer = httpx.get(demo_site.url + "/api/v1/flows/realised?unit=t").json()
    assert answer["links"]
    assert page.locator("#sankey canvas").count() >= 1
    assert page.get_attribute("#sankey", "data-node-count") == str(len(answer["nodes"]))
    assert _drawn_nodes(browser_page) == len(answer["nodes"])
    assert page.get_attribute("#sankey", "data-kinds") == "material_class municipality"
    assert page.locator("#flow-table tbody tr").count() == len(answer["links"])
    body = page.text_content("body") or ""
    for name in demo_site.organisation_names:
        assert name not in body
    total = f"{answer['total_per_yr']:,.0f}"
    assert f"In all: {total} t a year." in (page.text_content("#flow-status") or "")
    screenshot("flows-realised-public")
    page.hover("#sankey", position={"x": 20, "y": 120})  # the first node's tooltip, as text
    page.wait_for_timeout(300)
    # The heat synergies are their own diagram, in MWh.
    page.select_option("#flow-choice", "/api/v1/flows/realised?unit=MWh")
    page.wait_for_selector("#sankey[data-ready=true]")
    assert "MWh a year" in (page.text_content("#flow-status") or "")
    assert page.locator("#flow-choice option").count() == 2  # no scenario for the public
    browser_page.assert_clean()


def test_a_facilitator_sees_a_saved_plan_through_its_hub(
    browser_page: BrowserPage, demo_site: DemoSite, screenshot: Callable[[str], Path]
) -> None:
    browser_page.sign_in(FACILITATOR)
    browser_page.goto("/flows")
    _wait_for_diagram(browser_page)
    page = browser_page.page
    assert page.get_attribute("#sankey", "data-kinds") == "material_class organisation"
    options = page.eval_on_selector_all(
        "#flow-choice option", "options => options.map(o => o.value)"
    )
    scenario = next(value for value in options if "/scenarios/" in value)
    page.select_option("#flow-choice", scenario)
    page.wait_for_selector("#sankey[data-ready=true]")
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    answer = httpx.get(demo_site.url + scenario, cookies=cookies).json()
    assert answer["scenario_name"] == demo_site.scenario_name
    assert answer["links"]
    assert page.get_attribute("#sankey", "data-node-count") == str(len(answer["nodes"]))
    assert _drawn_nodes(browser_page) == len(answer["nodes"])
    assert page.get_attribute("#sankey", "data-kinds") == "hub need stream"
    table = page.text_content("#flow-table") or ""
    assert "Ajos crushing station" in table
    screenshot("flows-scenario-facilitator")
    browser_page.assert_clean()
