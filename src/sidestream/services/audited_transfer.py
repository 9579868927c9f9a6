"""Import and export of whole tables (services.transfer) for facilitators and administrators,
each one in the audit log.

An export carries every listing whatever its visibility, costs and contacts included: it is
written to the audit log (EXPORTED) before the rows are handed out, so no copy leaves unseen.
An import's audit event is written in the import's own transaction: both are stored, or
neither.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self, cast

from sidestream.domain.accounts import AuditAction, Principal
from sidestream.domain.errors import Forbidden
from sidestream.domain.reference import ReferenceData
from sidestream.services.accounts import audit
from sidestream.services.ports import UnitOfWork, UnitOfWorkFactory
from sidestream.services.tabular_rows import (
    NEED_COLUMNS,
    ORGANISATION_COLUMNS,
    STREAM_COLUMNS,
    Row,
)
from sidestream.services.transfer import (
    ExportRecord,
    ImportReport,
    Table,
    export_needs,
    export_organisations,
    export_streams,
    import_needs,
    import_organisations,
    import_streams,
)

COLUMNS: dict[Table, tuple[str, ...]] = {
    Table.ORGANISATIONS: ORGANISATION_COLUMNS,
    Table.STREAMS: STREAM_COLUMNS,
    Table.NEEDS: NEED_COLUMNS,
}
AUDIT_ENTITY_KIND = "table"  # an event about a whole table; its name is in the detail


def check_may_transfer_tables(actor: Principal) -> None:
    """Forbidden unless the actor is a facilitator or an administrator (callers may check
    before reading an upload; export_table and import_table check again)."""
    if not actor.oversees_registry:
        raise Forbidden(
            "importing and exporting whole tables is for facilitators and administrators: "
            "the tables hold every organisation's confidential listings"
        )


def export_table(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    actor: Principal,
    table: Table,
    now: datetime,
) -> list[ExportRecord]:
    """Every row of the table, in the import format; audited as EXPORTED."""
    check_may_transfer_tables(actor)
    if table is Table.ORGANISATIONS:
        records = export_organisations(unit_of_work)
    elif table is Table.STREAMS:
        records = export_streams(unit_of_work, reference)
    else:
        records = export_needs(unit_of_work, reference)
    with unit_of_work() as uow:
        audit(
            uow,
            actor,
            AuditAction.EXPORTED,
            AUDIT_ENTITY_KIND,
            None,
            now,
            f"{table.value}: {len(records)} rows",
        )
        uow.commit()
    return records


class _AuditOnCommit:
    """A unit of work that writes an audit event just before it commits, so the event and the
    change it records are one transaction."""

    def __init__(self, inner: UnitOfWork, write_event: Callable[[UnitOfWork], None]) -> None:
        self._inner = inner
        self._write_event = write_event

    def __enter__(self) -> Self:
        self._inner.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._inner.__exit__(exc_type, exc, traceback)

    def commit(self) -> None:
        self._write_event(self._inner)
        self._inner.commit()

    def __getattr__(self, name: str) -> Any:  # the repositories and rollback, unchanged
        return getattr(self._inner, name)


def import_table(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    actor: Principal,
    table: Table,
    rows: Sequence[Row],
    today: date,
    now: datetime,
) -> ImportReport:
    """Import the rows (all or nothing, every bad row's fields listed) and audit the import
    in the same transaction."""
    check_may_transfer_tables(actor)

    def write_event(uow: UnitOfWork) -> None:
        detail = f"{table.value}: imported {len(rows)} rows"
        audit(uow, actor, AuditAction.CHANGED, AUDIT_ENTITY_KIND, None, now, detail)

    def audited() -> UnitOfWork:
        return cast(UnitOfWork, _AuditOnCommit(unit_of_work(), write_event))

    if table is Table.ORGANISATIONS:
        return import_organisations(rows, audited, reference)
    if table is Table.STREAMS:
        return import_streams(rows, audited, reference, today)
    return import_needs(rows, audited, reference)
