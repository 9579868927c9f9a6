"""/api/v1: proposals, as the person asking may see them, and the parties' decisions.

Everything a response holds comes from services.proposal_views, which has already cut each
listing and the explanation to what the reader may see (domain.access, domain.disclosure):
these handlers only copy it into JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Query
from pydantic import BaseModel, Field

from sidestream.domain.disclosure import Explanation, Span
from sidestream.domain.proposals import Decision, ProposalStatus, Side
from sidestream.domain.synergies import Stage
from sidestream.domain.visibility import ListingView
from sidestream.entrypoints.api.schemas import RegulatoryPathRead
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.entrypoints.http.security import Visitor
from sidestream.services.proposal_views import (
    ProposalView,
    ask_for_contact,
    decide_as_party,
    proposal_inbox,
    proposal_view,
)
from sidestream.services.regulatory_paths import path_record

router = APIRouter(tags=["proposals"])


class SpanRead(BaseModel):
    """A figure known exactly (low equals high) or only within bounds (high null: open)."""

    low: float
    high: float | None


class ScoreFactorRead(BaseModel):
    factor: str = Field(description="distance, quantity, evidence, months or learning")
    value: float = Field(description="The fit, 0..1 (learning: the multiplier)")
    weight: float
    sentence: str


class ExplanationRead(BaseModel):
    level: str = Field(description="What you see of the other party: anonymous, public or full")
    reasons: list[str]
    factors: list[ScoreFactorRead]
    benefit: list[str] = Field(description="The estimate in lines a person can check")
    basis: str = Field(description="t, MWh or m3")
    amount: SpanRead
    eur_per_yr: SpanRead | None = Field(description="See eur_meaning; null when unknown")
    eur_meaning: str
    avoided_co2e_t_per_yr: SpanRead | None
    transport_co2e_t_per_yr: SpanRead
    trace: list[str] = Field(description="The matcher's own trace: full access only")


class ProposalListingRead(BaseModel):
    """A stream or need at the level you may see it. Fields only full access fills
    (cost_eur_per_unit, visibility) are left out below it."""

    kind: str
    listing_id: int
    access: str = Field(description="anonymous, public or full")
    title: str
    material: str
    ewc_code: str | None
    is_hazardous: bool
    quantity: str
    municipality_code: str | None
    valid_until: str
    organisation_name: str | None
    site_name: str | None
    description: str | None
    price_eur_per_unit: float | None
    cost_eur_per_unit: float | None = None
    visibility: str | None = None


class ProposalRead(BaseModel):
    proposal_id: int
    status: ProposalStatus
    your_side: Side | None = Field(description="null: a facilitator, or a member of both sides")
    sides: list[Side] = Field(description="The sides whose organisation you are a member of")
    your_decision: str | None = Field(description="accepted, declined or pending")
    other_decision: str | None
    stream_decision: str
    need_decision: str
    decline_reason: str | None = Field(description="Shown to both parties once declined")
    score: float
    distance_km: float
    transport_mode: str
    stream: ProposalListingRead
    need: ProposalListingRead
    explanation: ExplanationRead
    contact_asked_by: list[Side]
    synergy_id: int | None
    synergy_stage: Stage | None
    is_current: bool = Field(description="Neither listing has expired")
    updated_at: datetime | None
    regulatory_path: RegulatoryPathRead | None = Field(
        default=None,
        description="The use's regulatory path: the stream's records and screening for those "
        "who may see the stream, else only what the use asks; null without a route",
    )


class AcceptCreate(BaseModel):
    side: Side | None = Field(default=None, description="Needed when you are on both sides")


class DeclineCreate(BaseModel):
    reason: str | None = Field(default=None, description="Why; required, shown to both parties")
    side: Side | None = Field(default=None, description="Needed when you are on both sides")


class ContactCreate(BaseModel):
    side: Side | None = Field(default=None, description="Needed when you are on both sides")
    note: str | None = None


class ContactRead(BaseModel):
    synergy_id: int | None = Field(description="The synergy opened, or null: wish kept")
    synergy_stage: Stage | None
    asked_by: list[Side]


def _span(span: Span | None) -> SpanRead | None:
    return None if span is None else SpanRead(low=span.low, high=span.high)


def _explanation(explanation: Explanation) -> ExplanationRead:
    transport = _span(explanation.transport_co2e_t_per_yr)
    amount = _span(explanation.amount)
    assert transport is not None and amount is not None
    return ExplanationRead(
        level=explanation.level.name.lower(),
        reasons=list(explanation.reasons),
        factors=[
            ScoreFactorRead(factor=f.factor, value=f.value, weight=f.weight, sentence=f.sentence)
            for f in explanation.factors
        ],
        benefit=list(explanation.benefit),
        basis=explanation.basis,
        amount=amount,
        eur_per_yr=_span(explanation.eur_per_yr),
        eur_meaning=explanation.eur_meaning,
        avoided_co2e_t_per_yr=_span(explanation.avoided_co2e_t_per_yr),
        transport_co2e_t_per_yr=transport,
        trace=list(explanation.trace),
    )


def _listing(view: ListingView) -> ProposalListingRead:
    return ProposalListingRead.model_validate(view.as_record())


def proposal_read(view: ProposalView) -> ProposalRead:
    return ProposalRead(
        proposal_id=view.proposal_id,
        status=view.status,
        your_side=view.your_side,
        sides=list(view.sides),
        your_decision=view.your_decision,
        other_decision=view.other_decision,
        stream_decision=view.stream_decision,
        need_decision=view.need_decision,
        decline_reason=view.decline_reason,
        score=view.score,
        distance_km=view.explanation.distance_km,
        transport_mode=view.transport_mode,
        stream=_listing(view.stream),
        need=_listing(view.need),
        explanation=_explanation(view.explanation),
        contact_asked_by=list(view.contact_asked_by),
        synergy_id=view.synergy_id,
        synergy_stage=view.synergy_stage,
        is_current=view.is_current,
        updated_at=view.updated_at,
        regulatory_path=(
            None
            if view.regulatory_path is None
            else RegulatoryPathRead.model_validate(path_record(view.regulatory_path))
        ),
    )


def _signed_in(visitor: Visitor) -> None:
    if visitor.principal.is_anonymous:
        raise HTTPException(
            401,
            "sign in, or send an API token, to see proposals",
            headers={"WWW-Authenticate": "Bearer"},
        )


def _view(container: AppContainer, visitor: Visitor, proposal_id: int) -> ProposalRead:
    return proposal_read(
        proposal_view(
            container.unit_of_work,
            container.reference,
            container.knowledge_base,
            visitor.principal,
            container.today(),
            proposal_id,
            regulatory=container.regulatory_knowledge,
        )
    )


@router.get("/proposals", response_model=list[ProposalRead], response_model_exclude_unset=True)
def list_proposals(
    container: AppContainer,
    visitor: CurrentVisitor,
    status: Annotated[ProposalStatus | None, Query()] = None,
) -> list[ProposalRead]:
    """The proposals you are a party to (all of them for facilitators), open ones first."""
    _signed_in(visitor)
    views = proposal_inbox(
        container.unit_of_work,
        container.reference,
        container.knowledge_base,
        visitor.principal,
        container.today(),
        status,
    )
    return [proposal_read(view) for view in views]


@router.get(
    "/proposals/{proposal_id}", response_model=ProposalRead, response_model_exclude_unset=True
)
def get_proposal(
    proposal_id: int, container: AppContainer, visitor: CurrentVisitor
) -> ProposalRead:
    """One proposal; 404 unless you are a member of a party or a facilitator."""
    _signed_in(visitor)
    return _view(container, visitor, proposal_id)


@router.post(
    "/proposals/{proposal_id}/accept",
    response_model=ProposalRead,
    response_model_exclude_unset=True,
)
def accept_proposal(
    proposal_id: int,
    container: AppContainer,
    visitor: CurrentVisitor,
    body: Annotated[AcceptCreate | None, Body()] = None,
) -> ProposalRead:
    """Accept for your side. Once both sides accept, each sees the other's names."""
    _signed_in(visitor)
    decide_as_party(
        container.unit_of_work,
        visitor.principal,
        proposal_id,
        Decision.ACCEPTED,
        None,
        container.clock.now(),
        body.side if body else None,
    )
    return _view(container, visitor, proposal_id)


@router.post(
    "/proposals/{proposal_id}/decline",
    response_model=ProposalRead,
    response_model_exclude_unset=True,
)
def decline_proposal(
    proposal_id: int,
    container: AppContainer,
    visitor: CurrentVisitor,
    body: Annotated[DeclineCreate | None, Body()] = None,
) -> ProposalRead:
    """Decline for your side, saying why (`reason`); both parties read the reason."""
    _signed_in(visitor)
    decide_as_party(
        container.unit_of_work,
        visitor.principal,
        proposal_id,
        Decision.DECLINED,
        body.reason if body else None,
        container.clock.now(),
        body.side if body else None,
    )
    return _view(container, visitor, proposal_id)


@router.post("/proposals/{proposal_id}/contact", response_model=ContactRead)
def contact_proposal(
    proposal_id: int,
    container: AppContainer,
    visitor: CurrentVisitor,
    body: Annotated[ContactCreate | None, Body()] = None,
) -> ContactRead:
    """Ask to be put in contact: the synergy opens once both sides have accepted; before
    that the wish is kept and the synergy opens with the second acceptance."""
    _signed_in(visitor)
    outcome = ask_for_contact(
        container.unit_of_work,
        visitor.principal,
        proposal_id,
        container.clock.now(),
        body.side if body else None,
        body.note if body else None,
    )
    synergy = outcome.synergy
    return ContactRead(
        synergy_id=synergy.synergy_id if synergy else None,
        synergy_stage=synergy.stage if synergy else None,
        asked_by=list(outcome.asked_by),
    )
