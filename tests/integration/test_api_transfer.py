"""/api/v1/export and /api/v1/import over real HTTP on SQLite and PostgreSQL: whole tables for
facilitators and administrators only, every export and import in the audit log, an import all
or nothing with every bad row's fields named, and uploads limited in size."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import AuditAction
from sidestream.entrypoints.api.bodies import MAX_UPLOAD_BYTES
from sidestream.services.audited_transfer import AUDIT_ENTITY_KIND
from sidestream.services.tabular_rows import STREAM_COLUMNS
from tests.support.api import Api, running_api


@pytest.fixture
def api(container: Container) -> Iterator[Api]:
    with running_api(container) as running:
        yield running


def _csv(rows: list[dict[str, str]]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(STREAM_COLUMNS))
    writer.writeheader()
    writer.writerows({column: row.get(column, "") for column in STREAM_COLUMNS} for row in rows)
    return text.getvalue().encode("utf-8")


def test_an_export_is_every_row_for_facilitators_and_audited(api: Api) -> None:
    with api.client("facilitator") as facilitator:
        exported = facilitator.get("/export/streams.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert exported.headers["cache-control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {row["name"] for row in rows} == {
        "Ferrochrome slag",
        "Filter dust",
        "Cooling water heat",
        "Waste rock batch",
    }
    dust = next(row for row in rows if row["name"] == "Filter dust")
    assert dust["management_cost_eur_per_unit"] == "95" and dust["visibility"] == "private"
    [event] = api.audit_events(AUDIT_ENTITY_KIND)
    assert event.action is AuditAction.EXPORTED
    assert event.actor_user_id == api.user_ids["facilitator"]
    assert event.detail == "streams: 4 rows"
    with api.client("administrator") as administrator:
        organisations = administrator.get("/export/organisations.csv")
    assert organisations.text.startswith("organisation_name,business_id,")
    assert len(api.audit_events(AUDIT_ENTITY_KIND)) == 2


def test_members_and_the_public_export_nothing_and_leave_no_trace(api: Api) -> None:
    for who in (None, "steel"):
        with api.client(who) as client:
            refused = client.get("/export/streams.csv")
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
        assert "Filter dust" not in refused.text
    assert api.audit_events(AUDIT_ENTITY_KIND) == []
    with api.client("facilitator") as facilitator:
        assert facilitator.get("/export/users.csv").status_code == 422


def _exported_streams(api: Api) -> list[dict[str, str]]:
    with api.client("facilitator") as facilitator:
        return list(csv.DictReader(io.StringIO(facilitator.get("/export/streams.csv").text)))


def test_an_import_writes_all_rows_and_its_audit_event_together(api: Api) -> None:
    rows = _exported_streams(api)
    new = dict(rows[0], name="Ferrochrome slag fines", quantity_amount="5000")
    new.update(quantity_low="", quantity_high="")
    with api.client("facilitator") as facilitator:
        imported = facilitator.post(
            "/import/streams", files={"file": ("streams.csv", _csv([*rows, new]), "text/csv")}
        )
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"table": "streams", "created": 1, "updated": 0, "unchanged": 4}
    assert api.count("side_streams") == 5
    [event, *_] = api.audit_events(AUDIT_ENTITY_KIND)
    assert (event.action, event.detail) == (AuditAction.CHANGED, "streams: imported 5 rows")


def test_a_file_with_bad_rows_is_refused_whole_naming_each_row(api: Api) -> None:
    good = _exported_streams(api)[0] | {"name": "A new one"}
    bad_quantity = good | {"name": "Negative", "quantity_amount": "-5"}
    bad_code = good | {"name": "Unknown", "ewc_code": "99 99 99"}
    bad_cells = good | {"name": "Garbled", "visibility": "everyone", "valid_until": "soon"}
    events_before = len(api.audit_events())
    with api.client("facilitator") as facilitator:
        refused = facilitator.post(
            "/import/streams",
            files={
                "file": ("streams.csv", _csv([good, bad_quantity, bad_code, bad_cells]), "text/csv")
            },
        )
    assert refused.status_code == 422
    errors = {(e["row"], e["field"]) for e in refused.json()["errors"]}
    assert errors == {
        (3, "quantity_amount"),
        (4, "ewc_code"),
        (5, "visibility"),
        (5, "valid_until"),
    }
    assert api.count("side_streams") == 4  # not even the good row
    assert len(api.audit_events()) == events_before


def test_uploads_are_for_facilitators_and_limited_in_size(api: Api) -> None:
    upload = {"file": ("streams.csv", _csv(_exported_streams(api)), "text/csv")}
    with api.client("steel") as steel:
        assert steel.post("/import/streams", files=upload).status_code == 403
    huge = _csv([]) + b"x" * (MAX_UPLOAD_BYTES + 1)
    with api.client("facilitator") as facilitator:
        too_large = facilitator.post(
            "/import/streams", files={"file": ("streams.csv", huge, "text/csv")}
        )
        assert too_large.status_code == 413
        assert too_large.headers["content-type"] == "application/problem+json"
        assert too_large.json()["status"] == 413
        wrong_kind = facilitator.post(
            "/import/streams", files={"file": ("streams.pdf", b"%PDF-1.7", "application/pdf")}
        )
        assert wrong_kind.status_code == 422
        assert [e["field"] for e in wrong_kind.json()["errors"]] == ["file"]
        not_text = facilitator.post(
            "/import/streams", files={"file": ("streams.csv", b"\xff\xfe\x00bad", "text/csv")}
        )
        assert not_text.status_code == 422
        assert facilitator.post("/import/streams").status_code == 422  # no file at all
    assert api.count("side_streams") == 4
