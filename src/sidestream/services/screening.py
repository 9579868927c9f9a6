"""A stream's lab results, and screening them against the limit values of a use.

Lab results come from a laboratory's file (CSV or Excel, one row per parameter and basis, the
columns of LAB_RESULT_COLUMNS) or the API; a file with any bad row is refused whole with every
problem listed. Members of the stream's organisation and facilitators add them. Whoever may
see the stream at public level or more may read its results and screenings: an anonymous
listing's lab values would tell more than its material class.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sidestream.domain.access import Access, listing_access
from sidestream.domain.accounts import AuditAction, EntityKind, Principal
from sidestream.domain.errors import FieldError, Forbidden, InvalidInput, NotFound
from sidestream.domain.reference import ReferenceData
from sidestream.domain.regulation import (
    DISCLAIMER,
    Basis,
    LabResult,
    RegulationData,
    Screening,
    StatusRecord,
    check_lab_result,
    check_status_record,
    screen,
)
from sidestream.domain.regulatory_path import RegulatoryKnowledge, RegulatoryPath, regulatory_path
from sidestream.domain.streams import MeasuredProperty, SideStream, check_measured_properties
from sidestream.services.accounts import audit
from sidestream.services.ports import UnitOfWork, UnitOfWorkFactory
from sidestream.services.regulatory_paths import path_record
from sidestream.services.tabular_rows import Row, RowReader

LAB_RESULT_COLUMNS = (
    "parameter_code",
    "basis",
    "value",
    "unit",
    "standard",
    "laboratory",
    "tested_on",
    "below_detection",
)
FIRST_DATA_ROW = 2  # as a spreadsheet numbers them; the header is row 1


@dataclass(frozen=True)
class StreamScreening:
    stream_id: int
    stream_name: str
    results: tuple[LabResult, ...]  # oldest first
    screenings: tuple[Screening, ...]  # one per rule set asked for
    statuses: tuple[StatusRecord, ...] = ()  # the stream's regulatory status per use
    path: RegulatoryPath | None = None  # when a use (valorisation route) was asked for
    material_class_code: str = ""  # of the stream: the uses that take it


def _readable_stream(uow: UnitOfWork, reader: Principal, stream_id: int) -> SideStream:
    registry = uow.registry_snapshot()
    stream = registry.streams_by_id.get(stream_id)
    if stream is None:
        raise NotFound("stream", stream_id)
    level = listing_access(
        reader,
        stream.organisation_id,
        stream.visibility,
        registry.partners.get(stream.organisation_id, frozenset()),
    )
    if level < Access.PUBLIC:  # an anonymous listing's results are not shown, nor its existence
        raise NotFound("stream", stream_id)
    return stream


def _lab_result(reader: RowReader) -> LabResult | None:
    basis = reader.choice("basis", Basis)
    value = reader.number("value", required=True)
    tested_on = reader.date("tested_on", required=True)
    result = LabResult(
        parameter_code=reader.required_text("parameter_code"),
        basis=basis or Basis.TOTAL,
        value=value if value is not None else 0.0,
        unit=reader.text("unit") or "",
        standard=reader.text("standard") or "",
        laboratory=reader.text("laboratory") or "",
        tested_on=tested_on or date.min,
        is_below_detection=reader.boolean("below_detection"),
    )
    return None if reader.errors else result


@dataclass(frozen=True)
class LaboratoryFile:
    """What a laboratory's file holds: contents and leaching, screened against limit values,
    and measurements of the stream's properties (particle size, moisture, strength, oxides),
    which the matcher weighs against a need's property limits."""

    results: tuple[LabResult, ...]
    properties: tuple[MeasuredProperty, ...]  # its rows of properties, and totals that are one
    rows: int  # how many rows it had


def _measured_property(reader: RowReader, code: str) -> MeasuredProperty | None:
    """A row of a property (its code in the reference data, not a rule set's parameter)."""
    if reader.text("basis"):
        reader.fail("basis", "a property's measurement has no basis: leave it empty")
    if reader.boolean("below_detection"):
        reader.fail("below_detection", "applies to contents and leaching, not to properties")
    value = reader.number("value", required=True)
    tested_on = reader.date("tested_on", required=True)
    measured = MeasuredProperty(
        property_code=code,
        value=value if value is not None else 0.0,
        unit=reader.text("unit") or "",
        method=reader.text("standard") or "",
        measured_on=tested_on or date.min,
        laboratory=reader.text("laboratory") or "",
    )
    return None if reader.errors else measured


def read_lab_results(
    rows: Sequence[Row],
    regulation: RegulationData,
    today: date,
    from_file: bool = True,
    reference: ReferenceData | None = None,
) -> LaboratoryFile:
    """Every row checked; InvalidInput lists every problem of every row (with its row number
    when the rows come from a file). With the reference data, a row of a property (e.g.
    particle_size_d50, moisture) is a measurement of the stream's property."""
    errors: list[FieldError] = []
    results = []
    properties: list[MeasuredProperty] = []
    known_properties = reference.properties if reference is not None else {}
    for index, row in enumerate(rows):
        row_number = index + FIRST_DATA_ROW if from_file else None
        reader = RowReader(row, row_number)
        code = (reader.text("parameter_code") or "").strip()
        if code not in regulation.parameters and code in known_properties:
            assert reference is not None
            measured = _measured_property(reader, code)
            errors.extend(reader.errors)
            if measured is None:
                continue
            try:
                properties += check_measured_properties((measured,), reference, today)
            except InvalidInput as error:
                errors.extend(replace(e, row=row_number) for e in error.errors)
            continue
        result = _lab_result(reader)
        errors.extend(reader.errors)
        if result is None:
            continue
        try:
            checked = check_lab_result(result, regulation.parameters, today)
            results.append(checked)
            if reference is not None and (total := _total_as_property(checked, regulation)):
                properties += check_measured_properties((total,), reference, today)
        except InvalidInput as error:
            errors.extend(replace(e, row=row_number) for e in error.errors)
    if not rows:
        errors.append(FieldError("rows", "no lab results given"))
    if errors:
        raise InvalidInput(errors)
    return LaboratoryFile(tuple(results), tuple(properties), len(rows))


def _total_as_property(result: LabResult, regulation: RegulationData) -> MeasuredProperty | None:
    """A total content that is also a property of the stream (cadmium → cd_total), as its
    measurement, so that a need's property limits weigh it too. A result below detection
    is not one: its value is a bound, not a measurement."""
    code = regulation.parameters[result.parameter_code].total_as_property
    if code is None or result.basis is not Basis.TOTAL or result.is_below_detection:
        return None
    return MeasuredProperty(
        property_code=code,
        value=result.value,
        unit=result.unit,
        method=result.standard,
        measured_on=result.tested_on,
        laboratory=result.laboratory,
    )


def add_lab_results(
    unit_of_work: UnitOfWorkFactory,
    regulation: RegulationData,
    actor: Principal,
    stream_id: int,
    rows: Sequence[Row],
    today: date,
    now: datetime,
    from_file: bool = True,
    reference: ReferenceData | None = None,
) -> int:
    """Store a laboratory's results for the stream, all or none: contents and leaching as lab
    results, property measurements (with the reference data) as the stream's properties, in one
    transaction; how many rows were stored."""
    if actor.is_anonymous:
        raise Forbidden("sign in to add lab results")
    read = read_lab_results(rows, regulation, today, from_file, reference)
    with unit_of_work() as uow:
        stream = uow.streams.get(stream_id)
        if stream is None or not actor.acts_for(stream.organisation_id):
            raise NotFound("stream", stream_id)
        uow.lab_results.add(stream_id, read.results)
        if read.properties:
            measured = _merged(stream.properties, read.properties)
            uow.streams.update(replace(stream, properties=measured))
        audit(
            uow,
            actor,
            AuditAction.CHANGED,
            EntityKind.STREAM,
            stream_id,
            now,
            f"{stream.name}: {len(read.results)} lab results and "
            f"{len(read.properties)} property measurements added",
        )
        uow.commit()
    return read.rows


def _merged(
    held: tuple[MeasuredProperty, ...], new: tuple[MeasuredProperty, ...]
) -> tuple[MeasuredProperty, ...]:
    """The stream's measurements with the new ones; a new one of the same property, date and
    method replaces the one held (a laboratory's corrected report)."""

    def key(measured: MeasuredProperty) -> tuple[str, date, str]:
        return measured.property_code, measured.measured_on, measured.method

    replaced = {key(m) for m in new}
    return tuple(m for m in held if key(m) not in replaced) + new


def screen_stream(
    unit_of_work: UnitOfWorkFactory,
    regulation: RegulationData,
    reader: Principal,
    stream_id: int,
    use: str | None = None,
    regulatory: RegulatoryKnowledge | None = None,
    today: date | None = None,
) -> StreamScreening:
    """The stream's results against every rule set shipped, or one use's: a rule set, or
    (with the regulatory knowledge and the day) a valorisation route, whose rule sets are
    screened and whose regulatory path is judged from the stream's records."""
    route = regulatory.of_route(use.strip()) if regulatory and use else None
    if route is not None:
        rule_sets = [regulation.rule_sets[rule_set_id] for rule_set_id in route.rule_set_ids]
    elif use is None:
        rule_sets = list(regulation.rule_sets.values())
    elif regulatory is not None and use.strip() not in regulation.rule_sets:
        raise InvalidInput.single(
            "use", "{code} is neither a valorisation route nor a rule set", code=repr(use.strip())
        )
    else:
        rule_sets = [regulation.rule_set(use, "use")]
    with unit_of_work() as uow:
        stream = _readable_stream(uow, reader, stream_id)
        results = uow.lab_results.for_stream(stream_id)
        statuses = uow.statuses.for_stream(stream_id)
    screenings = tuple(screen(rule_set, results) for rule_set in rule_sets)
    path = None
    if route is not None and regulatory is not None and today is not None:
        path = regulatory_path(route, regulatory.kinds, statuses, screenings, today)
    return StreamScreening(
        stream_id=stream_id,
        stream_name=stream.name,
        results=tuple(results),
        screenings=screenings,
        statuses=tuple(statuses),
        path=path,
        material_class_code=stream.material_class_code,
    )


def record_status(
    unit_of_work: UnitOfWorkFactory,
    route_ids: frozenset[str],
    actor: Principal,
    record: StatusRecord,
    today: date,
    now: datetime,
    requirement_codes: frozenset[str] = frozenset(),
) -> StatusRecord:
    """Record the stream's status for one use (its members and facilitators), audited;
    `requirement_codes` are the requirements of uses a record may say it meets."""
    if actor.is_anonymous:
        raise Forbidden("sign in to record a regulatory status")
    checked = check_status_record(record, route_ids, today, requirement_codes)
    with unit_of_work() as uow:
        stream = uow.streams.get(record.stream_id)
        if stream is None or not actor.acts_for(stream.organisation_id):
            raise NotFound("stream", record.stream_id)
        saved = uow.statuses.add(checked)
        audit(
            uow,
            actor,
            AuditAction.CHANGED,
            EntityKind.STREAM,
            record.stream_id,
            now,
            f"{stream.name}: {checked.status.value} for {checked.use}",
        )
        uow.commit()
    return saved


def screening_record(screened: StreamScreening) -> dict[str, Any]:
    """The screening as plain data (JSON for the API, the pages' twins and the CLI)."""

    def one(screening: Screening) -> dict[str, Any]:
        rule_set = screening.rule_set
        return {
            "rule_set_id": rule_set.rule_set_id,
            "name": rule_set.name,
            "use": rule_set.use,
            "legal_source": rule_set.legal_source,
            "source_locator": rule_set.source_locator,
            "verdict": screening.verdict.value,
            "parameters": [
                {
                    "parameter_code": p.limit.parameter_code,
                    "basis": p.limit.basis.value,
                    "verdict": p.verdict.value,
                    "value": p.value_in_limit_unit,
                    "is_below_detection": p.result.is_below_detection if p.result else None,
                    "limit_value": p.limit.limit_value,
                    "unit": p.limit.unit,
                    "limit_is_verified": p.limit.is_verified,
                    "share_of_limit": p.share_of_limit,
                    "standard": p.result.standard if p.result else None,
                    "tested_on": p.result.tested_on.isoformat() if p.result else None,
                    # The test the result comes from (read from its standard), the tests the
                    # limit counts (empty: any that measures its basis), and why the result
                    # does not count when it does not (then the verdict is missing).
                    "test_method": p.test_method.value if p.test_method else None,
                    "limit_test_methods": sorted(m.value for m in p.limit.test_methods),
                    "reason": str(p.reason) if p.reason is not None else None,
                }
                for p in screening.parameters
            ],
        }

    return {
        "stream_id": screened.stream_id,
        "stream_name": screened.stream_name,
        "disclaimer": DISCLAIMER,
        "statuses": [status_record(record) for record in screened.statuses],
        "screenings": [one(screening) for screening in screened.screenings],
        "regulatory_path": path_record(screened.path),
    }


def status_record(record: StatusRecord) -> dict[str, Any]:
    return {
        "status_record_id": record.status_record_id,
        "use": record.use,
        "route_id": record.route_id,
        "status": record.status.value,
        "legal_basis": record.legal_basis,
        "decision_reference": record.decision_reference,
        "authority": record.authority,
        "decided_on": record.decided_on.isoformat(),
        "valid_until": record.valid_until.isoformat() if record.valid_until else None,
        "scope_of_use": record.scope_of_use,
        "documents": list(record.documents),
        "fulfils": list(record.fulfils),
    }
