"""The SQLAlchemy unit of work: one session, one transaction."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from sidestream.adapters.db.repositories import (
    SqlApiTokenRepository,
    SqlAuditLog,
    SqlLoginAttemptRepository,
    SqlNeedRepository,
    SqlOrganisationRepository,
    SqlPartnerRepository,
    SqlProposalRepository,
    SqlScenarioRepository,
    SqlSessionRepository,
    SqlStreamRepository,
    SqlSynergyRepository,
    SqlUserRepository,
)


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

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

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
        self._session.commit()

    def rollback(self) -> None:
        self._session.rollback()


def unit_of_work_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)
