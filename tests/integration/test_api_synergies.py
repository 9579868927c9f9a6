"""/api/v1/synergies over real HTTP on SQLite and PostgreSQL: a synergy's whole life through the
API, who may make which move, and what each party sees of the other."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from sidestream.bootstrap.container import Container
from sidestream.domain.proposals import Decision, Side
from sidestream.services.matching import decide_proposal
from tests.integration.test_synergies import _propose
from tests.integration.test_web_auth import T0
from tests.support.api import Api, running_api


@dataclass
class Board:
    api: Api
    agreed: int  # proposal: Ferrochrome slag → Cover layer (Test Mine), both accepted
    undecided: int  # proposal: Ferrochrome slag → Slag for geopolymer (Test Soil), open


def make_proposals(api: Api) -> tuple[int, int]:
    """The agreed and the undecided proposal of Test Steel's ferrochrome slag."""
    with api.container.unit_of_work() as uow:
        streams = {s.name: s.stream_id for s in uow.streams.list_all()}
        needs = {n.name: n.need_id for n in uow.needs.list_all()}
    slag = streams["Ferrochrome slag"]
    cover, geopolymer = needs["Cover layer for waste-rock pile"], needs["Slag for geopolymer"]
    assert slag is not None and cover is not None and geopolymer is not None
    agreed = _propose(api.container, slag, cover)
    for side in Side:
        decide_proposal(api.container.unit_of_work, agreed, side, Decision.ACCEPTED, T0)
    return agreed, _propose(api.container, slag, geopolymer)


@pytest.fixture
def board(container: Container) -> Iterator[Board]:
    with running_api(container) as api:
        yield Board(api, *make_proposals(api))


def _post(board: Board, who: str | None, path: str, body: object = None) -> Any:
    with board.api.client(who) as client:
        return client.post(path, json=body)


def test_a_synergy_lives_its_whole_life_through_the_api(board: Board) -> None:
    opened = _post(board, "steel", "/synergies", {"proposal_id": board.agreed, "note": "call"})
    assert opened.status_code == 201, opened.text
    synergy = opened.json()
    synergy_id = synergy["synergy_id"]
    assert opened.headers["location"] == f"/api/v1/synergies/{synergy_id}"
    assert (synergy["stage"], synergy["proposal_status"]) == ("proposed", "accepted")
    assert (synergy["producer"], synergy["receiver"]) == ("Test Steel Oy", "Test Mine Oy")
    base = f"/synergies/{synergy_id}"
    moved = _post(board, "mine", f"{base}/moves", {"to_stage": "negotiating"})
    assert moved.status_code == 200 and moved.json()["stage"] == "negotiating"
    back = _post(board, "steel", f"{base}/moves", {"to_stage": "contacted"})
    assert back.status_code == 422
    assert [e["field"] for e in back.json()["errors"]] == ["note"]
    skipped_back = _post(board, "steel", f"{base}/moves", {"to_stage": "proposed", "note": "x"})
    assert skipped_back.status_code == 409
    no_reason = _post(board, "steel", f"{base}/drop", {})
    assert no_reason.status_code == 422
    assert [e["field"] for e in no_reason.json()["errors"]] == ["reason"]
    blank_reason = _post(board, "steel", f"{base}/drop", {"reason": "   "})
    assert blank_reason.status_code == 422
    dropped = _post(board, "steel", f"{base}/drop", {"reason": "lab found chromium leaching"})
    assert dropped.json()["stage"] == "dropped"
    assert dropped.json()["dropped_from"] == "negotiating"
    reopened = _post(board, "mine", f"{base}/reopen")
    assert reopened.status_code == 200 and reopened.json()["stage"] == "negotiating"
    realise = {"quantity": 150000, "started_on": "2027-05-01"}
    assert _post(board, "steel", f"{base}/realise", realise).status_code == 403
    too_much = _post(board, "facilitator", f"{base}/realise", realise | {"quantity": 900000})
    assert too_much.status_code == 422
    assert [e["field"] for e in too_much.json()["errors"]] == ["quantity"]
    realised = _post(board, "facilitator", f"{base}/realise", realise)
    assert realised.status_code == 200, realised.text
    assert realised.json()["agreement"] == {
        "quantity": 150000.0,
        "unit": "t",
        "started_on": "2027-05-01",
    }
    with board.api.client("mine") as mine:
        history = mine.get(f"{base}/history").json()
    moves = [(e["from_stage"], e["to_stage"]) for e in history["events"]]
    assert moves == [
        (None, "proposed"),
        ("proposed", "negotiating"),
        ("negotiating", "dropped"),
        ("dropped", "negotiating"),
        ("negotiating", "realised"),
    ]
    assert history["events"][0]["note"] == "call"
    assert history["events"][2]["note"] == "lab found chromium leaching"
    assert [e["actor_user_id"] for e in history["events"]][-1] == board.api.user_ids["facilitator"]
    assert len(board.api.audit_events("synergy")) == 5


def test_who_may_open_and_see_a_synergy(board: Board) -> None:
    # Not a party: refused; before both accept, a party may not open it, a facilitator may.
    assert _post(board, "soil", "/synergies", {"proposal_id": board.agreed}).status_code == 403
    early = _post(board, "soil", "/synergies", {"proposal_id": board.undecided})
    assert early.status_code == 409
    assert early.json()["type"] == "/problems/conflict"
    assert _post(board, None, "/synergies", {"proposal_id": board.agreed}).status_code == 403
    missing = _post(board, "facilitator", "/synergies", {"proposal_id": 999999})
    assert missing.status_code == 404
    opened = _post(board, "facilitator", "/synergies", {"proposal_id": board.undecided})
    assert opened.status_code == 201
    twice = _post(board, "facilitator", "/synergies", {"proposal_id": board.undecided})
    assert twice.status_code == 409
    synergy_id = opened.json()["synergy_id"]
    # Before both accepted, each party sees its own side only.
    with board.api.client("soil") as soil:
        seen = soil.get(f"/synergies/{synergy_id}").json()
        assert (seen["producer"], seen["receiver"]) == (None, "Test Soil Oy")
        assert seen["stream_name"] is None
        assert [s["synergy_id"] for s in soil.get("/synergies").json()] == [synergy_id]
    with board.api.client("mine") as mine:
        assert mine.get("/synergies").json() == []
        assert mine.get(f"/synergies/{synergy_id}").status_code == 403
    with board.api.client() as public:
        refused = public.get("/synergies")
        assert refused.status_code == 403 and "sign in" in refused.json()["detail"]
    with board.api.client("facilitator") as facilitator:
        at_proposed = facilitator.get("/synergies", params={"stage": "proposed"}).json()
        assert [s["synergy_id"] for s in at_proposed] == [synergy_id]
        assert facilitator.get("/synergies", params={"stage": "pilot"}).json() == []
        assert facilitator.get("/synergies", params={"stage": "done"}).status_code == 422
