"""The composition root: builds adapters from settings and hands them to entrypoints."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from sidestream.adapters.datasets.impact import load_impact_factors
from sidestream.adapters.datasets.knowledge import load_knowledge_base
from sidestream.adapters.datasets.reference import load_reference_data
from sidestream.adapters.datasets.regulation import load_regulation_data
from sidestream.adapters.datasets.regulatory_paths import load_regulatory_knowledge
from sidestream.adapters.db.engine import build_engine
from sidestream.adapters.db.migrate import current_revision, head_revision, upgrade_database
from sidestream.adapters.db.registry_cache import RegistryCache
from sidestream.adapters.db.unit_of_work import SqlUnitOfWork, unit_of_work_factory
from sidestream.adapters.passwords import Argon2PasswordHasher
from sidestream.adapters.solvers import HighsSolver, ScipyHighsSolver, choose_solver
from sidestream.adapters.text_similarity import MaterialTextMatcher
from sidestream.bootstrap.settings import MIN_SECRET_KEY_LENGTH, Settings
from sidestream.domain.accounts import LoginThrottle, SessionLifetime
from sidestream.domain.impact import ImpactFactors
from sidestream.domain.reference import ReferenceData
from sidestream.domain.regulation import RegulationData
from sidestream.domain.regulatory_path import RegulatoryKnowledge
from sidestream.domain.routes import KnowledgeBase
from sidestream.domain.solving import LinearProgram, LinearProgramSolver, ProgressReporter

SECRET_KEY_BYTES = 32  # 256 random bits in a generated server secret


def load_or_create_secret_key(path: Path) -> bytes:
    """The server secret kept in the file, or a new random one written there first.

    The file is made with mode 0600 under a temporary name and then linked into place, which
    fails rather than overwrites: servers starting together on one directory agree on one key.
    """
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as file:
                file.write(secrets.token_urlsafe(SECRET_KEY_BYTES) + "\n")
                file.flush()
                os.fsync(file.fileno())
            with contextlib.suppress(FileExistsError):  # another server made it first: use it
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
        text = path.read_text(encoding="ascii").strip()
    if len(text) < MIN_SECRET_KEY_LENGTH:
        raise ValueError(
            f"{path} holds no usable secret key (at least {MIN_SECRET_KEY_LENGTH} characters); "
            "delete it to have a new one made, or set SIDESTREAM_SECRET_KEY"
        )
    return text.encode("ascii")


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
    def regulation(self) -> RegulationData:
        return load_regulation_data()

    @cached_property
    def regulatory_knowledge(self) -> RegulatoryKnowledge:
        route_ids = [route.route_id for route in self.knowledge_base.routes]
        return load_regulatory_knowledge(route_ids, self.regulation)

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

    @cached_property
    def secret_key(self) -> bytes:
        """The server's secret for signing (the web forms' CSRF tokens): SIDESTREAM_SECRET_KEY,
        else the key kept in SIDESTREAM_SECRET_KEY_FILE, made there the first time it is needed.
        Sessions and API tokens do not depend on it: a new key only expires the forms open."""
        configured = self.settings.secret_key
        if configured is not None:
            return configured.get_secret_value().encode("utf-8")
        return load_or_create_secret_key(self.settings.secret_key_file)

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._session_factory, self._registry_cache)

    @cached_property
    def _registry_cache(self) -> RegistryCache:
        return RegistryCache()

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
