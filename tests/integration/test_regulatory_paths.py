"""A use's regulatory path on both databases: the matcher ranks a stream lower when its lab
results exceed the limits of the use; the proposal shows the path (the stream's records to
those who may see them, only what the use asks to the other party before acceptance); the
synergy board names what is still open: a lab test, a permit. And the same over HTTP.

The slag's route here (a protective layer of a mine-waste cover) names no rule set in the
shipped data; the tests give it the EU inert-landfill criteria, whose leaching limits are
verified, so the verdicts below can be checked by hand."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sidestream.adapters.datasets.files import read_data_csv
from sidestream.adapters.datasets.regulatory_paths import build_regulatory_knowledge
from sidestream.adapters.tabular.files import read_rows
from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import Principal
from sidestream.domain.proposals import Decision, Side
from sidestream.domain.regulation import RegulatoryStatus, StatusRecord
from sidestream.domain.regulatory_path import (
    PathStep,
    RegulatoryKnowledge,
    RegulatoryPath,
    StepState,
)
from sidestream.entrypoints.cli.app import app
from sidestream.services.matching import decide_proposal, run_matching
from sidestream.services.proposal_views import proposal_view
from sidestream.services.screening import LAB_RESULT_COLUMNS, add_lab_results, record_status
from sidestream.services.synergies import list_synergies, open_synergy
from tests.integration.test_registry import _load_registry
from tests.integration.test_screening import SLAG_RESULTS

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
TODAY = NOW.date()
ROUTE = "waste_rock_cover_protective_layer"
FACILITATOR = Principal(1, is_facilitator=True)
runner = CliRunner()


def knowledge_with_landfill_limits(container: Container) -> RegulatoryKnowledge:
    routes = read_data_csv("reference/route_regulation.csv")
    for row in routes:
        if row["route_id"] == ROUTE:
            assert row["requirements"] == "environmental_permit" and not row["rule_set_ids"]
            row["rule_set_ids"] = "eu_landfill_inert"
    return build_regulatory_knowledge(
        read_data_csv("reference/regulatory_requirements.csv"),
        routes,
        [route.route_id for route in container.knowledge_base.routes],
        container.regulation,
    )


def _ids(container: Container) -> tuple[int, int, int]:
    """The slag, the cover-layer need and the mine's organisation."""
    with container.unit_of_work() as uow:
        slag = next(s for s in uow.streams.list_all() if s.name == "Ferrochrome slag")
        cover = next(n for n in uow.needs.list_all() if n.name == "Cover layer for waste-rock pile")
    assert slag.stream_id is not None and cover.need_id is not None
    return slag.stream_id, cover.need_id, cover.organisation_id


def add_slag_results(container: Container, slag: int, folder: Path) -> None:
    lab_file = folder / "lab.csv"
    lab_file.write_text(SLAG_RESULTS, encoding="utf-8")
    add_lab_results(
        container.unit_of_work,
        container.regulation,
        FACILITATOR,
        slag,
        read_rows(lab_file, LAB_RESULT_COLUMNS),
        TODAY,
        NOW,
    )


def _proposal(container: Container, slag: int, cover: int) -> tuple[int, float, list[str]]:
    with container.unit_of_work() as uow:
        record = next(r for r in uow.proposals.list_all() if r.pair == (slag, cover))
    assert record.proposal_id is not None and record.proposal.route_id == ROUTE
    return record.proposal_id, record.proposal.score, [f.factor for f in record.proposal.factors]


@pytest.fixture
def registry(container: Container) -> Container:
    _load_registry(container)
    return container


def test_exceeding_the_limits_of_the_use_ranks_the_proposal_lower(
    registry: Container, tmp_path: Path
) -> None:
    knowledge = knowledge_with_landfill_limits(registry)
    slag, cover, _ = _ids(registry)
    match = {"today": TODAY, "regulatory": knowledge}
    run_matching(registry.unit_of_work, registry.reference, registry.knowledge_base, **match)
    _, untested_score, factors = _proposal(registry, slag, cover)
    assert "regulation" not in factors  # no results: nothing to hold against the stream

    add_slag_results(registry, slag, tmp_path)
    run_matching(registry.unit_of_work, registry.reference, registry.knowledge_base, **match)
    # Molybdenum leaches 0.8 mg/kg at L/S 10, above the inert-landfill limit of 0.5.
    _, score, factors = _proposal(registry, slag, cover)
    assert "regulation" in factors
    assert score == pytest.approx(untested_score * 0.5)

    # Without the regulatory knowledge the matcher does not look at lab results.
    run_matching(registry.unit_of_work, registry.reference, registry.knowledge_base, TODAY)
    _, score, factors = _proposal(registry, slag, cover)
    assert score == pytest.approx(untested_score) and "regulation" not in factors


def _states(steps: Sequence[PathStep]) -> list[StepState]:
    return [step.state for step in steps]


def test_the_path_shows_what_is_open_and_the_board_names_it(
    registry: Container, tmp_path: Path
) -> None:
    knowledge = knowledge_with_landfill_limits(registry)
    slag, cover, mine = _ids(registry)
    run_matching(
        registry.unit_of_work,
        registry.reference,
        registry.knowledge_base,
        TODAY,
        regulatory=knowledge,
    )
    proposal_id, _, _ = _proposal(registry, slag, cover)

    def view(reader: Principal) -> RegulatoryPath:
        path = proposal_view(
            registry.unit_of_work,
            registry.reference,
            registry.knowledge_base,
            reader,
            TODAY,
            proposal_id,
            regulatory=knowledge,
        ).regulatory_path
        assert path is not None
        return path

    path = view(FACILITATOR)
    assert _states(path.steps) == [StepState.TO_DO, StepState.LAB_TEST_NEEDED]
    # The receiver, before both accept, sees what the use asks, not the slag's records.
    receiver = Principal(2, organisation_ids=frozenset({mine}))
    asked = view(receiver)
    assert _states(asked.steps) == [StepState.REQUIRED, StepState.REQUIRED]
    assert "Acceptance at landfills for inert waste" in str(asked.steps[1].sentence)

    for side in Side:
        decide_proposal(registry.unit_of_work, proposal_id, side, Decision.ACCEPTED, NOW)
    open_synergy(registry.unit_of_work, proposal_id, FACILITATOR, NOW)

    def board() -> list[StepState]:
        (synergy,) = list_synergies(
            registry.unit_of_work, FACILITATOR, regulatory=knowledge, today=TODAY
        )
        return _states(synergy.next_steps)

    assert board() == [StepState.TO_DO, StepState.LAB_TEST_NEEDED]
    (seen_by_receiver,) = list_synergies(
        registry.unit_of_work, receiver, regulatory=knowledge, today=TODAY
    )
    assert _states(seen_by_receiver.next_steps) == [StepState.TO_DO, StepState.LAB_TEST_NEEDED]

    add_slag_results(registry, slag, tmp_path)
    assert board() == [StepState.TO_DO, StepState.EXCEEDS]
    record_status(
        registry.unit_of_work,
        frozenset(knowledge.routes),
        FACILITATOR,
        StatusRecord(
            stream_id=slag,
            use="protective layer of the Elijärvi waste-rock cover",
            status=RegulatoryStatus.WASTE,
            legal_basis="Environmental Protection Act 527/2014",
            decided_on=date(2026, 6, 1),
            route_id=ROUTE,
            decision_reference="PSAVI/123/2026",
            authority="Regional State Administrative Agency for Northern Finland",
            fulfils=("environmental_permit",),
        ),
        TODAY,
        NOW,
        requirement_codes=frozenset(knowledge.kinds),
    )
    assert board() == [StepState.EXCEEDS]
    path = view(FACILITATOR)
    assert _states(path.steps) == [StepState.MET, StepState.EXCEEDS]
    assert "PSAVI/123/2026" in str(path.steps[0].sentence)


def test_sidestream_screen_for_a_use_prints_its_rule_sets_and_path(
    registry: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIDESTREAM_DATABASE_URL", registry.settings.database_url)
    slag, _, _ = _ids(registry)
    add_slag_results(registry, slag, tmp_path)
    use = ["screen", str(slag), "--use", "ash_earth_construction_mara"]
    answer = json.loads(runner.invoke(app, [*use, "--json"]).output)
    assert [s["rule_set_id"] for s in answer["screenings"]] == ["fi_mara_covered", "fi_mara_paved"]
    path = answer["regulatory_path"]
    # No MARA notification recorded. Total chromium 12 % is 120,000 mg/kg, 300× the 400 mg/kg
    # total-content limit of both structures: exceeds. The slag's leaching was a batch test
    # (EN 12457-4), which the MARA leaching limits (column test) do not count.
    assert [step["state"] for step in path["steps"]] == ["to_do", "exceeds"]
    covered = {(p["parameter_code"], p["basis"]): p for p in answer["screenings"][0]["parameters"]}
    assert covered[("chromium_total", "total")]["share_of_limit"] == pytest.approx(300)
    leaching = covered[("chromium_total", "leaching_ls10")]
    assert leaching["verdict"] == "missing" and "column" in leaching["reason"]
    assert path["steps"][0]["requirements"][0]["legal_source"].startswith(
        "Government Decree 843/2017"
    )
    printed = runner.invoke(app, use, env={"COLUMNS": "240"})
    assert printed.exit_code == 0, printed.output
    assert "Regulatory path of ash_earth_construction_mara" in printed.output
    assert "to do: Notification of earth construction to the ELY Centre (MARA)" in (printed.output)
    unknown = runner.invoke(app, ["screen", str(slag), "--use", "moon_base"])
    assert unknown.exit_code != 0
    assert "'moon_base' is neither a valorisation route nor a rule set" in unknown.output
