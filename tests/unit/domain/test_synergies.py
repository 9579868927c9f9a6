"""The synergy lifecycle in the domain: stages and moves, what a realised synergy records, who
may move one, and the history that replays to the current stage. Pure: every moment is given."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sidestream.domain.accounts import Principal
from sidestream.domain.errors import Conflict, Forbidden, InvalidInput
from sidestream.domain.streams import Quantity, Recurrence
from sidestream.domain.synergies import (
    MAX_NOTE_LENGTH,
    PATH,
    Agreement,
    Parties,
    Stage,
    Synergy,
    SynergyEvent,
    agreed_quantity_limit,
    check_agreement,
    check_may_move,
    check_may_open,
    check_may_see,
    drop,
    move_to,
    realise,
    reopen,
    replay,
    start,
)
from sidestream.domain.units import QuantityUnit

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
FACILITATOR = 7
AGREED = Agreement(1200.0, "t", date(2027, 1, 1))
PRODUCER, RECEIVER, OTHER = 1, 2, 3
PARTIES = Parties(PRODUCER, RECEIVER)


def fields(error: InvalidInput) -> list[str]:
    return [item.field for item in error.errors]


def at_stage(stage: Stage) -> Synergy:
    """A synergy moved straight to the stage (realised with AGREED, dropped from contacted)."""
    synergy = start(12, T0, FACILITATOR)
    if stage is Stage.DROPPED:
        contacted = move_to(synergy, Stage.CONTACTED, T0 + HOUR, FACILITATOR)
        return drop(contacted, "the receiver closed the plant", T0 + 2 * HOUR, FACILITATOR)
    if stage is Stage.REALISED:
        return realise(synergy, AGREED, T0 + HOUR, FACILITATOR)
    if stage is Stage.PROPOSED:
        return synergy
    return move_to(synergy, stage, T0 + HOUR, FACILITATOR)


LATER = T0 + 10 * HOUR


# --- opening and moving ----------------------------------------------------------------------


def test_a_synergy_opens_at_proposed_with_its_first_event() -> None:
    synergy = start(12, T0, None, "  met at the Kemi fair ")
    assert (synergy.proposal_id, synergy.stage, synergy.synergy_id) == (12, Stage.PROPOSED, None)
    assert synergy.events == (SynergyEvent(T0, None, Stage.PROPOSED, None, "met at the Kemi fair"),)
    assert synergy.opened_at == synergy.updated_at == T0
    assert synergy.agreement is None and synergy.dropped_from is None
    with pytest.raises(InvalidInput, match="at: must carry a time zone"):
        start(12, datetime(2026, 11, 24, 9, 0), None)


def test_a_synergy_moves_forward_one_or_more_stages_without_a_note() -> None:
    synergy = start(12, T0, FACILITATOR)
    contacted = move_to(synergy, Stage.CONTACTED, T0 + HOUR, 5)
    piloting = move_to(contacted, Stage.PILOT, T0 + 2 * HOUR, FACILITATOR, "skip the lab")
    assert piloting.stage is Stage.PILOT
    assert [(e.from_stage, e.to_stage) for e in piloting.events] == [
        (None, Stage.PROPOSED),
        (Stage.PROPOSED, Stage.CONTACTED),
        (Stage.CONTACTED, Stage.PILOT),
    ]
    assert piloting.events[1].actor_user_id == 5 and piloting.events[2].note == "skip the lab"
    assert piloting.updated_at == T0 + 2 * HOUR
    assert synergy.stage is Stage.PROPOSED  # the old state is untouched


def test_a_synergy_moves_back_one_stage_with_a_note_saying_why() -> None:
    lab = at_stage(Stage.LAB_TEST)
    with pytest.raises(InvalidInput) as raised:
        move_to(lab, Stage.NEGOTIATING, LATER, FACILITATOR, "   ")
    assert str(raised.value) == "note: say why the synergy moves back"
    back = move_to(lab, Stage.NEGOTIATING, LATER, FACILITATOR, "chloride above the limit")
    assert back.stage is Stage.NEGOTIATING and back.events[-1].note == "chloride above the limit"
    with pytest.raises(Conflict, match="back one stage at a time: from lab test only to "):
        move_to(lab, Stage.CONTACTED, LATER, FACILITATOR, "start over")


@pytest.mark.parametrize("stage", [s for s in PATH if s is not Stage.REALISED])
def test_moving_to_the_stage_it_is_at_is_a_conflict(stage: Stage) -> None:
    with pytest.raises(Conflict, match=f"stage: the synergy is at {stage.label} already"):
        move_to(at_stage(stage), stage, LATER, FACILITATOR)


def test_dropping_and_realising_are_not_plain_moves() -> None:
    synergy = at_stage(Stage.PILOT)
    with pytest.raises(InvalidInput, match="with its reason"):
        move_to(synergy, Stage.DROPPED, LATER, FACILITATOR)
    with pytest.raises(InvalidInput, match="with the agreed quantity and start date"):
        move_to(synergy, Stage.REALISED, LATER, FACILITATOR)


def test_time_runs_forward_in_a_history() -> None:
    synergy = at_stage(Stage.CONTACTED)
    with pytest.raises(Conflict, match="before the synergy's last move"):
        move_to(synergy, Stage.PILOT, T0, FACILITATOR)
    same_moment = move_to(synergy, Stage.PILOT, synergy.updated_at, FACILITATOR)
    assert same_moment.stage is Stage.PILOT


def test_a_note_has_a_limit() -> None:
    with pytest.raises(InvalidInput) as raised:
        move_to(at_stage(Stage.PROPOSED), Stage.PILOT, LATER, 1, "x" * (MAX_NOTE_LENGTH + 1))
    assert fields(raised.value) == ["note"]
    with pytest.raises(InvalidInput) as raised:
        drop(at_stage(Stage.PROPOSED), "x" * (MAX_NOTE_LENGTH + 1), LATER, 1)
    assert fields(raised.value) == ["reason"]


# --- dropping and reopening ------------------------------------------------------------------


@pytest.mark.parametrize("stage", [s for s in PATH if s is not Stage.REALISED])
def test_a_synergy_is_dropped_with_a_reason_from_any_stage_before_realised(stage: Stage) -> None:
    synergy = at_stage(stage)
    with pytest.raises(InvalidInput) as raised:
        drop(synergy, " ", LATER, FACILITATOR)
    assert str(raised.value) == "reason: say why the synergy is dropped"
    dropped = drop(synergy, " the need's plant closes ", LATER, FACILITATOR)
    assert dropped.stage is Stage.DROPPED
    assert (dropped.dropped_from, dropped.drop_reason) == (stage, "the need's plant closes")


def test_a_dropped_synergy_must_be_reopened_before_it_moves() -> None:
    dropped = at_stage(Stage.DROPPED)
    with pytest.raises(Conflict) as raised:
        move_to(dropped, Stage.PILOT, LATER, FACILITATOR)
    assert str(raised.value) == "stage: a dropped synergy must be reopened before it moves"
    with pytest.raises(Conflict, match="must be reopened"):
        realise(dropped, AGREED, LATER, FACILITATOR)
    with pytest.raises(Conflict, match="dropped already"):
        drop(dropped, "again", LATER, FACILITATOR)


def test_reopening_returns_to_the_stage_it_was_dropped_from() -> None:
    dropped = at_stage(Stage.DROPPED)
    reopened = reopen(dropped, LATER, 5, "the plant stays open after all")
    assert reopened.stage is Stage.CONTACTED
    assert reopened.events[-1] == SynergyEvent(
        LATER, Stage.DROPPED, Stage.CONTACTED, 5, "the plant stays open after all"
    )
    assert reopened.dropped_from is None and reopened.drop_reason is None
    with pytest.raises(Conflict, match="only a dropped synergy is reopened; this one is at"):
        reopen(reopened, LATER, 5)


def test_a_realised_synergy_is_not_dropped() -> None:
    with pytest.raises(Conflict, match="a realised synergy is not dropped"):
        drop(at_stage(Stage.REALISED), "contract ended", LATER, FACILITATOR)


# --- realising -------------------------------------------------------------------------------


def test_a_synergy_is_realised_from_any_stage_with_what_was_agreed() -> None:
    for stage in PATH[:-1]:
        realised = realise(at_stage(stage), AGREED, LATER, FACILITATOR, "signed in December")
        assert (realised.stage, realised.agreement) == (Stage.REALISED, AGREED)
        assert realised.events[-1].from_stage is stage
    with pytest.raises(Conflict, match="realised already"):
        realise(at_stage(Stage.REALISED), AGREED, LATER, FACILITATOR)


def test_moving_a_realised_synergy_back_undoes_the_agreement() -> None:
    realised = at_stage(Stage.REALISED)
    with pytest.raises(InvalidInput, match="note"):
        move_to(realised, Stage.PILOT, LATER, FACILITATOR)
    back = move_to(realised, Stage.PILOT, LATER, FACILITATOR, "confirmed by mistake")
    assert (back.stage, back.agreement) == (Stage.PILOT, None)


def tonnes(amount: float, low: float | None = None, high: float | None = None) -> Quantity:
    return Quantity(amount, QuantityUnit.TONNES_PER_YEAR, Recurrence.CONTINUOUS, low=low, high=high)


def test_the_agreed_quantity_is_bounded_by_the_smaller_listing() -> None:
    assert agreed_quantity_limit(tonnes(5000), tonnes(1200)) == ("t", 1200)
    assert agreed_quantity_limit(tonnes(800), tonnes(1200)) == ("t", 800)
    # the top of a range, when a listing knows its quantity as one
    assert agreed_quantity_limit(tonnes(1000, 800, 1400), tonnes(5000)) == ("t", 1400)
    # a need counted in another basis does not bound a stream's tonnes
    cubic = Quantity(300, QuantityUnit.CUBIC_METRES_PER_YEAR, Recurrence.CONTINUOUS)
    assert agreed_quantity_limit(tonnes(900), cubic) == ("t", 900)
    heat = Quantity(20_000, QuantityUnit.MWH_PER_YEAR, Recurrence.CONTINUOUS)
    assert agreed_quantity_limit(heat, heat) == ("MWh", 20_000)


def test_the_agreed_quantity_is_more_than_nothing_and_explained_above_the_limit() -> None:
    start_on = date(2027, 1, 1)
    assert check_agreement(1200, "t", start_on, 1200, None) == Agreement(1200.0, "t", start_on)
    for nothing in (0.0, -5.0, float("nan"), float("inf")):
        with pytest.raises(InvalidInput) as raised:
            check_agreement(nothing, "t", start_on, 1200, "a note changes nothing here")
        assert fields(raised.value) == ["quantity"]
    with pytest.raises(InvalidInput) as raised:
        check_agreement(1500, "t", start_on, 1200, "  ")
    assert str(raised.value) == (
        "quantity: 1500 t a year is more than the smaller listing's 1200 t: "
        "add a note that explains it"
    )
    explained = check_agreement(1500, "t", start_on, 1200, "the need doubles its line in 2027")
    assert explained.quantity == 1500


# --- who may do what -------------------------------------------------------------------------

ACTORS = {
    "anonymous": Principal.anonymous(),
    "member of the producer": Principal(10, organisation_ids=frozenset({PRODUCER})),
    "member of the receiver": Principal(11, organisation_ids=frozenset({RECEIVER, OTHER})),
    "member of another organisation": Principal(12, organisation_ids=frozenset({OTHER})),
    "signed in without organisation": Principal(13),
    "facilitator": Principal(14, is_facilitator=True),
    "administrator": Principal(15, is_administrator=True),
    "operator": Principal.operator(),
}
OVERSEERS = {"facilitator", "administrator", "operator"}
PARTY_MEMBERS = {"member of the producer", "member of the receiver"}


@pytest.mark.parametrize(
    ("who", "from_stage", "to_stage"),
    list(
        itertools.product(
            ACTORS, [Stage.PILOT, Stage.REALISED, Stage.DROPPED], [Stage.REALISED, Stage.CONTACTED]
        )
    ),
)
def test_who_may_move_a_synergy(who: str, from_stage: Stage, to_stage: Stage) -> None:
    actor = ACTORS[who]
    allowed = who in OVERSEERS or (
        who in PARTY_MEMBERS and Stage.REALISED not in (from_stage, to_stage)
    )
    if allowed:
        check_may_move(actor, PARTIES, at_stage(from_stage), to_stage)
    else:
        with pytest.raises(Forbidden):
            check_may_move(actor, PARTIES, at_stage(from_stage), to_stage)


def test_a_member_is_told_that_a_facilitator_confirms_a_realised_synergy() -> None:
    member = ACTORS["member of the producer"]
    with pytest.raises(Forbidden, match="a facilitator confirms that a synergy is realised"):
        check_may_move(member, PARTIES, at_stage(Stage.PILOT), Stage.REALISED)
    with pytest.raises(Forbidden, match="only a facilitator moves a realised synergy"):
        check_may_move(member, PARTIES, at_stage(Stage.REALISED), Stage.PILOT)


@pytest.mark.parametrize("who", ACTORS)
def test_who_may_see_and_open_a_synergy(who: str) -> None:
    actor = ACTORS[who]
    if who in OVERSEERS:
        check_may_see(actor, PARTIES)
        check_may_open(actor, PARTIES, both_accepted=False)  # a facilitator opens at once
    elif who in PARTY_MEMBERS:
        check_may_see(actor, PARTIES)
        check_may_open(actor, PARTIES, both_accepted=True)
        with pytest.raises(Conflict, match="both parties must accept the proposal"):
            check_may_open(actor, PARTIES, both_accepted=False)
    else:
        with pytest.raises(Forbidden):
            check_may_see(actor, PARTIES)
        with pytest.raises(Forbidden):
            check_may_open(actor, PARTIES, both_accepted=True)


# --- the history -----------------------------------------------------------------------------


def test_events_that_do_not_follow_on_do_not_replay() -> None:
    opened = SynergyEvent(T0, None, Stage.PROPOSED, None)
    assert replay([opened]) is Stage.PROPOSED
    with pytest.raises(ValueError, match="at least the event that opened it"):
        replay([])
    with pytest.raises(ValueError, match="event 2 starts at contacted but the synergy was at"):
        replay([opened, SynergyEvent(T0, Stage.CONTACTED, Stage.PILOT, None)])
    with pytest.raises(ValueError, match="lead to proposed, not to pilot"):
        Synergy(12, Stage.PILOT, (opened,))
    with pytest.raises(ValueError, match="agreement exactly while it is realised"):
        replace(at_stage(Stage.PILOT), agreement=AGREED)


ACTIONS = st.tuples(
    st.sampled_from(["move", "drop", "reopen", "realise"]),
    st.sampled_from(list(Stage)),
    st.booleans(),  # with a note
)


def _expected_to_work(synergy: Synergy, action: str, to_stage: Stage, noted: bool) -> bool:
    """An oracle of the rules, written independently of the functions under test."""
    stage = synergy.stage
    if action == "reopen":
        return stage is Stage.DROPPED
    if action == "drop":
        return stage not in (Stage.DROPPED, Stage.REALISED)
    if action == "realise":
        return stage not in (Stage.DROPPED, Stage.REALISED)
    if stage is Stage.DROPPED or to_stage in (Stage.DROPPED, Stage.REALISED):
        return False
    here, there = PATH.index(stage), PATH.index(to_stage)
    return there > here or (there == here - 1 and noted)


@given(st.lists(ACTIONS, max_size=30))
def test_any_sequence_of_legal_moves_keeps_the_history_consistent(
    actions: list[tuple[str, Stage, bool]],
) -> None:
    synergy = start(12, T0, FACILITATOR)
    for number, (action, to_stage, noted) in enumerate(actions, start=1):
        at = T0 + number * HOUR
        note = "because" if noted else None
        expected = _expected_to_work(synergy, action, to_stage, noted)
        before = synergy
        try:
            if action == "move":
                synergy = move_to(synergy, to_stage, at, number, note)
            elif action == "drop":
                synergy = drop(synergy, "because", at, number)
            elif action == "reopen":
                synergy = reopen(synergy, at, number, note)
            else:
                synergy = realise(synergy, AGREED, at, number, note)
        except (InvalidInput, Conflict):
            assert not expected, (action, before.stage, to_stage, noted)
            continue
        assert expected, (action, before.stage, to_stage, noted)
        assert synergy.events[:-1] == before.events  # only ever added to
        assert synergy.events[-1].actor_user_id == number
        if action == "reopen":
            assert synergy.stage is before.dropped_from
    # replaying the events gives the current stage, and each starts where the last ended
    assert replay(synergy.events) is synergy.stage
    for earlier, later in itertools.pairwise(synergy.events):
        assert later.from_stage is earlier.to_stage and later.at >= earlier.at
        assert later.to_stage is not later.from_stage
    assert (synergy.agreement is not None) == (synergy.stage is Stage.REALISED)
    assert (synergy.dropped_from is not None) == (synergy.stage is Stage.DROPPED)
    if synergy.stage is Stage.DROPPED:
        assert synergy.drop_reason == "because"
