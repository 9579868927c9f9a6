"""Accounts on SQLite and PostgreSQL: users and memberships, partners, signing in and out,
throttling, sessions, API tokens and the audit log, with every moment passed in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import text

from sidestream.adapters.passwords import Argon2PasswordHasher
from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import (
    AuditAction,
    AuditEvent,
    AuditFilter,
    EntityKind,
    LoginThrottle,
    Principal,
    SessionLifetime,
    User,
    secret_digest,
)
from sidestream.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    SignInFailed,
    TooManyAttempts,
)
from sidestream.domain.organisations import Organisation
from sidestream.services.accounts import (
    any_accounts,
    audit,
    authenticate,
    bootstrap_administrator,
    create_api_token,
    create_user,
    list_api_tokens,
    list_users,
    partners_of,
    read_audit_log,
    resolve_session,
    resolve_token,
    revoke_token,
    set_memberships,
    set_partners,
    set_user_active,
    sign_out,
    user_by_email,
)
from sidestream.services.ports import UnitOfWork

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HELSINKI_WINTER = timezone(timedelta(hours=2))
PASSWORD = "lime mud and green liquor dregs"
ADDRESS = "192.0.2.10"
# Cheap parameters: the tests hash often. Production uses argon2-cffi's defaults.
CHEAP = {"time_cost": 1, "memory_cost_kib": 8, "parallelism": 1}


class CountingHasher(Argon2PasswordHasher):
    """Argon2 that counts its slow operations."""

    def __init__(self, **parameters: Any) -> None:
        super().__init__(**(CHEAP | parameters))
        self.operations = 0

    def hash(self, password: str) -> str:
        self.operations += 1
        return super().hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.operations += 1
        return super().verify(password_hash, password)


@dataclass
class Platform:
    """A platform with an administrator, a facilitator and a member of Outokumpu."""

    container: Container
    hasher: CountingHasher
    admin: User
    facilitator: User
    member: User
    outokumpu: int
    stora: int
    kemi_energy: int
    throttle: LoginThrottle = field(default_factory=LoginThrottle)

    def uow(self) -> UnitOfWork:
        return self.container.unit_of_work()

    def sign_in(
        self, email: str, password: str = PASSWORD, at: datetime = T0, address: str = ADDRESS
    ) -> str:
        return authenticate(
            self.container.unit_of_work,
            self.hasher,
            self.throttle,
            email=email,
            password=password,
            client_address=address,
            now=at,
        )

    def events(self, **criteria: Any) -> list[AuditEvent]:
        return read_audit_log(
            self.container.unit_of_work, Principal.operator(), AuditFilter(**criteria)
        )


def _organisation(container: Container, name: str) -> int:
    with container.unit_of_work() as uow:
        organisation = uow.organisations.add(Organisation(name=name))
        uow.commit()
    assert organisation.organisation_id is not None
    return organisation.organisation_id


@pytest.fixture
def platform(container: Container) -> Platform:
    hasher = CountingHasher()
    container.__dict__["password_hasher"] = hasher
    outokumpu = _organisation(container, "Outokumpu Stainless Oy")
    stora = _organisation(container, "Stora Enso Oyj")
    kemi_energy = _organisation(container, "Kemin Energia ja Vesi Oy")
    admin = bootstrap_administrator(
        container.unit_of_work,
        hasher,
        email="Admin@Example.fi",
        display_name="Anna Admin",
        password=PASSWORD,
        now=T0,
    )
    facilitator = create_user(
        container.unit_of_work,
        hasher,
        Principal.of(admin),
        email="fasilitaattori@digipolis.fi",
        display_name="Fanni Fasilitaattori",
        password=PASSWORD,
        now=T0,
        is_facilitator=True,
    )
    member = create_user(
        container.unit_of_work,
        hasher,
        Principal.of(facilitator),
        email="jasen@outokumpu.com",
        display_name="Jussi Jäsen",
        password=PASSWORD,
        now=T0,
        organisation_ids=[outokumpu],
    )
    return Platform(container, hasher, admin, facilitator, member, outokumpu, stora, kemi_energy)


def _count(container: Container, table: str) -> int:
    with container.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


# --- users -----------------------------------------------------------------------------------


def test_the_first_administrator_is_made_once(platform: Platform) -> None:
    container = platform.container
    assert any_accounts(container.unit_of_work)
    assert platform.admin.email == "admin@example.fi"  # stored normalised
    assert platform.admin.is_administrator and platform.admin.created_at == T0
    with pytest.raises(Conflict, match="first administrator exists"):
        bootstrap_administrator(
            container.unit_of_work,
            platform.hasher,
            email="second@example.fi",
            display_name="Second",
            password=PASSWORD,
            now=T0,
        )
    created = platform.events(action=AuditAction.CREATED, entity_id=platform.admin.user_id)
    assert [(event.actor_user_id, event.entity_kind) for event in created] == [(None, "user")]
    assert created[0].detail.startswith("admin@example.fi (Anna Admin); administrator")
    assert created[0].detail.endswith("(command line)")


def test_users_are_stored_with_their_roles_and_memberships(platform: Platform) -> None:
    with platform.uow() as uow:
        member = uow.users.get_by_email("jasen@outokumpu.com")
        assert uow.users.count() == 3
    assert member == platform.member
    assert member is not None and member.organisation_ids == {platform.outokumpu}
    assert member.password_hash.startswith("$argon2id$") and PASSWORD not in member.password_hash
    summaries = list_users(platform.container.unit_of_work, Principal.of(platform.facilitator))
    assert [s.user.email for s in summaries] == [
        "admin@example.fi",
        "fasilitaattori@digipolis.fi",
        "jasen@outokumpu.com",
    ]
    assert summaries[2].organisation_names == ("Outokumpu Stainless Oy",)
    with pytest.raises(Forbidden):
        list_users(platform.container.unit_of_work, Principal.of(platform.member))


def test_only_facilitators_and_administrators_create_accounts(platform: Platform) -> None:
    def create(actor: Principal, **roles: bool) -> User:
        return create_user(
            platform.container.unit_of_work,
            platform.hasher,
            actor,
            email="new@example.fi",
            display_name="New",
            password=PASSWORD,
            now=T0,
            **roles,
        )

    with pytest.raises(Forbidden, match="only facilitators and administrators"):
        create(Principal.of(platform.member))
    with pytest.raises(Forbidden):
        create(Principal.anonymous())
    with pytest.raises(Forbidden, match="only administrators create administrators"):
        create(Principal.of(platform.facilitator), is_administrator=True)
    assert create(Principal.of(platform.admin), is_administrator=True).is_administrator
    assert _count(platform.container, "users") == 4


def test_an_address_holds_one_account_whatever_its_capitals(platform: Platform) -> None:
    before = len(platform.events())
    with pytest.raises(Conflict, match="exists already"):
        create_user(
            platform.container.unit_of_work,
            platform.hasher,
            Principal.of(platform.admin),
            email="  JASEN@Outokumpu.com",
            display_name="Twin",
            password=PASSWORD,
            now=T0,
        )
    # and the database itself refuses a second row with the stored (normalised) address
    with pytest.raises(Conflict), platform.uow() as uow:
        uow.users.add(User("jasen@outokumpu.com", "Twin", "h"))
    assert len(platform.events()) == before


def test_a_bad_new_user_is_reported_and_nothing_is_written(platform: Platform) -> None:
    before = (_count(platform.container, "users"), _count(platform.container, "audit_events"))
    with pytest.raises(InvalidInput) as raised:
        create_user(
            platform.container.unit_of_work,
            platform.hasher,
            Principal.of(platform.admin),
            email="nobody",
            display_name="",
            password="short",
            now=T0,
        )
    assert [e.field for e in raised.value.errors] == ["email", "display_name", "password"]
    with pytest.raises(InvalidInput, match="no organisation has id 999"):
        create_user(
            platform.container.unit_of_work,
            platform.hasher,
            Principal.of(platform.admin),
            email="x@example.fi",
            display_name="X",
            password=PASSWORD,
            now=T0,
            organisation_ids=[999],
        )
    after = (_count(platform.container, "users"), _count(platform.container, "audit_events"))
    assert after == before


def test_memberships_are_replaced_and_audited(platform: Platform) -> None:
    container = platform.container
    member_id = platform.member.user_id
    assert member_id is not None
    facilitator = Principal.of(platform.facilitator)
    later = T0 + timedelta(hours=1)
    updated = set_memberships(
        container.unit_of_work, facilitator, member_id, [platform.stora, platform.outokumpu], later
    )
    assert updated.organisation_ids == {platform.stora, platform.outokumpu}
    with container.unit_of_work() as uow:
        assert uow.users.get(member_id) == updated
    [event] = platform.events(action=AuditAction.CHANGED)
    assert (event.at, event.actor_user_id, event.entity_id) == (
        later,
        platform.facilitator.user_id,
        member_id,
    )
    assert event.detail == (
        "jasen@outokumpu.com: organisations Outokumpu Stainless Oy, Stora Enso Oyj "
        "(were Outokumpu Stainless Oy)"
    )
    # the same again changes nothing and writes no event
    set_memberships(container.unit_of_work, facilitator, member_id, updated.organisation_ids, T0)
    assert len(platform.events(action=AuditAction.CHANGED)) == 1
    assert set_memberships(container.unit_of_work, facilitator, member_id, [], T0).roles == ()
    with pytest.raises(Forbidden):
        set_memberships(container.unit_of_work, Principal.of(platform.member), member_id, [], T0)
    with pytest.raises(NotFound):
        set_memberships(container.unit_of_work, facilitator, 12345, [], T0)


def test_users_are_found_by_address_by_those_who_may(platform: Platform) -> None:
    unit_of_work = platform.container.unit_of_work
    member = Principal.of(platform.member)
    assert user_by_email(unit_of_work, Principal.operator(), " JASEN@outokumpu.com") == (
        platform.member
    )
    assert user_by_email(unit_of_work, member, "jasen@outokumpu.com") == platform.member
    with pytest.raises(NotFound):
        user_by_email(unit_of_work, member, "admin@example.fi")
    with pytest.raises(NotFound):
        user_by_email(unit_of_work, Principal.operator(), "nobody@example.fi")


# --- partners --------------------------------------------------------------------------------


def test_an_organisations_members_name_its_partners(platform: Platform) -> None:
    container = platform.container
    member = Principal.of(platform.member)
    partners = set_partners(
        container.unit_of_work, member, platform.outokumpu, [platform.stora], T0
    )
    assert partners == {platform.stora}
    assert partners_of(container.unit_of_work, platform.outokumpu) == {platform.stora}
    with container.unit_of_work() as uow:
        assert uow.partners.naming_as_partner(platform.stora) == {platform.outokumpu}
        assert uow.partners.partners_of(platform.stora) == frozenset()  # naming is one-way
    [event] = platform.events(entity_kind=EntityKind.ORGANISATION)
    assert event.actor_user_id == platform.member.user_id
    assert event.entity_id == platform.outokumpu
    assert event.detail == "Outokumpu Stainless Oy: partners Stora Enso Oyj (were none)"

    facilitator = Principal.of(platform.facilitator)
    both = [platform.stora, platform.kemi_energy]
    assert set_partners(container.unit_of_work, facilitator, platform.outokumpu, both, T0) == {
        *both
    }
    with pytest.raises(Forbidden):
        set_partners(container.unit_of_work, member, platform.stora, [platform.outokumpu], T0)
    with pytest.raises(InvalidInput, match="its own partner"):
        set_partners(container.unit_of_work, member, platform.outokumpu, [platform.outokumpu], T0)
    with pytest.raises(InvalidInput, match="no organisation has id 999"):
        set_partners(container.unit_of_work, member, platform.outokumpu, [999], T0)
    with pytest.raises(NotFound):
        set_partners(container.unit_of_work, facilitator, 999, [], T0)
    assert len(platform.events(entity_kind=EntityKind.ORGANISATION)) == 2


def test_the_database_refuses_self_partnering(platform: Platform) -> None:
    with pytest.raises(Conflict), platform.uow() as uow:
        uow.partners.set_partners(platform.outokumpu, frozenset({platform.outokumpu}))


def test_deleting_an_organisation_takes_its_memberships_and_partnerships(
    platform: Platform,
) -> None:
    container = platform.container
    set_partners(
        container.unit_of_work,
        Principal.operator(),
        platform.outokumpu,
        [platform.stora, platform.kemi_energy],
        T0,
    )
    set_partners(
        container.unit_of_work, Principal.operator(), platform.kemi_energy, [platform.stora], T0
    )
    with container.engine.begin() as connection:
        connection.execute(
            text("DELETE FROM organisations WHERE organisation_id = :id"), {"id": platform.stora}
        )
    with container.unit_of_work() as uow:
        assert uow.partners.partners_of(platform.outokumpu) == {platform.kemi_energy}
        assert uow.partners.partners_of(platform.kemi_energy) == frozenset()
    with container.engine.begin() as connection:
        connection.execute(
            text("DELETE FROM organisations WHERE organisation_id = :id"),
            {"id": platform.outokumpu},
        )
    with container.unit_of_work() as uow:
        member = uow.users.get_by_email("jasen@outokumpu.com")
    assert member is not None and member.organisation_ids == frozenset()
    assert _count(container, "organisation_partners") == 0


# --- signing in ------------------------------------------------------------------------------


def test_sign_in_gives_a_session_whose_secret_is_not_stored(platform: Platform) -> None:
    secret = platform.sign_in(" JASEN@outokumpu.com")
    assert len(secret) >= 43  # 32 random bytes, URL-safe base 64
    with platform.container.engine.connect() as connection:
        stored = connection.execute(text("SELECT secret_sha256 FROM sessions")).scalars().all()
    assert stored == [secret_digest(secret)]
    principal = resolve_session(
        platform.container.unit_of_work, SessionLifetime(), secret, T0 + timedelta(minutes=5)
    )
    assert principal == Principal.of(platform.member)
    [event] = platform.events(action=AuditAction.SIGNED_IN)
    assert event.actor_user_id == platform.member.user_id
    assert event.detail == f"jasen@outokumpu.com from {ADDRESS}"
    assert resolve_session(platform.container.unit_of_work, SessionLifetime(), "nope", T0) is None
    assert resolve_session(platform.container.unit_of_work, SessionLifetime(), "", T0) is None


def test_a_wrong_password_and_an_unknown_address_fail_alike(platform: Platform) -> None:
    errors = []
    for email, password in (
        ("jasen@outokumpu.com", "not the password at all"),
        ("nobody@outokumpu.com", PASSWORD),
        ("not even an address", PASSWORD),
    ):
        operations = platform.hasher.operations
        with pytest.raises(SignInFailed) as raised:
            platform.sign_in(email, password)
        assert platform.hasher.operations == operations + 1  # the same hashing work each time
        errors.append((type(raised.value), str(raised.value), raised.value.args))
    assert (
        errors
        == [(SignInFailed, "email or password is wrong", ("email or password is wrong",))] * 3
    )
    failed = platform.events(action=AuditAction.SIGN_IN_FAILED)
    assert [event.entity_id for event in failed] == [None, None, platform.member.user_id]
    assert all(event.actor_user_id is None for event in failed)
    assert _count(platform.container, "sessions") == 0
    assert _count(platform.container, "login_attempts") == 3


def test_a_stopped_account_cannot_sign_in_and_its_sessions_end(platform: Platform) -> None:
    container = platform.container
    secret = platform.sign_in("jasen@outokumpu.com")
    member_id = platform.member.user_id
    assert member_id is not None
    set_user_active(
        container.unit_of_work, Principal.of(platform.facilitator), member_id, False, T0
    )
    assert resolve_session(container.unit_of_work, SessionLifetime(), secret, T0) is None
    assert _count(container, "sessions") == 0
    with pytest.raises(SignInFailed, match=r"^email or password is wrong$"):
        platform.sign_in("jasen@outokumpu.com")
    with pytest.raises(Forbidden, match="only administrators"):
        set_user_active(
            container.unit_of_work,
            Principal.of(platform.facilitator),
            platform.admin.user_id or 0,
            False,
            T0,
        )
    set_user_active(container.unit_of_work, Principal.operator(), member_id, True, T0)
    assert platform.sign_in("jasen@outokumpu.com", at=T0 + timedelta(seconds=10))


def test_a_hash_with_old_parameters_is_renewed_at_sign_in(platform: Platform) -> None:
    stronger = CountingHasher(time_cost=2)
    old_hash = platform.member.password_hash
    assert stronger.needs_rehash(old_hash)
    authenticate(
        platform.container.unit_of_work,
        stronger,
        platform.throttle,
        email="jasen@outokumpu.com",
        password=PASSWORD,
        client_address=ADDRESS,
        now=T0,
    )
    with platform.uow() as uow:
        member = uow.users.get_by_email("jasen@outokumpu.com")
    assert member is not None and member.password_hash != old_hash
    assert not stronger.needs_rehash(member.password_hash)
    assert stronger.verify(member.password_hash, PASSWORD)


# --- throttling ------------------------------------------------------------------------------


def test_five_failures_lock_the_address_typed_and_time_opens_it(platform: Platform) -> None:
    email = "jasen@outokumpu.com"
    for minute in range(5):
        with pytest.raises(SignInFailed):
            platform.sign_in(email, "guess number one!", at=T0 + timedelta(minutes=minute))
    # locked until the first failure leaves the 15-minute window: even the right password waits
    operations = platform.hasher.operations
    with pytest.raises(TooManyAttempts) as raised:
        platform.sign_in(email, at=T0 + timedelta(minutes=5))
    assert str(raised.value) == "too many attempts, try again after 09:15"
    assert raised.value.retry_at == T0 + timedelta(minutes=15)
    assert platform.hasher.operations == operations  # the password was not even looked at
    # the message speaks the caller's time zone
    with pytest.raises(TooManyAttempts, match=r"after 11:15$"):
        platform.sign_in(email, at=(T0 + timedelta(minutes=6)).astimezone(HELSINKI_WINTER))
    # an unknown address is throttled exactly alike
    for minute in range(5):
        with pytest.raises(SignInFailed):
            platform.sign_in("ghost@example.fi", at=T0 + timedelta(minutes=minute))
    with pytest.raises(TooManyAttempts, match=r"after 09:15$"):
        platform.sign_in("ghost@example.fi", at=T0 + timedelta(minutes=5))
    # refused attempts are not recorded: 10 failures
    assert _count(platform.container, "login_attempts") == 10
    assert platform.sign_in(email, at=T0 + timedelta(minutes=15))
    # the success clears the address's failures
    with pytest.raises(SignInFailed):
        platform.sign_in(email, "guess number six!", at=T0 + timedelta(minutes=16))
    assert platform.sign_in(email, at=T0 + timedelta(minutes=16, seconds=1))


def test_twenty_failures_lock_a_client_that_guesses_many_addresses(platform: Platform) -> None:
    for i in range(20):
        with pytest.raises(SignInFailed):
            platform.sign_in(f"guess{i}@example.fi", at=T0 + timedelta(seconds=i))
    with pytest.raises(TooManyAttempts, match=r"after 09:15$"):
        platform.sign_in("jasen@outokumpu.com", at=T0 + timedelta(seconds=30))
    # another client is not held up, and the locked one is let in again later
    assert platform.sign_in("jasen@outokumpu.com", at=T0 + timedelta(seconds=30), address="::1")
    assert platform.sign_in("jasen@outokumpu.com", at=T0 + timedelta(minutes=15))


def test_attempts_older_than_the_horizon_are_deleted(platform: Platform) -> None:
    with pytest.raises(SignInFailed):
        platform.sign_in("ghost@example.fi")
    assert _count(platform.container, "login_attempts") == 1
    platform.sign_in("jasen@outokumpu.com", at=T0 + timedelta(days=2))
    assert _count(platform.container, "login_attempts") == 1  # only the new one


# --- sessions --------------------------------------------------------------------------------


def test_a_session_slides_while_used_and_ends_when_idle(platform: Platform) -> None:
    lifetime = SessionLifetime(idle=timedelta(hours=8), absolute=timedelta(days=7))
    unit_of_work = platform.container.unit_of_work
    secret = platform.sign_in("jasen@outokumpu.com")
    member = Principal.of(platform.member)
    assert resolve_session(unit_of_work, lifetime, secret, T0 + timedelta(hours=7)) == member
    # used at 7 h: idle until 15 h
    assert resolve_session(unit_of_work, lifetime, secret, T0 + timedelta(hours=14)) == member
    assert resolve_session(unit_of_work, lifetime, secret, T0 + timedelta(hours=22)) is None
    assert _count(platform.container, "sessions") == 0  # an expired session is removed
    assert resolve_session(unit_of_work, lifetime, secret, T0 + timedelta(hours=22)) is None


def test_last_use_is_written_at_most_once_a_minute(platform: Platform) -> None:
    secret = platform.sign_in("jasen@outokumpu.com")
    unit_of_work = platform.container.unit_of_work
    resolve_session(unit_of_work, SessionLifetime(), secret, T0 + timedelta(seconds=30))
    with platform.uow() as uow:
        session = uow.sessions.get_by_digest(secret_digest(secret))
    assert session is not None and session.last_used_at == T0
    resolve_session(unit_of_work, SessionLifetime(), secret, T0 + timedelta(seconds=90))
    with platform.uow() as uow:
        session = uow.sessions.get_by_digest(secret_digest(secret))
    assert session is not None and session.last_used_at == T0 + timedelta(seconds=90)


def test_a_session_ends_at_its_absolute_lifetime_however_busy(platform: Platform) -> None:
    lifetime = SessionLifetime(idle=timedelta(hours=8), absolute=timedelta(days=7))
    unit_of_work = platform.container.unit_of_work
    secret = platform.sign_in("jasen@outokumpu.com")
    moment = T0
    while moment + timedelta(hours=6) < T0 + timedelta(days=7):
        moment += timedelta(hours=6)
        assert resolve_session(unit_of_work, lifetime, secret, moment) is not None
    assert resolve_session(unit_of_work, lifetime, secret, T0 + timedelta(days=7)) is None


def test_signing_out_ends_the_session(platform: Platform) -> None:
    unit_of_work = platform.container.unit_of_work
    secret = platform.sign_in("jasen@outokumpu.com")
    other = platform.sign_in("jasen@outokumpu.com", at=T0 + timedelta(seconds=1))
    sign_out(unit_of_work, secret, T0 + timedelta(hours=1))
    assert resolve_session(unit_of_work, SessionLifetime(), secret, T0 + timedelta(hours=1)) is None
    assert resolve_session(unit_of_work, SessionLifetime(), other, T0 + timedelta(hours=1))
    sign_out(unit_of_work, secret, T0 + timedelta(hours=2))  # again: nothing happens
    sign_out(unit_of_work, "", T0)
    [event] = platform.events(action=AuditAction.SIGNED_OUT)
    assert (event.actor_user_id, event.detail) == (platform.member.user_id, "jasen@outokumpu.com")


# --- API tokens ------------------------------------------------------------------------------


def test_an_api_token_acts_as_its_user_until_revoked(platform: Platform) -> None:
    unit_of_work = platform.container.unit_of_work
    member = Principal.of(platform.member)
    member_id = platform.member.user_id
    assert member_id is not None
    issued = create_api_token(unit_of_work, member, member_id, " nightly export ", None, T0)
    assert issued.token.name == "nightly export" and issued.token.expires_at is None
    assert issued.token.secret_sha256 == secret_digest(issued.secret)
    with platform.container.engine.connect() as connection:
        stored = connection.execute(text("SELECT * FROM api_tokens")).mappings().one()
    assert issued.secret not in {str(value) for value in stored.values()}

    later = T0 + timedelta(days=30)
    assert resolve_token(unit_of_work, issued.secret, later) == member
    assert resolve_token(unit_of_work, "not a token", later) is None
    [token] = list_api_tokens(unit_of_work, member, member_id)
    assert token.last_used_at == later
    with pytest.raises(Forbidden):
        revoke_token(unit_of_work, Principal.of(platform.facilitator), token.token_id or 0, later)
    revoked = revoke_token(unit_of_work, member, token.token_id or 0, later)
    assert revoked.revoked_at == later
    assert resolve_token(unit_of_work, issued.secret, later + timedelta(seconds=1)) is None
    assert revoke_token(unit_of_work, member, token.token_id or 0, later + timedelta(days=1)) == (
        revoked
    )
    with pytest.raises(NotFound):
        revoke_token(unit_of_work, member, 999, later)
    events = platform.events(entity_kind=EntityKind.API_TOKEN)
    assert [event.action for event in events] == [
        AuditAction.TOKEN_REVOKED,
        AuditAction.TOKEN_CREATED,
    ]
    assert events[1].detail == "'nightly export' for jasen@outokumpu.com, until revoked"


def test_an_api_token_expires(platform: Platform) -> None:
    unit_of_work = platform.container.unit_of_work
    member_id = platform.member.user_id
    assert member_id is not None
    expires_at = T0 + timedelta(days=7)
    issued = create_api_token(unit_of_work, Principal.operator(), member_id, "ci", expires_at, T0)
    assert issued.token.expires_at == expires_at
    assert resolve_token(unit_of_work, issued.secret, expires_at - timedelta(seconds=1))
    assert resolve_token(unit_of_work, issued.secret, expires_at) is None
    with pytest.raises(InvalidInput, match="expires_at"):
        create_api_token(unit_of_work, Principal.operator(), member_id, "ci", T0, T0)


def test_only_the_user_and_administrators_make_a_users_tokens(platform: Platform) -> None:
    unit_of_work = platform.container.unit_of_work
    member_id = platform.member.user_id
    assert member_id is not None
    for actor in (Principal.of(platform.facilitator), Principal.anonymous()):
        with pytest.raises(Forbidden):
            create_api_token(unit_of_work, actor, member_id, "x", None, T0)
        with pytest.raises(Forbidden):
            list_api_tokens(unit_of_work, actor, member_id)
    assert create_api_token(unit_of_work, Principal.of(platform.admin), member_id, "x", None, T0)
    with pytest.raises(NotFound):
        create_api_token(unit_of_work, Principal.operator(), 999, "x", None, T0)


def test_a_stopped_accounts_tokens_stop_working(platform: Platform) -> None:
    unit_of_work = platform.container.unit_of_work
    member_id = platform.member.user_id
    assert member_id is not None
    issued = create_api_token(unit_of_work, Principal.operator(), member_id, "x", None, T0)
    set_user_active(unit_of_work, Principal.operator(), member_id, False, T0)
    assert resolve_token(unit_of_work, issued.secret, T0) is None
    with pytest.raises(Conflict, match="stopped"):
        create_api_token(unit_of_work, Principal.operator(), member_id, "y", None, T0)


# --- the audit log ---------------------------------------------------------------------------


def test_only_facilitators_and_administrators_read_the_audit_log(platform: Platform) -> None:
    unit_of_work = platform.container.unit_of_work
    for principal in (Principal.of(platform.member), Principal.anonymous()):
        with pytest.raises(Forbidden, match="audit log"):
            read_audit_log(unit_of_work, principal)
    for principal in (Principal.of(platform.facilitator), Principal.of(platform.admin)):
        events = read_audit_log(unit_of_work, principal)
        assert [event.action for event in events] == [AuditAction.CREATED] * 3


def test_the_audit_log_is_read_newest_first_through_its_filters(platform: Platform) -> None:
    for minute in range(1, 6):
        platform.sign_in("jasen@outokumpu.com", at=T0 + timedelta(minutes=minute))
    signed_in = platform.events(action=AuditAction.SIGNED_IN)
    assert [event.at for event in signed_in] == [
        T0 + timedelta(minutes=minute) for minute in range(5, 0, -1)
    ]
    assert len(platform.events(limit=2)) == 2
    window = platform.events(
        since=T0 + timedelta(minutes=2),
        until=(T0 + timedelta(minutes=4)).astimezone(HELSINKI_WINTER),
    )
    assert [event.at for event in window] == [T0 + timedelta(minutes=3), T0 + timedelta(minutes=2)]
    assert platform.events(actor_user_id=platform.facilitator.user_id)[0].entity_id == (
        platform.member.user_id
    )
    with pytest.raises(InvalidInput):
        platform.events(limit=0)


class _Failing:
    """A unit of work that fails at one step: where the audit event or the commit is written."""

    def __init__(self, inner: UnitOfWork, fail_at: str) -> None:
        self._inner = inner
        self._fail_at = fail_at

    def __enter__(self) -> _Failing:
        self._inner.__enter__()
        if self._fail_at == "audit":
            audit_log = self._inner.audit_log

            def refuse(event: AuditEvent) -> AuditEvent:
                raise RuntimeError("the audit log is full")

            audit_log.add = refuse
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._inner.__exit__(*exc_info)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def commit(self) -> None:
        if self._fail_at == "commit":
            raise RuntimeError("the disk is full")
        self._inner.commit()


def _failing(container: Container, fail_at: str) -> Callable[[], Any]:
    return lambda: _Failing(container.unit_of_work(), fail_at)


@pytest.mark.parametrize("fail_at", ["audit", "commit"])
def test_a_change_and_its_audit_event_are_written_together_or_not_at_all(
    platform: Platform, fail_at: str
) -> None:
    container = platform.container
    member_id = platform.member.user_id
    assert member_id is not None
    before = len(platform.events())
    with pytest.raises(RuntimeError):
        set_partners(
            _failing(container, fail_at),
            Principal.operator(),
            platform.outokumpu,
            [platform.stora],
            T0,
        )
    with pytest.raises(RuntimeError):
        set_memberships(
            _failing(container, fail_at), Principal.operator(), member_id, [platform.stora], T0
        )
    with pytest.raises(RuntimeError):
        create_api_token(
            _failing(container, fail_at), Principal.operator(), member_id, "x", None, T0
        )
    with pytest.raises(RuntimeError):
        authenticate(
            _failing(container, fail_at),
            platform.hasher,
            platform.throttle,
            email="jasen@outokumpu.com",
            password=PASSWORD,
            client_address=ADDRESS,
            now=T0,
        )
    assert partners_of(container.unit_of_work, platform.outokumpu) == frozenset()
    with container.unit_of_work() as uow:
        assert uow.users.get(member_id) == platform.member
    assert (_count(container, "api_tokens"), _count(container, "sessions")) == (0, 0)
    assert _count(container, "login_attempts") == 0
    assert len(platform.events()) == before


def test_the_audit_helper_writes_inside_the_callers_transaction(platform: Platform) -> None:
    with platform.uow() as uow:
        event = audit(
            uow,
            Principal.of(platform.facilitator),
            AuditAction.EXPORTED,
            EntityKind.STREAM,
            None,
            T0,
            "streams.csv, 4 rows",
        )
        assert event.audit_event_id is not None
        # not committed: leaving the block rolls it back
    assert platform.events(action=AuditAction.EXPORTED) == []
    with platform.uow() as uow:
        audit(uow, Principal.operator(), AuditAction.REVEALED, "report", 7, T0, "x" * 3000)
        uow.commit()
    [event] = platform.events(action=AuditAction.REVEALED)
    assert (event.entity_kind, event.entity_id, len(event.detail)) == ("report", 7, 2000)


def test_moments_keep_their_instant_whatever_the_zone(platform: Platform) -> None:
    helsinki = datetime(2026, 11, 23, 11, 30, tzinfo=HELSINKI_WINTER)
    secret = platform.sign_in("jasen@outokumpu.com", at=helsinki)
    with platform.uow() as uow:
        session = uow.sessions.get_by_digest(secret_digest(secret))
    assert session is not None
    assert session.created_at == helsinki and session.created_at.tzinfo is not None
    assert session.created_at.utcoffset() == timedelta(0)  # read back in UTC


def test_an_empty_platform_has_no_accounts(container: Container) -> None:
    assert not any_accounts(container.unit_of_work)
