"""The composition root: builds adapters from settings and hands them to entrypoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from sidestream.adapters.datasets.impact import load_impact_factors
from sidestream.adapters.datasets.knowledge import load_knowledge_base
from sidestream.adapters.datasets.reference import load_reference_data
from sidestream.adapters.db.engine import build_engine
from sidestream.adapters.db.migrate import current_revision, head_revision, upgrade_database
from sidestream.adapters.db.unit_of_work import SqlUnitOfWork, unit_of_work_factory
from sidestream.adapters.passwords import Argon2PasswordHasher
from sidestream.adapters.solvers import HighsSolver, ScipyHighsSolver, choose_solver
from sidestream.adapters.text_similarity import MaterialTextMatcher
from sidestream.bootstrap.settings import Settings
from sidestream.domain.accounts import LoginThrottle, SessionLifetime
from sidestream.domain.impact import ImpactFactors
from sidestream.domain.reference import ReferenceData
from sidestream.domain.routes import KnowledgeBase
from sidestream.domain.solving import LinearProgram, LinearProgramSolver, ProgressReporter


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Container:
    settings: Settings = field(default_factory=Settings)
    clock: SystemClock = field(default_factory=SystemClock)

    @cached_property
    def engine(self) -> Engine:
        return build_engine(self.settings.database_url)

    @cached_property
    def reference(self) -> ReferenceData:
        return load_reference_data()

    @cached_property
    def knowledge_base(self) -> KnowledgeBase:
        return load_knowledge_base(self.reference)

    @cached_property
    def impact_factors(self) -> ImpactFactors:
        return load_impact_factors(self.reference, self.knowledge_base)

    @cached_property
    def text_matcher(self) -> MaterialTextMatcher:
        return MaterialTextMatcher.from_reference(self.reference)

    def solver_for(
        self, program: LinearProgram, progress: ProgressReporter | None = None
    ) -> LinearProgramSolver:
        """The fastest exact solver for the program's structure (ADR 6); HiGHS reports its
        progress when asked."""
        chosen = choose_solver(program)
        return HighsSolver(progress) if isinstance(chosen, HighsSolver) else chosen

    def solver_named(
        self, name: str, progress: ProgressReporter | None = None
    ) -> LinearProgramSolver:
        """HiGHS through highspy ("highs") or through SciPy ("scipy"), the second solver."""
        return HighsSolver(progress) if name == "highs" else ScipyHighsSolver()

    @cached_property
    def password_hasher(self) -> Argon2PasswordHasher:
        return Argon2PasswordHasher()

    @cached_property
    def session_lifetime(self) -> SessionLifetime:
        return SessionLifetime(
            idle=timedelta(hours=self.settings.session_idle_hours),
            absolute=timedelta(days=self.settings.session_absolute_days),
        )

    @cached_property
    def login_throttle(self) -> LoginThrottle:
        return LoginThrottle()

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._session_factory)

    @cached_property
    def _session_factory(self) -> sessionmaker[Session]:
        return unit_of_work_factory(self.engine)

    def today(self) -> date:
        return self.clock.now().date()

    def upgrade_database(self) -> None:
        upgrade_database(self.engine)

    def database_is_current(self) -> bool:
        return current_revision(self.engine) == head_revision()

    def dispose(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
