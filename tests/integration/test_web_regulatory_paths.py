"""The regulatory path over real HTTP on both databases: the proposal page and its API twin
show the use's steps, the synergy board links a needed lab test to the stream's screening,
in English and in Finnish."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import httpx

from sidestream.domain.accounts import Principal
from sidestream.domain.proposals import Decision, Side
from sidestream.services.matching import decide_proposal, run_matching
from sidestream.services.synergies import open_synergy
from tests.integration.test_regulatory_paths import (
    TODAY,
    _ids,
    _proposal,
    add_slag_results,
    knowledge_with_landfill_limits,
)
from tests.integration.test_web_auth import FACILITATOR, T0, Site, sign_in


def _prepare(site: Site) -> tuple[int, int]:
    """The slag's proposal to the cover layer, accepted and on the board; its ids."""
    container = site.container
    knowledge = knowledge_with_landfill_limits(container)
    container.__dict__["regulatory_knowledge"] = knowledge  # the app reads it per request
    run_matching(
        container.unit_of_work,
        container.reference,
        container.knowledge_base,
        TODAY,
        regulatory=knowledge,
    )
    slag, cover, _ = _ids(container)
    proposal_id, _, _ = _proposal(container, slag, cover)
    for side in Side:
        decide_proposal(container.unit_of_work, proposal_id, side, Decision.ACCEPTED, T0)
    open_synergy(container.unit_of_work, proposal_id, Principal(1, is_facilitator=True), T0)
    return proposal_id, slag


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_the_board_links_a_needed_lab_test_and_the_proposal_shows_the_path(
    site: Site, tmp_path: Path
) -> None:
    proposal_id, slag = _prepare(site)
    with site.client() as client:
        sign_in(client, FACILITATOR)
        board = client.get("/synergies")
        assert board.status_code == 200
        assert f'<a href="/streams/{slag}/screening">lab test needed: 40 limit values' in (
            board.text
        )
        assert "to do: Environmental permit that covers the use" in board.text
        finnish = _text(client.get("/synergies?lang=fi").text)
        # The requirement and the rule set are named in Finnish too, as the data gives them.
        assert "tehtävä: Käyttökohteen kattava ympäristölupa" in finnish
        assert (
            "laboratoriotesti tarvitaan: 40 kokoelman "
            "'Pysyvän jätteen kaatopaikan vastaanottokriteerit' raja-arvolle ei ole tulosta"
        ) in finnish

        add_slag_results(site.container, slag, tmp_path)
        page = _text(client.get(f"/proposals/{proposal_id}?lang=en").text)
        assert "Regulatory path of the use" in page
        assert "lab results exceed 1 limit values of 'Acceptance at landfills for inert waste'" in (
            page
        )
        assert "Environmental Protection Act 527/2014" in page
        assert "not a legal opinion" in page

        answer = client.get(f"/api/v1/proposals/{proposal_id}").json()
        path = answer["regulatory_path"]
        assert path["route_id"] == "waste_rock_cover_protective_layer"
        assert [step["state"] for step in path["steps"]] == ["to_do", "exceeds"]
        assert path["steps"][0]["requirements"][0]["requirement"] == "environmental_permit"
        (synergy,) = client.get("/api/v1/synergies").json()
        assert [step["state"] for step in synergy["next_steps"]] == ["to_do", "exceeds"]


def test_the_public_sees_no_path(site: Site) -> None:
    proposal_id, _ = _prepare(site)
    with httpx.Client(base_url=site.url) as client:
        assert client.get(f"/api/v1/proposals/{proposal_id}").status_code in (401, 404)
        assert client.get("/api/v1/synergies").status_code in (401, 403)
