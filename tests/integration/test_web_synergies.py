"""The synergy board in the browser, over real HTTP on both databases: the board's columns,
moving a synergy with its form, a refused move shown with its reason, confirming it realised
as a facilitator, and the history of every move."""

from __future__ import annotations

import re

import httpx

from sidestream.domain.accounts import Principal
from sidestream.domain.proposals import Decision, Side
from sidestream.services.matching import decide_proposal
from sidestream.services.synergies import open_synergy
from tests.integration.test_synergies import _propose
from tests.integration.test_web_auth import (
    FACILITATOR,
    MEMBER,
    T0,
    Site,
    form_token,
    sign_in,
)

COLUMN = re.compile(
    r'<section class="column stage-([a-z_]+)"[^>]*>\s*<h3[^>]*>[^<]*<small>\((\d+)\)'
)


def _open_synergy(site: Site) -> int:
    with site.container.unit_of_work() as uow:
        slag = next(s for s in uow.streams.list_all() if s.name == "Ferrochrome slag")
        cover = next(n for n in uow.needs.list_all() if n.name == "Cover layer for waste-rock pile")
    assert slag.stream_id is not None and cover.need_id is not None
    proposal_id = _propose(site.container, slag.stream_id, cover.need_id)
    for side in Side:
        decide_proposal(site.container.unit_of_work, proposal_id, side, Decision.ACCEPTED, T0)
    facilitator = Principal(1, is_facilitator=True)
    synergy = open_synergy(site.container.unit_of_work, proposal_id, facilitator, T0)
    assert synergy.synergy_id is not None
    return synergy.synergy_id


def _columns(html: str) -> dict[str, int]:
    return {stage: int(count) for stage, count in COLUMN.findall(html)}


def test_a_party_moves_a_synergy_along_the_board(site: Site) -> None:
    synergy_id = _open_synergy(site)
    assert httpx.get(site.url + "/synergies", follow_redirects=False).status_code == 303
    with site.client() as browser:
        sign_in(browser, MEMBER)
        board = browser.get("/synergies")
        assert _columns(board.text)["proposed"] == 1
        assert "Ferrochrome slag (Test Steel Oy) → Cover layer" in board.text
        page = browser.get(f"/synergies/{synergy_id}")
        token = form_token(page)
        assert "Confirm realised" not in page.text  # a facilitator confirms that
        moved = browser.post(
            f"/synergies/{synergy_id}/move",
            data={"stage": "negotiating", "note": "met at the mill", "csrf_token": token},
        )
        assert moved.status_code == 303, re.findall(r"class=\"problem\"[^>]*>([^<]*)", moved.text)
        assert _columns(browser.get("/synergies").text)["negotiating"] == 1
        back = browser.post(
            f"/synergies/{synergy_id}/move",
            data={"stage": "contacted", "note": "", "csrf_token": token},
        )
        assert back.status_code == 422
        assert "say why the synergy moves back" in back.text
        refused = browser.post(
            f"/synergies/{synergy_id}/realise",
            data={"quantity": "1000", "started_on": "2027-01-01", "csrf_token": token},
        )
        assert refused.status_code == 403 and "a facilitator confirms" in refused.text
        dropped = browser.post(
            f"/synergies/{synergy_id}/drop", data={"reason": "", "csrf_token": token}
        )
        assert dropped.status_code == 422
        twin = browser.get(f"/synergies/{synergy_id}.json").json()
        assert twin["stage"] == "negotiating"
        assert [e["to_stage"] for e in twin["events"]] == ["proposed", "negotiating"]
    with site.client() as browser:
        sign_in(browser, FACILITATOR)
        token = form_token(browser.get(f"/synergies/{synergy_id}"))
        wrong = browser.post(
            f"/synergies/{synergy_id}/realise",
            data={"quantity": "much", "started_on": "soon", "csrf_token": token},
        )
        assert wrong.status_code == 422
        assert "give the quantity agreed a year" in wrong.text
        realised = browser.post(
            f"/synergies/{synergy_id}/realise",
            data={"quantity": "900", "started_on": "2027-01-01", "csrf_token": token},
        )
        assert realised.status_code == 303
        page = browser.get(f"/synergies/{synergy_id}")
        assert "met at the mill" in page.text
        assert _columns(browser.get("/synergies").text)["realised"] == 1
        assert browser.get("/synergies.json").json()["synergies"][0]["agreement"] == {
            "quantity_per_yr": 900.0,
            "unit": "t",
            "started_on": "2027-01-01",
        }


def test_a_synergy_of_others_is_not_found(site: Site) -> None:
    synergy_id = _open_synergy(site)
    with site.client() as browser:
        assert browser.get(f"/synergies/{synergy_id}.json").status_code in (403, 401)


def test_a_refused_move_is_explained_in_finnish_on_a_finnish_page(site: Site) -> None:
    synergy_id = _open_synergy(site)
    with site.client() as browser:
        sign_in(browser, MEMBER)
        token = form_token(browser.get(f"/synergies/{synergy_id}?lang=fi"))
        refused = browser.post(
            f"/synergies/{synergy_id}/realise",
            data={"quantity": "1000", "started_on": "2027-01-01", "csrf_token": token},
        )
        assert refused.status_code == 403
        assert "fasilitaattori vahvistaa symbioosin toteutuneeksi" in refused.text
        back = browser.post(
            f"/synergies/{synergy_id}/drop", data={"reason": "", "csrf_token": token}
        )
        assert "kerro, miksi symbioosi lopetetaan" in back.text
