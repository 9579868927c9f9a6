"""One process's copy of the registry for read models, kept until the registry changes.

Pages and API reads build their views from the whole registry (who may see what depends on
every listing's tier and owner). Reading it through the ORM costs tens of milliseconds; asking
whether it changed costs one small query of `registry_state.version`, which every commit that
changes the registry moves on (SqlUnitOfWork.commit). Other processes (the command line, more
server workers) move it on through the same table, so no copy outlives a change anywhere.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidestream.adapters.db.tables import RegistryStateRow
from sidestream.services.ports import RegistrySnapshot


def registry_version(session: Session) -> int:
    return int(session.execute(select(RegistryStateRow.version)).scalar_one())


class RegistryCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: int | None = None
        self._snapshot: RegistrySnapshot | None = None

    def snapshot(self, session: Session, read: Callable[[], RegistrySnapshot]) -> RegistrySnapshot:
        """The cached snapshot while the version is unchanged, else one read now. The version
        is read before the data: data newer than its version only costs one more read later,
        never a stale answer."""
        version = registry_version(session)
        with self._lock:
            if self._snapshot is not None and self._version == version:
                return self._snapshot
            # One reader at a time reloads; the others then find its copy.
            fresh = read()
            self._version, self._snapshot = version, fresh
            return fresh
