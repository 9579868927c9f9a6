"""Accounts in the domain: addresses, the password policy, principals, session lifetimes, API
tokens, the sign-in throttle and audit filters. Pure: every moment is given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from sidestream.domain.accounts import (
    MAX_AUDIT_DETAIL_LENGTH,
    ApiToken,
    AuditFilter,
    LoginAttempt,
    LoginThrottle,
    Principal,
    SessionLifetime,
    ThrottleDecision,
    User,
    UserSession,
    check_api_token,
    check_audit_filter,
    check_client_address,
    check_new_user,
    check_partners,
    check_password,
    clip_detail,
    needs_touch,
    normalise_email,
    secret_digest,
)
from sidestream.domain.errors import InvalidInput, SignInFailed, TooManyAttempts

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
EMAIL = "aino@example.fi"
ADDRESS = "192.0.2.7"


def fields(error: InvalidInput) -> list[str]:
    return [item.field for item in error.errors]


# --- users -----------------------------------------------------------------------------------


def test_addresses_are_compared_trimmed_and_in_lower_case() -> None:
    assert normalise_email("  Aino.Virtanen@Example.FI ") == "aino.virtanen@example.fi"
    email, name = check_new_user(" Aino@Example.fi", "  Aino Virtanen ", "a long passphrase")
    assert (email, name) == ("aino@example.fi", "Aino Virtanen")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("x" * 11, "has 11 characters; use at least 12"),
        ("", "has 0 characters"),
        ("x" * 257, "is longer than 256 characters"),
        ("AINO@example.fi", "must not be the e-mail address"),
    ],
)
def test_the_password_policy_says_what_is_wrong(password: str, problem: str) -> None:
    errors = check_password(password, EMAIL)
    assert [error.field for error in errors] == ["password"]
    assert problem in errors[0].reason


@pytest.mark.parametrize("password", ["x" * 12, "x" * 256, "aino@example.fi!", "ääkköset ja 🙂🙂"])
def test_passwords_within_the_policy_pass(password: str) -> None:
    assert check_password(password, EMAIL) == []


def test_a_new_user_lists_every_problem_at_once() -> None:
    with pytest.raises(InvalidInput) as raised:
        check_new_user("not an address", " ", "short")
    assert fields(raised.value) == ["email", "display_name", "password"]
    with pytest.raises(InvalidInput) as raised:
        check_new_user("a@" + "b" * 250 + ".fi", "x" * 201, "a good long password")
    assert fields(raised.value) == ["email", "display_name"]
    assert "254" in raised.value.errors[0].reason


def test_a_password_equal_to_the_address_is_refused_whatever_its_capitals() -> None:
    with pytest.raises(InvalidInput) as raised:
        check_new_user("Pekka.Pitkanen@Example.fi", "Pekka", "pekka.pitkanen@example.FI")
    assert raised.value.errors[0].reason == "must not be the e-mail address"


def test_the_hash_is_not_in_a_users_repr() -> None:
    user = User(EMAIL, "Aino", password_hash="$argon2id$secret", user_id=1)
    assert "argon2" not in repr(user)


def test_roles_in_words() -> None:
    assert User(EMAIL, "A", "h").roles == ()
    assert User(EMAIL, "A", "h", is_administrator=True, organisation_ids=frozenset({3})).roles == (
        "administrator",
        "member",
    )
    assert User(EMAIL, "A", "h", is_facilitator=True).roles == ("facilitator",)


# --- principals ------------------------------------------------------------------------------


def test_principals() -> None:
    anonymous = Principal.anonymous()
    assert anonymous.is_anonymous and not anonymous.oversees_registry
    member = Principal.of(User(EMAIL, "A", "h", organisation_ids=frozenset({4, 5}), user_id=9))
    assert member == Principal(9, organisation_ids=frozenset({4, 5}))
    assert member.is_member_of(4) and not member.is_member_of(6)
    assert not member.is_anonymous and not member.oversees_registry
    facilitator = Principal.of(User(EMAIL, "A", "h", is_facilitator=True, user_id=2))
    assert facilitator.oversees_registry and not facilitator.is_administrator
    operator = Principal.operator()
    assert operator.is_operator and operator.is_administrator and not operator.is_anonymous
    assert not Principal.of(User(EMAIL, "A", "h", is_administrator=True, user_id=1)).is_operator


def test_a_principal_is_made_of_a_stored_user() -> None:
    with pytest.raises(ValueError, match="stored"):
        Principal.of(User(EMAIL, "A", "h"))


# --- partners --------------------------------------------------------------------------------


def test_an_organisation_is_never_its_own_partner() -> None:
    assert check_partners(1, [2, 3, 2]) == frozenset({2, 3})
    assert check_partners(1, []) == frozenset()
    with pytest.raises(InvalidInput) as raised:
        check_partners(1, [2, 1])
    assert fields(raised.value) == ["partner_ids"]


# --- sessions and tokens ---------------------------------------------------------------------


def test_a_secret_is_kept_as_its_sha256() -> None:
    assert secret_digest("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_a_session_ends_when_idle_or_old_whichever_comes_first() -> None:
    lifetime = SessionLifetime(idle=timedelta(hours=8), absolute=timedelta(days=7))
    fresh = UserSession(1, "d", created_at=T0, last_used_at=T0)
    assert lifetime.expires_at(fresh) == T0 + timedelta(hours=8)
    assert not lifetime.is_expired(fresh, T0 + timedelta(hours=7, minutes=59))
    assert lifetime.is_expired(fresh, T0 + timedelta(hours=8))
    busy = UserSession(1, "d", created_at=T0, last_used_at=T0 + timedelta(days=6, hours=23))
    assert lifetime.expires_at(busy) == T0 + timedelta(days=7)  # absolute expiry wins
    assert lifetime.is_expired(busy, T0 + timedelta(days=7))


@pytest.mark.parametrize(
    ("idle", "absolute"), [(timedelta(0), timedelta(days=1)), (timedelta(hours=1), -timedelta(1))]
)
def test_session_lifetimes_are_positive(idle: timedelta, absolute: timedelta) -> None:
    with pytest.raises(ValueError, match="positive"):
        SessionLifetime(idle=idle, absolute=absolute)


def test_last_use_is_written_at_most_once_a_minute() -> None:
    assert needs_touch(None, T0)
    assert not needs_touch(T0, T0 + timedelta(seconds=59))
    assert needs_touch(T0, T0 + timedelta(minutes=1))


def test_a_token_is_usable_until_it_expires_or_is_revoked() -> None:
    token = ApiToken(1, "export", "d", created_at=T0, expires_at=T0 + timedelta(days=1))
    assert token.is_usable(T0 + timedelta(hours=23))
    assert not token.is_usable(T0 + timedelta(days=1))
    assert ApiToken(1, "export", "d", created_at=T0).is_usable(T0 + timedelta(days=10_000))
    revoked = ApiToken(1, "export", "d", created_at=T0, revoked_at=T0 + timedelta(seconds=1))
    assert not revoked.is_usable(T0 + timedelta(seconds=2))


def test_a_new_token_needs_a_name_and_a_future_expiry() -> None:
    assert check_api_token("  nightly export ", None, T0) == "nightly export"
    assert check_api_token("x", T0 + timedelta(seconds=1), T0) == "x"
    with pytest.raises(InvalidInput) as raised:
        check_api_token(" ", T0, T0)
    assert fields(raised.value) == ["name", "expires_at"]
    with pytest.raises(InvalidInput) as raised:
        check_api_token("x" * 101, datetime(2027, 1, 1), T0)  # naive
    assert fields(raised.value) == ["name", "expires_at"]
    assert raised.value.errors[1].reason == "must carry a time zone"


def test_client_addresses_are_trimmed_and_bounded() -> None:
    assert check_client_address(" 2001:db8::1 ") == "2001:db8::1"
    for bad in ("", "x" * 65):
        with pytest.raises(InvalidInput):
            check_client_address(bad)


# --- the throttle ----------------------------------------------------------------------------


def failures(*seconds: float, email: str = EMAIL, address: str = ADDRESS) -> list[LoginAttempt]:
    return [LoginAttempt(email, address, T0 + timedelta(seconds=s), False) for s in seconds]


def success(second: float) -> LoginAttempt:
    return LoginAttempt(EMAIL, ADDRESS, T0 + timedelta(seconds=second), True)


def test_no_attempts_no_limit() -> None:
    assert LoginThrottle().decide([], [], T0).allowed


def test_three_failures_are_free() -> None:
    assert LoginThrottle().decide(failures(0, 1, 2), [], T0 + timedelta(seconds=2)).allowed


def test_backoff_doubles_after_the_free_failures() -> None:
    throttle = LoginThrottle()  # 3 free, then 2 s, 4 s, ...
    fourth = failures(0, 1, 2, 3)
    decision = throttle.decide(fourth, [], T0 + timedelta(seconds=3))
    assert not decision.allowed and decision.retry_at == T0 + timedelta(seconds=5)
    assert throttle.decide(fourth, [], T0 + timedelta(seconds=5)).allowed


def test_five_failures_in_fifteen_minutes_lock_the_address_typed_until_the_first_leaves() -> None:
    throttle = LoginThrottle()
    attempts = failures(0, 60, 120, 180, 240)
    decision = throttle.decide(attempts, [], T0 + timedelta(seconds=300))
    assert decision == ThrottleDecision(allowed=False, retry_at=T0 + timedelta(minutes=15))
    assert not throttle.decide(attempts, [], T0 + timedelta(minutes=14, seconds=59)).allowed
    assert throttle.decide(attempts, [], T0 + timedelta(minutes=15)).allowed


def test_a_success_clears_the_failures_of_the_address_typed() -> None:
    throttle = LoginThrottle()
    attempts = [*failures(0, 1, 2, 3), success(30), *failures(31)]
    assert throttle.decide(attempts, [], T0 + timedelta(seconds=31)).allowed


def test_backoff_keeps_growing_past_the_window_up_to_its_cap() -> None:
    throttle = LoginThrottle()
    hour = 3600.0
    # 14 failures, each after the previous lock: the 14th waits 2 s × 2**10 = 34 min 8 s.
    attempts = failures(*(i * hour for i in range(14)))
    last = T0 + timedelta(seconds=13 * hour)
    decision = throttle.decide(attempts, [], last)
    assert decision.retry_at == last + timedelta(seconds=2 * 2**10)
    many = failures(*(i * 100.0 for i in range(60)))  # far beyond: the cap holds
    last = T0 + timedelta(seconds=5900)
    assert throttle.decide(many, [], last).retry_at == last + timedelta(hours=1)


def test_attempts_beyond_the_horizon_are_forgotten() -> None:
    throttle = LoginThrottle()
    old = failures(*range(30))
    assert throttle.decide(old, old, T0 + timedelta(hours=24, seconds=30)).allowed


def test_twenty_failures_from_one_client_lock_it_whatever_addresses_were_typed() -> None:
    throttle = LoginThrottle()
    sprayed = [
        LoginAttempt(f"user{i}@example.fi", ADDRESS, T0 + timedelta(seconds=10 * i), False)
        for i in range(20)
    ]
    now = T0 + timedelta(seconds=200)
    decision = throttle.decide([], sprayed, now)
    assert not decision.allowed and decision.retry_at == T0 + timedelta(minutes=15)
    # a success from the client in between does not reopen it
    with_success = [*sprayed[:10], success(95), *sprayed[10:]]
    assert throttle.decide([], with_success, now).retry_at == T0 + timedelta(minutes=15)
    assert throttle.decide([], sprayed[:19], now).allowed


def test_the_strictest_rule_wins() -> None:
    throttle = LoginThrottle()
    email = failures(0, 1, 2, 3)  # backoff: T0 + 5 s
    address = failures(*range(-880, -860))  # 20 failures: until T0 + 20 s
    decision = throttle.decide(email, address, T0 + timedelta(seconds=4))
    assert decision.retry_at == T0 + timedelta(seconds=20)


def test_throttle_settings_must_make_sense() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        LoginThrottle(max_failures_per_email=0)
    with pytest.raises(ValueError, match="horizon"):
        LoginThrottle(horizon=timedelta(minutes=5))


def test_too_many_attempts_names_the_minute_to_wait_for() -> None:
    assert str(TooManyAttempts(T0 + timedelta(minutes=15))) == (
        "too many attempts, try again after 12:15"
    )
    # part of a minute left: the minute shown is the one after it
    later = TooManyAttempts(T0 + timedelta(minutes=15, seconds=1))
    assert str(later) == "too many attempts, try again after 12:16"
    helsinki = (T0 + timedelta(minutes=15)).astimezone(timezone(timedelta(hours=2)))
    assert str(TooManyAttempts(helsinki)).endswith("14:15")
    assert str(SignInFailed()) == "email or password is wrong"


# --- the audit log ---------------------------------------------------------------------------


def test_audit_filters() -> None:
    assert check_audit_filter(AuditFilter()) == AuditFilter()
    with pytest.raises(InvalidInput) as raised:
        check_audit_filter(AuditFilter(limit=0, since=datetime(2026, 1, 1)))
    assert fields(raised.value) == ["limit", "since"]
    with pytest.raises(InvalidInput) as raised:
        check_audit_filter(AuditFilter(since=T0, until=T0))
    assert fields(raised.value) == ["until"]


def test_long_details_are_clipped() -> None:
    assert clip_detail("short") == "short"
    clipped = clip_detail("x" * 5000)
    assert len(clipped) == MAX_AUDIT_DETAIL_LENGTH and clipped.endswith("…")
