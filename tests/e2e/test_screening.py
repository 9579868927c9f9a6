"""A stream's screening for a use in the browser: a facilitator opens the wood fly ash's page
for forest fertilising, sees the lab test still needed, uploads the laboratory's file with the
missing metals, and the same page then judges the use on them."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import FACILITATOR, BrowserPage, DemoSite, artifacts_directory

USE = "wood_ash_forest_fertiliser"
# The metals the demo's Kemijärvi fly ash has no result for (data/demo/lab_results.csv): all
# within the forest-ash limits (chromium 300, copper 600, nickel 120, zinc 4 500 mg/kg).
MISSING_METALS = (
    "parameter_code,basis,value,unit,standard,laboratory,tested_on,below_detection\n"
    "chromium_total,total,45,mg/kg,EN 13657,Demo Lab Oy (demo),2026-10-05,no\n"
    "copper,total,110,mg/kg,EN 13657,Demo Lab Oy (demo),2026-10-05,no\n"
    "nickel,total,38,mg/kg,EN 13657,Demo Lab Oy (demo),2026-10-05,no\n"
    "zinc,total,2100,mg/kg,EN 13657,Demo Lab Oy (demo),2026-10-05,no\n"
)


def _wood_fly_ash(demo_site: DemoSite) -> int:
    with demo_site.container.unit_of_work() as uow:
        organisation = next(
            o for o in uow.organisations.list_all() if o.name.startswith("Kemijärven Biolämpö")
        )
        stream = next(
            s
            for s in uow.streams.list_all()
            if s.organisation_id == organisation.organisation_id
            and s.material_class_code == "fly_ash_biomass"
        )
    assert stream.stream_id is not None
    return stream.stream_id


def _path_steps(browser_page: BrowserPage) -> list[str]:
    return browser_page.page.locator(".regulatory-path li.step").all_inner_texts()


def test_a_laboratorys_file_uploaded_in_the_browser_closes_the_lab_test_step(
    browser_page: BrowserPage, demo_site: DemoSite, tmp_path: Path
) -> None:
    stream_id = _wood_fly_ash(demo_site)
    browser_page.sign_in(FACILITATOR)
    browser_page.goto(f"/streams/{stream_id}/screening?use={USE}")
    before = _path_steps(browser_page)
    assert any(step.startswith("lab test needed: 4 limit values") for step in before), before

    lab_file = tmp_path / "kemijarvi-fly-ash.csv"
    lab_file.write_text(MISSING_METALS, encoding="utf-8")
    page = browser_page.page
    page.set_input_files("#lab-results-file", str(lab_file))
    with page.expect_navigation():
        page.click("form.lab-results-upload button[type=submit]")
    page.wait_for_selector("#lab-results .saved")
    assert "4 lab results added." in page.inner_text("#lab-results .saved")

    # Back on the use: the four metals are within the limits, and the forest-ash rule set
    # now has a result for every limit.
    browser_page.goto(f"/streams/{stream_id}/screening?use={USE}")
    after = _path_steps(browser_page)
    assert not any(step.startswith("lab test needed") for step in after), after
    assert any("within the limit values of" in step for step in after), after
    page.screenshot(path=str(artifacts_directory() / "screening-after-upload.png"), full_page=True)
    browser_page.assert_clean()
