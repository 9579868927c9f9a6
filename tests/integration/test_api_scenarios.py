"""/api/v1/scenarios over real HTTP on SQLite and PostgreSQL: saved optimiser runs, read and
compared by facilitators and administrators only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from sidestream.bootstrap.container import Container
from sidestream.services.scenarios import save_scenario_run
from tests.integration.test_scenarios_store import pareto_run
from tests.support.api import Api, running_api

FIRST = "Kemi rail siding — Pareto €/CO₂e"
SECOND = "Without the rail siding"


@pytest.fixture
def api(container: Container) -> Iterator[Api]:
    with running_api(container) as running:
        first = save_scenario_run(container.unit_of_work, pareto_run(FIRST))
        flows = first.plans[0].flows
        second = replace(
            pareto_run(SECOND),
            plans=(replace(first.plans[0], flows=(replace(flows[0], flow_t=10.0), *flows[1:])),),
        )
        save_scenario_run(container.unit_of_work, second)
        yield running


def test_facilitators_read_saved_runs(api: Api) -> None:
    for who in ("facilitator", "administrator"):
        with api.client(who) as client:
            listed = client.get("/scenarios")
            assert listed.status_code == 200
            assert [run["name"] for run in listed.json()] == [FIRST, SECOND]
            run = client.get(f"/scenarios/{FIRST}").json()
        assert run["plan_labels"][0] == "Pareto point 1 of 3"
        assert len(run["plans"]) == 5
        point = run["plans"][0]
        assert point["eur"] == -1234.5678901234567
        assert point["weights"] == {"eur": 1.0, "co2e": 0.0}
        assert point["flows"][0]["stream"] == "Ferrokromikuona (Röyttä works)"
        assert point["flows"][1]["hub"] == "Tornio crushing station"
        assert run["left_out"][0] == "proposal 7: heat is not allocated yet"


def test_comparing_two_runs(api: Api) -> None:
    with api.client("facilitator") as client:
        compared = client.get("/scenarios/compare", params={"a": FIRST, "b": SECOND})
        assert compared.status_code == 200, compared.text
        body = compared.json()
        assert [run["name"] for run in body["runs"]] == [FIRST, SECOND]
        assert body["changes"] and all("before_t" in change for change in body["changes"])
        assert client.get("/scenarios/compare", params={"a": FIRST, "b": "nope"}).status_code == 404
        assert client.get("/scenarios/compare", params={"a": FIRST}).status_code == 422
        assert client.get("/scenarios/nope").status_code == 404


def test_plans_are_not_for_members_or_the_public(api: Api) -> None:
    for who in (None, "steel"):
        with api.client(who) as client:
            for path in (
                "/scenarios",
                f"/scenarios/{FIRST}",
                f"/scenarios/compare?a={FIRST}&b={SECOND}",
            ):
                refused = client.get(path)
                assert refused.status_code == 403, path
                assert refused.json()["type"] == "/problems/forbidden"
                assert "Ferrokromikuona" not in refused.text
