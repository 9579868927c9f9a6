"""The HTTP API over a real server, on the test registry, with an API token for each kind of
reader: a facilitator, a member of each test organisation, and nobody (the public)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from sqlalchemy import text

from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import AuditEvent, AuditFilter, Principal
from sidestream.entrypoints.server import create_app
from sidestream.services.accounts import (
    bootstrap_administrator,
    create_api_token,
    create_user,
    read_audit_log,
)
from tests.integration.test_registry import _load_registry
from tests.integration.test_web_auth import CHEAP_HASHER, PASSWORD, T0, SteppedClock, _prepare
from tests.support.server import running_server

# Who asks: the user's e-mail address and the organisation it is a member of.
MEMBERS = {
    "steel": ("jasen@teststeel.fi", "Test Steel Oy"),
    "mine": ("jasen@testmine.fi", "Test Mine Oy"),
    "soil": ("jasen@testsoil.fi", "Test Soil Oy"),
}
FACILITATOR = "fasilitaattori@digipolis.fi"
ADMINISTRATOR = "admin@digipolis.fi"


@dataclass
class Api:
    url: str
    container: Container
    clock: SteppedClock
    tokens: dict[str, str]  # who → API token secret
    organisation_ids: dict[str, int]  # organisation name → id
    user_ids: dict[str, int] = field(default_factory=dict)  # who → user id

    def client(self, who: str | None = None) -> httpx.Client:
        """A client acting as `who` (a key of MEMBERS, "facilitator", "administrator") with
        its API token, or as the public when None."""
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return httpx.Client(base_url=self.url + "/api/v1", headers=headers, timeout=30)

    def count(self, table: str) -> int:
        with self.container.engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())

    def audit_events(self, entity_kind: str | None = None) -> list[AuditEvent]:
        """Newest first."""
        return read_audit_log(
            self.container.unit_of_work,
            Principal.operator(),
            AuditFilter(entity_kind=entity_kind),
        )


def add_api_users(container: Container) -> tuple[dict[str, str], dict[str, int]]:
    """An administrator, a facilitator and a member of each test organisation, each with an
    API token: (who → token secret, who → user id)."""
    with container.unit_of_work() as uow:
        ids = {o.name: o.organisation_id for o in uow.organisations.list_all()}
    administrator = bootstrap_administrator(
        container.unit_of_work,
        CHEAP_HASHER,
        email=ADMINISTRATOR,
        display_name="Aino Admin",
        password=PASSWORD,
        now=T0,
    )
    users = {"administrator": administrator}
    users["facilitator"] = create_user(
        container.unit_of_work,
        CHEAP_HASHER,
        Principal.operator(),
        email=FACILITATOR,
        display_name="Fanni Fasilitaattori",
        password=PASSWORD,
        now=T0,
        is_facilitator=True,
    )
    for who, (email, organisation) in MEMBERS.items():
        organisation_id = ids[organisation]
        assert organisation_id is not None
        users[who] = create_user(
            container.unit_of_work,
            CHEAP_HASHER,
            Principal.operator(),
            email=email,
            display_name=f"Member of {organisation}",
            password=PASSWORD,
            now=T0,
            organisation_ids=[organisation_id],
        )
    tokens, user_ids = {}, {}
    for who, user in users.items():
        assert user.user_id is not None
        issued = create_api_token(
            container.unit_of_work, Principal.of(user), user.user_id, "tests", None, T0
        )
        tokens[who] = issued.secret
        user_ids[who] = user.user_id
    return tokens, user_ids


@contextmanager
def running_api(container: Container) -> Iterator[Api]:
    """The test registry with the API users, served over real HTTP."""
    clock = _prepare(container)
    _load_registry(container)
    tokens, user_ids = add_api_users(container)
    with container.unit_of_work() as uow:
        organisation_ids = {
            o.name: o.organisation_id
            for o in uow.organisations.list_all()
            if o.organisation_id is not None
        }
    with running_server(create_app(container)) as url:
        yield Api(url, container, clock, tokens, organisation_ids, user_ids)
