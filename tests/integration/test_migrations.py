"""The migrations build exactly the schema the table models describe, on both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from sidestream.adapters.db.migrate import (
    current_revision,
    downgrade_database,
    head_revision,
    upgrade_database,
)
from sidestream.adapters.db.tables import Base
from sidestream.adapters.passwords import Argon2PasswordHasher
from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import Principal
from sidestream.domain.documents import DocumentUpload
from sidestream.domain.regulation import RegulatoryStatus, StatusRecord
from sidestream.domain.synergies import Stage
from sidestream.services.accounts import (
    bootstrap_administrator,
    list_users,
    set_partners,
)
from sidestream.services.documents import upload_document
from sidestream.services.scenarios import list_scenario_runs, save_scenario_run
from sidestream.services.screening import record_status
from sidestream.services.synergies import list_synergies, move_synergy, open_synergy
from tests.integration.test_registry import _load_registry
from tests.integration.test_scenarios_store import pareto_run
from tests.integration.test_synergies import make_board

RANGE_COLUMNS = {"quantity_low", "quantity_high"}
LISTING_TABLES = (
    "side_streams",
    "stream_properties",
    "needs",
    "need_material_classes",
    "need_waste_codes",
    "need_property_limits",
)
SCENARIO_TABLES = {"scenarios", "scenario_plans", "scenario_flows"}
ACCOUNT_TABLES = {
    "users",
    "memberships",
    "organisation_partners",
    "sessions",
    "api_tokens",
    "login_attempts",
    "audit_events",
}
SYNERGY_TABLES = {"synergies", "synergy_events"}
DOCUMENT_TABLES = {"stream_documents"}


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        return list(
            compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}),
                Base.metadata,
            )
        )


def _columns(engine: Engine, table: str) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns(table)}


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in LISTING_TABLES
        }


def test_upgrade_reaches_head_and_matches_the_models(container: Container) -> None:
    assert current_revision(container.engine) == head_revision()
    assert _differences(container.engine) == []


def test_the_quantity_range_revision_goes_down_and_up_keeping_the_rows(
    container: Container,
) -> None:
    _load_registry(container)  # with quantity ranges, properties, accepted codes and limits
    engine = container.engine
    counts = _row_counts(engine)
    assert counts["stream_properties"] > 0 and counts["need_property_limits"] > 0

    downgrade_database(engine, "0003")

    assert current_revision(engine) == "0003"
    for table in ("side_streams", "needs"):
        assert not RANGE_COLUMNS & _columns(engine, table)
    assert _row_counts(engine) == counts  # no listing lost its child rows on the way down

    upgrade_database(engine, "0004")

    assert current_revision(engine) == "0004"
    assert _row_counts(engine) == counts
    for table in ("side_streams", "needs"):
        columns = {column["name"]: column for column in inspect(engine).get_columns(table)}
        assert all(columns[name]["nullable"] for name in RANGE_COLUMNS)

    container.upgrade_database()  # on to head, where the table models apply

    assert _differences(engine) == []
    with container.unit_of_work() as uow:
        listings = [*uow.streams.list_all(), *uow.needs.list_all()]
    assert len(listings) == counts["side_streams"] + counts["needs"]
    assert all(listing.quantity.low is None for listing in listings)  # ranges were dropped
    assert all(listing.quantity.high is None for listing in listings)


def test_going_down_to_the_first_revision_keeps_every_listing_and_its_rows(
    container: Container,
) -> None:
    _load_registry(container)
    engine = container.engine
    counts = _row_counts(engine)

    downgrade_database(engine, "0001")

    assert current_revision(engine) == "0001"
    assert "max_distance_km" not in _columns(engine, "side_streams")
    assert _row_counts(engine) == counts
    container.upgrade_database()
    assert _row_counts(engine) == counts and _differences(engine) == []


def test_the_scenarios_revision_goes_down_and_up_keeping_the_registry(
    container: Container,
) -> None:
    _load_registry(container)
    saved = save_scenario_run(container.unit_of_work, pareto_run())  # plans and flows too
    engine = container.engine
    counts = _row_counts(engine)

    downgrade_database(engine, "0004")

    assert current_revision(engine) == "0004"
    assert not SCENARIO_TABLES & set(inspect(engine).get_table_names())
    assert _row_counts(engine) == counts  # dropping the scenarios took no listing row along

    upgrade_database(engine, "0005")

    assert current_revision(engine) == "0005"
    assert set(inspect(engine).get_table_names()) >= SCENARIO_TABLES
    assert _row_counts(engine) == counts
    container.upgrade_database()  # on to head, where the table models apply
    assert _differences(engine) == []
    assert list_scenario_runs(container.unit_of_work) == []  # saved runs went with the tables
    again = save_scenario_run(container.unit_of_work, pareto_run())
    assert list_scenario_runs(container.unit_of_work) == [again]
    assert replace(again, scenario_id=None) == replace(saved, scenario_id=None)


def test_the_accounts_revision_goes_down_and_up_keeping_the_registry(
    container: Container,
) -> None:
    _load_registry(container)
    saved = save_scenario_run(container.unit_of_work, pareto_run())
    now = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    with container.unit_of_work() as uow:
        organisations = uow.organisations.list_all()
    organisation_ids = [o.organisation_id for o in organisations if o.organisation_id is not None]
    assert len(organisation_ids) >= 2
    # users with memberships and partnerships refer to organisations: dropping them must not
    # take an organisation (or its sites and listings) along
    bootstrap_administrator(
        container.unit_of_work,
        Argon2PasswordHasher(time_cost=1, memory_cost_kib=8, parallelism=1),
        email="admin@example.fi",
        display_name="Admin",
        password="a long enough password",
        now=now,
        organisation_ids=organisation_ids[:1],
    )
    set_partners(
        container.unit_of_work, Principal.operator(), organisation_ids[0], organisation_ids[1:], now
    )
    engine = container.engine
    counts = _row_counts(engine)

    downgrade_database(engine, "0005")

    assert current_revision(engine) == "0005"
    assert not ACCOUNT_TABLES & set(inspect(engine).get_table_names())
    assert _row_counts(engine) == counts
    with container.unit_of_work() as uow:
        assert len(uow.organisations.list_all()) == len(organisations)
    assert list_scenario_runs(container.unit_of_work) == [saved]

    upgrade_database(engine, "0006")

    assert current_revision(engine) == "0006"
    assert set(inspect(engine).get_table_names()) >= ACCOUNT_TABLES
    container.upgrade_database()  # on to head, where the table models apply
    assert _differences(engine) == []
    assert list_users(container.unit_of_work, Principal.operator()) == []  # gone with the tables
    assert _row_counts(engine) == counts


def test_the_synergies_revision_goes_down_and_up_keeping_the_proposals(
    container: Container,
) -> None:
    board = make_board(container)  # the test registry with two proposals, one accepted
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    for proposal_id in (board.agreed, board.undecided):
        synergy = open_synergy(container.unit_of_work, proposal_id, board.facilitator, now)
        assert synergy.synergy_id is not None
        move_synergy(
            container.unit_of_work, synergy.synergy_id, Stage.PILOT, board.facilitator, now
        )
    engine = container.engine
    counts = _row_counts(engine)
    with container.unit_of_work() as uow:
        proposals = uow.proposals.list_all()
    assert len(proposals) == 2

    downgrade_database(engine, "0006")

    assert current_revision(engine) == "0006"
    assert not SYNERGY_TABLES & set(inspect(engine).get_table_names())
    assert _row_counts(engine) == counts
    with container.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM proposals")).scalar_one() == 2

    upgrade_database(engine, "0007")

    assert current_revision(engine) == "0007"
    container.upgrade_database()  # on to head, where the table models apply
    assert _differences(engine) == []
    assert list_synergies(container.unit_of_work, Principal.operator()) == []  # went with them
    with container.unit_of_work() as uow:
        assert uow.proposals.list_all() == proposals
    assert _row_counts(engine) == counts


def _status_with_a_document(container: Container, **status: object) -> tuple[int, int]:
    """A registry with one status record of its first stream and a file supporting it: the
    stream's and the record's ids."""
    _load_registry(container)
    now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    with container.unit_of_work() as uow:
        stream_id = uow.streams.list_all()[0].stream_id
    assert stream_id is not None
    fields: dict[str, Any] = {
        "use": "road base",
        "status": RegulatoryStatus.BY_PRODUCT,
        "legal_basis": "Waste Act 646/2011, section 5",
        "decided_on": date(2025, 5, 1),
    }
    record = record_status(
        container.unit_of_work,
        frozenset(),
        Principal.operator(),
        StatusRecord(stream_id=stream_id, **(fields | status)),
        container.today(),
        now,
        requirement_codes=frozenset({"mara_notification"}),
    )
    assert record.status_record_id is not None
    upload_document(
        container.unit_of_work,
        Principal.operator(),
        DocumentUpload(
            stream_id, "Decision", "decision", "d.pdf", b"%PDF-1.7\n", record.status_record_id
        ),
        now,
    )
    return stream_id, record.status_record_id


def test_the_documents_revision_goes_down_and_up_keeping_streams_and_statuses(
    container: Container,
) -> None:
    stream_id, status_record_id = _status_with_a_document(container)
    engine = container.engine
    counts = _row_counts(engine)

    downgrade_database(engine, "0010")

    assert current_revision(engine) == "0010"
    assert not DOCUMENT_TABLES & set(inspect(engine).get_table_names())
    assert _row_counts(engine) == counts  # the files went; their streams stayed
    with engine.connect() as connection:  # in SQL: the table models are of the head revision
        kept = connection.execute(text("SELECT status_record_id FROM regulatory_statuses"))
        assert list(kept.scalars()) == [status_record_id]

    upgrade_database(engine, "0011")

    assert current_revision(engine) == "0011"
    assert set(inspect(engine).get_table_names()) >= DOCUMENT_TABLES
    container.upgrade_database()  # on to head, where the table models apply
    assert _differences(engine) == []
    assert _row_counts(engine) == counts
    with container.unit_of_work() as uow:
        assert uow.documents.for_stream(stream_id) == []  # gone with the table


def test_the_fulfils_revision_goes_down_and_up_keeping_records_and_document_links(
    container: Container,
) -> None:
    stream_id, status_record_id = _status_with_a_document(
        container, status=RegulatoryStatus.WASTE, fulfils=("mara_notification",)
    )
    engine = container.engine
    counts = _row_counts(engine)

    downgrade_database(engine, "0011")

    assert current_revision(engine) == "0011"
    assert _row_counts(engine) == counts
    columns = {c["name"] for c in inspect(engine).get_columns("regulatory_statuses")}
    assert "fulfils" not in columns
    with engine.connect() as connection:  # the file still supports its record
        linked = connection.execute(text("SELECT status_record_id FROM stream_documents"))
        assert list(linked.scalars()) == [status_record_id]

    container.upgrade_database()
    assert _differences(engine) == []
    with container.unit_of_work() as uow:
        (kept,) = uow.statuses.for_stream(stream_id)
    assert kept.fulfils == ()  # what it named went with the column; the record stayed


def test_upgrade_twice_is_harmless(container: Container) -> None:
    container.upgrade_database()
    tables = set(inspect(container.engine).get_table_names())
    assert {"organisations", "sites", "side_streams", "needs", "stream_properties"} <= tables
    assert tables >= SCENARIO_TABLES | ACCOUNT_TABLES | SYNERGY_TABLES | DOCUMENT_TABLES


def test_sqlite_runs_with_foreign_keys_and_wal(sqlite_container: Container) -> None:
    with sqlite_container.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
