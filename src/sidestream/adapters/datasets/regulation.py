"""Load and check the regulatory rule sets (reference/regulation_parameters.csv,
regulation_rule_sets.csv, regulation_limit_values.csv): a rule set without its legal source, a
limit without a unit of concentration, of an unknown parameter or naming an unknown test stops
the program. A limit's optional `test_methods` cell names the tests the legal text counts for it,
separated by ";" (`column;batch`); empty, any test that measures its basis counts."""

from __future__ import annotations

import math
from datetime import date

from sidestream.adapters.datasets.files import read_data_csv, require_columns
from sidestream.domain.errors import ReferenceDataError
from sidestream.domain.phrases import Named
from sidestream.domain.regulation import (
    Basis,
    LimitValue,
    Parameter,
    RegulationData,
    RuleSet,
    TestMethod,
    check_regulation_data,
)

VERIFICATIONS = {"verified": True, "unverified": False}
TEST_METHOD_SEPARATOR = ";"


def _test_methods(cell: str, where: str) -> frozenset[TestMethod]:
    methods = set()
    for name in (part.strip() for part in cell.split(TEST_METHOD_SEPARATOR)):
        if not name:
            continue
        try:
            methods.add(TestMethod(name))
        except ValueError as error:
            known = ", ".join(method.value for method in TestMethod)
            raise ReferenceDataError(f"{where}: {name!r} is not a test method ({known})") from error
    return frozenset(methods)


def _verified(cell: str, where: str) -> bool:
    if cell not in VERIFICATIONS:
        raise ReferenceDataError(
            f"{where}: verification must be verified or unverified, not {cell!r}"
        )
    return VERIFICATIONS[cell]


def _limit(row: dict[str, str], where: str) -> LimitValue:
    try:
        basis = Basis(row["basis"])
    except ValueError as error:
        raise ReferenceDataError(f"{where}: {row['basis']!r} is not a basis") from error
    try:
        value = float(row["limit_value"])
    except ValueError as error:
        raise ReferenceDataError(f"{where}: {row['limit_value']!r} is not a number") from error
    if not math.isfinite(value):
        raise ReferenceDataError(f"{where}: {row['limit_value']!r} is not finite")
    return LimitValue(
        parameter_code=row["parameter_code"],
        basis=basis,
        limit_value=value,
        unit=row["unit"],
        is_verified=_verified(row["verification"], where),
        test_methods=_test_methods(row.get("test_methods") or "", where),
    )


def build_regulation_data(
    parameter_rows: list[dict[str, str]],
    rule_set_rows: list[dict[str, str]],
    limit_rows: list[dict[str, str]],
) -> RegulationData:
    require_columns(parameter_rows, ("parameter_code", "name"), "regulation_parameters.csv")
    require_columns(
        rule_set_rows,
        ("rule_set_id", "name", "use", "legal_source", "source_locator", "in_force_from"),
        "regulation_rule_sets.csv",
    )
    require_columns(
        limit_rows,
        ("rule_set_id", "parameter_code", "basis", "limit_value", "unit", "verification"),
        "regulation_limit_values.csv",
    )
    parameters = {
        row["parameter_code"]: Parameter(
            row["parameter_code"],
            row["name"],
            (row.get("total_as_property") or "").strip() or None,
        )
        for row in parameter_rows
    }
    limits: dict[str, list[LimitValue]] = {}
    for number, row in enumerate(limit_rows, start=2):
        where = f"regulation_limit_values.csv line {number}"
        limits.setdefault(row["rule_set_id"], []).append(_limit(row, where))
    rule_sets = []
    for number, row in enumerate(rule_set_rows, start=2):
        where = f"regulation_rule_sets.csv line {number}"
        try:
            in_force_from = date.fromisoformat(row["in_force_from"])
        except ValueError as error:
            raise ReferenceDataError(f"{where}: {row['in_force_from']!r} is not a date") from error
        rule_sets.append(
            RuleSet(
                rule_set_id=row["rule_set_id"],
                name=Named(row["name"], fi=row.get("name_fi", "")),
                use=row["use"],
                legal_source=row["legal_source"],
                source_locator=row["source_locator"],
                in_force_from=in_force_from,
                limits=tuple(limits.pop(row["rule_set_id"], [])),
            )
        )
    problems = check_regulation_data(parameters, rule_sets)
    problems += [
        f"limit values of unknown rule set {rule_set_id}" for rule_set_id in sorted(limits)
    ]
    if problems:
        raise ReferenceDataError("regulatory rule sets: " + "; ".join(problems))
    return RegulationData(parameters, {rule_set.rule_set_id: rule_set for rule_set in rule_sets})


def load_regulation_data() -> RegulationData:
    return build_regulation_data(
        read_data_csv("reference/regulation_parameters.csv"),
        read_data_csv("reference/regulation_rule_sets.csv"),
        read_data_csv("reference/regulation_limit_values.csv"),
    )
