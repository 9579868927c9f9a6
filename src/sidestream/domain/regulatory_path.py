"""A use's regulatory path, and how far a stream has come along it.

The knowledge base states, per valorisation route, what the law asks before the use can
happen (an environmental permit, a MARA notification, a by-product or end-of-waste status,
REACH registration, ...) and which rule sets of limit values apply to it. A stream's path for
a route is then one step per requirement, met or still to do, judged from the stream's
regulatory status records, and one screening step: the stream's lab results against the
route's rule sets.

A route's rule sets are alternatives: a MARA use may be built as a covered or as a paved
structure, so the screening is as good as the best of them. A requirement cell may also name
alternatives ("a by-product status, or else the receiver's environmental permit").

Like screening, the path is decision support, not a legal opinion.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sidestream.domain.phrases import either, phrase
from sidestream.domain.regulation import (
    LabResult,
    RegulationData,
    RegulatoryStatus,
    Screening,
    StatusRecord,
    Verdict,
    screen,
)
from sidestream.domain.routes import ValorisationRoute
from sidestream.domain.streams import SideStream


class Holder(StrEnum):
    """Who holds a permit, decision or registration."""

    PRODUCER = "producer"
    RECEIVER = "receiver"
    EITHER = "either"


@dataclass(frozen=True)
class RequirementKind:
    """One kind of legal requirement, with the text that sets it."""

    code: str
    name: str
    legal_source: str
    source_locator: str
    holder: Holder
    per_use: bool  # False: holds for the stream whatever its use (a REACH registration)
    fulfilled_by_status: RegulatoryStatus | None  # a status that meets it by itself
    is_verified: bool  # the locator checked against the legal text
    note: str


@dataclass(frozen=True)
class RouteRegulation:
    """What a route's use asks for: each requirement a tuple of alternatives."""

    route_id: str
    requirements: tuple[tuple[str, ...], ...]
    rule_set_ids: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class RegulatoryKnowledge:
    """The kinds of requirement, what each route asks for, and the rule sets they name."""

    kinds: Mapping[str, RequirementKind]
    routes: Mapping[str, RouteRegulation]
    rule_sets: RegulationData

    def of_route(self, route_id: str | None) -> RouteRegulation | None:
        return None if route_id is None else self.routes.get(route_id)


class StepState(StrEnum):
    MET = "met"
    TO_DO = "to_do"  # a requirement no record shows met yet
    LAB_TEST_NEEDED = "lab_test_needed"  # results missing for the route's limits
    EXCEEDS = "exceeds"  # the results exceed the limits of every structure or product type
    WITHIN = "within"
    REQUIRED = "required"  # what the use asks, for a reader who may not see the stream's records


@dataclass(frozen=True)
class PathStep:
    state: StepState
    sentence: str  # a Phrase: pages translate it
    requirements: tuple[RequirementKind, ...] = ()  # the alternatives of a requirement step
    evidence: StatusRecord | None = None  # the record that meets it
    screening: Screening | None = None  # the screening step's best rule set

    @property
    def is_open(self) -> bool:
        return self.state not in (StepState.MET, StepState.WITHIN, StepState.REQUIRED)


@dataclass(frozen=True)
class RegulatoryPath:
    route_id: str
    steps: tuple[PathStep, ...]

    @property
    def screening_step(self) -> PathStep | None:
        return next((step for step in self.steps if step.screening is not None), None)

    @property
    def open_steps(self) -> tuple[PathStep, ...]:
        return tuple(step for step in self.steps if step.is_open)

    @property
    def needs_lab_test(self) -> bool:
        return any(step.state is StepState.LAB_TEST_NEEDED for step in self.steps)

    @property
    def exceeds(self) -> bool:
        return any(step.state is StepState.EXCEEDS for step in self.steps)


# --- judging a stream's records -----------------------------------------------------------------

_BEST_FIRST = (Verdict.WITHIN, Verdict.MISSING, Verdict.EXCEEDS)


def best_screening(screenings: Iterable[Screening]) -> Screening | None:
    """The screening of the alternative that serves the use best: within before missing
    before exceeds; among equals, the one with fewer exceeded limits, exceeded by less, then
    with fewer missing results."""
    return min(
        screenings,
        key=lambda s: (
            _BEST_FIRST.index(s.verdict),
            s.count(Verdict.EXCEEDS),
            _worst_share(s),
            s.count(Verdict.MISSING),
            s.rule_set.rule_set_id,
        ),
        default=None,
    )


def _worst_share(screening: Screening) -> float:
    """The largest multiple of its limit an exceeding result reaches (0 when none exceeds)."""
    return max(
        (p.share_of_limit or 0.0 for p in screening.parameters if p.verdict is Verdict.EXCEEDS),
        default=0.0,
    )


def screen_for_route(
    regulation: RouteRegulation, rule_sets: RegulationData, results: Sequence[LabResult]
) -> tuple[Screening, ...]:
    """The results against each of the route's rule sets (none when it names none)."""
    return tuple(
        screen(rule_sets.rule_sets[rule_set_id], results) for rule_set_id in regulation.rule_set_ids
    )


def screen_streams_for_routes(
    streams: Iterable[SideStream],
    results_by_stream: Mapping[int, Sequence[LabResult]],
    routes: Iterable[ValorisationRoute],
    knowledge: RegulatoryKnowledge,
) -> dict[tuple[int, str], Screening]:
    """(stream_id, route_id) → the best screening of each stream with lab results against
    each route that takes its material and names rule sets, for the matcher."""
    limited = [
        (route, knowledge.routes[route.route_id])
        for route in routes
        if route.route_id in knowledge.routes and knowledge.routes[route.route_id].rule_set_ids
    ]
    found: dict[tuple[int, str], Screening] = {}
    for stream in streams:
        if stream.stream_id is None or not results_by_stream.get(stream.stream_id):
            continue
        results = results_by_stream[stream.stream_id]
        for route, regulation in limited:
            if stream.material_class_code in route.input_material_class_codes:
                best = best_screening(screen_for_route(regulation, knowledge.rule_sets, results))
                if best is not None:
                    found[(stream.stream_id, route.route_id)] = best
    return found


def fulfils(record: StatusRecord, kind: RequirementKind) -> bool:
    """Whether a status record shows the requirement met (whatever its dates)."""
    return kind.code in record.fulfils or (
        kind.fulfilled_by_status is not None and record.status is kind.fulfilled_by_status
    )


def _evidence(
    alternatives: Sequence[RequirementKind],
    route_id: str,
    records: Sequence[StatusRecord],
    today: date,
) -> StatusRecord | None:
    """The latest valid record that meets one of the alternatives for this use."""
    meeting = [
        record
        for record in records
        for kind in alternatives
        if record.is_valid_on(today)
        and (record.route_id == route_id or not kind.per_use)
        and fulfils(record, kind)
    ]
    return max(meeting, key=lambda record: record.decided_on, default=None)


def _requirement_step(
    alternatives: Sequence[RequirementKind],
    route_id: str,
    records: Sequence[StatusRecord],
    today: date,
) -> PathStep:
    names = either([kind.name for kind in alternatives])
    evidence = _evidence(alternatives, route_id, records, today)
    if evidence is None:
        return PathStep(
            StepState.TO_DO, phrase("to do: {requirement}", requirement=names), tuple(alternatives)
        )
    reference = evidence.decision_reference or evidence.legal_basis
    return PathStep(
        StepState.MET,
        phrase("met: {requirement} ({reference})", requirement=names, reference=reference),
        tuple(alternatives),
        evidence=evidence,
    )


def _screening_step(screening: Screening) -> PathStep:
    rule_set = screening.rule_set.name
    verdict = screening.verdict
    if verdict is Verdict.WITHIN:
        return PathStep(
            StepState.WITHIN,
            phrase("lab results within the limit values of '{rule_set}'", rule_set=rule_set),
            screening=screening,
        )
    if verdict is Verdict.EXCEEDS:
        return PathStep(
            StepState.EXCEEDS,
            phrase(
                "lab results exceed {count} limit values of '{rule_set}'",
                count=screening.count(Verdict.EXCEEDS),
                rule_set=rule_set,
            ),
            screening=screening,
        )
    return PathStep(
        StepState.LAB_TEST_NEEDED,
        phrase(
            "lab test needed: {count} limit values of '{rule_set}' have no result",
            count=screening.count(Verdict.MISSING),
            rule_set=rule_set,
        ),
        screening=screening,
    )


def regulatory_path(
    regulation: RouteRegulation,
    kinds: Mapping[str, RequirementKind],
    records: Sequence[StatusRecord],
    screenings: Sequence[Screening],
    today: date,
) -> RegulatoryPath:
    """The route's requirements and screening, judged from the stream's records and results
    (`screenings`: the stream screened against each of the route's rule sets)."""
    steps = [
        _requirement_step(
            [kinds[code] for code in alternatives], regulation.route_id, records, today
        )
        for alternatives in regulation.requirements
    ]
    best = best_screening(screenings)
    if best is not None:
        steps.append(_screening_step(best))
    return RegulatoryPath(regulation.route_id, tuple(steps))


def requirements_only(
    regulation: RouteRegulation, knowledge: RegulatoryKnowledge
) -> RegulatoryPath:
    """What the use asks, without the stream's records: for a reader who may not see them."""
    steps = []
    for codes in regulation.requirements:
        alternatives = tuple(knowledge.kinds[code] for code in codes)
        names = either([kind.name for kind in alternatives])
        steps.append(
            PathStep(
                StepState.REQUIRED,
                phrase("required: {requirement}", requirement=names),
                alternatives,
            )
        )
    if regulation.rule_set_ids:
        names = either(
            [
                knowledge.rule_sets.rule_sets[rule_set_id].name
                for rule_set_id in regulation.rule_set_ids
            ]
        )
        steps.append(
            PathStep(
                StepState.REQUIRED,
                phrase(
                    "required: lab results within the limit values of {rule_sets}", rule_sets=names
                ),
            )
        )
    return RegulatoryPath(regulation.route_id, tuple(steps))


def route_problems(regulation: RouteRegulation, kinds: Mapping[str, RequirementKind]) -> list[str]:
    """What is wrong with a route's regulation as data (rule sets are checked by the loader)."""
    problems = []
    where = regulation.route_id
    for alternatives in regulation.requirements:
        if not alternatives:
            problems.append(f"{where}: an empty requirement")
        problems += [
            f"{where}: unknown requirement {code!r}" for code in alternatives if code not in kinds
        ]
    codes = [code for alternatives in regulation.requirements for code in alternatives]
    if len(set(codes)) != len(codes):
        problems.append(f"{where}: a requirement named twice")
    if len(set(regulation.rule_set_ids)) != len(regulation.rule_set_ids):
        problems.append(f"{where}: a rule set named twice")
    if not regulation.source.strip():
        problems.append(f"{where}: no source")
    return problems
