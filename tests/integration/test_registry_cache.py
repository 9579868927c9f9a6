"""The registry snapshot that read models share, on both databases: reused while nothing
changes, fresh after any change to the registry committed by any process, never moved on by a
change rolled back, and a transaction sees its own uncommitted changes."""

from __future__ import annotations

from datetime import UTC, datetime

from sidestream.adapters.db.registry_cache import registry_version
from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import Principal
from sidestream.domain.proposals import Decision, Side
from sidestream.domain.synergies import Stage
from sidestream.services.accounts import set_partners
from sidestream.services.matching import decide_proposal
from sidestream.services.synergies import move_synergy, open_synergy
from tests.integration.test_registry import _load_registry
from tests.integration.test_synergies import _propose

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def _version(container: Container) -> int:
    with container.unit_of_work() as uow:
        return registry_version(uow._session)


def _snapshot_names(container: Container) -> set[str]:
    with container.unit_of_work() as uow:
        return {stream.name for stream in uow.registry_snapshot().streams}


def test_the_snapshot_is_shared_until_another_process_changes_the_registry(
    container: Container,
) -> None:
    _load_registry(container)
    other_process = Container(settings=container.settings)  # its own engine and cache
    try:
        with container.unit_of_work() as uow:
            first = uow.registry_snapshot()
        with container.unit_of_work() as uow:
            assert uow.registry_snapshot() is first  # nothing changed: the same copy
        with other_process.unit_of_work() as uow:
            slag = next(s for s in uow.streams.list_all() if s.name == "Ferrochrome slag")
            slag.name = "Renamed slag"
            uow.streams.update(slag)
            uow.commit()
        assert "Renamed slag" in _snapshot_names(container)
        assert "Ferrochrome slag" not in _snapshot_names(container)
    finally:
        other_process.dispose()


def test_a_change_rolled_back_moves_nothing_and_a_transaction_sees_its_own(
    container: Container,
) -> None:
    _load_registry(container)
    before = _version(container)
    with container.unit_of_work() as uow:
        slag = next(s for s in uow.streams.list_all() if s.name == "Ferrochrome slag")
        slag.name = "Uncommitted slag"
        uow.streams.update(slag)
        assert "Uncommitted slag" in {s.name for s in uow.registry_snapshot().streams}
        # left without commit: rolled back
    assert _version(container) == before
    assert "Uncommitted slag" not in _snapshot_names(container)
    assert "Ferrochrome slag" in _snapshot_names(container)


def test_every_kind_of_registry_change_moves_the_version_on(container: Container) -> None:
    _load_registry(container)  # organisations, streams and needs
    with container.unit_of_work() as uow:
        ids = {o.name: o.organisation_id for o in uow.organisations.list_all()}
        slag = next(s for s in uow.streams.list_all() if s.name == "Ferrochrome slag")
        cover = next(n for n in uow.needs.list_all() if n.name == "Cover layer for waste-rock pile")
    assert _version(container) == 3  # one commit per table imported
    facilitator = Principal(1, is_facilitator=True)
    changes = [
        lambda: set_partners(
            container.unit_of_work, facilitator, ids["Test Steel Oy"], [ids["Test Mine Oy"]], NOW
        ),
        lambda: _propose(container, slag.stream_id, cover.need_id),  # type: ignore[arg-type]
    ]
    version = _version(container)
    for change in changes:
        change()
        assert _version(container) == version + 1
        version += 1
    with container.unit_of_work() as uow:
        proposal_id = uow.proposals.list_all()[0].proposal_id
    assert proposal_id is not None
    decide_proposal(container.unit_of_work, proposal_id, Side.STREAM, Decision.ACCEPTED, NOW)
    assert _version(container) == version + 1
    synergy = open_synergy(container.unit_of_work, proposal_id, facilitator, NOW)
    assert _version(container) == version + 2
    assert synergy.synergy_id is not None
    move_synergy(container.unit_of_work, synergy.synergy_id, Stage.CONTACTED, facilitator, NOW)
    assert _version(container) == version + 3
    with container.unit_of_work() as uow:
        snapshot = uow.registry_snapshot()
    assert [s.stage for s in snapshot.synergies] == [Stage.CONTACTED]
    assert snapshot.partners[ids["Test Steel Oy"]] == frozenset({ids["Test Mine Oy"]})  # type: ignore[index]
