"""Screening a stream's test results against the limit values of a use.

A rule set is the limit values one legal text sets for one use (the EU landfill acceptance
criteria for an inert-waste landfill, say), each for one parameter on one basis: the total
content in the material, or what leaches from it at a liquid-to-solid ratio (L/S 2 or 10 l/kg),
as the authorities tell them apart. Screening compares the latest result of each parameter on
the limit's basis, converted to the limit's unit, and says per parameter: within (a value at
the limit is within), exceeds (and by how much), or missing. A total content never stands in
for a leaching result, nor the other way round. A limit may also name the leaching tests it
counts (a batch test, EN 12457, or an up-flow percolation test in a column, EN 14405), as the
Finnish MARA decree does; the test is read from the result's standard, and a result of another
test leaves the limit missing, with the reason said.

Screening is decision support, not a legal opinion: whether a material is a waste, a
by-product or an end-of-waste product, and whether a use is allowed, is decided by the
authority, on the full evidence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sidestream.domain.errors import FieldError, InvalidInput, field_error
from sidestream.domain.phrases import Phrase, either, phrase
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

    @property
    def is_leaching(self) -> bool:
        return self is not Basis.TOTAL


class Verdict(StrEnum):
    WITHIN = "within"
    EXCEEDS = "exceeds"
    MISSING = (
        "missing"  # no result on the limit's basis (of a test it counts): a lab test is needed
    )


class TestMethod(StrEnum):
    """The kind of test or analysis a result comes from, read from its standard."""

    __test__ = False  # a domain enum, not a pytest class (its name starts with Test)

    BATCH = "batch"  # leaching by shaking at a fixed L/S, in one or two stages
    COLUMN = "column"  # leaching by up-flow percolation through a column
    TOTAL_CONTENT = "total_content"  # content in the solid: digestion, fusion or XRF
    UNKNOWN = "unknown"  # a standard not listed in KNOWN_STANDARDS

    @property
    def label(self) -> str:
        return {
            TestMethod.BATCH: "batch leaching test",
            TestMethod.COLUMN: "column leaching test",
            TestMethod.TOTAL_CONTENT: "total-content analysis",
            TestMethod.UNKNOWN: "unrecognised test",
        }[self]

    @property
    def is_leaching(self) -> bool:
        return self in (TestMethod.BATCH, TestMethod.COLUMN)


# The standards whose test kind is known, by number (and part, where the parts of a series are
# of different kinds). The publisher's prefixes (EN, prEN, CEN/TS, ISO, SFS, DIN ...) and the
# year do not matter. A classification of what a lab wrote, not a value shown to anyone.
KNOWN_STANDARDS: Mapping[str, TestMethod] = {
    "12457": TestMethod.BATCH,  # EN 12457-1..4: compliance shaking tests, L/S 2, 10 or 2+8
    "38414-4": TestMethod.BATCH,  # DIN 38414-4 (S4): shaking test at L/S 10
    "19529": TestMethod.BATCH,  # DIN 19529: shaking test at L/S 2
    "14405": TestMethod.COLUMN,  # CEN/TS 14405, EN 14405: up-flow percolation test
    "19528": TestMethod.COLUMN,  # DIN 19528: percolation (column) test
    "13657": TestMethod.TOTAL_CONTENT,  # EN 13657: aqua regia digestion of waste
    "13656": TestMethod.TOTAL_CONTENT,  # EN 13656: microwave digestion of waste (HF, HNO3, HCl)
    "15192": TestMethod.TOTAL_CONTENT,  # EN 15192: chromium(VI) in solid waste
    "15309": TestMethod.TOTAL_CONTENT,  # EN 15309: elemental composition of waste by XRF
    "16174": TestMethod.TOTAL_CONTENT,  # EN 16174: aqua regia digestion of sludge and soil
    "11466": TestMethod.TOTAL_CONTENT,  # ISO 11466: aqua regia extraction of soil
    "54321": TestMethod.TOTAL_CONTENT,  # ISO 54321: aqua regia digestion of soil and waste
    "13137": TestMethod.TOTAL_CONTENT,  # EN 13137: total organic carbon of waste
    "14039": TestMethod.TOTAL_CONTENT,  # EN 14039: hydrocarbons C10 to C40 in waste
    "15308": TestMethod.TOTAL_CONTENT,  # EN 15308: PCB in waste
    "15527": TestMethod.TOTAL_CONTENT,  # EN 15527: PAH in waste
}
# A standard's number, and its part: "12457-4", "38414-S4", "38414 S 4".
_STANDARD_NUMBER = re.compile(
    r"(?<!\d)(\d{4,5})(?!\d)(?:\s*-\s*|\s+(?=S))?(?:S\s*)?(\d+)?", re.IGNORECASE
)


def classify_standard(standard: str) -> TestMethod:
    """The kind of test a standard names ("SFS-EN 12457-4:2002", "CEN/TS 14405:2004", "prEN
    14405", "DIN 38414-S4"): UNKNOWN when it names none, or tests of more than one kind."""
    found: set[TestMethod] = set()
    for number, part in _STANDARD_NUMBER.findall(standard):
        method = KNOWN_STANDARDS.get(f"{number}-{part}") or KNOWN_STANDARDS.get(number)
        if method is not None:
            found.add(method)
    return found.pop() if len(found) == 1 else TestMethod.UNKNOWN


def methods_for_basis(basis: Basis) -> frozenset[TestMethod]:
    """The tests that can measure a basis at all: a leaching test for leaching, else an
    analysis of the content."""
    if basis.is_leaching:
        return frozenset({TestMethod.BATCH, TestMethod.COLUMN})
    return frozenset({TestMethod.TOTAL_CONTENT})


@dataclass(frozen=True)
class Parameter:
    parameter_code: str
    name: str
    # The stream property (properties.csv) its total content also is, e.g. cadmium → cd_total:
    # a laboratory's total content then counts against a need's property limits too.
    total_as_property: str | None = None


@dataclass(frozen=True)
class LimitValue:
    parameter_code: str
    basis: Basis
    limit_value: float
    unit: str
    is_verified: bool  # checked against the legal text; else shown as unverified
    # The tests the legal text counts for this limit; empty: any test that measures the basis.
    test_methods: frozenset[TestMethod] = frozenset()

    @property
    def accepted_methods(self) -> frozenset[TestMethod]:
        """The tests the limit asks for."""
        return self.test_methods or methods_for_basis(self.basis)

    def counts(self, method: TestMethod) -> bool:
        """Whether a result of this kind of test counts for the limit: a test the legal text
        names; where it names none, any test that measures the basis, or one not recognised
        (a lab's in-house method is not refused for want of a known standard number)."""
        if self.test_methods:
            return method in self.test_methods
        return method in methods_for_basis(self.basis) or method is TestMethod.UNKNOWN


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
    # The latest result on the limit's basis of a test the limit counts; when there is none,
    # the latest result on its basis of another test (then the verdict is missing, and why).
    result: LabResult | None
    value_in_limit_unit: float | None
    reason: Phrase | None = None  # why a result on the basis does not count for the limit

    @property
    def test_method(self) -> TestMethod | None:
        """The kind of test the result comes from."""
        return classify_standard(self.result.standard) if self.result is not None else None

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


def _by_parameter_and_basis(
    results: Iterable[LabResult],
) -> dict[tuple[str, Basis], list[LabResult]]:
    """The results of each parameter and basis, latest first."""
    grouped: dict[tuple[str, Basis], list[LabResult]] = {}
    for result in results:
        grouped.setdefault((result.parameter_code, result.basis), []).append(result)
    for group in grouped.values():
        group.sort(key=lambda result: result.tested_on, reverse=True)
    return grouped


def _either(methods: Iterable[TestMethod]) -> str:
    """'batch leaching test or column leaching test', in a fixed order."""
    return either([phrase(method.label) for method in TestMethod if method in set(methods)])


def method_mismatch(result: LabResult, limit: LimitValue) -> Phrase:
    """Why the result does not count for the limit: the test it comes from, and the ones the
    limit asks for."""
    done = classify_standard(result.standard)
    required = _either(limit.accepted_methods)
    if done is TestMethod.UNKNOWN:
        return phrase(
            "the result's standard {standard} is not a test sidestream recognises; "
            "the limit asks for a {required}",
            standard=result.standard,
            required=required,
        )
    return phrase(
        "the result is from a {done} ({standard}); the limit asks for a {required}",
        done=phrase(done.label),
        standard=result.standard,
        required=required,
    )


def screen(rule_set: RuleSet, results: Iterable[LabResult]) -> Screening:
    """Each limit of the rule set against the latest result of its parameter on its basis
    that comes from a test the limit counts."""
    grouped = _by_parameter_and_basis(results)
    screened = []
    for limit in rule_set.limits:
        on_basis = grouped.get((limit.parameter_code, limit.basis), [])
        counted = [r for r in on_basis if limit.counts(classify_standard(r.standard))]
        if not counted:
            refused = on_basis[0] if on_basis else None
            reason = method_mismatch(refused, limit) if refused is not None else None
            screened.append(ParameterScreening(limit, Verdict.MISSING, refused, None, reason))
            continue
        result = counted[0]
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
    else:
        errors += _standard_errors(result)
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


def _standard_errors(result: LabResult) -> list[FieldError]:
    """A leaching result from an analysis of the content, or a total content from a leaching
    test, is a mix-up of the basis or the standard: which one, only the lab knows."""
    method = classify_standard(result.standard)
    if result.basis.is_leaching and method is TestMethod.TOTAL_CONTENT:
        return [
            field_error(
                "standard",
                "{standard} is an analysis of the total content, not a leaching test: "
                "a result on {basis} needs a batch or column leaching test",
                {"standard": repr(result.standard.strip()), "basis": result.basis.value},
            )
        ]
    if not result.basis.is_leaching and method.is_leaching:
        return [
            field_error(
                "standard",
                "{standard} is a leaching test, not an analysis of the total content: "
                "a leaching result is on basis leaching_ls2 or leaching_ls10",
                {"standard": repr(result.standard.strip())},
            )
        ]
    return []


def _test_method_problems(limit: LimitValue, where: str) -> list[str]:
    if TestMethod.UNKNOWN in limit.test_methods:
        return [f"{where}: a limit names the tests it counts, not an unknown one"]
    wrong = limit.test_methods - methods_for_basis(limit.basis)
    if wrong:
        names = ", ".join(sorted(method.value for method in wrong))
        return [f"{where}: {names} cannot measure {limit.basis.value}"]
    return []


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
        problems += _test_method_problems(limit, where)
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
    # Requirements of the use this record shows met (regulatory_path.RequirementKind codes),
    # beyond what its status meets by itself: a permit, a MARA notification, a registration.
    fulfils: tuple[str, ...] = ()
    status_record_id: int | None = None

    def is_valid_on(self, day: date) -> bool:
        return self.decided_on <= day and (self.valid_until is None or day <= self.valid_until)


def check_status_record(
    record: StatusRecord,
    route_ids: frozenset[str],
    today: date,
    requirement_codes: frozenset[str] = frozenset(),
) -> StatusRecord:
    """The record with its texts trimmed, or InvalidInput naming every wrong field
    (`requirement_codes`: the requirements a record may say it meets)."""
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
    errors += [
        field_error("fulfils", "{code} is not a requirement of any use", {"code": repr(code)})
        for code in record.fulfils
        if code.strip() not in requirement_codes
    ]
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
        fulfils=tuple(dict.fromkeys(code.strip() for code in record.fulfils)),
        status_record_id=record.status_record_id,
    )
