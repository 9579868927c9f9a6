"""The synergy board: what becomes of a proposal once the parties (or a facilitator) take it up.

A synergy follows one proposal (stream ↔ need) through the stages of a real deal: proposed,
contacted, negotiating, lab test, pilot, realised; or it is dropped, with a reason, from any
stage before realised. Moves: forward one or more stages; back one stage, saying why; drop,
saying why; reopen a dropped synergy, at the stage it was dropped from. Every move is an event,
and replaying the events gives the current stage. A realised synergy carries the quantity
agreed a year and the start date.

Who moves it: facilitators and administrators make every move. Members of either party's
organisation make every move but two: realising a synergy and moving a realised one back. The
centre reports realised synergies to its funders, so a facilitator confirms each one, and only
a facilitator undoes a confirmation. Nobody else moves or sees a synergy.

Everything here is pure: the clock is passed in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from sidestream.domain.accounts import Principal
from sidestream.domain.errors import Conflict, FieldError, Forbidden, InvalidInput
from sidestream.domain.streams import Quantity

MAX_NOTE_LENGTH = 2000
ENTITY_KIND = "synergy"  # what the audit log calls a synergy


class Stage(StrEnum):
    PROPOSED = "proposed"  # opened, nobody has made contact yet
    CONTACTED = "contacted"
    NEGOTIATING = "negotiating"
    LAB_TEST = "lab_test"
    PILOT = "pilot"
    REALISED = "realised"  # confirmed by a facilitator, with the agreed quantity and start
    DROPPED = "dropped"  # off the path, from any stage before realised

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


PATH: tuple[Stage, ...] = (
    Stage.PROPOSED,
    Stage.CONTACTED,
    Stage.NEGOTIATING,
    Stage.LAB_TEST,
    Stage.PILOT,
    Stage.REALISED,
)


@dataclass(frozen=True)
class SynergyEvent:
    """One move of a synergy. Events are only ever added."""

    at: datetime
    from_stage: Stage | None  # None: the synergy was opened
    to_stage: Stage
    actor_user_id: int | None  # None: the operator at the command line
    note: str | None = None  # why it moved (required back and when dropped: the reason)
    event_id: int | None = None


@dataclass(frozen=True)
class Agreement:
    """What the parties of a realised synergy agreed."""

    quantity: float  # a year, in `unit`
    unit: str  # t, MWh or m3: the basis of the stream's quantity when it was realised
    started_on: date


def replay(events: Sequence[SynergyEvent]) -> Stage:
    """The stage the events lead to, or ValueError when they do not follow on from each other
    (the first opens the synergy; each later one starts where the one before ended)."""
    stage: Stage | None = None
    for number, event in enumerate(events, start=1):
        if event.from_stage is not stage:
            raise ValueError(
                f"event {number} starts at {event.from_stage} but the synergy was at {stage}"
            )
        stage = event.to_stage
    if stage is None:
        raise ValueError("a synergy has at least the event that opened it")
    return stage


@dataclass(frozen=True)
class Synergy:
    """A synergy under way: the proposal it follows and every move it has made."""

    proposal_id: int
    stage: Stage
    events: tuple[SynergyEvent, ...]  # oldest first
    agreement: Agreement | None = None  # while realised
    synergy_id: int | None = None

    def __post_init__(self) -> None:
        if replay(self.events) is not self.stage:
            raise ValueError(f"the events lead to {replay(self.events)}, not to {self.stage}")
        if (self.agreement is not None) != (self.stage is Stage.REALISED):
            raise ValueError("a synergy has an agreement exactly while it is realised")

    @property
    def opened_at(self) -> datetime:
        return self.events[0].at

    @property
    def updated_at(self) -> datetime:
        return self.events[-1].at

    @property
    def dropped_from(self) -> Stage | None:
        """The stage a dropped synergy was dropped from (and is reopened at)."""
        return self.events[-1].from_stage if self.stage is Stage.DROPPED else None

    @property
    def drop_reason(self) -> str | None:
        return self.events[-1].note if self.stage is Stage.DROPPED else None


# --- who may do what -------------------------------------------------------------------------


@dataclass(frozen=True)
class Parties:
    """The organisations of a synergy: the stream's owner and the need's."""

    producer_organisation_id: int
    receiver_organisation_id: int

    def include_member(self, actor: Principal) -> bool:
        return actor.is_member_of(self.producer_organisation_id) or actor.is_member_of(
            self.receiver_organisation_id
        )


def may_see(actor: Principal, parties: Parties) -> bool:
    return actor.oversees_registry or parties.include_member(actor)


def check_may_see(actor: Principal, parties: Parties) -> None:
    if not may_see(actor, parties):
        raise Forbidden("only facilitators and members of the two parties see a synergy")


def check_may_open(actor: Principal, parties: Parties, both_accepted: bool) -> None:
    """Facilitators open a synergy from any proposal; a party's member once both accepted."""
    if actor.oversees_registry:
        return
    if not parties.include_member(actor):
        raise Forbidden("only facilitators and members of the two parties open a synergy")
    if not both_accepted:
        raise Conflict(
            "proposal: both parties must accept the proposal before a member opens its synergy "
            "(a facilitator may open it at once)"
        )


def check_may_move(actor: Principal, parties: Parties, synergy: Synergy, to_stage: Stage) -> None:
    """Facilitators and administrators make every move; the parties' members every move but
    realising a synergy and moving a realised one back."""
    if actor.oversees_registry:
        return
    if not parties.include_member(actor):
        raise Forbidden("only facilitators and members of the two parties move a synergy")
    if to_stage is Stage.REALISED:
        raise Forbidden(
            "a facilitator confirms that a synergy is realised (the centre reports realised "
            "synergies to its funders)"
        )
    if synergy.stage is Stage.REALISED:
        raise Forbidden("only a facilitator moves a realised synergy")


# --- the moves -------------------------------------------------------------------------------


def _note(text: str | None, field: str = "note") -> str | None:
    """A trimmed note, None when empty, or InvalidInput when too long."""
    note = (text or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidInput.single(field, f"is longer than {MAX_NOTE_LENGTH} characters")
    return note or None


def _check_moment(at: datetime, synergy: Synergy | None = None) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput.single("at", "must carry a time zone")
    if synergy is not None and at < synergy.updated_at:
        raise Conflict(
            f"at: {at:%Y-%m-%d %H:%M} is before the synergy's last move "
            f"({synergy.updated_at:%Y-%m-%d %H:%M})"
        )


def _check_not_dropped(synergy: Synergy) -> None:
    if synergy.stage is Stage.DROPPED:
        raise Conflict("stage: a dropped synergy must be reopened before it moves")


def _with_event(
    synergy: Synergy,
    to_stage: Stage,
    at: datetime,
    actor_user_id: int | None,
    note: str | None,
    agreement: Agreement | None = None,
) -> Synergy:
    event = SynergyEvent(at, synergy.stage, to_stage, actor_user_id, note)
    return replace(synergy, stage=to_stage, events=(*synergy.events, event), agreement=agreement)


def start(
    proposal_id: int, at: datetime, actor_user_id: int | None, note: str | None = None
) -> Synergy:
    """A new synergy following the proposal, at the first stage."""
    _check_moment(at)
    event = SynergyEvent(at, None, Stage.PROPOSED, actor_user_id, _note(note))
    return Synergy(proposal_id, Stage.PROPOSED, (event,))


def move_to(
    synergy: Synergy,
    to_stage: Stage,
    at: datetime,
    actor_user_id: int | None,
    note: str | None = None,
) -> Synergy:
    """Forward one or more stages, or back one stage with a note saying why. Dropping and
    realising have their own moves (drop, realise): they need a reason, or what was agreed."""
    if to_stage is Stage.DROPPED:
        raise InvalidInput.single("stage", "a synergy is dropped with its reason (drop)")
    if to_stage is Stage.REALISED:
        raise InvalidInput.single(
            "stage", "a synergy is realised with the agreed quantity and start date (realise)"
        )
    checked_note = _note(note)
    _check_moment(at, synergy)
    _check_not_dropped(synergy)
    here, there = PATH.index(synergy.stage), PATH.index(to_stage)
    if there == here:
        raise Conflict(f"stage: the synergy is at {to_stage.label} already")
    if there < here - 1:
        raise Conflict(
            f"stage: a synergy moves back one stage at a time: from {synergy.stage.label} "
            f"only to {PATH[here - 1].label}"
        )
    if there < here and checked_note is None:
        raise InvalidInput.single("note", "say why the synergy moves back")
    # Moving a realised synergy back undoes the confirmation, and with it the agreement.
    return _with_event(synergy, to_stage, at, actor_user_id, checked_note)


def drop(synergy: Synergy, reason: str | None, at: datetime, actor_user_id: int | None) -> Synergy:
    """Drop the synergy, from any stage before realised, with the reason (kept as the note)."""
    checked_reason = _note(reason, "reason")
    if checked_reason is None:
        raise InvalidInput.single("reason", "say why the synergy is dropped")
    _check_moment(at, synergy)
    if synergy.stage is Stage.DROPPED:
        raise Conflict("stage: the synergy is dropped already")
    if synergy.stage is Stage.REALISED:
        raise Conflict(
            "stage: a realised synergy is not dropped; a facilitator may move it back to "
            "pilot first"
        )
    return _with_event(synergy, Stage.DROPPED, at, actor_user_id, checked_reason)


def reopen(
    synergy: Synergy, at: datetime, actor_user_id: int | None, note: str | None = None
) -> Synergy:
    """Take a dropped synergy up again, at the stage it was dropped from."""
    checked_note = _note(note)
    _check_moment(at, synergy)
    if synergy.dropped_from is None:
        raise Conflict(
            f"stage: only a dropped synergy is reopened; this one is at {synergy.stage.label}"
        )
    return _with_event(synergy, synergy.dropped_from, at, actor_user_id, checked_note)


def agreed_quantity_limit(stream: Quantity, need: Quantity) -> tuple[str, float]:
    """The unit an agreed quantity is stated in (the basis of the stream's quantity: t, MWh or
    m3) and the most it may be without a note: the smaller of the two listings' quantities,
    each at the top of its range when it gives one. A need counted in another basis does not
    bound it."""
    unit = stream.unit.basis
    limits = [stream.range[1]]
    if need.unit.basis == unit:
        limits.append(need.range[1])
    return unit, min(limits)


def check_agreement(
    quantity: float, unit: str, started_on: date, limit: float, note: str | None
) -> Agreement:
    """The agreement of a realised synergy: more than nothing, and at most `limit` (the smaller
    listing's quantity) unless a note explains why."""
    errors = []
    if not math.isfinite(quantity) or quantity <= 0:
        errors.append(FieldError("quantity", f"{quantity:g} {unit} a year is not more than 0"))
    elif quantity > limit and _note(note) is None:
        errors.append(
            FieldError(
                "quantity",
                f"{quantity:g} {unit} a year is more than the smaller listing's {limit:g} "
                f"{unit}: add a note that explains it",
            )
        )
    if errors:
        raise InvalidInput(errors)
    return Agreement(float(quantity), unit, started_on)


def realise(
    synergy: Synergy,
    agreement: Agreement,
    at: datetime,
    actor_user_id: int | None,
    note: str | None = None,
) -> Synergy:
    """Confirm the synergy realised, from any stage before, with what was agreed (see
    check_agreement)."""
    checked_note = _note(note)
    _check_moment(at, synergy)
    _check_not_dropped(synergy)
    if synergy.stage is Stage.REALISED:
        raise Conflict("stage: the synergy is realised already")
    return _with_event(synergy, Stage.REALISED, at, actor_user_id, checked_note, agreement)
