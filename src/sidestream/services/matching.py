"""Use cases of the matcher: match the whole registry, match one new or changed listing, and
record a party's decision on a proposal (which teaches later scores)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from sidestream.domain.errors import InvalidInput, NotFound
from sidestream.domain.matching import (
    DEFAULT_TOP_K,
    BestPartners,
    ExplanationContext,
    MatchingKnowledge,
    MatchingVocabulary,
    ModelColumns,
    NeedColumns,
    Proposal,
    Rejection,
    StreamColumns,
    evaluate_listing_pair,
    match_all,
    match_one_need,
    match_one_stream,
    need_columns,
    rejection_reasons,
    stream_columns,
    why_not_evaluable,
)
from sidestream.domain.organisations import Site
from sidestream.domain.proposals import (
    Decision,
    ProposalRecord,
    Side,
    outcome_counts,
    standing_declines,
)
from sidestream.domain.reference import ReferenceData
from sidestream.domain.regulation import LabResult
from sidestream.domain.regulatory_path import RegulatoryKnowledge, screen_streams_for_routes
from sidestream.domain.routes import KnowledgeBase
from sidestream.domain.streams import Need, SideStream
from sidestream.services.ports import ProgressCallback, UnitOfWork, UnitOfWorkFactory, no_progress

MAX_TOP_K = 200


@dataclass(frozen=True)
class UnmatchedListing:
    """A listing without any proposal, and the commonest reasons why."""

    kind: str  # "stream" or "need"
    listing_id: int
    name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class MatchingReport:
    streams: int
    needs: int
    proposals: int
    created: int
    updated: int
    removed: int  # undecided proposals no longer in anyone's best list
    unmatched: tuple[UnmatchedListing, ...]
    not_evaluated: tuple[UnmatchedListing, ...]  # stored listings the matcher cannot read


@dataclass
class _Registry:
    """The registry as the matcher reads it, in one snapshot."""

    sites: dict[int, Site]
    streams: list[SideStream]
    needs: list[Need]
    records: list[ProposalRecord]
    lab_results: dict[int, list[LabResult]]  # by stream; empty when screening is not asked

    @property
    def streams_by_id(self) -> dict[int, SideStream]:
        return {s.stream_id: s for s in self.streams if s.stream_id is not None}

    @property
    def needs_by_id(self) -> dict[int, Need]:
        return {n.need_id: n for n in self.needs if n.need_id is not None}


ALL_STREAMS = -1  # _read_registry: the lab results of every stream


def _read_registry(unit_of_work: UnitOfWorkFactory, lab_results_of: int | None) -> _Registry:
    """The registry, with the lab results of one stream, of every stream (ALL_STREAMS), or of
    none (None: screening not asked)."""
    with unit_of_work() as uow:
        sites = {
            site.site_id: site
            for organisation in uow.organisations.list_all()
            for site in organisation.sites
            if site.site_id is not None
        }
        return _Registry(
            sites,
            uow.streams.list_all(),
            uow.needs.list_all(),
            uow.proposals.list_all(),
            _lab_results(uow, lab_results_of),
        )


def _lab_results(uow: UnitOfWork, of: int | None) -> dict[int, list[LabResult]]:
    if of is None:
        return {}
    if of == ALL_STREAMS:
        return uow.lab_results.by_stream()
    return {of: uow.lab_results.for_stream(of)}


def _set_aside_unevaluable(
    registry: _Registry, vocabulary: MatchingVocabulary
) -> tuple[UnmatchedListing, ...]:
    """Keep in the registry only what the matcher can evaluate; say why about the rest."""
    set_aside = []
    streams, needs = [], []
    for stream in registry.streams:
        why = why_not_evaluable(stream, registry.sites, vocabulary)
        if why is None:
            streams.append(stream)
        else:
            assert stream.stream_id is not None
            set_aside.append(UnmatchedListing("stream", stream.stream_id, stream.name, (why,)))
    for need in registry.needs:
        why = why_not_evaluable(need, registry.sites, vocabulary)
        if why is None:
            needs.append(need)
        else:
            assert need.need_id is not None
            set_aside.append(UnmatchedListing("need", need.need_id, need.name, (why,)))
    registry.streams, registry.needs = streams, needs
    return tuple(set_aside)


def _knowledge(
    registry: _Registry,
    reference: ReferenceData,
    base: KnowledgeBase,
    regulatory: RegulatoryKnowledge | None,
) -> MatchingKnowledge:
    streams, needs = registry.streams_by_id, registry.needs_by_id
    screenings = (
        screen_streams_for_routes(registry.streams, registry.lab_results, base.routes, regulatory)
        if regulatory is not None
        else {}
    )
    return MatchingKnowledge(
        vocabulary=MatchingVocabulary.from_reference(reference),
        base=base,
        outcomes=outcome_counts(registry.records, streams, needs),
        declined_pairs=standing_declines(registry.records, streams, needs),
        screenings=screenings,
    )


def _check_top_k(top_k: int) -> None:
    if not 1 <= top_k <= MAX_TOP_K:
        raise InvalidInput.single("top_k", f"{top_k} is not between 1 and {MAX_TOP_K}")


def run_matching(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    base: KnowledgeBase,
    today: date,
    top_k: int = DEFAULT_TOP_K,
    progress: ProgressCallback = no_progress,
    regulatory: RegulatoryKnowledge | None = None,
) -> MatchingReport:
    """Propose, for every listing, its best partners; keep every decided proposal. With the
    regulatory knowledge, streams whose lab results exceed the limits of a use rank lower.

    The registry is read in one transaction, matched without holding it, and the proposals
    are written in a second, short one."""
    _check_top_k(top_k)
    registry = _read_registry(unit_of_work, ALL_STREAMS if regulatory is not None else None)
    not_evaluated = _set_aside_unevaluable(registry, MatchingVocabulary.from_reference(reference))
    knowledge = _knowledge(registry, reference, base, regulatory)
    context = ExplanationContext(reference, knowledge)
    s = stream_columns(registry.streams, registry.sites, knowledge)
    n = need_columns(registry.needs, registry.sites, knowledge)
    model = knowledge.model_columns()
    result = match_all(s, n, model, today, top_k, progress)
    proposals = []
    for i, j in sorted(result.pair_rows()):
        evaluated = _verdict(registry, registry.streams[i], registry.needs[j], context, today)
        if isinstance(evaluated, Proposal):  # the same kernel decided both: always a proposal
            proposals.append(evaluated)
    proposed_ids = {p.stream_id for p in proposals}, {p.need_id for p in proposals}
    unmatched = _unmatched(registry, (s, n), model, proposed_ids, reference, today)
    created, updated, removed = _store(unit_of_work, registry.records, proposals)
    return MatchingReport(
        streams=len(registry.streams),
        needs=len(registry.needs),
        proposals=len(proposals),
        created=created,
        updated=updated,
        removed=removed,
        unmatched=unmatched,
        not_evaluated=not_evaluated,
    )


def _store(
    unit_of_work: UnitOfWorkFactory, known: list[ProposalRecord], proposals: list[Proposal]
) -> tuple[int, int, int]:
    """Insert new proposals, refresh changed ones, withdraw undecided ones not proposed now."""
    by_pair = {record.pair: record for record in known}
    fresh = {(p.stream_id, p.need_id) for p in proposals}
    created = updated = 0
    with unit_of_work() as uow:
        for proposal in proposals:
            record = by_pair.get((proposal.stream_id, proposal.need_id))
            if record is None:
                uow.proposals.save(ProposalRecord(proposal))
                created += 1
            elif record.proposal != proposal:
                record.proposal = proposal
                uow.proposals.save(record)
                updated += 1
        stale = [
            record.proposal_id
            for record in known
            if record.is_undecided and record.pair not in fresh and record.proposal_id is not None
        ]
        removed = uow.proposals.delete(stale)
        uow.commit()
    return created, updated, removed


def _unmatched(
    registry: _Registry,
    columns: tuple[StreamColumns, NeedColumns],
    model: ModelColumns,
    proposed: tuple[set[int], set[int]],
    reference: ReferenceData,
    today: date,
    reasons_shown: int = 3,
) -> tuple[UnmatchedListing, ...]:
    """Every listing without a proposal, with the commonest reasons among its candidates."""
    s, n = columns
    proposed_streams, proposed_needs = proposed
    found = []
    for row, stream in enumerate(registry.streams):
        if stream.stream_id in proposed_streams:
            continue
        why = rejection_reasons(s, n, model, today, stream_row=row)
        material = reference.material_classes[stream.material_class_code].name.lower()
        reasons = _top(why, reasons_shown) or (f"no need accepts {material}",)
        assert stream.stream_id is not None
        found.append(UnmatchedListing("stream", stream.stream_id, stream.name, reasons))
    for row, need in enumerate(registry.needs):
        if need.need_id in proposed_needs:
            continue
        why = rejection_reasons(s, n, model, today, need_row=row)
        reasons = _top(why, reasons_shown) or ("no stream offers a material the need accepts",)
        assert need.need_id is not None
        found.append(UnmatchedListing("need", need.need_id, need.name, reasons))
    return tuple(found)


def _verdict(
    registry: _Registry, stream: SideStream, need: Need, context: ExplanationContext, today: date
) -> Proposal | Rejection:
    return evaluate_listing_pair(
        stream, need, registry.sites[stream.site_id], registry.sites[need.site_id], context, today
    )


def _top(reasons: dict[str, int], count: int) -> tuple[str, ...]:
    ranked = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))[:count]
    return tuple(f"{reason} ({times}×)" for reason, times in ranked)


def match_listing(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    base: KnowledgeBase,
    today: date,
    *,
    stream_id: int | None = None,
    need_id: int | None = None,
    top_k: int = DEFAULT_TOP_K,
    regulatory: RegulatoryKnowledge | None = None,
) -> list[Proposal]:
    """Match one new or changed listing against all opposing ones, without recomputing all.

    Its undecided proposals are replaced by its k best; it also joins the lists of opposing
    listings it now beats. Lists it pushes someone out of are tidied by the next full run."""
    _check_top_k(top_k)
    if (stream_id is None) == (need_id is None):
        raise InvalidInput.single("listing", "name exactly one stream or one need")
    # A stream's proposals need only its own screening; a need's, every candidate stream's.
    screened = stream_id if stream_id is not None else ALL_STREAMS
    registry = _read_registry(unit_of_work, screened if regulatory is not None else None)
    not_evaluated = _set_aside_unevaluable(registry, MatchingVocabulary.from_reference(reference))
    named = [
        item
        for item in not_evaluated
        if (item.kind, item.listing_id) in (("stream", stream_id), ("need", need_id))
    ]
    if named:
        raise InvalidInput.single("listing", f"cannot be matched: {named[0].reasons[0]}")
    knowledge = _knowledge(registry, reference, base, regulatory)
    context = ExplanationContext(reference, knowledge)
    model = knowledge.model_columns()
    s = stream_columns(registry.streams, registry.sites, knowledge)
    n = need_columns(registry.needs, registry.sites, knowledge)
    if stream_id is not None:
        row = _row_of(s, stream_id, "side stream")
        best = match_one_stream(row, s, n, model, today, len(registry.needs) or 1)
        partners = [(row, int(j), float(score)) for j, score in _ranked(best)]
        kth = _kth_scores(registry.records, top_k, by_need=True)
        chosen = [
            p
            for rank, p in enumerate(partners)
            if rank < top_k or p[2] > kth.get(int(n.ids[p[1]]), -1.0)
        ]
    else:
        assert need_id is not None
        row = _row_of(n, need_id, "need")
        best = match_one_need(row, s, n, model, today, len(registry.streams) or 1)
        partners = [(int(i), row, float(score)) for i, score in _ranked(best)]
        kth = _kth_scores(registry.records, top_k, by_need=False)
        chosen = [
            p
            for rank, p in enumerate(partners)
            if rank < top_k or p[2] > kth.get(int(s.ids[p[0]]), -1.0)
        ]
    proposals = []
    for i, j, _ in chosen:
        evaluated = _verdict(registry, registry.streams[i], registry.needs[j], context, today)
        if isinstance(evaluated, Proposal):
            proposals.append(evaluated)
    own = [
        record
        for record in registry.records
        if record.proposal.stream_id == stream_id or record.proposal.need_id == need_id
    ]
    _store(unit_of_work, own, proposals)
    return proposals


def _row_of(columns: StreamColumns | NeedColumns, listing_id: int, kind: str) -> int:
    rows = np.flatnonzero(columns.ids == listing_id)
    if rows.size == 0:
        raise NotFound(kind, listing_id)
    return int(rows[0])


def _ranked(best: BestPartners) -> list[tuple[int, float]]:
    """(partner row, score) of a one-listing result, best first."""
    pairs = zip(best.partner_rows[0], best.scores[0], strict=True)
    return [(int(row), float(score)) for row, score in pairs if row >= 0]


def _kth_scores(records: list[ProposalRecord], top_k: int, by_need: bool) -> dict[int, float]:
    """The k-th best stored score of each opposing listing (-1 while it has fewer than k)."""
    scores: dict[int, list[float]] = {}
    for record in records:
        key = record.proposal.need_id if by_need else record.proposal.stream_id
        scores.setdefault(key, []).append(record.proposal.score)
    return {
        key: sorted(values, reverse=True)[top_k - 1] if len(values) >= top_k else -1.0
        for key, values in scores.items()
    }


def decide_proposal(
    unit_of_work: UnitOfWorkFactory,
    proposal_id: int,
    side: Side,
    decision: Decision,
    now: datetime,
    reason: str | None = None,
) -> ProposalRecord:
    """Record one party's acceptance or decline (a decline needs a reason)."""
    if decision is Decision.DECLINED and not (reason and reason.strip()):
        raise InvalidInput.single("reason", "say why the proposal is declined")
    with unit_of_work() as uow:
        record = uow.proposals.get(proposal_id)
        if record is None:
            raise NotFound("proposal", proposal_id)
        stream = uow.streams.get(record.proposal.stream_id)
        need = uow.needs.get(record.proposal.need_id)
        if stream is None or need is None:
            raise NotFound("proposal", proposal_id)
        saved = uow.proposals.save(record.decide(side, decision, reason, stream, need, now))
        uow.commit()
    return saved
