"""Screening a stream's test results against the limit values of a use.

A rule set is the limit values one legal text sets for one use (the EU landfill acceptance
criteria for an inert-waste landfill, say), each for one parameter on one basis: the total
content in the material, or what leaches from it at a liquid-to-solid ratio (L/S 2 or 10 l/kg),
as the authorities tell them apart. Screening compares the latest result of each parameter on
the limit's basis, converted to the limit's unit, and says per parameter: within (a value at
the limit is within), exceeds (and by how much), or missing. A total content never stands in
for a leaching result, nor the other way round.

Screening is decision support, not a legal opinion: whether a material is a waste, a
by-product or an end-of-waste product, and whether a use is allowed, is decided by the
authority, on the full evidence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sidestream.domain.errors import FieldError, InvalidInput, field_error
from sidestream.domain.units import UNITS_BY_DIMENSION, convert, normalise_unit_symbol

DISCLAIMER = (
    "Screening is decision support, not a legal opinion: the authority decides on the full "
    "evidence whether a material is a waste, a by-product or an end-of-waste product, and "
    "whether a use is allowed."
)
CONCENTRATION = "mass_fraction"  # limits and results are mass per dry mass (mg/kg, g/t, %)


class Basis(StrEnum):
    """What a value is a measure of."""

    TOTAL = "total"  # content in the material (after digestion)
    LEACHING_LS2 = "leaching_ls2"  # released at L/S 2 l/kg, cumulative, per dry mass
    LEACHING_LS10 = "leaching_ls10"  # released at L/S 10 l/kg, cumulative, per dry mass

    @property
    def label(self) -> str:
        return {
            Basis.TOTAL: "total content",
            Basis.LEACHING_LS2: "leaching, L/S 2 l/kg",
            Basis.LEACHING_LS10: "leaching, L/S 10 l/kg",
        }[self]


class Verdict(StrEnum):
    WITHIN = "within"
    EXCEEDS = "exceeds"
    MISSING = "missing"  # no result on the limit's basis: a lab test is needed


@dataclass(frozen=True)
class Parameter:
    parameter_code: str
    name: str


@dataclass(frozen=True)
class LimitValue:
    parameter_code: str
    basis: Basis
    limit_value: float
    unit: str
    is_verified: bool  # checked against the legal text; else shown as unverified


@dataclass(frozen=True)
class RuleSet:
    """The limit values one legal text sets for one use, with where they come from."""

    rule_set_id: str
    name: str
    use: str
    legal_source: str
    source_locator: str
    in_force_from: date
    limits: tuple[LimitValue, ...]

    @property
    def is_verified(self) -> bool:
        return all(limit.is_verified for limit in self.limits)


@dataclass(frozen=True)
class LabResult:
    """One measured value of one parameter of a stream's sample."""

    parameter_code: str
    basis: Basis
    value: float
    unit: str
    standard: str  # the test or analysis standard, e.g. EN 12457-4
    laboratory: str
    tested_on: date
    is_below_detection: bool = False  # value is the detection limit: the true value is lower


@dataclass(frozen=True)
class ParameterScreening:
    limit: LimitValue
    verdict: Verdict
    result: LabResult | None  # the latest result on the limit's basis
    value_in_limit_unit: float | None

    @property
    def share_of_limit(self) -> float | None:
        """The result as a multiple of the limit (1.5: exceeds it by half)."""
        if self.value_in_limit_unit is None or self.limit.limit_value == 0:
            return None
        return self.value_in_limit_unit / self.limit.limit_value


@dataclass(frozen=True)
class Screening:
    rule_set: RuleSet
    parameters: tuple[ParameterScreening, ...]
    disclaimer: str = DISCLAIMER

    @property
    def verdict(self) -> Verdict:
        """EXCEEDS when any parameter does, else MISSING when any result is missing."""
        verdicts = {parameter.verdict for parameter in self.parameters}
        if Verdict.EXCEEDS in verdicts:
            return Verdict.EXCEEDS
        if Verdict.MISSING in verdicts:
            return Verdict.MISSING
        return Verdict.WITHIN

    def count(self, verdict: Verdict) -> int:
        return sum(1 for parameter in self.parameters if parameter.verdict is verdict)


# A value converted from another unit that lands a rounding error above its limit is at it.
CONVERSION_TOLERANCE = 1e-12


def to_unit(value: float, unit: str, target_unit: str) -> float:
    """A concentration in another unit (mg/kg, g/kg, g/t, ppm, %)."""
    if normalise_unit_symbol(unit) == normalise_unit_symbol(target_unit):
        return value
    return convert(value, unit, target_unit, CONCENTRATION)


def is_concentration_unit(unit: str) -> bool:
    return normalise_unit_symbol(unit) in UNITS_BY_DIMENSION[CONCENTRATION]


def _latest(results: Iterable[LabResult]) -> dict[tuple[str, Basis], LabResult]:
    latest: dict[tuple[str, Basis], LabResult] = {}
    for result in results:
        key = (result.parameter_code, result.basis)
        if key not in latest or result.tested_on > latest[key].tested_on:
            latest[key] = result
    return latest


def screen(rule_set: RuleSet, results: Iterable[LabResult]) -> Screening:
    """Each limit of the rule set against the latest result of its parameter on its basis."""
    latest = _latest(results)
    screened = []
    for limit in rule_set.limits:
        result = latest.get((limit.parameter_code, limit.basis))
        if result is None:
            screened.append(ParameterScreening(limit, Verdict.MISSING, None, None))
            continue
        value = to_unit(result.value, result.unit, limit.unit)
        bound = limit.limit_value
        if normalise_unit_symbol(result.unit) != normalise_unit_symbol(limit.unit):
            bound *= 1 + CONVERSION_TOLERANCE
        # A value below detection is at most the detection limit: within if that is.
        verdict = Verdict.WITHIN if value <= bound else Verdict.EXCEEDS
        screened.append(ParameterScreening(limit, verdict, result, value))
    return Screening(rule_set, tuple(screened))


# --- checking ------------------------------------------------------------------------------


def check_lab_result(
    result: LabResult, parameters: Mapping[str, Parameter], today: date
) -> LabResult:
    """The result with its unit's normal symbol, or InvalidInput naming every wrong field."""
    errors: list[FieldError] = []
    if result.parameter_code not in parameters:
        errors.append(
            field_error(
                "parameter_code",
                "{code} is not a parameter of any rule set",
                {"code": repr(result.parameter_code)},
            )
        )
    if not result.unit.strip():
        errors.append(field_error("unit", "is required"))
    elif not is_concentration_unit(result.unit):
        accepted = ", ".join(UNITS_BY_DIMENSION[CONCENTRATION])
        errors.append(
            field_error(
                "unit",
                "{unit} is not a unit of concentration ({accepted})",
                {"unit": repr(result.unit), "accepted": accepted},
            )
        )
    if not result.standard.strip():
        errors.append(field_error("standard", "is required"))
    if not math.isfinite(result.value) or result.value < 0:
        errors.append(
            field_error(
                "value", "{value} is not a concentration of zero or more", {"value": result.value}
            )
        )
    if result.tested_on > today:
        errors.append(field_error("tested_on", "lies in the future"))
    if errors:
        raise InvalidInput(errors)
    return LabResult(
        parameter_code=result.parameter_code,
        basis=result.basis,
        value=result.value,
        unit=normalise_unit_symbol(result.unit),
        standard=result.standard.strip(),
        laboratory=result.laboratory.strip(),
        tested_on=result.tested_on,
        is_below_detection=result.is_below_detection,
    )


def rule_set_problems(rule_set: RuleSet, parameters: Mapping[str, Parameter]) -> list[str]:
    """What is wrong with a rule set as data (empty when nothing is)."""
    problems = []
    if not rule_set.legal_source.strip() or not rule_set.source_locator.strip():
        problems.append(f"{rule_set.rule_set_id}: a rule set needs its legal source and locator")
    if not rule_set.limits:
        problems.append(f"{rule_set.rule_set_id}: has no limit values")
    seen: set[tuple[str, Basis]] = set()
    for limit in rule_set.limits:
        where = f"{rule_set.rule_set_id}/{limit.parameter_code}/{limit.basis.value}"
        if limit.parameter_code not in parameters:
            problems.append(f"{where}: unknown parameter")
        if not is_concentration_unit(limit.unit):
            problems.append(f"{where}: {limit.unit!r} is not a unit of concentration")
        if not math.isfinite(limit.limit_value) or limit.limit_value <= 0:
            problems.append(f"{where}: {limit.limit_value} is not a positive limit")
        if (limit.parameter_code, limit.basis) in seen:
            problems.append(f"{where}: given twice")
        seen.add((limit.parameter_code, limit.basis))
    return problems


@dataclass(frozen=True)
class RegulationData:
    """The parameters and rule sets shipped with the package (checked when loaded)."""

    parameters: Mapping[str, Parameter]
    rule_sets: Mapping[str, RuleSet]

    def rule_set(self, rule_set_id: str, field_name: str = "rule_set_id") -> RuleSet:
        found = self.rule_sets.get(rule_set_id.strip())
        if found is None:
            raise InvalidInput.single(
                field_name, "{code} is not a known rule set", code=repr(rule_set_id.strip())
            )
        return found


def check_regulation_data(
    parameters: Mapping[str, Parameter], rule_sets: Sequence[RuleSet]
) -> list[str]:
    """Every problem of the rule sets as data, and rule sets given twice."""
    problems = [
        problem for rule_set in rule_sets for problem in rule_set_problems(rule_set, parameters)
    ]
    ids = [rule_set.rule_set_id for rule_set in rule_sets]
    problems += [
        f"{rule_set_id}: given twice"
        for rule_set_id in sorted({i for i in ids if ids.count(i) > 1})
    ]
    return problems


# --- regulatory status ----------------------------------------------------------------------


class RegulatoryStatus(StrEnum):
    """What a stream is in law for one use (Waste Framework Directive 2008/98/EC, transposed by
    the Finnish Waste Act 646/2011)."""

    WASTE = "waste"
    BY_PRODUCT = "by_product"  # Article 5: a by-product, not a waste
    END_OF_WASTE = "end_of_waste"  # Article 6: has ceased to be waste
    PRODUCT = "product"  # never was a waste (e.g. a main product sold as such)


MAX_STATUS_TEXT = 2000


@dataclass(frozen=True)
class StatusRecord:
    """A stream's status for one intended use, with the decision or basis behind it."""

    stream_id: int
    use: str  # the intended use, in words (or a valorisation route's name)
    status: RegulatoryStatus
    legal_basis: str  # e.g. "Waste Act 646/2011, section 5 (by-product)"
    decided_on: date
    route_id: str | None = None  # the valorisation route of the use, when there is one
    decision_reference: str | None = None  # the authority's decision or permit number
    authority: str | None = None  # e.g. "Lapland ELY Centre"
    valid_until: date | None = None
    scope_of_use: str | None = None  # where and how the status holds
    documents: tuple[str, ...] = ()  # references to the decision, the permit, lab reports
    status_record_id: int | None = None

    def is_valid_on(self, day: date) -> bool:
        return self.decided_on <= day and (self.valid_until is None or day <= self.valid_until)


def check_status_record(
    record: StatusRecord, route_ids: frozenset[str], today: date
) -> StatusRecord:
    """The record with its texts trimmed, or InvalidInput naming every wrong field."""
    errors: list[FieldError] = []

    def text(value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    use = record.use.strip()
    legal_basis = record.legal_basis.strip()
    if not use:
        errors.append(field_error("use", "is required"))
    if not legal_basis:
        errors.append(field_error("legal_basis", "is required"))
    for name, value in (
        ("use", use),
        ("legal_basis", legal_basis),
        ("decision_reference", record.decision_reference),
        ("authority", record.authority),
        ("scope_of_use", record.scope_of_use),
    ):
        if value is not None and len(value) > MAX_STATUS_TEXT:
            errors.append(
                field_error(
                    name,
                    "is {length} characters long; at most {limit} are allowed",
                    {"length": len(value), "limit": MAX_STATUS_TEXT},
                )
            )
    if record.route_id is not None and record.route_id not in route_ids:
        errors.append(
            field_error(
                "route_id", "{code} is not a valorisation route", {"code": repr(record.route_id)}
            )
        )
    if record.decided_on > today:
        errors.append(field_error("decided_on", "lies in the future"))
    if record.valid_until is not None and record.valid_until < record.decided_on:
        errors.append(field_error("valid_until", "is before decided_on"))
    if text(record.decision_reference) and not text(record.authority):
        errors.append(field_error("authority", "a decision names the authority that made it"))
    if record.status is RegulatoryStatus.END_OF_WASTE and not text(record.decision_reference):
        # End-of-waste status in Finland rests on EU or national criteria or on a case-by-case
        # decision of the authority: either way there is a reference to cite.
        errors.append(
            field_error(
                "decision_reference",
                "end-of-waste status cites the criteria or the decision it rests on",
            )
        )
    if errors:
        raise InvalidInput(errors)
    return StatusRecord(
        stream_id=record.stream_id,
        use=use,
        status=record.status,
        legal_basis=legal_basis,
        decided_on=record.decided_on,
        route_id=record.route_id,
        decision_reference=text(record.decision_reference),
        authority=text(record.authority),
        valid_until=record.valid_until,
        scope_of_use=text(record.scope_of_use),
        documents=tuple(d.strip() for d in record.documents if d.strip()),
        status_record_id=record.status_record_id,
    )
