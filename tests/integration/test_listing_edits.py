"""Creating and changing one stream or need, as a form or the API does: the same columns and
rules as an import, only for those entitled, all or nothing, audited; on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import AuditFilter, Principal
from sidestream.domain.errors import Forbidden, InvalidInput, NotFound
from sidestream.services.accounts import read_audit_log
from sidestream.services.listing_edits import (
    editable_organisations,
    need_for_edit,
    save_need,
    save_stream,
    stream_for_edit,
)
from tests.integration.test_registry import _load_registry

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
FACILITATOR = Principal(user_id=1, is_facilitator=True)

STREAM_FIELDS = {
    "organisation_name": "Test Steel Oy",
    "site_name": "Röyttä works",
    "name": "Ladle slag",
    "ewc_code": "10 02 02",
    "material_class_code": "ferrochrome_slag",
    "physical_form": "solid",
    "quantity_amount": "25 000",
    "quantity_unit": "t/yr",
    "recurrence": "continuous",
    "management_route": "landfill",
    "management_cost_eur_per_unit": "42",
    "visibility": "partners",
    "valid_until": "2028-12-31",
}


def _organisation_id(container: Container, name: str) -> int:
    with container.unit_of_work() as uow:
        organisation = uow.organisations.get_by_name(name)
    assert organisation is not None and organisation.organisation_id is not None
    return organisation.organisation_id


@pytest.fixture
def registry(container: Container) -> Container:
    _load_registry(container)
    return container


def _stream_names(container: Container) -> set[str]:
    with container.unit_of_work() as uow:
        return {stream.name for stream in uow.streams.list_all()}


def test_a_member_creates_and_changes_a_stream_of_their_organisation(
    registry: Container,
) -> None:
    member = Principal(
        user_id=7, organisation_ids=frozenset({_organisation_id(registry, "Test Steel Oy")})
    )
    created = save_stream(
        registry.unit_of_work, registry.reference, member, STREAM_FIELDS, registry.today(), NOW
    )
    assert created.stream_id is not None
    assert created.quantity.amount == 25_000 and created.management_cost_eur_per_unit == 42
    assert created.ewc_code == "100202"  # normalised as on import
    editable = stream_for_edit(registry.unit_of_work, registry.reference, member, created.stream_id)
    assert editable.fields["ewc_code"] == "10 02 02"
    assert editable.fields["quantity_amount"] == "25000"
    changed = save_stream(
        registry.unit_of_work,
        registry.reference,
        member,
        editable.fields | {"quantity_amount": "30000"},
        registry.today(),
        NOW,
        stream_id=created.stream_id,
    )
    assert changed.stream_id == created.stream_id and changed.quantity.amount == 30_000
    unchanged = save_stream(
        registry.unit_of_work,
        registry.reference,
        member,
        editable.fields | {"quantity_amount": "30000"},
        registry.today(),
        NOW,
        stream_id=created.stream_id,
    )
    assert unchanged == changed
    events = read_audit_log(registry.unit_of_work, FACILITATOR, AuditFilter(entity_kind="stream"))
    assert [(event.action.value, event.entity_id, event.actor_user_id) for event in events] == [
        ("changed", created.stream_id, 7),
        ("created", created.stream_id, 7),
    ]


def test_every_wrong_field_is_named_and_nothing_is_stored(registry: Container) -> None:
    before = _stream_names(registry)
    wrong = STREAM_FIELDS | {
        "quantity_amount": "a lot",
        "quantity_unit": "barrels",
        "valid_until": "31.12.2028x",
        "ewc_code": "99 99 99",
        "name": "<script>alert(1)</script>",
    }
    with pytest.raises(InvalidInput) as raised:
        save_stream(
            registry.unit_of_work, registry.reference, FACILITATOR, wrong, registry.today(), NOW
        )
    fields = {error.field for error in raised.value.errors}
    assert {"quantity_amount", "quantity_unit", "valid_until"} <= fields
    assert all(error.row is None for error in raised.value.errors)  # not a row of a file
    assert _stream_names(registry) == before


def test_an_unknown_waste_code_is_named(registry: Container) -> None:
    with pytest.raises(InvalidInput) as raised:
        save_stream(
            registry.unit_of_work,
            registry.reference,
            FACILITATOR,
            STREAM_FIELDS | {"ewc_code": "99 99 99"},
            registry.today(),
            NOW,
        )
    assert [error.field for error in raised.value.errors] == ["ewc_code"]


def test_a_duplicate_name_is_refused(registry: Container) -> None:
    with pytest.raises(InvalidInput) as raised:
        save_stream(
            registry.unit_of_work,
            registry.reference,
            FACILITATOR,
            STREAM_FIELDS | {"name": "Ferrochrome slag"},
            registry.today(),
            NOW,
        )
    assert [error.field for error in raised.value.errors] == ["name"]


def test_only_members_and_facilitators_may_write(registry: Container) -> None:
    outsider = Principal(
        user_id=9, organisation_ids=frozenset({_organisation_id(registry, "Test Mine Oy")})
    )
    before = _stream_names(registry)
    for actor in (outsider, Principal.anonymous()):
        with pytest.raises(Forbidden):
            save_stream(
                registry.unit_of_work,
                registry.reference,
                actor,
                STREAM_FIELDS,
                registry.today(),
                NOW,
            )
    assert _stream_names(registry) == before
    with registry.unit_of_work() as uow:
        dust = next(s for s in uow.streams.list_all() if s.name == "Filter dust")
    assert dust.stream_id is not None
    with pytest.raises(NotFound):  # a listing one may not edit is not there for them
        stream_for_edit(registry.unit_of_work, registry.reference, outsider, dust.stream_id)
    with pytest.raises(Forbidden):  # nor may they change it by its id
        save_stream(
            registry.unit_of_work,
            registry.reference,
            outsider,
            STREAM_FIELDS,
            registry.today(),
            NOW,
            stream_id=dust.stream_id,
        )
    assert [org.name for org in editable_organisations(registry.unit_of_work, outsider)] == [
        "Test Mine Oy"
    ]


def test_a_need_is_created_and_read_back_for_editing(registry: Container) -> None:
    fields = {
        "organisation_name": "Test Mine Oy",
        "site_name": next(iter(_site_names(registry, "Test Mine Oy"))),
        "name": "Dust binder for haul roads",
        "accepted_material_class_codes": "ferrochrome_slag",
        "quantity_amount": "500",
        "quantity_unit": "t/yr",
        "recurrence": "continuous",
        "max_distance_km": "150",
        "visibility": "public",
        "valid_until": "2028-12-31",
    }
    need = save_need(registry.unit_of_work, registry.reference, FACILITATOR, fields, NOW)
    assert need.need_id is not None
    editable = need_for_edit(registry.unit_of_work, registry.reference, FACILITATOR, need.need_id)
    assert editable.fields["name"] == "Dust binder for haul roads"
    assert editable.fields["max_distance_km"] == "150"


def _site_names(container: Container, organisation_name: str) -> list[str]:
    with container.unit_of_work() as uow:
        organisation = uow.organisations.get_by_name(organisation_name)
    assert organisation is not None
    return [site.name for site in organisation.sites]
