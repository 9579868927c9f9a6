"""Proposals as each party sees them on the matched demo region, on SQLite and PostgreSQL: the
double opt-in (anonymous until both accept, names after, costs never), who may see and decide,
the audit trail, and asking for contact."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import pytest

from sidestream.adapters.datasets.demo import load_demo_tables
from sidestream.bootstrap.container import Container
from sidestream.domain.access import Access
from sidestream.domain.accounts import AuditAction, AuditFilter, Principal
from sidestream.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from sidestream.domain.proposals import Decision, ProposalStatus, Side
from sidestream.domain.streams import Need, SideStream
from sidestream.domain.synergies import Stage
from sidestream.domain.visibility import exact_quantity
from sidestream.services.accounts import read_audit_log
from sidestream.services.demo import build_demo_region
from sidestream.services.matching import run_matching
from sidestream.services.proposal_views import (
    ProposalView,
    ask_for_contact,
    decide_as_party,
    proposal_inbox,
    proposal_view,
)

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@dataclass
class Pair:
    """A matched proposal between two organisations, the stream with a stated cost."""

    container: Container
    proposal_id: int
    stream: SideStream
    need: Need
    names: dict[int, str]
    producer: Principal
    receiver: Principal
    outsider: Principal
    facilitator: Principal

    def view(self, reader: Principal) -> ProposalView:
        return proposal_view(
            self.container.unit_of_work,
            self.container.reference,
            self.container.knowledge_base,
            reader,
            self.container.today(),
            self.proposal_id,
        )

    def inbox(self, reader: Principal, status: ProposalStatus | None = None) -> list[ProposalView]:
        return proposal_inbox(
            self.container.unit_of_work,
            self.container.reference,
            self.container.knowledge_base,
            reader,
            self.container.today(),
            status,
        )

    def decide(
        self,
        reader: Principal,
        decision: Decision,
        reason: str | None = None,
        side: Side | None = None,
    ) -> None:
        decide_as_party(
            self.container.unit_of_work, reader, self.proposal_id, decision, reason, NOW, side
        )


@pytest.fixture
def pair(container: Container) -> Pair:
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
        records = uow.proposals.list_all()
        streams = {s.stream_id: s for s in uow.streams.list_all()}
        needs = {n.need_id: n for n in uow.needs.list_all()}
        names = {o.organisation_id: o.name for o in uow.organisations.list_all()}
    record = next(
        r
        for r in records
        if streams[r.proposal.stream_id].organisation_id
        != needs[r.proposal.need_id].organisation_id
        and streams[r.proposal.stream_id].management_cost_eur_per_unit
        and needs[r.proposal.need_id].quantity.amount
        < streams[r.proposal.stream_id].quantity.amount
    )
    stream, need = streams[record.proposal.stream_id], needs[record.proposal.need_id]
    third = next(o for o in names if o not in (stream.organisation_id, need.organisation_id) and o)
    assert record.proposal_id is not None
    return Pair(
        container,
        record.proposal_id,
        stream,
        need,
        {k: v for k, v in names.items() if k is not None},
        Principal(11, organisation_ids=frozenset({stream.organisation_id})),
        Principal(12, organisation_ids=frozenset({need.organisation_id})),
        Principal(13, organisation_ids=frozenset({third})),
        Principal(14, is_facilitator=True),
    )


def _texts(view: ProposalView) -> str:
    explanation = view.explanation
    return "\n".join(
        [
            *explanation.reasons,
            *(f.sentence for f in explanation.factors),
            *explanation.benefit,
            *explanation.trace,
        ]
    )


def test_before_both_accept_each_party_sees_the_other_anonymously(pair: Pair) -> None:
    producer_name = pair.names[pair.stream.organisation_id]
    receiver_name = pair.names[pair.need.organisation_id]
    cost = pair.stream.management_cost_eur_per_unit

    as_producer = pair.view(pair.producer)
    assert as_producer.your_side is Side.STREAM
    assert as_producer.status is ProposalStatus.PROPOSED
    assert (as_producer.your_decision, as_producer.other_decision) == ("pending", "pending")
    assert as_producer.your_listing is as_producer.stream
    assert as_producer.stream.access is Access.FULL
    counterpart = as_producer.counterpart
    assert counterpart is not None and counterpart.access is Access.ANONYMOUS
    assert counterpart.organisation_name is None and counterpart.site_name is None
    assert counterpart.quantity != exact_quantity(pair.need.quantity)
    assert receiver_name not in repr(as_producer) and pair.need.name not in repr(as_producer)
    assert as_producer.explanation.level is Access.ANONYMOUS
    assert exact_quantity(pair.need.quantity) not in _texts(as_producer)

    as_receiver = pair.view(pair.receiver)
    assert as_receiver.your_side is Side.NEED
    assert as_receiver.counterpart is as_receiver.stream
    assert as_receiver.stream.access is Access.ANONYMOUS
    assert producer_name not in repr(as_receiver) and pair.stream.name not in repr(as_receiver)
    assert as_receiver.stream.cost_eur_per_unit is None
    assert f"{cost:g} EUR" not in _texts(as_receiver)
    assert exact_quantity(pair.stream.quantity) not in _texts(as_receiver)
    assert as_receiver.explanation.trace == ()


def test_after_both_accept_names_show_and_costs_never(pair: Pair) -> None:
    cost = pair.stream.management_cost_eur_per_unit
    pair.decide(pair.producer, Decision.ACCEPTED)
    halfway = pair.view(pair.receiver)
    assert halfway.other_decision == "accepted" and halfway.your_decision == "pending"
    assert halfway.stream.organisation_name is None  # one acceptance is not enough

    pair.decide(pair.receiver, Decision.ACCEPTED)
    as_receiver = pair.view(pair.receiver)
    as_producer = pair.view(pair.producer)
    assert as_receiver.status is ProposalStatus.ACCEPTED
    assert as_receiver.stream.organisation_name == pair.names[pair.stream.organisation_id]
    assert as_receiver.stream.title == pair.stream.name
    assert as_producer.need.organisation_name == pair.names[pair.need.organisation_id]
    assert as_receiver.stream.access is Access.PUBLIC
    assert as_receiver.stream.cost_eur_per_unit is None
    assert "cost_eur_per_unit" not in as_receiver.stream.as_record()
    assert as_receiver.explanation.level is Access.PUBLIC
    assert f"{cost:g} EUR" not in _texts(as_receiver)
    assert exact_quantity(pair.need.quantity).split()[0] in _texts(as_producer)
    assert as_receiver.explanation.trace == ()

    events = read_audit_log(
        pair.container.unit_of_work,
        pair.facilitator,
        AuditFilter(entity_kind="proposal", entity_id=pair.proposal_id),
    )
    assert [e.action for e in events] == [
        AuditAction.REVEALED,
        AuditAction.CHANGED,
        AuditAction.CHANGED,
    ]
    assert events[1].detail == "need side accepted" and events[1].actor_user_id == 12


def test_a_third_organisation_does_not_learn_the_proposal_exists(pair: Pair) -> None:
    with pytest.raises(NotFound):
        pair.view(pair.outsider)
    assert pair.proposal_id not in {v.proposal_id for v in pair.inbox(pair.outsider)}
    with pytest.raises(NotFound):
        pair.decide(pair.outsider, Decision.ACCEPTED)
    with pytest.raises(NotFound):
        ask_for_contact(pair.container.unit_of_work, pair.outsider, pair.proposal_id, NOW)
    with pytest.raises(NotFound):
        pair.view(Principal(15))  # signed in, a member of no organisation
    with pytest.raises(Forbidden):
        pair.inbox(Principal.anonymous())
    inbox = pair.inbox(pair.producer)
    assert inbox and all(v.sides for v in inbox)  # a party to each, on one side or other


def test_facilitators_see_everything_but_do_not_decide_for_a_party(pair: Pair) -> None:
    with pair.container.unit_of_work() as uow:
        records = {r.proposal_id: r for r in uow.proposals.list_all()}
    inbox = pair.inbox(pair.facilitator)
    assert {v.proposal_id for v in inbox} == set(records)
    seen = next(v for v in inbox if v.proposal_id == pair.proposal_id)
    assert seen.your_side is None and seen.sides == ()
    assert seen.stream.access is Access.FULL and seen.need.access is Access.FULL
    assert seen.stream.cost_eur_per_unit == pair.stream.management_cost_eur_per_unit
    stored = records[pair.proposal_id].proposal
    assert seen.explanation.trace == stored.benefit.trace
    assert seen.explanation.reasons == stored.reasons
    with pytest.raises(Forbidden, match="facilitators do not decide"):
        pair.decide(pair.facilitator, Decision.ACCEPTED)


def test_a_decline_needs_a_reason_and_both_parties_read_it(pair: Pair) -> None:
    for blank in (None, "", "   "):
        with pytest.raises(InvalidInput) as refused:
            pair.decide(pair.receiver, Decision.DECLINED, blank)
        assert refused.value.errors[0].field == "reason"
    assert pair.view(pair.receiver).your_decision == "pending"  # nothing stored
    pair.decide(pair.receiver, Decision.DECLINED, "  our kiln cannot take the moisture ")
    for reader in (pair.producer, pair.receiver, pair.facilitator):
        view = pair.view(reader)
        assert view.status is ProposalStatus.DECLINED
        assert view.decline_reason == "our kiln cannot take the moisture"
        assert not view.may_ask_for_contact
    assert pair.view(pair.producer).other_decision == "declined"
    assert [v.proposal_id for v in pair.inbox(pair.producer, ProposalStatus.DECLINED)] == [
        pair.proposal_id
    ]
    with pytest.raises(Conflict):
        ask_for_contact(pair.container.unit_of_work, pair.producer, pair.proposal_id, NOW)


def test_a_member_of_both_parties_names_the_side(pair: Pair) -> None:
    both = Principal(
        16, organisation_ids=frozenset({pair.stream.organisation_id, pair.need.organisation_id})
    )
    view = pair.view(both)
    assert view.sides == (Side.STREAM, Side.NEED) and view.your_side is None
    assert view.explanation.level is Access.FULL  # both listings are its own
    with pytest.raises(InvalidInput) as refused:
        pair.decide(both, Decision.ACCEPTED)
    assert refused.value.errors[0].field == "side"
    pair.decide(both, Decision.ACCEPTED, side=Side.NEED)
    assert pair.view(pair.producer).other_decision == "accepted"
    with pytest.raises(Forbidden):
        pair.decide(pair.producer, Decision.ACCEPTED, side=Side.NEED)


def test_contact_asked_before_acceptance_opens_the_synergy_when_both_accept(pair: Pair) -> None:
    uow = pair.container.unit_of_work
    early = ask_for_contact(uow, pair.producer, pair.proposal_id, NOW)
    assert early.synergy is None and early.asked_by == (Side.STREAM,)
    assert pair.view(pair.receiver).contact_asked_by == (Side.STREAM,)
    pair.decide(pair.producer, Decision.ACCEPTED)
    assert pair.view(pair.producer).synergy_id is None
    pair.decide(pair.receiver, Decision.ACCEPTED)
    opened = pair.view(pair.receiver)
    assert opened.synergy_id is not None and opened.synergy_stage is Stage.PROPOSED
    again = ask_for_contact(uow, pair.receiver, pair.proposal_id, NOW)
    assert again.synergy is not None and again.synergy.synergy_id == opened.synergy_id
    assert asdict(again.synergy)["stage"] is Stage.PROPOSED
