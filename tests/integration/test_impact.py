"""Impact accounting of the demo region's synergies, on both databases, with the shipped
factors, and the report files a facilitator sends to funders."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sidestream.adapters.datasets.demo import load_demo_tables
from sidestream.adapters.reports.impact import render_html
from sidestream.bootstrap.container import Container
from sidestream.domain.impact import AccountingSettings, Indicator
from sidestream.domain.proposals import Decision, Side
from sidestream.entrypoints.cli.app import app
from sidestream.services.demo import build_demo_region
from sidestream.services.impact import ImpactReport, Selection, account_proposals, trace_rows
from sidestream.services.matching import decide_proposal, run_matching

SETTINGS = AccountingSettings(draws=300)


@pytest.fixture
def agreed(container: Container) -> tuple[Container, list[int]]:
    """The demo region, matched, with the three best proposals accepted by both parties."""
    build_demo_region(
        load_demo_tables(),
        container.unit_of_work,
        container.reference,
        container.regulatory_knowledge,
        container.today(),
        container.clock.now(),
    )
    run_matching(
        container.unit_of_work, container.reference, container.knowledge_base, container.today()
    )
    with container.unit_of_work() as uow:
        records = sorted(uow.proposals.list_all(), key=lambda r: -r.proposal.score)
    chosen = [r.proposal_id for r in records if r.proposal.benefit.basis == "t"][:3]
    now = datetime(2026, 5, 4, tzinfo=UTC)
    for proposal_id in chosen:
        assert proposal_id is not None
        for side in Side:
            decide_proposal(container.unit_of_work, proposal_id, side, Decision.ACCEPTED, now)
    return container, [p for p in chosen if p is not None]


def _account(container: Container, selection: Selection = Selection.AGREED) -> ImpactReport:
    return account_proposals(
        container.unit_of_work,
        container.reference,
        container.knowledge_base,
        container.impact_factors,
        container.today(),
        selection,
        SETTINGS,
    )


def test_agreed_synergies_are_accounted_with_the_shipped_factors(
    agreed: tuple[Container, list[int]],
) -> None:
    container, chosen = agreed
    report = _account(container)
    assert [impact.flow.flow_key for impact in report.impacts] == [
        f"proposal {p}" for p in sorted(chosen)
    ]
    region = report.funder.totals
    assert region.flow_count == 3
    assert report.funder.organisations_involved == len(region.organisations) >= 2
    for impact in report.impacts:
        assert impact.flow.year == 2026
        assert impact.estimates[Indicator.TONNES].central > 0
        assert impact.estimates[Indicator.CO2E_TRANSPORT].central > 0
        for estimate in impact.estimates.values():
            assert estimate.p10 <= estimate.p50 <= estimate.p90
    assert region.estimates[Indicator.TONNES].central == pytest.approx(
        sum(i.estimates[Indicator.TONNES].central for i in report.impacts)
    )
    pipeline = _account(container, Selection.PIPELINE)
    assert pipeline.funder.synergies > report.funder.synergies


def test_the_trace_lets_a_reader_redo_every_sum(agreed: tuple[Container, list[int]]) -> None:
    container, _ = agreed
    rows = trace_rows(_account(container))
    terms: dict[tuple[str, str], float] = defaultdict(float)
    totals: dict[tuple[str, str], float] = {}
    for row in rows:
        key = (row["flow"], row["indicator"])
        if row["term"] == "total":
            totals[key] = float(row["value"])
        elif row["term"] != "not estimated":
            terms[key] += float(row["value"])
            assert (row["expression"] and row["sources"]) or row["value"] in ("0", "-0")
    traced = [key for key in totals if key in terms]
    assert traced
    for key in traced:
        assert terms[key] == pytest.approx(totals[key], rel=1e-5, abs=1e-3)


def test_the_public_report_names_no_organisation(agreed: tuple[Container, list[int]]) -> None:
    container, _ = agreed
    report = _account(container)
    public = render_html(report, confidential=False)
    internal = render_html(report, confidential=True)
    names = report.funder.totals.organisations
    assert not any(name in public for name in names)
    assert all(name in internal for name in names)
    assert "Confidential" in internal and "Confidential" not in public
    assert "CO2e reduced, net" in public and "Sources" in public


def test_cli_writes_the_report_summary_and_trace(
    agreed: tuple[Container, list[int]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    container, _ = agreed
    monkeypatch.setenv("SIDESTREAM_DATABASE_URL", container.settings.database_url)
    files = {name: tmp_path / name for name in ("report.html", "summary.csv", "trace.csv")}
    result = CliRunner().invoke(
        app,
        [
            "impact",
            "--draws",
            "200",
            "--report",
            str(files["report.html"]),
            "--summary",
            str(files["summary.csv"]),
            "--trace",
            str(files["trace.csv"]),
        ],
    )
    assert result.exit_code == 0, result.output
    assert ": 3 synergies," in result.output
    assert files["report.html"].read_text(encoding="utf-8").startswith("<!doctype html>")
    with files["summary.csv"].open(encoding="utf-8") as handle:
        summary = list(csv.DictReader(handle))
    groupings = {row["grouping"] for row in summary}
    assert groupings == {"region", "municipality", "year"}
    region_tonnes = next(
        row for row in summary if row["grouping"] == "region" and row["indicator"] == "tonnes_t"
    )
    assert float(region_tonnes["p10"]) <= float(region_tonnes["p90"])
    with files["trace.csv"].open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) > 20


def test_cli_without_agreed_synergies_reports_zero(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIDESTREAM_DATABASE_URL", container.settings.database_url)
    result = CliRunner().invoke(app, ["impact", "--draws", "100"])
    assert result.exit_code == 0, result.output
    assert "agreed synergies (both parties accepted): 0 synergies, 0 organisations" in result.output
