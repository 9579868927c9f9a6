"""Use cases of the synergy board: open a synergy from a proposal, move it along its stages,
drop, reopen and realise it, and read the board and a synergy's history.

Every change is one transaction with its audit event (services.accounts.audit): a move is never
stored without its entry, nor an entry without its move. Who may do what is decided in
domain.synergies: facilitators and administrators everything; members of either party's
organisation everything but realising a synergy and moving a realised one back; nobody else
anything. What a party sees of the other party follows the proposal's double opt-in
(domain.access.counterpart_access): a synergy a facilitator opened before both accepted shows
the other party's names to neither.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sidestream.domain.access import Access, counterpart_access
from sidestream.domain.accounts import AuditAction, Principal
from sidestream.domain.errors import Conflict, Forbidden, NotFound
from sidestream.domain.proposals import ProposalRecord, ProposalStatus
from sidestream.domain.regulatory_path import PathStep, RegulatoryKnowledge
from sidestream.domain.streams import Need, SideStream
from sidestream.domain.synergies import (
    ENTITY_KIND,
    Parties,
    Stage,
    Synergy,
    agreed_quantity_limit,
    check_agreement,
    check_may_move,
    check_may_open,
    check_may_see,
    drop,
    may_see,
    move_to,
    realise,
    reopen,
    start,
)
from sidestream.services.accounts import audit
from sidestream.services.ports import UnitOfWork, UnitOfWorkFactory
from sidestream.services.regulatory_paths import stream_path


@dataclass(frozen=True)
class SynergyView:
    """A synergy as one reader may see it. Names the reader may not see are None: the other
    party's, until both parties have accepted the proposal (see domain.access)."""

    synergy: Synergy
    proposal_status: ProposalStatus
    stream_id: int
    need_id: int
    material_class_code: str  # of the stream; shown to every reader of the synergy
    unit: str  # t, MWh or m3: the basis of the stream's quantity
    stream_name: str | None
    need_name: str | None
    producer: str | None  # the stream's organisation
    receiver: str | None  # the need's organisation
    # What the use still lacks in law or evidence (a lab test, a permit), for readers who may
    # see the stream's records; empty when nothing is open or it is not asked
    next_steps: tuple[PathStep, ...] = ()

    @property
    def label(self) -> str:
        stream = self.stream_name or f"a {self.material_class_code.replace('_', ' ')} stream"
        need = self.need_name or "a need"
        producer = self.producer or "a producer not named yet"
        receiver = self.receiver or "a receiver not named yet"
        return f"{stream} ({producer}) → {need} ({receiver})"


@dataclass(frozen=True)
class _Context:
    """What a synergy's proposal leads to: its record, listings and parties."""

    record: ProposalRecord
    stream: SideStream
    need: Need

    @property
    def parties(self) -> Parties:
        return Parties(self.stream.organisation_id, self.need.organisation_id)


def _refuse_anonymous(actor: Principal) -> None:
    if actor.is_anonymous:
        raise Forbidden("sign in to see or move synergies")


def _context(uow: UnitOfWork, proposal_id: int) -> _Context:
    record = uow.proposals.get(proposal_id)
    if record is None:
        raise NotFound("proposal", proposal_id)
    stream = uow.streams.get(record.proposal.stream_id)
    need = uow.needs.get(record.proposal.need_id)
    if stream is None or need is None:  # proposals go with their listings: never in practice
        raise NotFound("proposal", proposal_id)
    return _Context(record, stream, need)


def _synergy(uow: UnitOfWork, synergy_id: int, lock: bool = False) -> tuple[Synergy, _Context]:
    synergy = uow.synergies.get(synergy_id, lock=lock)
    if synergy is None:
        raise NotFound("synergy", synergy_id)
    return synergy, _context(uow, synergy.proposal_id)


def _name(uow: UnitOfWork, organisation_id: int) -> str:
    organisation = uow.organisations.get(organisation_id)
    return organisation.name if organisation else f"#{organisation_id}"


def _label(uow: UnitOfWork, context: _Context) -> str:
    """The synergy in words for the audit log (which facilitators and administrators read)."""
    stream, need = context.stream, context.need
    return (
        f"{stream.name} ({_name(uow, stream.organisation_id)}) → "
        f"{need.name} ({_name(uow, need.organisation_id)})"
    )


def _audit_last_move(
    uow: UnitOfWork, actor: Principal, synergy: Synergy, context: _Context, now: datetime
) -> None:
    event = synergy.events[-1]
    opened = event.from_stage is None
    if opened:
        what = f"opened from proposal {synergy.proposal_id}"
    else:
        assert event.from_stage is not None
        what = f"{event.from_stage.label} → {event.to_stage.label}"
    agreement = synergy.agreement
    if event.to_stage is Stage.REALISED and agreement is not None:
        what += (
            f", {agreement.quantity:g} {agreement.unit} a year from "
            f"{agreement.started_on.isoformat()}"
        )
    if event.note:
        what += f": {event.note}"
    audit(
        uow,
        actor,
        AuditAction.CREATED if opened else AuditAction.CHANGED,
        ENTITY_KIND,
        synergy.synergy_id,
        now,
        f"{_label(uow, context)}: {what}",
    )


def open_synergy(
    unit_of_work: UnitOfWorkFactory,
    proposal_id: int,
    actor: Principal,
    now: datetime,
    note: str | None = None,
) -> Synergy:
    """Open the synergy of a proposal, at the first stage. A member of either party opens it
    once both parties have accepted the proposal; a facilitator may open it at once."""
    _refuse_anonymous(actor)
    with unit_of_work() as uow:
        context = _context(uow, proposal_id)
        check_may_open(actor, context.parties, context.record.status is ProposalStatus.ACCEPTED)
        existing = uow.synergies.get_by_proposal(proposal_id)
        if existing is not None:
            raise Conflict(
                f"proposal: synergy {existing.synergy_id} follows proposal {proposal_id} already"
            )
        synergy = uow.synergies.add(start(proposal_id, now, actor.user_id, note))
        _audit_last_move(uow, actor, synergy, context, now)
        uow.commit()
    return synergy


def move_synergy(
    unit_of_work: UnitOfWorkFactory,
    synergy_id: int,
    to_stage: Stage,
    actor: Principal,
    now: datetime,
    note: str | None = None,
) -> Synergy:
    """Forward one or more stages, or back one stage with a note saying why (domain rules in
    domain.synergies.move_to)."""
    _refuse_anonymous(actor)
    with unit_of_work() as uow:
        synergy, context = _synergy(uow, synergy_id, lock=True)
        check_may_move(actor, context.parties, synergy, to_stage)
        moved = uow.synergies.update(move_to(synergy, to_stage, now, actor.user_id, note))
        _audit_last_move(uow, actor, moved, context, now)
        uow.commit()
    return moved


def drop_synergy(
    unit_of_work: UnitOfWorkFactory,
    synergy_id: int,
    reason: str,
    actor: Principal,
    now: datetime,
) -> Synergy:
    """Drop the synergy, from any stage before realised, saying why."""
    _refuse_anonymous(actor)
    with unit_of_work() as uow:
        synergy, context = _synergy(uow, synergy_id, lock=True)
        check_may_move(actor, context.parties, synergy, Stage.DROPPED)
        dropped = uow.synergies.update(drop(synergy, reason, now, actor.user_id))
        _audit_last_move(uow, actor, dropped, context, now)
        uow.commit()
    return dropped


def reopen_synergy(
    unit_of_work: UnitOfWorkFactory,
    synergy_id: int,
    actor: Principal,
    now: datetime,
    note: str | None = None,
) -> Synergy:
    """Take a dropped synergy up again, at the stage it was dropped from."""
    _refuse_anonymous(actor)
    with unit_of_work() as uow:
        synergy, context = _synergy(uow, synergy_id, lock=True)
        # Reopening moves a dropped synergy to where it was; any other is refused by reopen.
        check_may_move(actor, context.parties, synergy, synergy.dropped_from or Stage.DROPPED)
        reopened = uow.synergies.update(reopen(synergy, now, actor.user_id, note))
        _audit_last_move(uow, actor, reopened, context, now)
        uow.commit()
    return reopened


def realise_synergy(
    unit_of_work: UnitOfWorkFactory,
    synergy_id: int,
    quantity: float,
    started_on: date,
    actor: Principal,
    now: datetime,
    note: str | None = None,
) -> Synergy:
    """Confirm the synergy realised (facilitators and administrators), with the quantity agreed
    a year, in the basis of the stream's quantity (t, MWh or m3), and the start date. The
    quantity is at most the smaller listing's unless the note explains why."""
    _refuse_anonymous(actor)
    with unit_of_work() as uow:
        synergy, context = _synergy(uow, synergy_id, lock=True)
        check_may_move(actor, context.parties, synergy, Stage.REALISED)
        unit, limit = agreed_quantity_limit(context.stream.quantity, context.need.quantity)
        agreement = check_agreement(quantity, unit, started_on, limit, note)
        realised = uow.synergies.update(realise(synergy, agreement, now, actor.user_id, note))
        _audit_last_move(uow, actor, realised, context, now)
        uow.commit()
    return realised


# --- reading the board -----------------------------------------------------------------------


class _Viewer:
    """Builds the views of one reader from the registry's snapshot (names and partners)."""

    def __init__(self, uow: UnitOfWork, reader: Principal) -> None:
        self._registry = uow.registry_snapshot()
        self._reader = reader

    def _organisation_name(self, organisation_id: int) -> str:
        organisation = self._registry.organisations_by_id.get(organisation_id)
        return organisation.name if organisation else f"#{organisation_id}"

    def _shows(self, listing: SideStream | Need, both_accepted: bool) -> bool:
        owner = listing.organisation_id
        partners = self._registry.partners.get(owner, frozenset())
        access = counterpart_access(
            self._reader, owner, listing.visibility, partners, both_accepted
        )
        return access >= Access.PUBLIC

    def view(self, synergy: Synergy, context: _Context) -> SynergyView:
        stream, need = context.stream, context.need
        both_accepted = context.record.status is ProposalStatus.ACCEPTED
        shows_stream = self._shows(stream, both_accepted)
        shows_need = self._shows(need, both_accepted)
        assert stream.stream_id is not None and need.need_id is not None
        return SynergyView(
            synergy=synergy,
            proposal_status=context.record.status,
            stream_id=stream.stream_id,
            need_id=need.need_id,
            material_class_code=stream.material_class_code,
            unit=stream.quantity.unit.basis,
            stream_name=stream.name if shows_stream else None,
            need_name=need.name if shows_need else None,
            producer=self._organisation_name(stream.organisation_id) if shows_stream else None,
            receiver=self._organisation_name(need.organisation_id) if shows_need else None,
        )


def list_synergies(
    unit_of_work: UnitOfWorkFactory,
    actor: Principal,
    stage: Stage | None = None,
    regulatory: RegulatoryKnowledge | None = None,
    today: date | None = None,
) -> list[SynergyView]:
    """The board, oldest synergy first: facilitators and administrators see every synergy,
    members those of their organisations (as either party). With the regulatory knowledge
    and the day, each synergy says what its use still lacks (a lab test, a permit)."""
    _refuse_anonymous(actor)
    with unit_of_work() as uow:
        registry = uow.registry_snapshot()
        synergies = [s for s in registry.synergies if stage is None or s.stage is stage]
        if not synergies:
            return []
        records = registry.proposals_by_id
        streams = registry.streams_by_id
        needs = registry.needs_by_id
        viewer = _Viewer(uow, actor)
        views = []
        for synergy in synergies:
            record = records[synergy.proposal_id]
            context = _Context(
                record, streams[record.proposal.stream_id], needs[record.proposal.need_id]
            )
            if may_see(actor, context.parties):
                view = viewer.view(synergy, context)
                if regulatory is not None and today is not None and view.stream_name is not None:
                    path = stream_path(
                        uow,
                        regulatory,
                        context.stream,
                        record.proposal.route_id,
                        today,
                        shows_records=True,
                    )
                    if path is not None:
                        view = replace(view, next_steps=path.open_steps)
                views.append(view)
        return views


def synergy_history(
    unit_of_work: UnitOfWorkFactory, synergy_id: int, actor: Principal
) -> SynergyView:
    """One synergy with every move it has made (synergy.events, oldest first): for
    facilitators, administrators and the members of either party."""
    _refuse_anonymous(actor)
    with unit_of_work() as uow:
        synergy, context = _synergy(uow, synergy_id)
        check_may_see(actor, context.parties)
        return _Viewer(uow, actor).view(synergy, context)
