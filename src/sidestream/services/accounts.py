"""Use cases of accounts: create users and set their memberships, name an organisation's
partners, sign in and out, issue and revoke API tokens, and read the audit log.

Every change is one transaction, and its audit event is written in that same transaction: a
change is never stored without its entry, nor an entry without its change. Sign-in answers one
message whatever went wrong, so it never tells whether an account exists, and does the same
password-hashing work either way.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sidestream.domain.accounts import (
    MAX_EMAIL_LENGTH,
    ApiToken,
    AuditAction,
    AuditEvent,
    AuditFilter,
    EntityKind,
    LoginAttempt,
    LoginThrottle,
    Principal,
    SessionLifetime,
    User,
    UserSession,
    check_api_token,
    check_audit_filter,
    check_client_address,
    check_new_user,
    check_partners,
    clip_detail,
    needs_touch,
    normalise_email,
    secret_digest,
)
from sidestream.domain.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    SignInFailed,
    TooManyAttempts,
)
from sidestream.domain.organisations import Organisation
from sidestream.services.ports import PasswordHasher, UnitOfWork, UnitOfWorkFactory

SECRET_BYTES = 32  # 256 bits of randomness in every session and token secret


@dataclass(frozen=True)
class UserSummary:
    user: User
    organisation_names: tuple[str, ...]  # of the user's memberships, by name


@dataclass(frozen=True)
class IssuedToken:
    """A new API token. The secret is shown this once: only its digest is stored."""

    token: ApiToken
    secret: str


def _new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


# --- the audit log ---------------------------------------------------------------------------


def audit(
    uow: UnitOfWork,
    actor: Principal,
    action: AuditAction,
    entity_kind: str,
    entity_id: int | None,
    now: datetime,
    detail: str = "",
) -> AuditEvent:
    """Add an event to the audit log inside the caller's unit of work, so that it is committed
    with the change it records, or rolled back with it."""
    if actor.is_operator:
        detail = f"{detail} (command line)" if detail else "(command line)"
    return uow.audit_log.add(
        AuditEvent(
            at=now,
            actor_user_id=actor.user_id,
            action=action,
            entity_kind=entity_kind,
            entity_id=entity_id,
            detail=clip_detail(detail),
        )
    )


def read_audit_log(
    unit_of_work: UnitOfWorkFactory, principal: Principal, audit_filter: AuditFilter | None = None
) -> list[AuditEvent]:
    """The events that pass the filter, newest first: for facilitators and administrators."""
    if not principal.oversees_registry:
        raise Forbidden("only facilitators and administrators may read the audit log")
    checked = check_audit_filter(audit_filter or AuditFilter())
    with unit_of_work() as uow:
        return uow.audit_log.read(checked)


# --- users and memberships -------------------------------------------------------------------


def _organisation_names(uow: UnitOfWork, organisation_ids: Iterable[int]) -> list[str]:
    names = []
    for organisation_id in sorted(organisation_ids):
        organisation = uow.organisations.get(organisation_id)
        names.append(organisation.name if organisation else f"#{organisation_id}")
    return sorted(names)


def _check_organisations_exist(
    uow: UnitOfWork, organisation_ids: Iterable[int], field: str
) -> frozenset[int]:
    wanted = frozenset(organisation_ids)
    missing = sorted(
        organisation_id
        for organisation_id in wanted
        if uow.organisations.get(organisation_id) is None
    )
    if missing:
        raise InvalidInput([FieldError(field, f"no organisation has id {id_}") for id_ in missing])
    return wanted


def _describe(uow: UnitOfWork, user: User) -> str:
    roles = ", ".join(user.roles) or "no role"
    organisations = ", ".join(_organisation_names(uow, user.organisation_ids)) or "none"
    return f"{user.email} ({user.display_name}); {roles}; organisations: {organisations}"


def organisation_ids_named(unit_of_work: UnitOfWorkFactory, names: Sequence[str]) -> frozenset[int]:
    """The ids of the organisations named, or InvalidInput naming every unknown name."""
    ids, errors = set(), []
    with unit_of_work() as uow:
        for name in names:
            organisation = uow.organisations.get_by_name(name.strip())
            if organisation is None or organisation.organisation_id is None:
                errors.append(FieldError("organisation", f"no organisation is named {name!r}"))
            else:
                ids.add(organisation.organisation_id)
    if errors:
        raise InvalidInput(errors)
    return frozenset(ids)


def _add_user(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    actor: Principal,
    candidate: User,
    password: str,
    now: datetime,
) -> User:
    if uow.users.get_by_email(candidate.email) is not None:
        raise Conflict(f"email: an account with {candidate.email} exists already")
    _check_organisations_exist(uow, candidate.organisation_ids, "organisation_ids")
    user = uow.users.add(replace(candidate, password_hash=hasher.hash(password), created_at=now))
    audit(uow, actor, AuditAction.CREATED, EntityKind.USER, user.user_id, now, _describe(uow, user))
    return user


def any_accounts(unit_of_work: UnitOfWorkFactory) -> bool:
    """Whether any account exists (before the first, only bootstrap_administrator adds one)."""
    with unit_of_work() as uow:
        return uow.users.count() > 0


def bootstrap_administrator(
    unit_of_work: UnitOfWorkFactory,
    hasher: PasswordHasher,
    *,
    email: str,
    display_name: str,
    password: str,
    now: datetime,
    is_facilitator: bool = False,
    organisation_ids: Iterable[int] = (),
) -> User:
    """The very first account, an administrator, made at the command line of a platform that
    has no account yet (Conflict once it has one)."""
    normalised, name = check_new_user(email, display_name, password)
    candidate = User(
        normalised,
        name,
        password_hash="",
        is_administrator=True,
        is_facilitator=is_facilitator,
        organisation_ids=frozenset(organisation_ids),
    )
    with unit_of_work() as uow:
        if uow.users.count():
            raise Conflict("the first administrator exists already; accounts are added by one")
        user = _add_user(uow, hasher, Principal.operator(), candidate, password, now)
        uow.commit()
    return user


def create_user(
    unit_of_work: UnitOfWorkFactory,
    hasher: PasswordHasher,
    actor: Principal,
    *,
    email: str,
    display_name: str,
    password: str,
    now: datetime,
    is_administrator: bool = False,
    is_facilitator: bool = False,
    organisation_ids: Iterable[int] = (),
) -> User:
    """A new account. Facilitators and administrators create accounts; only administrators
    create administrators."""
    if not actor.oversees_registry:
        raise Forbidden("only facilitators and administrators create accounts")
    if is_administrator and not actor.is_administrator:
        raise Forbidden("only administrators create administrators")
    normalised, name = check_new_user(email, display_name, password)
    candidate = User(
        normalised,
        name,
        password_hash="",
        is_administrator=is_administrator,
        is_facilitator=is_facilitator,
        organisation_ids=frozenset(organisation_ids),
    )
    with unit_of_work() as uow:
        user = _add_user(uow, hasher, actor, candidate, password, now)
        uow.commit()
    return user


def _user(uow: UnitOfWork, user_id: int) -> User:
    user = uow.users.get(user_id)
    if user is None:
        raise NotFound("user", user_id)
    return user


def user_by_email(unit_of_work: UnitOfWorkFactory, actor: Principal, email: str) -> User:
    """An account by its address (any capitals): for facilitators, administrators and the
    account's own user."""
    with unit_of_work() as uow:
        user = uow.users.get_by_email(normalise_email(email))
    if user is None or not (actor.oversees_registry or actor.user_id == user.user_id):
        raise NotFound("user", email)
    return user


def display_name_of(unit_of_work: UnitOfWorkFactory, principal: Principal) -> str | None:
    """The name to greet a signed-in reader by; None for the public and the operator."""
    if principal.user_id is None:
        return None
    with unit_of_work() as uow:
        user = uow.users.get(principal.user_id)
    return user.display_name if user else None


def list_users(unit_of_work: UnitOfWorkFactory, actor: Principal) -> list[UserSummary]:
    """Every account with its organisations' names, by e-mail address."""
    if not actor.oversees_registry:
        raise Forbidden("only facilitators and administrators may list accounts")
    with unit_of_work() as uow:
        names = {
            organisation.organisation_id: organisation.name
            for organisation in uow.organisations.list_all()
        }
        return [
            UserSummary(user, tuple(sorted(names.get(i, f"#{i}") for i in user.organisation_ids)))
            for user in uow.users.list_all()
        ]


def set_memberships(
    unit_of_work: UnitOfWorkFactory,
    actor: Principal,
    user_id: int,
    organisation_ids: Iterable[int],
    now: datetime,
) -> User:
    """Replace the organisations a user is a member of."""
    if not actor.oversees_registry:
        raise Forbidden("only facilitators and administrators set memberships")
    with unit_of_work() as uow:
        user = _user(uow, user_id)
        wanted = _check_organisations_exist(uow, organisation_ids, "organisation_ids")
        if wanted == user.organisation_ids:
            return user
        before = ", ".join(_organisation_names(uow, user.organisation_ids)) or "none"
        updated = uow.users.update(replace(user, organisation_ids=wanted))
        after = ", ".join(_organisation_names(uow, wanted)) or "none"
        audit(
            uow,
            actor,
            AuditAction.CHANGED,
            EntityKind.USER,
            user_id,
            now,
            f"{user.email}: organisations {after} (were {before})",
        )
        uow.commit()
    return updated


def set_user_active(
    unit_of_work: UnitOfWorkFactory, actor: Principal, user_id: int, active: bool, now: datetime
) -> User:
    """Let an account sign in again, or stop it: a stopped account's sessions end at once and
    its tokens stop working (they work again if it is let in again, unless revoked)."""
    if not actor.oversees_registry:
        raise Forbidden("only facilitators and administrators activate or stop accounts")
    with unit_of_work() as uow:
        user = _user(uow, user_id)
        if user.is_administrator and not actor.is_administrator:
            raise Forbidden("only administrators activate or stop administrators")
        if user.is_active == active:
            return user
        updated = uow.users.update(replace(user, is_active=active))
        if not active:
            uow.sessions.delete_for_user(user_id)
        state = "may sign in again" if active else "stopped; its sessions ended"
        audit(
            uow, actor, AuditAction.CHANGED, EntityKind.USER, user_id, now, f"{user.email} {state}"
        )
        uow.commit()
    return updated


# --- partners --------------------------------------------------------------------------------


def set_partners(
    unit_of_work: UnitOfWorkFactory,
    actor: Principal,
    organisation_id: int,
    partner_ids: Iterable[int],
    now: datetime,
) -> frozenset[int]:
    """Replace the organisations this one names as partners: its members, facilitators and
    administrators may. The partners see the organisation's partner-tier listings."""
    if not actor.acts_for(organisation_id):
        raise Forbidden("only the organisation's members and facilitators name its partners")
    with unit_of_work() as uow:
        organisation = uow.organisations.get(organisation_id)
        if organisation is None:
            raise NotFound("organisation", organisation_id)
        wanted = change_partners(uow, actor, organisation, partner_ids, now)
        uow.commit()
    return wanted


def change_partners(
    uow: UnitOfWork,
    actor: Principal,
    organisation: Organisation,
    partner_ids: Iterable[int],
    now: datetime,
) -> frozenset[int]:
    """Replace the organisation's partners inside the caller's unit of work, with the audit
    event; the caller has checked that the actor may."""
    assert organisation.organisation_id is not None
    organisation_id = organisation.organisation_id
    wanted = check_partners(organisation_id, partner_ids)
    _check_organisations_exist(uow, wanted, "partner_ids")
    before = uow.partners.partners_of(organisation_id)
    if before == wanted:
        return before
    uow.partners.set_partners(organisation_id, wanted)
    audit(
        uow,
        actor,
        AuditAction.CHANGED,
        EntityKind.ORGANISATION,
        organisation_id,
        now,
        f"{organisation.name}: partners "
        f"{', '.join(_organisation_names(uow, wanted)) or 'none'} "
        f"(were {', '.join(_organisation_names(uow, before)) or 'none'})",
    )
    return wanted


def partners_of(unit_of_work: UnitOfWorkFactory, organisation_id: int) -> frozenset[int]:
    with unit_of_work() as uow:
        return uow.partners.partners_of(organisation_id)


# --- signing in and out ----------------------------------------------------------------------


def authenticate(
    unit_of_work: UnitOfWorkFactory,
    hasher: PasswordHasher,
    throttle: LoginThrottle,
    *,
    email: str,
    password: str,
    client_address: str,
    now: datetime,
) -> str:
    """Sign in: the new session's secret (for the browser's cookie), or SignInFailed with one
    message whether the address is unknown, the account stopped or the password wrong, or
    TooManyAttempts without looking at the password when the throttle says so (its "try again
    after HH:MM" is in the time zone of `now`; its retry_at is the exact moment)."""
    typed = normalise_email(email)[:MAX_EMAIL_LENGTH]
    address = check_client_address(client_address)
    since = now - throttle.horizon
    with unit_of_work() as uow:
        decision = throttle.decide(
            uow.login_attempts.for_email(typed, since),
            uow.login_attempts.for_client_address(address, since),
            now,
        )
        if not decision.allowed:
            assert decision.retry_at is not None
            raise TooManyAttempts(decision.retry_at.astimezone(now.tzinfo))
        user = uow.users.get_by_email(typed)
        if user is None or not user.is_active:
            hasher.hash(password)  # as much work as a verification: the answer takes as long
            succeeded = False
        else:
            succeeded = hasher.verify(user.password_hash, password)
        uow.login_attempts.delete_before(since)
        uow.login_attempts.add(LoginAttempt(typed, address, now, succeeded))
        if not succeeded or user is None or user.user_id is None:
            audit(
                uow,
                Principal.anonymous(),
                AuditAction.SIGN_IN_FAILED,
                EntityKind.USER,
                user.user_id if user else None,
                now,
                f"{typed} from {address}",
            )
            uow.commit()
            raise SignInFailed()
        if hasher.needs_rehash(user.password_hash):  # hashed with older parameters
            uow.users.update(replace(user, password_hash=hasher.hash(password)))
        secret = _new_secret()
        uow.sessions.add(UserSession(user.user_id, secret_digest(secret), now, now))
        audit(
            uow,
            Principal.of(user),
            AuditAction.SIGNED_IN,
            EntityKind.USER,
            user.user_id,
            now,
            f"{user.email} from {address}",
        )
        uow.commit()
    return secret


def _record_use(unit_of_work: UnitOfWorkFactory, write: Callable[[UnitOfWork], None]) -> None:
    """Record the last use of a session or token in a transaction of its own whose first
    statement is the write: on SQLite, a transaction that read before it writes cannot write
    after another connection's commit ("database is locked", whatever the busy timeout)."""
    with unit_of_work() as uow:
        write(uow)
        uow.commit()


def resolve_session(
    unit_of_work: UnitOfWorkFactory, lifetime: SessionLifetime, secret: str, now: datetime
) -> Principal | None:
    """Who holds this session secret, or None when it is unknown, expired or its account is
    stopped. Each use moves the idle expiry on (written at most once a minute)."""
    if not secret:
        return None
    with unit_of_work() as uow:
        session = uow.sessions.get_by_digest(secret_digest(secret))
        if session is None or session.session_id is None:
            return None
        session_id = session.session_id
        user = uow.users.get(session.user_id)
        if lifetime.is_expired(session, now) or user is None or not user.is_active:
            uow.sessions.delete(session.session_id)
            uow.commit()
            return None
        touch = needs_touch(session.last_used_at, now)
    if touch:
        _record_use(unit_of_work, lambda uow: uow.sessions.touch(session_id, now))
    return Principal.of(user)


def sign_out(unit_of_work: UnitOfWorkFactory, secret: str, now: datetime) -> None:
    """End the session with this secret; nothing happens when there is none."""
    if not secret:
        return
    with unit_of_work() as uow:
        session = uow.sessions.get_by_digest(secret_digest(secret))
        if session is None or session.session_id is None:
            return
        uow.sessions.delete(session.session_id)
        user = uow.users.get(session.user_id)
        audit(
            uow,
            Principal(session.user_id),
            AuditAction.SIGNED_OUT,
            EntityKind.USER,
            session.user_id,
            now,
            user.email if user else "",
        )
        uow.commit()


# --- API tokens ------------------------------------------------------------------------------


def _may_manage_tokens_of(actor: Principal, user_id: int) -> bool:
    return actor.user_id == user_id or actor.is_administrator


def create_api_token(
    unit_of_work: UnitOfWorkFactory,
    actor: Principal,
    user_id: int,
    name: str,
    expires_at: datetime | None,
    now: datetime,
) -> IssuedToken:
    """A new token acting as the user, until `expires_at` (None: until revoked). Users make
    their own; administrators make anyone's."""
    if not _may_manage_tokens_of(actor, user_id):
        raise Forbidden("only the user and administrators make a user's API tokens")
    checked_name = check_api_token(name, expires_at, now)
    secret = _new_secret()
    with unit_of_work() as uow:
        user = _user(uow, user_id)
        if not user.is_active:
            raise Conflict(f"user: {user.email} is stopped; let it in again first")
        token = uow.api_tokens.add(
            ApiToken(
                user_id=user_id,
                name=checked_name,
                secret_sha256=secret_digest(secret),
                created_at=now,
                expires_at=expires_at,
            )
        )
        until = f"until {expires_at:%Y-%m-%d %H:%M %Z}" if expires_at else "until revoked"
        audit(
            uow,
            actor,
            AuditAction.TOKEN_CREATED,
            EntityKind.API_TOKEN,
            token.token_id,
            now,
            f"{checked_name!r} for {user.email}, {until}",
        )
        uow.commit()
    return IssuedToken(token, secret)


def resolve_token(unit_of_work: UnitOfWorkFactory, secret: str, now: datetime) -> Principal | None:
    """Who holds this API token secret, or None when it is unknown, revoked, expired or its
    account is stopped. Its last use is recorded (at most once a minute)."""
    if not secret:
        return None
    with unit_of_work() as uow:
        token = uow.api_tokens.get_by_digest(secret_digest(secret))
        if token is None or token.token_id is None or not token.is_usable(now):
            return None
        token_id = token.token_id
        user = uow.users.get(token.user_id)
        if user is None or not user.is_active:
            return None
        touch = needs_touch(token.last_used_at, now)
    if touch:
        _record_use(unit_of_work, lambda uow: uow.api_tokens.touch(token_id, now))
    return Principal.of(user)


def list_api_tokens(
    unit_of_work: UnitOfWorkFactory, actor: Principal, user_id: int
) -> list[ApiToken]:
    """A user's tokens (without their secrets), oldest first."""
    if not _may_manage_tokens_of(actor, user_id):
        raise Forbidden("only the user and administrators see a user's API tokens")
    with unit_of_work() as uow:
        _user(uow, user_id)
        return uow.api_tokens.for_user(user_id)


def revoke_token(
    unit_of_work: UnitOfWorkFactory, actor: Principal, token_id: int, now: datetime
) -> ApiToken:
    """Stop a token for good. Revoking a revoked token changes nothing."""
    with unit_of_work() as uow:
        token = uow.api_tokens.get(token_id)
        if token is None:
            raise NotFound("API token", token_id)
        if not _may_manage_tokens_of(actor, token.user_id):
            raise Forbidden("only the user and administrators revoke a user's API tokens")
        if token.revoked_at is not None:
            return token
        revoked = uow.api_tokens.update(replace(token, revoked_at=now))
        audit(
            uow,
            actor,
            AuditAction.TOKEN_REVOKED,
            EntityKind.API_TOKEN,
            token_id,
            now,
            repr(token.name),
        )
        uow.commit()
    return revoked
