"""The proposal inbox and proposal pages in the browser, over real HTTP on the matched demo
region (SQLite and PostgreSQL): both parties accept through the forms, names appear only then,
costs never; a decline without a reason is refused next to the field."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest

from sidestream.bootstrap.container import Container
from sidestream.domain.streams import Need, SideStream
from sidestream.entrypoints.server import create_app
from tests.integration.test_api_proposals import add_people, prepare_matched_region
from tests.integration.test_web_auth import _prepare, form_token, sign_in
from tests.support.server import running_server


@dataclass
class Browsers:
    url: str
    proposal_id: int
    stream: SideStream
    need: Need
    names: dict[int, str]

    @contextmanager
    def signed_in(self, role: str) -> Iterator[httpx.Client]:
        with httpx.Client(base_url=self.url) as client:
            signed = sign_in(client, f"{role}@example.org")
            assert signed.status_code == 303, signed.text
            yield client

    @property
    def page(self) -> str:
        return f"/proposals/{self.proposal_id}"


@pytest.fixture
def browsers(container: Container) -> Iterator[Browsers]:
    _prepare(container)
    proposal_id, stream, need, names = prepare_matched_region(container)
    add_people(container, stream, need)
    with running_server(create_app(container)) as url:
        yield Browsers(url, proposal_id, stream, need, names)


def _error_next_to_reason(page: httpx.Response) -> str:
    match = re.search(
        r'<p class="field-error" id="error-reason" role="alert">([^<]*)</p>', page.text
    )
    assert match is not None, page.text
    return match.group(1)


def test_both_parties_accept_in_the_browser_and_then_see_each_others_names(
    browsers: Browsers,
) -> None:
    producer_name = browsers.names[browsers.stream.organisation_id]
    receiver_name = browsers.names[browsers.need.organisation_id]
    with browsers.signed_in("producer") as producer, browsers.signed_in("receiver") as receiver:
        inbox = producer.get("/proposals")
        assert inbox.status_code == 200
        assert f'href="{browsers.page}"' in inbox.text
        assert "not named until both accept" in inbox.text
        assert receiver_name not in inbox.text and browsers.need.name not in inbox.text
        twin = producer.get("/proposals.json").json()["proposals"]
        mine = next(p for p in twin if p["proposal_id"] == browsers.proposal_id)
        assert mine["need"]["organisation_name"] is None and mine["your_side"] == "stream"

        page = producer.get(browsers.page)
        assert page.status_code == 200
        assert "Current route, € per unit" in page.text  # its own cost, to itself
        accepted = producer.post(f"{browsers.page}/accept", data={"csrf_token": form_token(page)})
        assert accepted.status_code == 303 and accepted.headers["location"] == browsers.page
        assert "Your decision: accepted" in producer.get(browsers.page).text

        theirs = receiver.get(browsers.page)
        assert "the other side: accepted" in theirs.text
        assert producer_name not in theirs.text and browsers.stream.name not in theirs.text
        assert "Current route, € per unit" not in theirs.text
        done = receiver.post(f"{browsers.page}/accept", data={"csrf_token": form_token(theirs)})
        assert done.status_code == 303

        after = receiver.get(browsers.page)
        assert "accepted by both" in after.text
        assert producer_name in after.text and browsers.stream.name in after.text
        assert "Current route, € per unit" not in after.text  # costs never
        assert receiver_name in producer.get(browsers.page).text


def test_a_decline_without_a_reason_is_refused_next_to_the_field(browsers: Browsers) -> None:
    with browsers.signed_in("receiver") as receiver:
        page = receiver.get(browsers.page)
        token = form_token(page)
        refused = receiver.post(
            f"{browsers.page}/decline", data={"csrf_token": token, "reason": "   "}
        )
        assert refused.status_code == 422
        assert _error_next_to_reason(refused) == "say why the proposal is declined"
        assert 'aria-invalid="true"' in refused.text
        assert "Your decision: pending" in receiver.get(browsers.page).text  # nothing stored

        swapped = receiver.post(
            f"{browsers.page}/decline",
            data={"csrf_token": token, "reason": ""},
            headers={"HX-Request": "true"},
        )
        assert swapped.status_code == 200  # HTMX swaps only 2xx answers
        assert swapped.text.lstrip().startswith("<") and "<html" not in swapped.text
        assert _error_next_to_reason(swapped) == "say why the proposal is declined"

        declined = receiver.post(
            f"{browsers.page}/decline",
            data={"csrf_token": token, "reason": "too wet for our kiln"},
            headers={"HX-Request": "true"},
        )
        assert declined.status_code == 200 and 'id="proposal"' in declined.text
        assert (
            "too wet for our kiln" in declined.text and "Your decision: declined" in declined.text
        )
    with browsers.signed_in("producer") as producer:
        assert "too wet for our kiln" in producer.get(browsers.page).text
        listed = producer.get("/proposals", params={"status": "declined"})
        assert f'href="{browsers.page}"' in listed.text


def test_who_may_not_see_a_proposal_is_not_shown_it(browsers: Browsers) -> None:
    with httpx.Client(base_url=browsers.url) as public:
        assert public.get("/proposals").headers["location"] == "/signin?next=/proposals"
        assert public.get("/proposals.json").status_code == 403
    with browsers.signed_in("outsider") as outsider:
        assert outsider.get(browsers.page).status_code == 404
        assert outsider.get(f"{browsers.page}.json").status_code == 404
        assert f'href="{browsers.page}"' not in outsider.get("/proposals").text
        page = outsider.get("/proposals")
        refused = outsider.post(f"{browsers.page}/accept", data={"csrf_token": form_token(page)})
        assert refused.status_code == 404
    with browsers.signed_in("producer") as producer:
        forged = producer.post(f"{browsers.page}/accept", data={})
        assert forged.status_code == 403
        assert "Your decision: pending" in producer.get(browsers.page).text
    with browsers.signed_in("facilitator") as facilitator:
        page = facilitator.get(browsers.page)
        assert page.status_code == 200
        assert "Facilitators do not decide for a party" in page.text
        assert "How the matcher estimated it" in page.text


def test_a_proposal_is_explained_in_finnish_on_a_finnish_page(browsers: Browsers) -> None:
    with browsers.signed_in("producer") as producer:
        english = producer.get(browsers.page).text
        assert "the smaller is" in english and "of the larger" in english
        finnish = producer.get(browsers.page + "?lang=fi").text
    assert "Pisteet" in finnish and "suuremmasta" in finnish  # the quantity factor in words
    assert "of the larger" not in finnish and "the smaller is" not in finnish
    assert "määrä: tarjonnasta ja tarpeesta pienempi" in finnish  # the benefit's first line
