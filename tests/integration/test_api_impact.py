"""/api/v1/impact over real HTTP on SQLite and PostgreSQL: the region's figures for everyone, €
per organisation only to its members, flows and company names only to facilitators."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sidestream.bootstrap.container import Container
from tests.integration.test_api_synergies import make_proposals
from tests.support.api import Api, running_api

EURO = {"eur_producer", "eur_receiver", "eur_net"}


@pytest.fixture
def api(container: Container) -> Iterator[Api]:
    with running_api(container) as running:
        make_proposals(running)
        yield running


def _impact(api: Api, who: str | None, selection: str = "agreed") -> Any:
    with api.client(who) as client:
        response = client.get("/impact", params={"selection": selection})
    assert response.status_code == 200, response.text
    return response.json()


def _groups(report: Any, grouping: str) -> set[str]:
    return {row["group"] for row in report["totals"] if row["grouping"] == grouping}


def test_the_public_sees_the_regions_physical_figures_only(api: Api) -> None:
    report = _impact(api, None)
    assert (report["selection"], report["synergy_count"]) == ("agreed", 1)
    assert report["is_complete"] is False
    assert report["flows"] == [] and report["left_out"] == []
    assert _groups(report, "organisation") == set()
    assert _groups(report, "region") == {"region"} and _groups(report, "municipality") == {"Tornio"}
    indicators = {row["indicator"] for row in report["totals"]}
    assert "tonnes_t" in indicators and not indicators & EURO
    region_tonnes = next(
        r for r in report["totals"] if (r["grouping"], r["indicator"]) == ("region", "tonnes_t")
    )
    assert region_tonnes["unit"] == "t" and region_tonnes["flow_count"] == 1
    assert region_tonnes["p10"] <= region_tonnes["p50"] <= region_tonnes["p90"]
    assert "Test Steel" not in str(report) and "Test Mine" not in str(report)


def test_members_see_their_own_organisations_euros(api: Api) -> None:
    report = _impact(api, "mine")  # the receiver of the agreed synergy
    assert _groups(report, "organisation") == {"Test Mine Oy"}
    own = {
        row["indicator"]: row["central"]
        for row in report["totals"]
        if (row["grouping"], row["group"]) == ("organisation", "Test Mine Oy")
    }
    assert own["eur_receiver"] != 0 and own["tonnes_t"] == 200000
    public_rows = [row for row in report["totals"] if row["grouping"] != "organisation"]
    assert not {row["indicator"] for row in public_rows} & EURO
    assert "Test Steel" not in str(report)


def test_facilitators_see_every_flow_and_the_pipeline(api: Api) -> None:
    report = _impact(api, "facilitator")
    assert report["is_complete"] is True
    assert _groups(report, "organisation") == {"Test Steel Oy", "Test Mine Oy"}
    [flow] = report["flows"]
    assert flow["label"] == (
        "Ferrochrome slag (Test Steel Oy) → Cover layer for waste-rock pile (Test Mine Oy)"
    )
    assert flow["estimates"]["tonnes_t"]["central"] > 0
    pipeline = _impact(api, "facilitator", "pipeline")
    assert pipeline["synergy_count"] == 2
    for outsider in (None, "steel"):
        with api.client(outsider) as client:
            refused = client.get("/impact", params={"selection": "pipeline"})
        assert refused.status_code == 403
    with api.client() as client:
        plan = client.get("/impact", params={"selection": "plan"})
    assert plan.status_code == 422
    assert [e["field"] for e in plan.json()["errors"]] == ["selection"]


def test_realised_synergies_are_accounted_at_their_agreed_quantity(api: Api) -> None:
    assert _impact(api, None, "realised")["synergy_count"] == 0
    with api.client("facilitator") as facilitator:
        proposal_id = facilitator.get("/impact").json()["flows"][0]["flow_key"].split()[-1]
        opened = facilitator.post("/synergies", json={"proposal_id": int(proposal_id)})
        synergy_id = opened.json()["synergy_id"]
        realised = facilitator.post(
            f"/synergies/{synergy_id}/realise",
            json={"quantity": 1234, "started_on": "2027-01-01"},
        )
        assert realised.status_code == 200, realised.text
    report = _impact(api, None, "realised")
    tonnes = next(
        r for r in report["totals"] if (r["grouping"], r["indicator"]) == ("region", "tonnes_t")
    )
    assert tonnes["central"] == 1234
    assert _groups(report, "year") == {"2027"}
