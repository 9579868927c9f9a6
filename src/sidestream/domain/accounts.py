"""People and what they may do: user accounts, who is asking (`Principal`), sign-in sessions
and API tokens, the throttle on failed sign-ins, and the audit log.

Roles: administrators run the platform; facilitators (the regional circular economy centre) see
and arrange everything in the registry; members act for the organisations they belong to; the
anonymous public sees public listings only. Secrets (passwords, session and token secrets) never
reach this module in stored form: passwords are hashed by an adapter, and sessions and tokens are
kept as the SHA-256 digest of their secret. Everything here is pure: the clock is passed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sidestream.domain.errors import FieldError, InvalidInput
from sidestream.domain.organisations import check_email

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256  # long passphrases are welcome; megabytes sent to the hasher are not
MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path, less its angle brackets
MAX_DISPLAY_NAME_LENGTH = 200
MAX_TOKEN_NAME_LENGTH = 100
MAX_CLIENT_ADDRESS_LENGTH = 64  # an IPv6 address with a zone fits
MAX_AUDIT_DETAIL_LENGTH = 2000
MAX_AUDIT_LIMIT = 10_000
DEFAULT_AUDIT_LIMIT = 100
# A session's or token's last use is written at most this often: reading one is then not a write
# on every request, and idle expiry is exact to within this interval.
LAST_USED_PRECISION = timedelta(minutes=1)


def _is_aware(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() is not None


# --- users -----------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    """The form an address is stored and compared in: trimmed and lower-case, so one address
    cannot hold two accounts by its capitals."""
    return email.strip().lower()


def check_user_email(email: str) -> list[FieldError]:
    """Problems with an already normalised address."""
    if not email:
        return [FieldError("email", "must not be empty")]
    if len(email) > MAX_EMAIL_LENGTH:
        return [FieldError("email", f"is longer than {MAX_EMAIL_LENGTH} characters")]
    reason = check_email(email)
    return [FieldError("email", reason)] if reason else []


def check_display_name(display_name: str) -> list[FieldError]:
    if not display_name.strip():
        return [FieldError("display_name", "must not be empty")]
    if len(display_name) > MAX_DISPLAY_NAME_LENGTH:
        return [FieldError("display_name", f"is longer than {MAX_DISPLAY_NAME_LENGTH} characters")]
    return []


def check_password(password: str, email: str) -> list[FieldError]:
    """The password policy: at least 12 and at most 256 characters, and not the e-mail address.
    Length is what makes a password strong; no rule about character classes is imposed."""
    errors = []
    if len(password) < MIN_PASSWORD_LENGTH:
        errors.append(
            FieldError(
                "password",
                f"has {len(password)} character{'' if len(password) == 1 else 's'}; "
                f"use at least {MIN_PASSWORD_LENGTH} "
                "(a few unrelated words make a good one)",
            )
        )
    elif len(password) > MAX_PASSWORD_LENGTH:
        errors.append(FieldError("password", f"is longer than {MAX_PASSWORD_LENGTH} characters"))
    if password.strip().lower() == normalise_email(email) and email.strip():
        errors.append(FieldError("password", "must not be the e-mail address"))
    return errors


def check_new_user(email: str, display_name: str, password: str) -> tuple[str, str]:
    """The normalised e-mail address and trimmed display name of a new account, or InvalidInput
    listing every problem with the address, the name and the password."""
    normalised = normalise_email(email)
    errors = [
        *check_user_email(normalised),
        *check_display_name(display_name),
        *check_password(password, normalised),
    ]
    if errors:
        raise InvalidInput(errors)
    return normalised, display_name.strip()


@dataclass(frozen=True)
class User:
    email: str  # normalised (normalise_email)
    display_name: str
    password_hash: str = field(repr=False)  # the hasher's encoded hash, never the password
    is_administrator: bool = False
    is_facilitator: bool = False
    organisation_ids: frozenset[int] = frozenset()  # the organisations the user is a member of
    is_active: bool = True  # an inactive account cannot sign in, and its sessions stop working
    created_at: datetime | None = None
    user_id: int | None = None

    @property
    def roles(self) -> tuple[str, ...]:
        """The user's roles in words, most powerful first."""
        roles = []
        if self.is_administrator:
            roles.append("administrator")
        if self.is_facilitator:
            roles.append("facilitator")
        if self.organisation_ids:
            roles.append("member")
        return tuple(roles)


@dataclass(frozen=True)
class Principal:
    """Who is asking. Services decide what to allow from this alone."""

    user_id: int | None  # None: nobody signed in (or the operator, see operator())
    is_administrator: bool = False
    is_facilitator: bool = False
    organisation_ids: frozenset[int] = frozenset()

    @classmethod
    def anonymous(cls) -> Principal:
        """The public: nobody signed in."""
        return cls(user_id=None)

    @classmethod
    def of(cls, user: User) -> Principal:
        if user.user_id is None:
            raise ValueError("a principal is made of a stored user")
        return cls(
            user_id=user.user_id,
            is_administrator=user.is_administrator,
            is_facilitator=user.is_facilitator,
            organisation_ids=user.organisation_ids,
        )

    @classmethod
    def operator(cls) -> Principal:
        """Whoever runs the command line on the server. They hold the database's credentials
        and could change anything anyway, so they act as an administrator; the audit log shows
        their changes without a user."""
        return cls(user_id=None, is_administrator=True)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and not (self.is_administrator or self.is_facilitator)

    @property
    def is_operator(self) -> bool:
        return self.user_id is None and self.is_administrator

    @property
    def oversees_registry(self) -> bool:
        """Administrators and facilitators: they manage accounts and read the audit log."""
        return self.is_administrator or self.is_facilitator

    def is_member_of(self, organisation_id: int) -> bool:
        return organisation_id in self.organisation_ids

    def acts_for(self, organisation_id: int) -> bool:
        """Whether the principal may change the organisation's records: its members, and the
        facilitators and administrators who oversee the registry."""
        return self.oversees_registry or self.is_member_of(organisation_id)


# --- partners --------------------------------------------------------------------------------


def check_partners(organisation_id: int, partner_ids: Iterable[int]) -> frozenset[int]:
    """The partners an organisation names: any others, never itself."""
    partners = frozenset(partner_ids)
    if organisation_id in partners:
        raise InvalidInput.single("partner_ids", "an organisation cannot be its own partner")
    return partners


# --- sessions and API tokens -----------------------------------------------------------------


def secret_digest(secret: str) -> str:
    """What is stored of a session or token secret: its SHA-256, in hex. The secrets are 256
    random bits, so a plain digest (no salt, no stretching) cannot be reversed, and a lookup by
    digest needs no secret comparison in code."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def needs_touch(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether a session's or token's last use should be written now (see LAST_USED_PRECISION)."""
    return last_used_at is None or now - last_used_at >= LAST_USED_PRECISION


@dataclass(frozen=True)
class UserSession:
    """A signed-in browser. The browser holds the secret; we hold its digest."""

    user_id: int
    secret_sha256: str
    created_at: datetime
    last_used_at: datetime
    session_id: int | None = None


@dataclass(frozen=True)
class SessionLifetime:
    """A session ends after `idle` without use, and `absolute` after sign-in whatever happens."""

    idle: timedelta = timedelta(hours=8)
    absolute: timedelta = timedelta(days=7)

    def __post_init__(self) -> None:
        if self.idle <= timedelta(0) or self.absolute <= timedelta(0):
            raise ValueError("session lifetimes must be positive")

    def expires_at(self, session: UserSession) -> datetime:
        return min(session.last_used_at + self.idle, session.created_at + self.absolute)

    def is_expired(self, session: UserSession, now: datetime) -> bool:
        return now >= self.expires_at(session)


@dataclass(frozen=True)
class ApiToken:
    """A secret a program presents instead of signing in; it acts as its user."""

    user_id: int
    name: str  # what it is for, e.g. "nightly export"
    secret_sha256: str
    created_at: datetime
    expires_at: datetime | None = None  # None: until revoked
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    token_id: int | None = None

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


def check_api_token(name: str, expires_at: datetime | None, now: datetime) -> str:
    """The trimmed name of a new token, or InvalidInput."""
    errors = []
    name = name.strip()
    if not name:
        errors.append(FieldError("name", "must not be empty"))
    elif len(name) > MAX_TOKEN_NAME_LENGTH:
        errors.append(FieldError("name", f"is longer than {MAX_TOKEN_NAME_LENGTH} characters"))
    if expires_at is not None:
        if not _is_aware(expires_at):
            errors.append(FieldError("expires_at", "must carry a time zone"))
        elif expires_at <= now:
            errors.append(FieldError("expires_at", f"{expires_at:%Y-%m-%d %H:%M} is not ahead"))
    if errors:
        raise InvalidInput(errors)
    return name


# --- throttling failed sign-ins --------------------------------------------------------------


@dataclass(frozen=True)
class LoginAttempt:
    """One sign-in attempt: the address as typed (normalised), whether or not an account has
    it, so that throttling behaves the same for known and unknown addresses."""

    email: str
    client_address: str
    at: datetime
    succeeded: bool


def check_client_address(client_address: str) -> str:
    address = client_address.strip()
    if not address:
        raise InvalidInput.single("client_address", "must not be empty")
    if len(address) > MAX_CLIENT_ADDRESS_LENGTH:
        raise InvalidInput.single(
            "client_address", f"is longer than {MAX_CLIENT_ADDRESS_LENGTH} characters"
        )
    return address


@dataclass(frozen=True)
class ThrottleDecision:
    allowed: bool
    retry_at: datetime | None = None  # when refused: the first moment another attempt is allowed


@dataclass(frozen=True)
class LoginThrottle:
    """When another sign-in attempt is allowed, from the recent attempts alone.

    Three rules, the strictest wins:

    - per address typed: at most `max_failures_per_email` failures within `window` since the
      last successful sign-in to it;
    - per client address: at most `max_failures_per_address` failures within `window`, whatever
      succeeded in between (one working account must not open the door to guessing others);
    - backoff per address typed: after `free_failures` failures in a row (within `horizon`),
      each further failure makes the next attempt wait twice as long, from `backoff_base` up to
      `backoff_cap`, so a patient guesser gets ever fewer tries a day.

    Refused attempts are not attempts: they are not recorded, so hammering a locked account
    neither extends nor shortens its lock.
    """

    window: timedelta = timedelta(minutes=15)
    max_failures_per_email: int = 5
    max_failures_per_address: int = 20
    free_failures: int = 3
    backoff_base: timedelta = timedelta(seconds=2)
    backoff_cap: timedelta = timedelta(hours=1)
    horizon: timedelta = timedelta(hours=24)  # attempts older than this are forgotten

    def __post_init__(self) -> None:
        if min(self.max_failures_per_email, self.max_failures_per_address) < 1:
            raise ValueError("the failure limits must be at least 1")
        if self.free_failures < 0 or self.backoff_base <= timedelta(0):
            raise ValueError("backoff needs a non-negative allowance and a positive base")
        if self.horizon < max(self.window, self.backoff_cap):
            raise ValueError("the horizon must cover the window and the longest backoff")

    def decide(
        self,
        email_attempts: Sequence[LoginAttempt],
        address_attempts: Sequence[LoginAttempt],
        now: datetime,
    ) -> ThrottleDecision:
        """`email_attempts`: the recent attempts with the address typed; `address_attempts`:
        those from the client address (the repository may send everything within `horizon`)."""
        candidates = [
            *self._email_limits(email_attempts, now),
            *self._address_limit(address_attempts, now),
        ]
        retry_at = max(candidates, default=None)
        if retry_at is None or retry_at <= now:
            return ThrottleDecision(allowed=True)
        return ThrottleDecision(allowed=False, retry_at=retry_at)

    def _email_limits(self, attempts: Sequence[LoginAttempt], now: datetime) -> list[datetime]:
        remembered = sorted(
            (attempt for attempt in attempts if attempt.at > now - self.horizon),
            key=lambda attempt: attempt.at,
        )
        last_success = max(
            (index for index, attempt in enumerate(remembered) if attempt.succeeded), default=-1
        )
        failures = [attempt.at for attempt in remembered[last_success + 1 :]]
        limits = []
        in_window = [at for at in failures if at > now - self.window]
        if len(in_window) >= self.max_failures_per_email:
            limits.append(in_window[-self.max_failures_per_email] + self.window)
        beyond_allowance = len(failures) - self.free_failures
        if beyond_allowance > 0:
            doublings = min(beyond_allowance - 1, 40)  # 2 s × 2**40 is far beyond any cap
            limits.append(failures[-1] + min(self.backoff_base * 2**doublings, self.backoff_cap))
        return limits

    def _address_limit(self, attempts: Sequence[LoginAttempt], now: datetime) -> list[datetime]:
        failures = sorted(
            attempt.at
            for attempt in attempts
            if not attempt.succeeded and attempt.at > now - self.window
        )
        if len(failures) >= self.max_failures_per_address:
            return [failures[-self.max_failures_per_address] + self.window]
        return []


# --- the audit log ---------------------------------------------------------------------------


class AuditAction(StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    DELETED = "deleted"
    REVEALED = "revealed"  # confidential details shown to someone
    EXPORTED = "exported"
    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGNED_OUT = "signed_out"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"


class EntityKind(StrEnum):
    """What an audit event is about. The log stores the text, so kinds can be added freely."""

    USER = "user"
    ORGANISATION = "organisation"
    SESSION = "session"
    API_TOKEN = "api_token"
    STREAM = "stream"
    NEED = "need"
    PROPOSAL = "proposal"
    SCENARIO = "scenario"
    SYNERGY = "synergy"


MAX_ENTITY_KIND_LENGTH = 40


@dataclass(frozen=True)
class AuditEvent:
    """Who did what to which record, and when. Events are only ever added."""

    at: datetime
    actor_user_id: int | None  # None: nobody signed in, or the operator at the command line
    action: AuditAction
    entity_kind: str  # an EntityKind, or another kind's name
    entity_id: int | None
    detail: str = ""
    audit_event_id: int | None = None


def clip_detail(detail: str) -> str:
    if len(detail) <= MAX_AUDIT_DETAIL_LENGTH:
        return detail
    return detail[: MAX_AUDIT_DETAIL_LENGTH - 1] + "…"


@dataclass(frozen=True)
class AuditFilter:
    """Which events to read, newest first. Every criterion given must hold."""

    actor_user_id: int | None = None
    action: AuditAction | None = None
    entity_kind: str | None = None
    entity_id: int | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    limit: int = DEFAULT_AUDIT_LIMIT


def check_audit_filter(audit_filter: AuditFilter) -> AuditFilter:
    errors = []
    if not 1 <= audit_filter.limit <= MAX_AUDIT_LIMIT:
        errors.append(
            FieldError("limit", f"{audit_filter.limit} is not between 1 and {MAX_AUDIT_LIMIT}")
        )
    for name in ("since", "until"):
        moment = getattr(audit_filter, name)
        if moment is not None and not _is_aware(moment):
            errors.append(FieldError(name, "must carry a time zone"))
    if (
        not errors
        and audit_filter.since is not None
        and audit_filter.until is not None
        and audit_filter.since >= audit_filter.until
    ):
        errors.append(FieldError("until", "must be later than since"))
    if errors:
        raise InvalidInput(errors)
    return audit_filter
