"""Load and check what each use requires in law (reference/regulatory_requirements.csv, the
kinds of requirement with their legal source; reference/route_regulation.csv, each route's
requirements and rule sets): an unknown route, requirement or rule set stops the program."""

from __future__ import annotations

from collections.abc import Collection

from sidestream.adapters.datasets.files import read_data_csv, require_columns
from sidestream.adapters.datasets.regulation import VERIFICATIONS
from sidestream.domain.errors import ReferenceDataError
from sidestream.domain.phrases import Named
from sidestream.domain.regulation import RegulationData, RegulatoryStatus
from sidestream.domain.regulatory_path import (
    Holder,
    RegulatoryKnowledge,
    RequirementKind,
    RouteRegulation,
    route_problems,
)

REQUIREMENTS_FILE = "regulatory_requirements.csv"
ROUTES_FILE = "route_regulation.csv"
YES_NO = {"yes": True, "no": False}


def _choice(cell: str, choices: Collection[str], column: str, where: str) -> str:
    if cell not in choices:
        raise ReferenceDataError(
            f"{where}: {column} must be one of {sorted(choices)}, not {cell!r}"
        )
    return cell


def _kind(row: dict[str, str], where: str) -> RequirementKind:
    for column in ("requirement", "name", "legal_source", "source_locator"):
        if not row[column].strip():
            raise ReferenceDataError(f"{where}: {column} is required")
    status = row["fulfilled_by_status"].strip()
    return RequirementKind(
        code=row["requirement"],
        name=Named(row["name"], fi=row.get("name_fi", "")),
        legal_source=row["legal_source"],
        source_locator=row["source_locator"],
        holder=Holder(_choice(row["holder"], [h.value for h in Holder], "holder", where)),
        per_use=YES_NO[_choice(row["per_use"], YES_NO, "per_use", where)],
        fulfilled_by_status=(
            RegulatoryStatus(
                _choice(status, [s.value for s in RegulatoryStatus], "fulfilled_by_status", where)
            )
            if status
            else None
        ),
        is_verified=VERIFICATIONS[
            _choice(row["verification"], VERIFICATIONS, "verification", where)
        ],
        note=row["note"],
    )


def _alternatives(cell: str) -> tuple[tuple[str, ...], ...]:
    """'a|b;c' → ((a, b), (c,)): requirements separated by ';', alternatives by '|'."""
    return tuple(
        tuple(code.strip() for code in requirement.split("|"))
        for requirement in cell.split(";")
        if requirement.strip()
    )


def build_regulatory_knowledge(
    requirement_rows: list[dict[str, str]],
    route_rows: list[dict[str, str]],
    route_ids: Collection[str],
    rule_sets: RegulationData,
) -> RegulatoryKnowledge:
    require_columns(
        requirement_rows,
        (
            "requirement",
            "name",
            "legal_source",
            "source_locator",
            "holder",
            "per_use",
            "fulfilled_by_status",
            "verification",
            "note",
        ),
        REQUIREMENTS_FILE,
    )
    require_columns(route_rows, ("route_id", "requirements", "rule_set_ids", "source"), ROUTES_FILE)
    kinds: dict[str, RequirementKind] = {}
    for number, row in enumerate(requirement_rows, start=2):
        kind = _kind(row, f"{REQUIREMENTS_FILE} line {number}")
        if kind.code in kinds:
            raise ReferenceDataError(f"{REQUIREMENTS_FILE}: {kind.code} given twice")
        kinds[kind.code] = kind
    routes: dict[str, RouteRegulation] = {}
    problems: list[str] = []
    for row in route_rows:
        regulation = RouteRegulation(
            route_id=row["route_id"],
            requirements=_alternatives(row["requirements"]),
            rule_set_ids=tuple(c.strip() for c in row["rule_set_ids"].split(";") if c.strip()),
            source=row["source"],
        )
        problems += route_problems(regulation, kinds)
        problems += [
            f"{regulation.route_id}: unknown rule set {rule_set_id!r}"
            for rule_set_id in regulation.rule_set_ids
            if rule_set_id not in rule_sets.rule_sets
        ]
        if regulation.route_id in routes:
            problems.append(f"{regulation.route_id}: given twice")
        routes[regulation.route_id] = regulation
    problems += [
        f"{route_id}: not a valorisation route" for route_id in routes if route_id not in route_ids
    ]
    problems += [
        f"{route_id}: its regulation is not stated"
        for route_id in route_ids
        if route_id not in routes
    ]
    if problems:
        raise ReferenceDataError(f"{ROUTES_FILE}: " + "; ".join(problems))
    return RegulatoryKnowledge(kinds, routes, rule_sets)


def load_regulatory_knowledge(
    route_ids: Collection[str], rule_sets: RegulationData
) -> RegulatoryKnowledge:
    return build_regulatory_knowledge(
        read_data_csv(f"reference/{REQUIREMENTS_FILE}"),
        read_data_csv(f"reference/{ROUTES_FILE}"),
        route_ids,
        rule_sets,
    )
