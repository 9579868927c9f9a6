"""Proposals as each reader may see them, and the parties' double opt-in.

A proposal exists for the members of its two organisations (the stream's, the producer; the
need's, the receiver) and for facilitators and administrators; for anyone else it does not
(NotFound, never Forbidden, so that its existence is not revealed). Until both parties have
accepted, each sees the other's listing anonymously (domain.access.counterpart_access); after,
at PUBLIC level, costs never. The explanation comes from domain.disclosure at the same level,
so a view never holds a sentence quoting what the reader may not see.

A party decides for its own side: a member of both organisations names the side; a
facilitator does not decide for a party. Every decision is written with its audit event in one
transaction, and the acceptance that completes the opt-in adds a REVEALED event, since each
party is now shown the other's names. Asking for contact opens the proposal's synergy
(services.synergies) once both have accepted; before that, the wish is kept (in the audit log)
and the synergy opens when the second acceptance comes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime

from sidestream.domain.access import Access, counterpart_access
from sidestream.domain.accounts import (
    MAX_AUDIT_LIMIT,
    AuditAction,
    AuditFilter,
    EntityKind,
    Principal,
)
from sidestream.domain.disclosure import Explanation, Span, explain_proposal
from sidestream.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from sidestream.domain.matching import ScoreFactor
from sidestream.domain.organisations import Organisation, Site
from sidestream.domain.proposals import Decision, ProposalRecord, ProposalStatus, Side
from sidestream.domain.reference import ReferenceData
from sidestream.domain.regulatory_path import RegulatoryKnowledge, RegulatoryPath
from sidestream.domain.routes import KnowledgeBase
from sidestream.domain.streams import Need, SideStream
from sidestream.domain.synergies import MAX_NOTE_LENGTH, Stage, Synergy
from sidestream.domain.visibility import ListingView
from sidestream.services.accounts import audit
from sidestream.services.listings import need_view, stream_view
from sidestream.services.ports import UnitOfWork, UnitOfWorkFactory
from sidestream.services.regulatory_paths import path_record, stream_path
from sidestream.services.synergies import open_synergy

MAX_REASON_LENGTH = MAX_NOTE_LENGTH
PENDING = "pending"
# The audit log keeps a party's wish for contact made before both accepted, one kind per side.
CONTACT_WISH_KINDS = {Side.STREAM: "proposal_contact_stream", Side.NEED: "proposal_contact_need"}
OTHER_SIDE = {Side.STREAM: Side.NEED, Side.NEED: Side.STREAM}


@dataclass(frozen=True)
class ProposalView:
    """One proposal as one reader may see it: each listing at the level allowed, and the
    explanation at the level the reader sees the other party."""

    proposal_id: int
    status: ProposalStatus
    sides: tuple[Side, ...]  # the sides whose organisation the reader is a member of
    stream_decision: str  # accepted, declined or pending
    need_decision: str
    decline_reason: str | None  # shown to both parties once a party declined
    stream: ListingView
    need: ListingView
    transport_mode: str
    explanation: Explanation
    contact_asked_by: tuple[Side, ...]  # parties that asked for contact before both accepted
    synergy_id: int | None
    synergy_stage: Stage | None
    is_current: bool  # neither listing has expired
    updated_at: datetime | None
    # The use's regulatory path: with the stream's records for those who may see them, else
    # only what the use asks; None without a route or in the inbox
    regulatory_path: RegulatoryPath | None = None

    @property
    def your_side(self) -> Side | None:
        """The reader's side; None for a facilitator outside both, or a member of both."""
        return self.sides[0] if len(self.sides) == 1 else None

    @property
    def your_listing(self) -> ListingView | None:
        side = self.your_side
        if side is None:
            return None
        return self.stream if side is Side.STREAM else self.need

    @property
    def counterpart(self) -> ListingView | None:
        side = self.your_side
        if side is None:
            return None
        return self.need if side is Side.STREAM else self.stream

    def decision_of(self, side: Side) -> str:
        return self.stream_decision if side is Side.STREAM else self.need_decision

    @property
    def your_decision(self) -> str | None:
        side = self.your_side
        return None if side is None else self.decision_of(side)

    @property
    def other_decision(self) -> str | None:
        side = self.your_side
        return None if side is None else self.decision_of(OTHER_SIDE[side])

    @property
    def score(self) -> float:
        return self.explanation.score

    @property
    def factors(self) -> tuple[ScoreFactor, ...]:
        return self.explanation.factors

    @property
    def may_decide(self) -> bool:
        return bool(self.sides)

    @property
    def may_ask_for_contact(self) -> bool:
        return self.synergy_id is None and self.status is not ProposalStatus.DECLINED

    def as_record(self) -> dict[str, object]:
        """The view as plain data for JSON (the pages' JSON twins)."""
        side = self.your_side
        return {
            "proposal_id": self.proposal_id,
            "status": self.status.value,
            "your_side": None if side is None else side.value,
            "sides": [s.value for s in self.sides],
            "your_decision": self.your_decision,
            "other_decision": self.other_decision,
            "stream_decision": self.stream_decision,
            "need_decision": self.need_decision,
            "decline_reason": self.decline_reason,
            "score": self.score,
            "distance_km": self.explanation.distance_km,
            "transport_mode": self.transport_mode,
            "stream": self.stream.as_record(),
            "need": self.need.as_record(),
            "explanation": explanation_record(self.explanation),
            "contact_asked_by": [s.value for s in self.contact_asked_by],
            "synergy_id": self.synergy_id,
            "synergy_stage": None if self.synergy_stage is None else self.synergy_stage.value,
            "is_current": self.is_current,
            "updated_at": None if self.updated_at is None else self.updated_at.isoformat(),
            "regulatory_path": path_record(self.regulatory_path),
        }


def _span_record(span: Span | None) -> dict[str, float | None] | None:
    return None if span is None else {"low": span.low, "high": span.high}


def explanation_record(explanation: Explanation) -> dict[str, object]:
    return {
        "level": explanation.level.name.lower(),
        "reasons": list(explanation.reasons),
        "factors": [asdict(factor) for factor in explanation.factors],
        "benefit": list(explanation.benefit),
        "basis": explanation.basis,
        "amount": _span_record(explanation.amount),
        "eur_per_yr": _span_record(explanation.eur_per_yr),
        "eur_meaning": explanation.eur_meaning,
        "avoided_co2e_t_per_yr": _span_record(explanation.avoided_co2e_t_per_yr),
        "transport_co2e_t_per_yr": _span_record(explanation.transport_co2e_t_per_yr),
        "trace": list(explanation.trace),
    }


@dataclass(frozen=True)
class ContactOutcome:
    """What asking for contact did: opened the synergy (or found it open), or kept the wish
    until both parties have accepted."""

    synergy: Synergy | None
    asked_by: tuple[Side, ...]


# --- who is who --------------------------------------------------------------------------------


def _sides(reader: Principal, stream: SideStream, need: Need) -> tuple[Side, ...]:
    found = []
    if reader.is_member_of(stream.organisation_id):
        found.append(Side.STREAM)
    if reader.is_member_of(need.organisation_id):
        found.append(Side.NEED)
    return tuple(found)


def _may_see(reader: Principal, stream: SideStream, need: Need) -> bool:
    return reader.oversees_registry or bool(_sides(reader, stream, need))


def _decision_text(decision: Decision | None) -> str:
    return PENDING if decision is None else decision.value


def _refuse_anonymous(reader: Principal) -> None:
    if reader.is_anonymous:
        raise Forbidden("sign in to see proposals")


def _load(
    uow: UnitOfWork, reader: Principal, proposal_id: int
) -> tuple[ProposalRecord, SideStream, Need]:
    """The proposal and its listings, or NotFound when the reader may not know it exists."""
    record = uow.proposals.get(proposal_id)
    if record is None:
        raise NotFound("proposal", proposal_id)
    stream = uow.streams.get(record.proposal.stream_id)
    need = uow.needs.get(record.proposal.need_id)
    if stream is None or need is None or not _may_see(reader, stream, need):
        raise NotFound("proposal", proposal_id)
    return record, stream, need


def _choose_side(sides: tuple[Side, ...], asked: Side | None, doing: str) -> Side:
    if not sides:
        raise Forbidden(
            f"only a member of a party's organisation may {doing} for it; facilitators do not "
            "decide for a party"
        )
    if asked is None:
        if len(sides) > 1:
            raise InvalidInput.single(
                "side", "you are a member of both parties: say which side (stream or need)"
            )
        return sides[0]
    if asked not in sides:
        raise Forbidden(f"you are not a member of the {asked.value} side's organisation")
    return asked


def _contact_wishes(uow: UnitOfWork, proposal_id: int | None = None) -> dict[int, set[Side]]:
    """proposal_id -> the sides that asked for contact before both accepted."""
    wishes: dict[int, set[Side]] = {}
    for side, kind in CONTACT_WISH_KINDS.items():
        events = uow.audit_log.read(
            AuditFilter(entity_kind=kind, entity_id=proposal_id, limit=MAX_AUDIT_LIMIT)
        )
        for event in events:
            if event.entity_id is not None:
                wishes.setdefault(event.entity_id, set()).add(side)
    return wishes


# --- reading ----------------------------------------------------------------------------------


class _Viewer:
    """Builds one reader's views inside one unit of work."""

    def __init__(
        self,
        reader: Principal,
        reference: ReferenceData,
        knowledge: KnowledgeBase,
        organisations: Iterable[Organisation],
        partners: Mapping[int, frozenset[int]],
        today: date,
    ) -> None:
        self.reader = reader
        self.reference = reference
        self.knowledge = knowledge
        self.today = today
        self.partners = partners
        self.names: dict[int, str] = {}
        self.sites: dict[int, Site] = {}
        for organisation in organisations:
            if organisation.organisation_id is not None:
                self.names[organisation.organisation_id] = organisation.name
            for site in organisation.sites:
                if site.site_id is not None:
                    self.sites[site.site_id] = site

    def level(self, listing: SideStream | Need, both_accepted: bool) -> Access:
        owner = listing.organisation_id
        return counterpart_access(
            self.reader,
            owner,
            listing.visibility,
            self.partners.get(owner, frozenset()),
            both_accepted,
        )

    def view(
        self,
        record: ProposalRecord,
        stream: SideStream,
        need: Need,
        synergy: Synergy | None,
        wishes: Iterable[Side],
    ) -> ProposalView:
        both_accepted = record.status is ProposalStatus.ACCEPTED
        stream_level = self.level(stream, both_accepted)
        need_level = self.level(need, both_accepted)
        sides = _sides(self.reader, stream, need)
        if len(sides) == 1:
            side: Side | None = sides[0]
            other_level = need_level if side is Side.STREAM else stream_level
        else:  # a member of both, or a facilitator: full access to both (else not shown)
            side, other_level = None, min(stream_level, need_level)
        explanation = explain_proposal(
            record.proposal, stream, need, self.reference, self.knowledge, side, other_level
        )
        assert record.proposal_id is not None
        return ProposalView(
            proposal_id=record.proposal_id,
            status=record.status,
            sides=sides,
            stream_decision=_decision_text(record.stream_decision),
            need_decision=_decision_text(record.need_decision),
            decline_reason=(
                record.decline_reason if record.status is ProposalStatus.DECLINED else None
            ),
            stream=stream_view(
                stream,
                self.sites[stream.site_id],
                self.names.get(stream.organisation_id, ""),
                self.reference,
                stream_level,
            ),
            need=need_view(
                need,
                self.sites[need.site_id],
                self.names.get(need.organisation_id, ""),
                self.reference,
                need_level,
            ),
            transport_mode=record.proposal.transport_mode.value,
            explanation=explanation,
            contact_asked_by=tuple(s for s in Side if s in set(wishes)),
            synergy_id=synergy.synergy_id if synergy else None,
            synergy_stage=synergy.stage if synergy else None,
            is_current=not (stream.is_expired(self.today) or need.is_expired(self.today)),
            updated_at=record.updated_at,
        )


_STATUS_ORDER = {ProposalStatus.PROPOSED: 0, ProposalStatus.ACCEPTED: 1, ProposalStatus.DECLINED: 2}


def proposal_inbox(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    knowledge: KnowledgeBase,
    reader: Principal,
    today: date,
    status: ProposalStatus | None = None,
) -> list[ProposalView]:
    """The proposals the reader is a party to (every proposal for facilitators and
    administrators), with this status when one is given: open ones first, then best score."""
    _refuse_anonymous(reader)
    with unit_of_work() as uow:
        registry = uow.registry_snapshot()
        streams, needs = registry.streams_by_id, registry.needs_by_id
        chosen = []
        for record in registry.proposals:
            stream = streams.get(record.proposal.stream_id)
            need = needs.get(record.proposal.need_id)
            if stream is None or need is None or not _may_see(reader, stream, need):
                continue
            if status is None or record.status is status:
                chosen.append((record, stream, need))
        if not chosen:
            return []
        viewer = _Viewer(
            reader,
            reference,
            knowledge,
            list(registry.organisations),
            dict(registry.partners),
            today,
        )
        synergies = {synergy.proposal_id: synergy for synergy in registry.synergies}
        wishes = _contact_wishes(uow)
    chosen.sort(
        key=lambda item: (
            _STATUS_ORDER[item[0].status],
            -item[0].proposal.score,
            item[0].proposal_id or 0,
        )
    )
    return [
        viewer.view(
            record,
            stream,
            need,
            synergies.get(record.proposal_id or 0),
            wishes.get(record.proposal_id or 0, ()),
        )
        for record, stream, need in chosen
    ]


def proposal_view(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    knowledge: KnowledgeBase,
    reader: Principal,
    today: date,
    proposal_id: int,
    regulatory: RegulatoryKnowledge | None = None,
) -> ProposalView:
    """One proposal; NotFound unless the reader is a party's member or a facilitator. With
    the regulatory knowledge, the view carries the use's regulatory path."""
    with unit_of_work() as uow:
        record, stream, need = _load(uow, reader, proposal_id)
        viewer = _Viewer(
            reader,
            reference,
            knowledge,
            [
                organisation
                for organisation_id in {stream.organisation_id, need.organisation_id}
                if (organisation := uow.organisations.get(organisation_id)) is not None
            ],
            {
                owner: uow.partners.partners_of(owner)
                for owner in {stream.organisation_id, need.organisation_id}
            },
            today,
        )
        synergy = uow.synergies.get_by_proposal(proposal_id)
        wishes = _contact_wishes(uow, proposal_id).get(proposal_id, set())
        view = viewer.view(record, stream, need, synergy, wishes)
        if regulatory is not None:
            both_accepted = record.status is ProposalStatus.ACCEPTED
            path = stream_path(
                uow,
                regulatory,
                stream,
                record.proposal.route_id,
                today,
                shows_records=viewer.level(stream, both_accepted) >= Access.PUBLIC,
            )
            view = replace(view, regulatory_path=path)
    return view


# --- deciding ---------------------------------------------------------------------------------


def _check_reason(decision: Decision, reason: str | None) -> str | None:
    text = (reason or "").strip()
    if decision is Decision.ACCEPTED:
        return None
    if not text:
        raise InvalidInput.single("reason", "say why the proposal is declined")
    if len(text) > MAX_REASON_LENGTH:
        raise InvalidInput.single(
            "reason", f"is {len(text)} characters long; at most {MAX_REASON_LENGTH} are allowed"
        )
    return text


def decide_as_party(
    unit_of_work: UnitOfWorkFactory,
    reader: Principal,
    proposal_id: int,
    decision: Decision,
    reason: str | None,
    now: datetime,
    side: Side | None = None,
) -> ProposalRecord:
    """Accept or decline (saying why) the proposal for the reader's side, with the same rules
    as services.matching.decide_proposal, and its audit events in the same transaction. When
    this completes both acceptances and a party asked for contact before, the synergy opens."""
    with unit_of_work() as uow:
        record, stream, need = _load(uow, reader, proposal_id)
        chosen = _choose_side(_sides(reader, stream, need), side, "decide")
        text = _check_reason(decision, reason)
        was_accepted = record.status is ProposalStatus.ACCEPTED
        saved = uow.proposals.save(record.decide(chosen, decision, text, stream, need, now))
        detail = f"{chosen.value} side {decision.value}" + (f": {text}" if text else "")
        audit(uow, reader, AuditAction.CHANGED, EntityKind.PROPOSAL, proposal_id, now, detail)
        revealed = saved.status is ProposalStatus.ACCEPTED and not was_accepted
        if revealed:
            audit(
                uow,
                reader,
                AuditAction.REVEALED,
                EntityKind.PROPOSAL,
                proposal_id,
                now,
                "both parties accepted: each is now shown the other's names and listing "
                "(costs stay hidden)",
            )
        wished = revealed and bool(_contact_wishes(uow, proposal_id).get(proposal_id))
        opened = wished and uow.synergies.get_by_proposal(proposal_id) is None
        uow.commit()
    if opened:
        _open_once(unit_of_work, proposal_id, reader, now, "a party asked for contact")
    return saved


def _open_once(
    unit_of_work: UnitOfWorkFactory,
    proposal_id: int,
    reader: Principal,
    now: datetime,
    note: str | None,
) -> Synergy:
    """Open the proposal's synergy, or the one opened meanwhile."""
    try:
        return open_synergy(unit_of_work, proposal_id, reader, now, note)
    except Conflict:
        with unit_of_work() as uow:
            existing = uow.synergies.get_by_proposal(proposal_id)
        if existing is None:
            raise
        return existing


def ask_for_contact(
    unit_of_work: UnitOfWorkFactory,
    reader: Principal,
    proposal_id: int,
    now: datetime,
    side: Side | None = None,
    note: str | None = None,
) -> ContactOutcome:
    """A party asks to be put in contact with the other: the synergy opens at once when both
    have accepted (or a facilitator asks); before that the wish is kept, and the synergy opens
    when the second acceptance comes. Nothing opens from a declined proposal."""
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        raise InvalidInput.single(
            "note", f"is {len(note)} characters long; at most {MAX_NOTE_LENGTH} are allowed"
        )
    with unit_of_work() as uow:
        record, stream, need = _load(uow, reader, proposal_id)
        sides = _sides(reader, stream, need)
        chosen: Side | None = None  # a facilitator outside both parties asks for none
        if sides or not reader.oversees_registry:
            chosen = _choose_side(sides, side, "ask for contact")
        wishes = _contact_wishes(uow, proposal_id).get(proposal_id, set())
        existing = uow.synergies.get_by_proposal(proposal_id)
        if existing is not None:
            return ContactOutcome(existing, tuple(s for s in Side if s in wishes))
        if record.status is ProposalStatus.DECLINED:
            raise Conflict("proposal: it was declined; nobody is put in contact on it")
        opens = record.status is ProposalStatus.ACCEPTED or reader.oversees_registry
        if not opens and chosen is not None and chosen not in wishes:
            audit(
                uow,
                reader,
                AuditAction.CREATED,
                CONTACT_WISH_KINDS[chosen],
                proposal_id,
                now,
                f"the {chosen.value} side asks for contact once both parties accept"
                + (f": {note}" if note else ""),
            )
            wishes = wishes | {chosen}
            uow.commit()
    asked_by = tuple(s for s in Side if s in wishes)
    if not opens:
        return ContactOutcome(None, asked_by)
    return ContactOutcome(_open_once(unit_of_work, proposal_id, reader, now, note), asked_by)
