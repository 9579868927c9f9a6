"""A synergy from the first form to the board, as two people would make it in their browsers:
a member of a producer signs in and registers a side stream through the form (a wrong value is
refused next to its field first), the matcher proposes a need of another organisation, both
parties accept (neither is named to the other before), the receiver asks for contact, which
opens the synergy, and moves it on the board. Screenshots of each step are saved."""

from __future__ import annotations

import csv
import math
from importlib.resources import as_file, files
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from sidestream.domain.accounts import Principal
from sidestream.domain.organisations import Organisation, Site
from sidestream.domain.streams import Need
from sidestream.domain.units import QuantityUnit
from sidestream.services.accounts import create_user
from tests.e2e.conftest import (
    MEMBER,
    NOW,
    BrowserPage,
    DemoSite,
    artifacts_directory,
    new_browser_page,
)
from tests.integration.test_web_auth import CHEAP_HASHER, PASSWORD

pytestmark = pytest.mark.e2e
RECEIVER = "vastaanottaja@example.org"
STREAM_NAME = "Crushed ladle slag for a journey"


def _km(a: Site, b: Site) -> float:
    """Great-circle distance; the matcher's road distance is longer, hence the margin below."""
    la1, lo1, la2, lo2 = map(
        math.radians, (a.latitude_deg, a.longitude_deg, b.latitude_deg, b.longitude_deg)
    )
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _waste_codes_by_class(site: DemoSite) -> dict[str, str]:
    """A plain (non-hazardous, non-mirror) List of Waste code for each material class the
    package maps one to, as people write it."""
    table = files("sidestream") / "data" / "reference" / "ewc_material_classes.csv"
    codes: dict[str, str] = {}
    with as_file(table) as path, path.open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            entry = site.container.reference.waste_codes[row["ewc_code"]]
            if not (entry.is_hazardous or entry.is_mirror_entry):
                codes.setdefault(row["material_class_code"], entry.display_code)
    return codes


def _a_need_within_reach(
    site: DemoSite, producer_id: int
) -> tuple[Need, Organisation, Site, str, str]:
    """A need of another organisation that takes a material class with a plain waste code in
    tonnes, asks for no measured property, and lies well within its distance limit of the
    producer's first site; with the class and the code."""
    codes = _waste_codes_by_class(site)
    with site.container.unit_of_work() as uow:
        organisations = {o.organisation_id: o for o in uow.organisations.list_all()}
        needs = sorted(uow.needs.list_all(), key=lambda need: need.need_id or 0)
    producer_site = organisations[producer_id].sites[0]
    for need in needs:
        owner = organisations[need.organisation_id]
        need_site = owner.site(need.site_id)
        if (
            need.organisation_id != producer_id
            and (classes := [c for c in need.accepted_material_class_codes if c in codes])
            and not need.property_limits
            and need.min_temperature_c is None
            and need.quantity.unit is QuantityUnit.TONNES_PER_YEAR
            and need.valid_until > NOW.date()
            and _km(producer_site, need_site) < 0.5 * need.max_distance_km
        ):
            return need, owner, producer_site, classes[0], codes[classes[0]]
    raise AssertionError("the demo region has no need within reach of the producer")


def _shot(browser_page: BrowserPage, name: str) -> Path:
    path = artifacts_directory() / f"journey-{name}.png"
    browser_page.page.screenshot(path=str(path), full_page=True)
    return path


def test_a_synergy_from_the_form_to_the_board(browser: Browser, demo_site: DemoSite) -> None:
    producer_id = demo_site.realised[0].stream.organisation_id
    need, receiver_organisation, producer_site, material_class_code, waste_code = (
        _a_need_within_reach(demo_site, producer_id)
    )
    assert receiver_organisation.organisation_id is not None
    create_user(
        demo_site.container.unit_of_work,
        CHEAP_HASHER,
        Principal.operator(),
        email=RECEIVER,
        display_name="Vilma Vastaanottaja",
        password=PASSWORD,
        now=NOW,
        organisation_ids=[receiver_organisation.organisation_id],
    )
    producer, producer_context = new_browser_page(browser, demo_site.url)
    receiver, receiver_context = new_browser_page(browser, demo_site.url)
    try:
        # --- the producer registers a side stream through the form ------------------------
        producer.sign_in(MEMBER)
        producer.goto("/streams/new")
        page = producer.page
        page.fill("#f-name", STREAM_NAME)
        page.select_option("#f-site_name", producer_site.name)
        page.select_option("#f-material_class_code", material_class_code)
        page.fill("#f-ewc_code", waste_code[:5])  # the picker searches the List of Waste
        page.wait_for_selector(f"#list-ewc_code option[value='{waste_code}']", state="attached")
        page.fill("#f-ewc_code", waste_code)  # as chosen from the picker's list
        page.fill("#f-quantity_amount", "lots")
        page.press("#f-quantity_amount", "Tab")  # checked as it is typed
        page.wait_for_selector("#error-quantity_amount:has-text('is not a number')")
        _shot(producer, "1-form-checked-as-typed")
        with page.expect_navigation():
            page.click("#listing-form button[type=submit]")
        assert "'lots' is not a number" in (page.text_content("#error-quantity_amount") or "")
        assert "nothing was saved" in (page.text_content("#form-summary") or "")
        refused = [r for r in producer.failed_responses if r.startswith("422 ")]
        assert refused == [f"422 {demo_site.url}/streams/new"]  # the refusal, and nothing else
        producer.failed_responses.clear()
        expected = f"status of 422 (Unprocessable Entity) ({demo_site.url}/streams/new)"
        producer.console_errors.remove(next(e for e in producer.console_errors if expected in e))
        page.fill("#f-quantity_amount", "4000")
        with page.expect_navigation():
            page.click("#listing-form button[type=submit]")
        assert page.locator(".saved").count() == 1, page.text_content("#form-summary") + str(
            [t for t in page.locator(".field-error").all_text_contents() if t.strip()]
        )
        assert "Saved." in (page.text_content(".saved") or "")
        assert "proposals found" in (page.text_content(".saved") or "")
        _shot(producer, "2-saved-and-matched")

        with demo_site.container.unit_of_work() as uow:
            stream = next(s for s in uow.streams.list_all() if s.name == STREAM_NAME)
            records = uow.proposals.for_listing(stream_id=stream.stream_id)
        record = next(r for r in records if r.proposal.need_id == need.need_id)
        proposal = f"/proposals/{record.proposal_id}"

        # --- both parties accept; neither is named to the other before ---------------------
        producer.goto("/proposals")
        assert proposal in (page.inner_html("main") or "")
        producer.goto(proposal)
        assert receiver_organisation.name not in (page.text_content("main") or "")
        page.click("form[action$='/accept'] button")
        page.wait_for_selector("text=Your decision: accepted")
        _shot(producer, "3-producer-accepted")

        receiver.sign_in(RECEIVER)
        receiver.goto(proposal)
        other = receiver.page
        producer_name = next(
            o.name for o in _organisations(demo_site) if o.organisation_id == producer_id
        )
        assert producer_name not in (other.text_content("main") or "")
        assert STREAM_NAME not in (other.text_content("main") or "")
        other.click("form[action$='/accept'] button")
        other.wait_for_selector("text=accepted by both")
        assert producer_name in (other.text_content("main") or "")  # named once both accept
        assert STREAM_NAME in (other.text_content("main") or "")
        other.click("form[action$='/contact'] button")
        other.wait_for_selector("text=is under way")
        _shot(receiver, "4-receiver-accepted-synergy-open")

        # --- the synergy moves on the board -------------------------------------------------
        with demo_site.container.unit_of_work() as uow:
            synergy = uow.synergies.get_by_proposal(record.proposal_id or 0)
        assert synergy is not None
        receiver.goto(f"/synergies/{synergy.synergy_id}")
        other.select_option("#forward-stage", "negotiating")
        other.fill(".move-forward input[name=note]", "site visit booked")
        with other.expect_navigation():
            other.click(".move-forward button")
        assert "negotiating" in (other.text_content(".stage") or "")
        receiver.goto("/synergies")
        column = other.locator(".stage-negotiating")
        assert column.locator(f"a[href='/synergies/{synergy.synergy_id}']").count() == 1
        _shot(receiver, "5-board")

        # --- the map and the flows render for the producer --------------------------------
        producer.goto("/map")
        page.wait_for_selector("#map[data-ready=true]", timeout=20_000)
        assert page.locator(".leaflet-container").count() == 1
        _shot(producer, "6-map")
        producer.goto("/flows")
        page.wait_for_selector("#sankey[data-ready=true]", timeout=20_000)
        assert page.locator("#sankey canvas").count() >= 1
        _shot(producer, "7-flows")
        producer.assert_clean()
        receiver.assert_clean()
    finally:
        producer_context.close()
        receiver_context.close()


def _organisations(site: DemoSite) -> list[Organisation]:
    with site.container.unit_of_work() as uow:
        return uow.organisations.list_all()
