"""A stream's regulatory path for a use: what the law asks, what its records show met, and
what its lab results say against the use's limits.

The stream's status records and lab results are for those who may see the stream at public
level or more (as its screening is); anyone else party to a proposal sees only what the use
asks, from the knowledge base.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sidestream.domain.regulation import Verdict
from sidestream.domain.regulatory_path import (
    PathStep,
    RegulatoryKnowledge,
    RegulatoryPath,
    StepState,
    regulatory_path,
    requirements_only,
    screen_for_route,
)
from sidestream.domain.streams import SideStream
from sidestream.services.ports import UnitOfWork


def stream_path(
    uow: UnitOfWork,
    knowledge: RegulatoryKnowledge,
    stream: SideStream,
    route_id: str | None,
    today: date,
    shows_records: bool,
) -> RegulatoryPath | None:
    """The stream's path for the route (None without a route); only what the use asks when
    the reader may not see the stream's records."""
    regulation = knowledge.of_route(route_id)
    if regulation is None or stream.stream_id is None:
        return None
    if not shows_records:
        return requirements_only(regulation, knowledge)
    results = uow.lab_results.for_stream(stream.stream_id)
    return regulatory_path(
        regulation,
        knowledge.kinds,
        uow.statuses.for_stream(stream.stream_id),
        screen_for_route(regulation, knowledge.rule_sets, results),
        today,
    )


def stream_paths(
    uow: UnitOfWork,
    knowledge: RegulatoryKnowledge,
    stream: SideStream,
    route_ids: Iterable[str],
    today: date,
) -> dict[str, RegulatoryPath]:
    """The stream's path for each of the routes, its records read once."""
    assert stream.stream_id is not None
    results = uow.lab_results.for_stream(stream.stream_id)
    records = uow.statuses.for_stream(stream.stream_id)
    paths = {}
    for route_id in route_ids:
        regulation = knowledge.of_route(route_id)
        if regulation is not None:
            screenings = screen_for_route(regulation, knowledge.rule_sets, results)
            paths[route_id] = regulatory_path(
                regulation, knowledge.kinds, records, screenings, today
            )
    return paths


def step_record(step: PathStep) -> dict[str, Any]:
    screening = step.screening
    return {
        "state": step.state.value,
        "text": str(step.sentence),
        "is_open": step.is_open,
        "requirements": [
            {
                "requirement": kind.code,
                "name": kind.name,
                "holder": kind.holder.value,
                "legal_source": kind.legal_source,
                "source_locator": kind.source_locator,
                "locator_is_verified": kind.is_verified,
            }
            for kind in step.requirements
        ],
        "evidence_status_record_id": step.evidence.status_record_id if step.evidence else None,
        "rule_set_id": screening.rule_set.rule_set_id if screening else None,
        "missing_parameters": (
            [
                {"parameter_code": p.limit.parameter_code, "basis": p.limit.basis.value}
                for p in screening.parameters
                if p.verdict is Verdict.MISSING
            ]
            if screening and step.state is StepState.LAB_TEST_NEEDED
            else []
        ),
    }


def path_record(path: RegulatoryPath | None) -> Any:
    """The path as plain data for JSON (None without a route)."""
    if path is None:
        return None
    return {
        "route_id": path.route_id,
        "needs_lab_test": path.needs_lab_test,
        "exceeds": path.exceeds,
        "steps": [step_record(step) for step in path.steps],
    }
