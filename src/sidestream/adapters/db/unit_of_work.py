"""The SQLAlchemy unit of work: one session, one transaction."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from sidestream.adapters.db.registry_cache import RegistryCache
from sidestream.adapters.db.repositories import (
    REGISTRY_CHANGED,
    SqlApiTokenRepository,
    SqlAuditLog,
    SqlLabResultRepository,
    SqlLoginAttemptRepository,
    SqlNeedRepository,
    SqlOrganisationRepository,
    SqlPartnerRepository,
    SqlProposalRepository,
    SqlScenarioRepository,
    SqlSessionRepository,
    SqlStatusRecordRepository,
    SqlStreamDocumentRepository,
    SqlStreamRepository,
    SqlSynergyRepository,
    SqlUserRepository,
)
from sidestream.adapters.db.tables import RegistryStateRow
from sidestream.services.ports import RegistrySnapshot


class SqlUnitOfWork:
    organisations: SqlOrganisationRepository
    streams: SqlStreamRepository
    needs: SqlNeedRepository
    proposals: SqlProposalRepository
    synergies: SqlSynergyRepository
    scenarios: SqlScenarioRepository
    users: SqlUserRepository
    partners: SqlPartnerRepository
    sessions: SqlSessionRepository
    api_tokens: SqlApiTokenRepository
    login_attempts: SqlLoginAttemptRepository
    audit_log: SqlAuditLog
    lab_results: SqlLabResultRepository
    statuses: SqlStatusRecordRepository
    documents: SqlStreamDocumentRepository

    def __init__(
        self, session_factory: sessionmaker[Session], registry_cache: RegistryCache | None = None
    ) -> None:
        self._session_factory = session_factory
        self._registry_cache = registry_cache or RegistryCache()

    def __enter__(self) -> Self:
        self._session = self._session_factory()
        self.organisations = SqlOrganisationRepository(self._session)
        self.streams = SqlStreamRepository(self._session)
        self.needs = SqlNeedRepository(self._session)
        self.proposals = SqlProposalRepository(self._session)
        self.synergies = SqlSynergyRepository(self._session)
        self.scenarios = SqlScenarioRepository(self._session)
        self.users = SqlUserRepository(self._session)
        self.partners = SqlPartnerRepository(self._session)
        self.sessions = SqlSessionRepository(self._session)
        self.api_tokens = SqlApiTokenRepository(self._session)
        self.login_attempts = SqlLoginAttemptRepository(self._session)
        self.audit_log = SqlAuditLog(self._session)
        self.lab_results = SqlLabResultRepository(self._session)
        self.statuses = SqlStatusRecordRepository(self._session)
        self.documents = SqlStreamDocumentRepository(self._session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Whatever was not committed is undone: a failure leaves nothing half-written.
        self._session.rollback()
        self._session.close()

    def commit(self) -> None:
        if self._session.info.pop(REGISTRY_CHANGED, False):
            # In the same transaction: the version moves on exactly when the change lands.
            self._session.execute(
                update(RegistryStateRow).values(version=RegistryStateRow.version + 1)
            )
        self._session.commit()

    def registry_snapshot(self) -> RegistrySnapshot:
        if self._session.info.get(REGISTRY_CHANGED):  # our own changes are in no cached copy
            return self._read_registry()
        return self._registry_cache.snapshot(self._session, self._read_registry)

    def _read_registry(self) -> RegistrySnapshot:
        return RegistrySnapshot(
            organisations=tuple(self.organisations.list_all()),
            streams=tuple(self.streams.list_all()),
            needs=tuple(self.needs.list_all()),
            partners=self.partners.all_partners(),
            proposals=tuple(self.proposals.list_all()),
            synergies=tuple(self.synergies.list_all()),
        )

    def rollback(self) -> None:
        self._session.info.pop(REGISTRY_CHANGED, None)
        self._session.rollback()


def unit_of_work_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)
