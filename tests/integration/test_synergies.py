"""The synergy board on SQLite and PostgreSQL: opening synergies from proposals, moving,
dropping, reopening and realising them, who may do which, the audit log written with every
change, re-matching that keeps a synergy's proposal, the impact of realised synergies, and the
`sidestream synergies` commands."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from sidestream.adapters.datasets.demo import load_demo_tables
from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import AuditAction, AuditEvent, AuditFilter, Principal
from sidestream.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from sidestream.domain.impact import AccountingSettings, Indicator
from sidestream.domain.matching import BenefitEstimate, Proposal
from sidestream.domain.proposals import Decision, ProposalRecord, ProposalStatus, Side
from sidestream.domain.routes import TransportModeName
from sidestream.domain.synergies import ENTITY_KIND, Agreement, Stage, Synergy, move_to
from sidestream.entrypoints.cli.app import app
from sidestream.services.accounts import read_audit_log
from sidestream.services.demo import build_demo_region
from sidestream.services.impact import Selection, account_proposals
from sidestream.services.matching import decide_proposal, run_matching
from sidestream.services.synergies import (
    drop_synergy,
    list_synergies,
    move_synergy,
    open_synergy,
    realise_synergy,
    reopen_synergy,
    synergy_history,
)
from tests.integration.test_accounts import _failing
from tests.integration.test_registry import _load_registry

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
STARTED = date(2027, 1, 1)
runner = CliRunner()


@dataclass
class Board:
    """The test registry with two proposals of Test Steel's ferrochrome slag: one to Test
    Mine's cover layer that both parties accepted, one to Test Soil's geopolymer that nobody
    has decided on. Actors are principals; the moves refer to their user ids only."""

    container: Container
    steel: int
    mine: int
    soil: int
    agreed: int  # proposal id: Ferrochrome slag → Cover layer for waste-rock pile
    undecided: int  # proposal id: Ferrochrome slag → Slag for geopolymer
    facilitator: Principal = field(default_factory=lambda: Principal(901, is_facilitator=True))
    administrator: Principal = field(default_factory=lambda: Principal(902, is_administrator=True))

    @property
    def steel_member(self) -> Principal:
        return Principal(911, organisation_ids=frozenset({self.steel}))

    @property
    def mine_member(self) -> Principal:
        return Principal(912, organisation_ids=frozenset({self.mine}))

    @property
    def soil_member(self) -> Principal:
        return Principal(913, organisation_ids=frozenset({self.soil}))

    def events(self) -> list[AuditEvent]:
        """The synergies' audit events, newest first."""
        return read_audit_log(
            self.container.unit_of_work, Principal.operator(), AuditFilter(entity_kind=ENTITY_KIND)
        )

    def stored(self, synergy_id: int | None) -> Synergy:
        assert synergy_id is not None
        with self.container.unit_of_work() as uow:
            synergy = uow.synergies.get(synergy_id)
        assert synergy is not None
        return synergy


def _propose(container: Container, stream_id: int, need_id: int) -> int:
    proposal = Proposal(
        stream_id=stream_id,
        need_id=need_id,
        score=0.8,
        transport_mode=TransportModeName.ROAD,
        distance_km=120.0,
        route_id=None,
        reasons=("a pair made by the test",),
        factors=(),
        benefit=BenefitEstimate(1000.0, "t", None, None, 1.0, ()),
    )
    with container.unit_of_work() as uow:
        record = uow.proposals.save(ProposalRecord(proposal))
        uow.commit()
    assert record.proposal_id is not None
    return record.proposal_id


def make_board(container: Container) -> Board:
    _load_registry(container)
    with container.unit_of_work() as uow:
        ids = {o.name: o.organisation_id for o in uow.organisations.list_all()}
        streams = {s.name: s.stream_id for s in uow.streams.list_all()}
        needs = {n.name: n.need_id for n in uow.needs.list_all()}
    slag = streams["Ferrochrome slag"]
    cover = needs["Cover layer for waste-rock pile"]
    geopolymer = needs["Slag for geopolymer"]
    assert slag is not None and cover is not None and geopolymer is not None
    agreed = _propose(container, slag, cover)
    for side in Side:
        decide_proposal(container.unit_of_work, agreed, side, Decision.ACCEPTED, T0)
    steel, mine, soil = ids["Test Steel Oy"], ids["Test Mine Oy"], ids["Test Soil Oy"]
    assert steel is not None and mine is not None and soil is not None
    return Board(container, steel, mine, soil, agreed, _propose(container, slag, geopolymer))


@pytest.fixture
def board(container: Container) -> Board:
    return make_board(container)


def _id(synergy: Synergy) -> int:
    assert synergy.synergy_id is not None
    return synergy.synergy_id


# --- opening ---------------------------------------------------------------------------------


def test_a_party_opens_the_synergy_of_an_accepted_proposal(board: Board) -> None:
    synergy = open_synergy(
        board.container.unit_of_work, board.agreed, board.steel_member, T0, "call Maija"
    )
    assert (synergy.proposal_id, synergy.stage) == (board.agreed, Stage.PROPOSED)
    assert board.stored(synergy.synergy_id) == synergy
    [event] = synergy.events
    assert (event.from_stage, event.actor_user_id, event.note) == (None, 911, "call Maija")
    assert event.event_id is not None and event.at == T0
    [audited] = board.events()
    assert (audited.action, audited.entity_id, audited.actor_user_id) == (
        AuditAction.CREATED,
        synergy.synergy_id,
        911,
    )
    assert audited.detail == (
        "Ferrochrome slag (Test Steel Oy) → Cover layer for waste-rock pile (Test Mine Oy): "
        f"opened from proposal {board.agreed}: call Maija"
    )
    with pytest.raises(Conflict, match=f"synergy {synergy.synergy_id} follows proposal"):
        open_synergy(board.container.unit_of_work, board.agreed, board.facilitator, T0)
    assert len(board.events()) == 1  # nothing written for the refusal


def test_before_both_accept_only_a_facilitator_opens_a_synergy(board: Board) -> None:
    unit_of_work = board.container.unit_of_work
    with pytest.raises(Conflict, match="both parties must accept the proposal"):
        open_synergy(unit_of_work, board.undecided, board.soil_member, T0)
    with pytest.raises(Forbidden):
        open_synergy(unit_of_work, board.agreed, board.soil_member, T0)  # not a party
    with pytest.raises(Forbidden, match="sign in"):
        open_synergy(unit_of_work, board.agreed, Principal.anonymous(), T0)
    with pytest.raises(NotFound, match="proposal 999999"):
        open_synergy(unit_of_work, 999_999, board.facilitator, T0)
    assert list_synergies(unit_of_work, board.facilitator) == []
    assert board.events() == []
    synergy = open_synergy(unit_of_work, board.undecided, board.facilitator, T0)
    assert synergy.events[0].actor_user_id == 901
    with board.container.unit_of_work() as uow:
        record = uow.proposals.get(board.undecided)
    assert record is not None and record.status is ProposalStatus.PROPOSED  # no decision faked


# --- moving, dropping, reopening -------------------------------------------------------------


def test_parties_move_a_synergy_forward_and_back_with_every_move_audited(board: Board) -> None:
    unit_of_work = board.container.unit_of_work
    synergy_id = _id(open_synergy(unit_of_work, board.agreed, board.facilitator, T0))
    move_synergy(unit_of_work, synergy_id, Stage.CONTACTED, board.mine_member, T0 + HOUR)
    lab = move_synergy(unit_of_work, synergy_id, Stage.LAB_TEST, board.steel_member, T0 + 2 * HOUR)
    with pytest.raises(InvalidInput, match="note: say why the synergy moves back"):
        move_synergy(unit_of_work, synergy_id, Stage.NEGOTIATING, board.mine_member, T0 + 3 * HOUR)
    with pytest.raises(Conflict, match="back one stage at a time"):
        move_synergy(
            unit_of_work, synergy_id, Stage.PROPOSED, board.mine_member, T0 + 3 * HOUR, "again"
        )
    back = move_synergy(
        unit_of_work,
        synergy_id,
        Stage.NEGOTIATING,
        board.mine_member,
        T0 + 3 * HOUR,
        "price first, then the leaching test",
    )
    assert board.stored(synergy_id) == back and lab.stage is Stage.LAB_TEST
    assert [(e.from_stage, e.to_stage, e.actor_user_id) for e in back.events] == [
        (None, Stage.PROPOSED, 901),
        (Stage.PROPOSED, Stage.CONTACTED, 912),
        (Stage.CONTACTED, Stage.LAB_TEST, 911),
        (Stage.LAB_TEST, Stage.NEGOTIATING, 912),
    ]
    events = board.events()
    assert [e.action for e in events] == [AuditAction.CHANGED] * 3 + [AuditAction.CREATED]
    assert events[0].detail.endswith(
        ": lab test → negotiating: price first, then the leaching test"
    )
    assert [e.actor_user_id for e in events] == [912, 911, 912, 901]


def test_outsiders_neither_move_nor_see_a_synergy(board: Board) -> None:
    unit_of_work = board.container.unit_of_work
    synergy_id = _id(open_synergy(unit_of_work, board.agreed, board.facilitator, T0))
    before = board.stored(synergy_id)
    outsiders = [board.soil_member, Principal(914), Principal.anonymous()]
    for outsider in outsiders:
        with pytest.raises(Forbidden):
            move_synergy(unit_of_work, synergy_id, Stage.CONTACTED, outsider, T0 + HOUR)
        with pytest.raises(Forbidden):
            drop_synergy(unit_of_work, synergy_id, "not ours", outsider, T0 + HOUR)
        with pytest.raises(Forbidden):
            synergy_history(unit_of_work, synergy_id, outsider)
    with pytest.raises(Forbidden):
        list_synergies(unit_of_work, Principal.anonymous())
    assert list_synergies(unit_of_work, board.soil_member) == []
    assert list_synergies(unit_of_work, Principal(914)) == []
    with pytest.raises(NotFound, match="synergy 999999"):
        move_synergy(unit_of_work, 999_999, Stage.CONTACTED, board.facilitator, T0 + HOUR)
    assert board.stored(synergy_id) == before
    assert len(board.events()) == 1  # the opening only


def test_a_dropped_synergy_is_reopened_where_it_was(board: Board) -> None:
    unit_of_work = board.container.unit_of_work
    synergy_id = _id(open_synergy(unit_of_work, board.agreed, board.steel_member, T0))
    move_synergy(unit_of_work, synergy_id, Stage.PILOT, board.steel_member, T0 + HOUR)
    with pytest.raises(InvalidInput, match="reason: say why"):
        drop_synergy(unit_of_work, synergy_id, "  ", board.mine_member, T0 + 2 * HOUR)
    dropped = drop_synergy(
        unit_of_work, synergy_id, "the pile closes early", board.mine_member, T0 + 2 * HOUR
    )
    assert (dropped.stage, dropped.dropped_from, dropped.drop_reason) == (
        Stage.DROPPED,
        Stage.PILOT,
        "the pile closes early",
    )
    with pytest.raises(Conflict) as raised:
        move_synergy(unit_of_work, synergy_id, Stage.LAB_TEST, board.facilitator, T0 + 3 * HOUR)
    assert str(raised.value) == "stage: a dropped synergy must be reopened before it moves"
    reopened = reopen_synergy(
        unit_of_work, synergy_id, board.steel_member, T0 + 3 * HOUR, "a second pile opens"
    )
    assert reopened.stage is Stage.PILOT and board.stored(synergy_id) == reopened
    with pytest.raises(Conflict, match="only a dropped synergy is reopened"):
        reopen_synergy(unit_of_work, synergy_id, board.facilitator, T0 + 4 * HOUR)
    details = [e.detail.split(": ", 1)[1] for e in board.events()]
    assert details == [
        "dropped → pilot: a second pile opens",
        "pilot → dropped: the pile closes early",
        "proposed → pilot",
        f"opened from proposal {board.agreed}",
    ]


def test_a_synergy_that_moved_meanwhile_is_not_overwritten(board: Board) -> None:
    unit_of_work = board.container.unit_of_work
    synergy_id = _id(open_synergy(unit_of_work, board.agreed, board.facilitator, T0))
    stale = board.stored(synergy_id)
    move_synergy(unit_of_work, synergy_id, Stage.CONTACTED, board.facilitator, T0 + HOUR)
    with pytest.raises(Conflict, match="has moved meanwhile"), unit_of_work() as uow:
        uow.synergies.update(move_to(stale, Stage.PILOT, T0 + 2 * HOUR, 901))
    assert board.stored(synergy_id).stage is Stage.CONTACTED


# --- realising -------------------------------------------------------------------------------


def test_a_facilitator_confirms_a_realised_synergy_with_what_was_agreed(board: Board) -> None:
    unit_of_work = board.container.unit_of_work
    synergy_id = _id(open_synergy(unit_of_work, board.agreed, board.steel_member, T0))
    move_synergy(unit_of_work, synergy_id, Stage.PILOT, board.steel_member, T0 + HOUR)
    later = T0 + 2 * HOUR
    with pytest.raises(Forbidden, match="a facilitator confirms"):
        realise_synergy(unit_of_work, synergy_id, 150_000, STARTED, board.mine_member, later)
    with pytest.raises(InvalidInput, match="stage: a synergy is realised with"):
        move_synergy(unit_of_work, synergy_id, Stage.REALISED, board.facilitator, later)
    # the cover layer takes at most 250 000 t (the top of its range): more needs a note
    with pytest.raises(InvalidInput) as raised:
        realise_synergy(unit_of_work, synergy_id, 300_000, STARTED, board.facilitator, later)
    assert str(raised.value) == (
        "quantity: 300000 t a year is more than the smaller listing's 250000 t: "
        "add a note that explains it"
    )
    with pytest.raises(InvalidInput, match="quantity: 0 t a year is not more than 0"):
        realise_synergy(unit_of_work, synergy_id, 0, STARTED, board.facilitator, later)
    assert board.stored(synergy_id).stage is Stage.PILOT and len(board.events()) == 2

    realised = realise_synergy(
        unit_of_work, synergy_id, 180_000, STARTED, board.facilitator, later, "contract signed"
    )
    assert realised.agreement == Agreement(180_000, "t", STARTED)
    assert board.stored(synergy_id) == realised
    assert board.events()[0].detail.endswith(
        ": pilot → realised, 180000 t a year from 2027-01-01: contract signed"
    )
    with pytest.raises(Forbidden, match="only a facilitator moves a realised synergy"):
        move_synergy(unit_of_work, synergy_id, Stage.PILOT, board.steel_member, later, "oops")
    with pytest.raises(Forbidden):
        drop_synergy(unit_of_work, synergy_id, "over", board.steel_member, later)
    with pytest.raises(Conflict, match="not dropped"):
        drop_synergy(unit_of_work, synergy_id, "over", board.administrator, later)
    back = move_synergy(
        unit_of_work, synergy_id, Stage.PILOT, board.administrator, later, "confirmed too early"
    )
    assert back.agreement is None and board.stored(synergy_id).agreement is None
    explained = realise_synergy(
        unit_of_work,
        synergy_id,
        300_000,
        STARTED,
        board.facilitator,
        later + HOUR,
        "the mine opens a second pile",
    )
    assert explained.agreement == Agreement(300_000, "t", STARTED)


# --- reading the board -----------------------------------------------------------------------


def test_members_see_their_synergies_and_no_names_before_both_accept(board: Board) -> None:
    unit_of_work = board.container.unit_of_work
    agreed = open_synergy(unit_of_work, board.agreed, board.mine_member, T0)
    opened = open_synergy(unit_of_work, board.undecided, board.facilitator, T0)
    move_synergy(unit_of_work, _id(opened), Stage.CONTACTED, board.facilitator, T0 + HOUR)

    def ids(actor: Principal, stage: Stage | None = None) -> list[int | None]:
        return [view.synergy.synergy_id for view in list_synergies(unit_of_work, actor, stage)]

    both = [agreed.synergy_id, opened.synergy_id]
    assert ids(board.facilitator) == both and ids(Principal.operator()) == both
    assert ids(board.steel_member) == both  # the producer of both
    assert ids(board.mine_member) == [agreed.synergy_id]
    assert ids(board.soil_member) == [opened.synergy_id]
    assert ids(board.facilitator, Stage.CONTACTED) == [opened.synergy_id]
    assert ids(board.steel_member, Stage.REALISED) == []

    [mine_view] = list_synergies(unit_of_work, board.mine_member)
    assert mine_view.label == (
        "Ferrochrome slag (Test Steel Oy) → Cover layer for waste-rock pile (Test Mine Oy)"
    )
    assert (mine_view.proposal_status, mine_view.unit) == (ProposalStatus.ACCEPTED, "t")
    # opened by a facilitator before both accepted: each party sees only its own side
    [soil_view] = list_synergies(unit_of_work, board.soil_member)
    assert (soil_view.stream_name, soil_view.producer) == (None, None)
    assert (soil_view.need_name, soil_view.receiver) == ("Slag for geopolymer", "Test Soil Oy")
    assert soil_view.label.startswith("a ferrochrome slag stream (a producer not named yet) →")
    steel_view = synergy_history(unit_of_work, _id(opened), board.steel_member)
    assert (steel_view.need_name, steel_view.receiver) == (None, None)
    assert steel_view.producer == "Test Steel Oy"
    assert [e.to_stage for e in steel_view.synergy.events] == [Stage.PROPOSED, Stage.CONTACTED]
    facilitator_view = synergy_history(unit_of_work, _id(opened), board.facilitator)
    assert facilitator_view.label == (
        "Ferrochrome slag (Test Steel Oy) → Slag for geopolymer (Test Soil Oy)"
    )


# --- the audit log goes with the change ------------------------------------------------------


@pytest.mark.parametrize("fail_at", ["audit", "commit"])
def test_a_change_and_its_audit_event_are_written_together_or_not_at_all(
    board: Board, fail_at: str
) -> None:
    container = board.container
    with pytest.raises(RuntimeError):
        open_synergy(_failing(container, fail_at), board.agreed, board.facilitator, T0)
    assert list_synergies(container.unit_of_work, board.facilitator) == []
    synergy_id = _id(open_synergy(container.unit_of_work, board.agreed, board.facilitator, T0))
    later = T0 + HOUR
    attempts = [
        lambda uow: move_synergy(uow, synergy_id, Stage.PILOT, board.facilitator, later),
        lambda uow: drop_synergy(uow, synergy_id, "why not", board.facilitator, later),
        lambda uow: realise_synergy(uow, synergy_id, 1.0, STARTED, board.facilitator, later),
    ]
    for attempt in attempts:
        with pytest.raises(RuntimeError):
            attempt(_failing(container, fail_at))
    stored = board.stored(synergy_id)
    assert (stored.stage, len(stored.events)) == (Stage.PROPOSED, 1)
    assert len(board.events()) == 1


# --- proposals behind synergies --------------------------------------------------------------


@pytest.fixture
def demo(container: Container) -> Container:
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
    return container


def test_re_matching_keeps_the_proposal_a_synergy_follows(demo: Container) -> None:
    with demo.unit_of_work() as uow:
        records = uow.proposals.list_all()
    # the weakest proposal of a stream with several: gone once each stream keeps only its best
    weakest = min(records, key=lambda r: r.proposal.score)
    assert weakest.is_undecided and weakest.proposal_id is not None
    facilitator = Principal(901, is_facilitator=True)
    synergy = open_synergy(demo.unit_of_work, weakest.proposal_id, facilitator, T0)

    report = run_matching(
        demo.unit_of_work, demo.reference, demo.knowledge_base, demo.today(), top_k=1
    )

    assert report.removed > 0  # undecided proposals were withdrawn...
    with demo.unit_of_work() as uow:
        kept = uow.proposals.get(weakest.proposal_id)  # ...but not the one the synergy follows
        left = len(uow.proposals.list_all())
        assert uow.synergies.get(_id(synergy)) == synergy
    assert kept is not None and left < len(records)
    # and the database refuses to delete it outright
    with pytest.raises(IntegrityError), demo.engine.begin() as connection:
        connection.execute(
            text("DELETE FROM proposals WHERE proposal_id = :id"), {"id": weakest.proposal_id}
        )
    with demo.unit_of_work() as uow:
        assert uow.proposals.get(weakest.proposal_id) is not None


def test_realised_synergies_are_accounted_at_their_agreed_quantity(demo: Container) -> None:
    with demo.unit_of_work() as uow:
        records = sorted(uow.proposals.list_all(), key=lambda r: -r.proposal.score)
    chosen = [r for r in records if r.proposal.benefit.basis == "t"][:3]
    facilitator = Principal(901, is_facilitator=True)
    synergies = []
    for record in chosen:
        assert record.proposal_id is not None
        synergies.append(open_synergy(demo.unit_of_work, record.proposal_id, facilitator, T0))
    first, second, third = (_id(s) for s in synergies)
    realise_synergy(demo.unit_of_work, first, 120.0, date(2025, 3, 1), facilitator, T0, "agreed")
    realise_synergy(demo.unit_of_work, second, 80.0, date(2026, 6, 1), facilitator, T0, "agreed")
    move_synergy(demo.unit_of_work, third, Stage.PILOT, facilitator, T0)  # not realised: left out

    report = account_proposals(
        demo.unit_of_work,
        demo.reference,
        demo.knowledge_base,
        demo.impact_factors,
        demo.today(),
        Selection.REALISED,
        AccountingSettings(draws=200),
    )

    assert (report.selection, report.scope) == (Selection.REALISED, "realised synergies")
    assert report.left_out == ()
    flows = [impact.flow for impact in report.impacts]
    assert [flow.flow_key for flow in flows] == [f"synergy {first}", f"synergy {second}"]
    assert [(flow.supply.low, flow.supply.central, flow.supply.high) for flow in flows] == [
        (120.0, 120.0, 120.0),
        (80.0, 80.0, 80.0),
    ]
    assert all(flow.demand is None and flow.share == 1.0 for flow in flows)
    assert [flow.year for flow in flows] == [2025, 2026]
    tonnes = report.funder.totals.estimates[Indicator.TONNES]
    assert tonnes.central == pytest.approx(200.0) and tonnes.p10 == pytest.approx(200.0)
    assert report.funder.synergies == 2
    assert [totals.key for totals in report.by[next(iter(report.by))]]  # roll-ups are made
    # the agreed proposals are another selection, untouched by the synergies
    agreed = account_proposals(
        demo.unit_of_work,
        demo.reference,
        demo.knowledge_base,
        demo.impact_factors,
        demo.today(),
        Selection.AGREED,
        AccountingSettings(draws=200),
    )
    assert agreed.funder.synergies == 0


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def cli_board(
    sqlite_container: Container, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Board:
    monkeypatch.setenv("SIDESTREAM_DATABASE_URL", sqlite_container.settings.database_url)
    monkeypatch.setenv("COLUMNS", "200")  # no wrapping in Rich tables
    return make_board(sqlite_container)


def _flat(output: str) -> str:
    return " ".join(output.split())


def test_the_synergy_commands_take_a_synergy_to_realisation(cli_board: Board) -> None:
    help_text = runner.invoke(app, ["synergies", "--help"]).output
    for command in ("list", "open", "move", "drop", "reopen", "realise", "history"):
        assert command in help_text
    assert "No synergies yet" in runner.invoke(app, ["synergies", "list"]).output

    opened = runner.invoke(app, ["synergies", "open", str(cli_board.undecided)])
    assert opened.exit_code == 0, opened.output
    [view] = list_synergies(cli_board.container.unit_of_work, Principal.operator())
    synergy_id = view.synergy.synergy_id
    assert f"Opened synergy {synergy_id} from proposal {cli_board.undecided}." in opened.output
    again = runner.invoke(app, ["synergies", "open", str(cli_board.undecided)])
    assert again.exit_code == 1 and "follows proposal" in _flat(again.output)

    sid = str(synergy_id)
    moved = runner.invoke(app, ["synergies", "move", sid, "lab_test"])
    assert moved.exit_code == 0 and f"Synergy {sid} is at lab test." in moved.output
    back = runner.invoke(app, ["synergies", "move", sid, "negotiating"])
    assert back.exit_code == 1
    assert "Nothing was written" in back.output and "say why the synergy moves back" in back.output
    assert "Traceback" not in back.output
    back = runner.invoke(app, ["synergies", "move", sid, "negotiating", "--note", "price first"])
    assert back.exit_code == 0 and "is at negotiating" in back.output
    assert runner.invoke(app, ["synergies", "drop", sid]).exit_code == 2  # --reason is required
    dropped = runner.invoke(app, ["synergies", "drop", sid, "--reason", "[red]no budget[/red]"])
    assert dropped.exit_code == 0 and f"Dropped synergy {sid} at negotiating." in dropped.output
    listed = runner.invoke(app, ["synergies", "list", "--stage", "dropped"])
    assert "dropped (at negotiating: [red]no budget[/red])" in _flat(listed.output)
    reopened = runner.invoke(app, ["synergies", "reopen", sid])
    assert reopened.exit_code == 0 and "is at negotiating" in reopened.output

    bad_date = runner.invoke(
        app, ["synergies", "realise", sid, "--quantity", "20000", "--start", "1.1.2027"]
    )
    assert bad_date.exit_code == 1 and "is not a date YYYY-MM-DD" in _flat(bad_date.output)
    too_much = runner.invoke(
        app, ["synergies", "realise", sid, "--quantity", "50000", "--start", "2027-01-01"]
    )
    assert too_much.exit_code == 1 and "add a note that explains it" in _flat(too_much.output)
    realised = runner.invoke(
        app, ["synergies", "realise", sid, "--quantity", "20000", "--start", "2027-01-01"]
    )
    assert realised.exit_code == 0, realised.output
    assert f"Synergy {sid} is realised: 20,000 t/yr from 2027-01-01." in realised.output
    listed = runner.invoke(app, ["synergies", "list", "--stage", "realised"])
    assert "Ferrochrome slag (Test Steel Oy) → Slag for geopolymer (Test Soil Oy)" in listed.output
    assert "20,000 t/yr from 2027-01-01" in listed.output
    assert (
        "No synergy is at pilot."
        in runner.invoke(app, ["synergies", "list", "--stage", "pilot"]).output
    )

    history = runner.invoke(app, ["synergies", "history", sid])
    assert history.exit_code == 0, history.output
    rows = [line for line in history.output.splitlines() if "command line" in line]
    assert len(rows) == 6  # opened, lab test, back, dropped, reopened, realised
    assert "price first" in history.output and "[red]no budget[/red]" in history.output
    missing = runner.invoke(app, ["synergies", "history", "999999"])
    assert missing.exit_code == 1 and "synergy 999999 not found" in missing.output

    audit = runner.invoke(app, ["audit"])
    assert _flat(audit.output).count(f"synergy #{sid}") == 6


def test_impact_accounts_realised_synergies_on_request(cli_board: Board) -> None:
    unit_of_work = cli_board.container.unit_of_work
    synergy = open_synergy(unit_of_work, cli_board.agreed, cli_board.facilitator, T0)
    realise_synergy(unit_of_work, _id(synergy), 150_000, STARTED, cli_board.facilitator, T0)
    result = runner.invoke(app, ["impact", "--realised", "--draws", "100"])
    assert result.exit_code == 0, result.output
    assert "Accounted realised synergies: 1 synergies, 2 organisations" in _flat(result.output)
    for clash in (["--include-proposed"], ["--scenario", "x"]):
        refused = runner.invoke(app, ["impact", "--realised", *clash])
        assert refused.exit_code == 1
        assert "leave out --include-proposed and --scenario" in _flat(refused.output)
