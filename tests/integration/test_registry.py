"""Import, export and persistence of the registry on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from sidestream.adapters.tabular.files import FileFormat, read_rows, write_records
from sidestream.bootstrap.container import Container
from sidestream.domain.errors import Conflict, InvalidInput
from sidestream.domain.organisations import Organisation
from sidestream.domain.streams import PhysicalForm, Quantity, Visibility
from sidestream.services.tabular_rows import NEED_COLUMNS, ORGANISATION_COLUMNS, STREAM_COLUMNS
from sidestream.services.transfer import (
    export_needs,
    export_organisations,
    export_streams,
    import_needs,
    import_organisations,
    import_streams,
)
from tests.conftest import DATA

REGISTRY = DATA / "registry"


def _load_registry(container: Container) -> None:
    import_organisations(
        read_rows(REGISTRY / "organisations.csv", ORGANISATION_COLUMNS),
        container.unit_of_work,
        container.reference,
    )
    import_streams(
        read_rows(REGISTRY / "streams.csv", STREAM_COLUMNS),
        container.unit_of_work,
        container.reference,
        container.today(),
    )
    import_needs(
        read_rows(REGISTRY / "needs.csv", NEED_COLUMNS), container.unit_of_work, container.reference
    )


def _counts(container: Container) -> tuple[int, int, int, int]:
    with container.unit_of_work() as uow:
        organisations = uow.organisations.list_all()
        return (
            len(organisations),
            sum(len(org.sites) for org in organisations),
            len(uow.streams.list_all()),
            len(uow.needs.list_all()),
        )


def test_import_stores_every_field_and_derives_the_hazard_flag(container: Container) -> None:
    _load_registry(container)

    assert _counts(container) == (3, 4, 4, 3)
    with container.unit_of_work() as uow:
        steel = uow.organisations.get_by_name("Test Steel Oy")
        assert steel is not None and steel.organisation_id is not None
        assert steel.business_id == "1234567-1"
        assert [site.name for site in steel.sites] == ["Röyttä works", "Tornio landfill"]
        assert steel.sites[0].has_port and steel.sites[0].municipality_code == "851"
        slag = uow.streams.get_by_name(steel.organisation_id, "Ferrochrome slag")
        dust = uow.streams.get_by_name(steel.organisation_id, "Filter dust")
        heat = uow.streams.get_by_name(steel.organisation_id, "Cooling water heat")
    assert slag is not None and dust is not None and heat is not None
    assert slag.ewc_code == "100202" and not slag.is_hazardous
    assert dust.ewc_code == "100207" and dust.is_hazardous
    assert [p.property_code for p in slag.properties] == ["cao", "particle_size_max"]
    assert slag.properties[0].value == 2.1 and slag.properties[0].unit == "%"
    assert heat.physical_form is PhysicalForm.ENERGY and heat.temperature_c == 35
    assert heat.ewc_code is None and heat.visibility is Visibility.PUBLIC_ANONYMOUS
    assert (slag.quantity.low, slag.quantity.amount, slag.quantity.high) == (650000, 700000, 750000)
    assert heat.quantity.range == (90000, 210000)
    assert (dust.quantity.low, dust.quantity.high) == (None, None)


def test_quantity_ranges_of_needs_are_stored(container: Container) -> None:
    _load_registry(container)
    with container.unit_of_work() as uow:
        quantities = {need.name: need.quantity for need in uow.needs.list_all()}
    assert quantities["Cover layer for waste-rock pile"].range == (150000, 250000)
    only_high = quantities["Slag for geopolymer"]
    assert (only_high.low, only_high.amount, only_high.high) == (None, 20000, 40000)
    assert quantities["Heat for drying"].range == (5000, 5000)


def test_a_range_is_updated_and_cleared_through_the_repository(container: Container) -> None:
    _load_registry(container)
    with container.unit_of_work() as uow:
        stream = next(s for s in uow.streams.list_all() if s.name == "Filter dust")
        stream.quantity = replace(stream.quantity, low=9500.5, high=15000.0)
        uow.streams.update(stream)
        need = next(n for n in uow.needs.list_all() if n.name == "Cover layer for waste-rock pile")
        need.quantity = replace(need.quantity, low=None, high=None)
        uow.needs.update(need)
        uow.commit()
    with container.unit_of_work() as uow:
        assert stream.stream_id is not None and need.need_id is not None
        stored_stream = uow.streams.get(stream.stream_id)
        stored_need = uow.needs.get(need.need_id)
    assert stored_stream is not None and stored_stream.quantity.range == (9500.5, 15000.0)
    assert stored_need is not None and (stored_need.quantity.low, stored_need.quantity.high) == (
        None,
        None,
    )


def test_a_file_without_the_range_columns_still_imports(
    container: Container, tmp_path: Path
) -> None:
    _load_registry(container)
    with (REGISTRY / "needs.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    old_columns = [c for c in NEED_COLUMNS if c not in ("quantity_low", "quantity_high")]
    old_file = tmp_path / "needs.csv"
    with old_file.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=old_columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({**row, "name": f"{row['name']} (old format)"} for row in rows)

    report = import_needs(
        read_rows(old_file, NEED_COLUMNS), container.unit_of_work, container.reference
    )

    assert report.created == 3
    with container.unit_of_work() as uow:
        added = [n for n in uow.needs.list_all() if n.name.endswith("(old format)")]
    assert [(n.quantity.low, n.quantity.high) for n in added] == [(None, None)] * 3


def test_reimporting_the_same_files_changes_nothing(container: Container) -> None:
    _load_registry(container)
    report = import_streams(
        read_rows(REGISTRY / "streams.csv", STREAM_COLUMNS),
        container.unit_of_work,
        container.reference,
        container.today(),
    )
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert _counts(container) == (3, 4, 4, 3)


def test_a_file_with_one_bad_row_is_rejected_whole(container: Container, tmp_path: Path) -> None:
    _load_registry(container)
    with (REGISTRY / "streams.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["quantity_amount"] = "700001"  # a valid change on row 2 (within its range)...
    rows.append({**rows[1], "name": "New dust", "ewc_code": "99 99 99"})  # ...and a bad new row 6
    bad_file = tmp_path / "streams.csv"
    with bad_file.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=STREAM_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)

    with pytest.raises(InvalidInput) as rejected:
        import_streams(
            read_rows(bad_file, STREAM_COLUMNS),
            container.unit_of_work,
            container.reference,
            container.today(),
        )

    assert [(e.row, e.field) for e in rejected.value.errors] == [(6, "ewc_code")]
    assert "'99 99 99' is not in the List of Waste" in rejected.value.errors[0].reason
    with container.unit_of_work() as uow:
        amounts = sorted(stream.quantity.amount for stream in uow.streams.list_all())
    assert 700001 not in amounts and len(amounts) == 4


@pytest.mark.parametrize(
    ("table", "importer", "columns"),
    [
        (
            "streams",
            lambda rows, c: import_streams(rows, c.unit_of_work, c.reference, c.today()),
            STREAM_COLUMNS,
        ),
        (
            "needs",
            lambda rows, c: import_needs(rows, c.unit_of_work, c.reference),
            NEED_COLUMNS,
        ),
    ],
)
def test_bad_quantity_ranges_reject_the_whole_file(
    container: Container,
    tmp_path: Path,
    table: str,
    importer: Callable[[list[dict[str, str]], Container], object],
    columns: tuple[str, ...],
) -> None:
    _load_registry(container)
    with (REGISTRY / f"{table}.csv").open(encoding="utf-8") as handle:
        first, second = list(csv.DictReader(handle))[:2]
    amount = second["quantity_amount"]
    rows = [
        {**first, "quantity_low": "", "quantity_high": ""},  # row 2: a valid change...
        {**second, "quantity_low": "lots", "quantity_high": ""},  # row 3: ...and bad rows
        {**second, "name": "Upside down", "quantity_low": "1e9", "quantity_high": "1"},
        {**second, "name": "Out of bounds", "quantity_low": "-0,5", "quantity_high": "1e12"},
    ]
    bad_file = tmp_path / f"{table}.csv"
    with bad_file.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)

    def stored_quantities() -> list[Quantity]:
        with container.unit_of_work() as uow:
            store = uow.streams if table == "streams" else uow.needs
            return [listing.quantity for listing in store.list_all()]

    before = stored_quantities()
    with pytest.raises(InvalidInput) as rejected:
        importer(read_rows(bad_file, columns), container)

    assert [(e.row, e.field, e.reason) for e in rejected.value.errors] == [
        (3, "quantity_low", "'lots' is not a number"),
        (4, "quantity_low", f"1e+09 exceeds quantity_amount {amount}"),
        (4, "quantity_high", f"1 is below quantity_amount {amount}"),
        (5, "quantity_low", "-0.5 is not an amount of zero or more"),
        (5, "quantity_high", "1e+12 exceeds 1e+09"),
    ]
    assert stored_quantities() == before  # row 2's valid change was not written either


def test_every_problem_of_a_file_is_reported_with_row_and_field(
    container: Container, tmp_path: Path
) -> None:
    _load_registry(container)
    bad_file = tmp_path / "needs.csv"
    shutil.copy(REGISTRY / "needs.csv", bad_file)
    with bad_file.open("a", encoding="utf-8") as handle:
        handle.write(
            "Nobody Oy,Nowhere,Ghost need,,,,,,false,10,t/yr,continuous,,,,50,,public,2028-01-01\n"
            "Test Soil Oy,Ajos plant,Odd need,,,unobtainium,,,maybe,-5,t/yr,weekly,,,"
            "cao>=5 furlongs,0,,secret,someday\n"
        )

    with pytest.raises(InvalidInput) as rejected:
        import_needs(read_rows(bad_file, NEED_COLUMNS), container.unit_of_work, container.reference)

    found = {(e.row, e.field) for e in rejected.value.errors}
    assert (5, "organisation_name") in found
    assert {
        (6, "accepts_hazardous"),
        (6, "recurrence"),
        (6, "visibility"),
        (6, "valid_until"),
    } <= found
    assert _counts(container)[3] == 3


@pytest.mark.parametrize("file_format", list(FileFormat))
def test_export_then_import_gives_the_same_records(
    container: Container, tmp_path: Path, file_format: FileFormat
) -> None:
    _load_registry(container)
    exports = {
        "organisations": (export_organisations(container.unit_of_work), ORGANISATION_COLUMNS),
        "streams": (export_streams(container.unit_of_work, container.reference), STREAM_COLUMNS),
        "needs": (export_needs(container.unit_of_work, container.reference), NEED_COLUMNS),
    }
    for name, (records, columns) in exports.items():
        path = tmp_path / f"{name}.{file_format.value}"
        write_records(path, file_format, columns, records)
        assert read_rows(path, columns) == [record.row for record in records]
    exported = {record.row["name"]: record.row for record in exports["streams"][0]}
    assert (
        exported["Ferrochrome slag"]["quantity_low"],
        exported["Ferrochrome slag"]["quantity_high"],
    ) == ("650000", "750000")
    assert (exported["Filter dust"]["quantity_low"], exported["Filter dust"]["quantity_high"]) == (
        "",
        "",
    )
    needs_exported = {record.row["name"]: record.row for record in exports["needs"][0]}
    assert needs_exported["Slag for geopolymer"]["quantity_high"] == "40000"

    organisations = import_organisations(
        read_rows(tmp_path / f"organisations.{file_format.value}", ORGANISATION_COLUMNS),
        container.unit_of_work,
        container.reference,
    )
    streams = import_streams(
        read_rows(tmp_path / f"streams.{file_format.value}", STREAM_COLUMNS),
        container.unit_of_work,
        container.reference,
        container.today(),
    )
    needs = import_needs(
        read_rows(tmp_path / f"needs.{file_format.value}", NEED_COLUMNS),
        container.unit_of_work,
        container.reference,
    )
    assert (organisations.unchanged, streams.unchanged, needs.unchanged) == (3, 4, 3)
    assert organisations.created + streams.created + needs.created == 0
    assert organisations.updated + streams.updated + needs.updated == 0


def test_export_into_a_second_database_reproduces_the_records(
    container: Container, tmp_path: Path, reference: object
) -> None:
    _load_registry(container)
    second = Container(
        settings=type(container.settings)(database_url=f"sqlite:///{tmp_path / 'b.sqlite3'}")
    )
    second.__dict__["reference"] = container.reference
    second.upgrade_database()
    for name, exporter, columns, importer in (
        (
            "organisations",
            lambda: export_organisations(container.unit_of_work),
            ORGANISATION_COLUMNS,
            lambda rows: import_organisations(rows, second.unit_of_work, second.reference),
        ),
        (
            "streams",
            lambda: export_streams(container.unit_of_work, container.reference),
            STREAM_COLUMNS,
            lambda rows: import_streams(
                rows, second.unit_of_work, second.reference, second.today()
            ),
        ),
        (
            "needs",
            lambda: export_needs(container.unit_of_work, container.reference),
            NEED_COLUMNS,
            lambda rows: import_needs(rows, second.unit_of_work, second.reference),
        ),
    ):
        path = tmp_path / f"{name}.xlsx"
        write_records(path, FileFormat.XLSX, columns, exporter())
        importer(read_rows(path, columns))

    assert [r.row for r in export_streams(second.unit_of_work, second.reference)] == [
        r.row for r in export_streams(container.unit_of_work, container.reference)
    ]
    assert [r.row for r in export_needs(second.unit_of_work, second.reference)] == [
        r.row for r in export_needs(container.unit_of_work, container.reference)
    ]
    second.dispose()


def test_a_business_id_belongs_to_one_organisation(container: Container, tmp_path: Path) -> None:
    _load_registry(container)
    clash = tmp_path / "organisations.csv"
    clash.write_text(
        ",".join(ORGANISATION_COLUMNS) + "\n"
        "Copycat Oy,1234567-1,,,,,,Yard,240,65.7,24.5,false,false,\n"
        "Twin A Oy,7654321-2,,,,,,Yard,240,65.7,24.5,false,false,\n"
        "Twin B Oy,7654321-2,,,,,,Yard,240,65.7,24.5,false,false,\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as rejected:
        import_organisations(
            read_rows(clash, ORGANISATION_COLUMNS), container.unit_of_work, container.reference
        )
    reasons = {(e.row, e.field): e.reason for e in rejected.value.errors}
    assert reasons == {(4, "business_id"): "is also given to another organisation on row 3"}
    with pytest.raises(InvalidInput) as rejected:
        import_organisations(
            read_rows(clash, ORGANISATION_COLUMNS)[:1], container.unit_of_work, container.reference
        )
    assert rejected.value.errors[0].reason == "already belongs to 'Test Steel Oy'"
    assert _counts(container)[0] == 3


def test_a_clash_in_the_database_is_a_conflict_and_leaves_nothing(container: Container) -> None:
    _load_registry(container)
    with container.unit_of_work() as uow:
        uow.organisations.add(Organisation(name="Brand New Oy"))
        with pytest.raises(Conflict, match="clashes with stored records"):
            uow.organisations.add(Organisation(name="Test Mine Oy"))
    with container.unit_of_work() as uow:
        assert uow.organisations.get_by_name("Brand New Oy") is None
