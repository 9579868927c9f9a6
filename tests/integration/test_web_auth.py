"""Signing in and out in the browser, sessions and API tokens on every request, CSRF and the
security headers, over real HTTP on SQLite and PostgreSQL (the cookie's Secure flag, which
depends on settings only, on SQLite)."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import text

from sidestream.adapters.passwords import Argon2PasswordHasher
from sidestream.bootstrap.container import Container, SystemClock, load_or_create_secret_key
from sidestream.bootstrap.settings import Settings
from sidestream.domain.accounts import Principal
from sidestream.domain.reference import ReferenceData
from sidestream.entrypoints.server import create_app
from sidestream.services.accounts import (
    bootstrap_administrator,
    create_api_token,
    create_user,
    revoke_token,
)
from tests.integration.test_registry import _load_registry
from tests.support.server import running_server

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PASSWORD = "lime mud and green liquor dregs"
FACILITATOR = "fasilitaattori@digipolis.fi"
MEMBER = "jasen@teststeel.fi"  # a member of Test Steel Oy, which owns the private "Filter dust"
SECRET_KEY = "a test secret key of well over 32 characters"
# Cheap parameters: the tests sign in often. Production uses argon2-cffi's defaults.
CHEAP_HASHER = Argon2PasswordHasher(time_cost=1, memory_cost_kib=8, parallelism=1)
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>")


class SteppedClock(SystemClock):
    """The server's clock, moved on by the test."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


@dataclass
class Site:
    """A running web app on a registry with a facilitator and a member of Test Steel Oy."""

    url: str
    container: Container
    clock: SteppedClock
    member_id: int

    def client(self, **options: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, **options)  # type: ignore[arg-type]

    def count(self, table: str) -> int:
        with self.container.engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _prepare(container: Container, **settings: object) -> SteppedClock:
    """The container as the tests serve it: a clock they move, cheap hashing, a secret key."""
    clock = SteppedClock(T0)
    container.clock = clock
    container.__dict__["password_hasher"] = CHEAP_HASHER
    container.settings = container.settings.model_copy(
        update={"secret_key": SecretStr(SECRET_KEY), **settings}
    )
    return clock


def _add_accounts(container: Container) -> int:
    """A facilitator and a member of Test Steel Oy; the member's user id."""
    bootstrap_administrator(
        container.unit_of_work,
        CHEAP_HASHER,
        email=FACILITATOR,
        display_name="Fanni Fasilitaattori",
        password=PASSWORD,
        now=T0,
        is_facilitator=True,
    )
    with container.unit_of_work() as uow:
        steel = uow.organisations.get_by_name("Test Steel Oy")
    organisation_ids = [steel.organisation_id] if steel and steel.organisation_id else []
    member = create_user(
        container.unit_of_work,
        CHEAP_HASHER,
        Principal.operator(),
        email=MEMBER,
        display_name='Jussi "<b>" Jäsen',
        password=PASSWORD,
        now=T0,
        organisation_ids=organisation_ids,
    )
    assert member.user_id is not None
    return member.user_id


OUTSIDER = "kaivos@testmine.fi"  # a member of Test Mine Oy, not of Test Steel Oy's streams


def add_outsider(site: Site) -> None:
    """A member of Test Mine Oy: signed in, yet without rights on Test Steel Oy's streams."""
    with site.container.unit_of_work() as uow:
        mine = uow.organisations.get_by_name("Test Mine Oy")
    assert mine is not None and mine.organisation_id is not None
    create_user(
        site.container.unit_of_work,
        CHEAP_HASHER,
        Principal.operator(),
        email=OUTSIDER,
        display_name="Kaisa Kaivos",
        password=PASSWORD,
        now=T0,
        organisation_ids=[mine.organisation_id],
    )


@pytest.fixture
def site(container: Container) -> Iterator[Site]:
    clock = _prepare(container)
    _load_registry(container)
    member_id = _add_accounts(container)
    with running_server(create_app(container)) as url:
        yield Site(url, container, clock, member_id)


def form_token(page: httpx.Response) -> str:
    match = FORM_TOKEN.search(page.text)
    assert match is not None, page.text
    return match.group(1)


def sign_in(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    """What a browser does: fetch the form, post it back with its token."""
    token = form_token(client.get("/signin"))
    return client.post("/signin", data={"email": email, "password": password, "csrf_token": token})


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """The Set-Cookie headers of a response, by cookie name."""
    headers = response.headers.get_list("set-cookie")
    return {header.partition("=")[0]: header for header in headers}


def attributes(set_cookie: str) -> set[str]:
    return {part.strip().lower() for part in set_cookie.split(";")[1:]}


def streams_seen(overview: dict[str, object]) -> dict[str, dict[str, object]]:
    streams = overview["streams"]
    assert isinstance(streams, list)
    return {stream["title"]: stream for stream in streams}


# --- signing in and out ----------------------------------------------------------------------


def test_signing_in_sets_a_session_cookie_and_shows_the_member_their_listings(site: Site) -> None:
    with site.client() as browser:
        form = browser.get("/signin")
        assert form.status_code == 200
        assert form.headers["cache-control"] == "no-store"
        assert '<input type="hidden" name="csrf_token"' in form.text
        csrf_cookie = set_cookies(form)["sidestream_csrf"]
        assert {"httponly", "path=/", "samesite=lax"} <= attributes(csrf_cookie)

        signed_in = sign_in(browser, "  JASEN@TestSteel.fi ")  # any capitals and spaces
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
        cookie = set_cookies(signed_in)["sidestream_session"]
        assert {"httponly", "path=/", "samesite=lax"} <= attributes(cookie)
        assert "secure" not in attributes(cookie)  # served on 127.0.0.1 over plain HTTP
        assert not any(a.startswith(("max-age", "expires")) for a in attributes(cookie))
        assert site.count("sessions") == 1

        page = browser.get("/")
        assert page.headers["cache-control"] == "no-store"
        assert "Signed in as <strong>Jussi &#34;&lt;b&gt;&#34; Jäsen</strong>" in page.text
        assert 'action="/signout"' in page.text and 'href="/signin"' not in page.text
        assert "Filter dust" in page.text  # the member's organisation's private stream
        assert "Waste rock batch" not in page.text  # another organisation's partners-only
        assert '<td class="confidential number" title="confidential' in page.text
        assert "95.00" in page.text  # the private stream's cost, in a marked column

        overview = browser.get("/index.json").json()
    streams = streams_seen(overview)
    assert set(streams) == {"Ferrochrome slag", "Filter dust", "Cooling water heat"}
    assert streams["Filter dust"]["access"] == "full"
    assert streams["Filter dust"]["cost_eur_per_unit"] == 95
    assert streams["Filter dust"]["visibility"] == "private"
    assert overview["hidden_stream_count"] == 1


def test_a_facilitator_sees_everything(site: Site) -> None:
    with site.client() as browser:
        sign_in(browser, FACILITATOR)
        overview = browser.get("/index.json").json()
    assert (overview["hidden_stream_count"], overview["hidden_need_count"]) == (0, 0)
    assert {stream["access"] for stream in overview["streams"]} == {"full"}


def test_the_public_gets_no_cookie_and_a_sign_in_link(site: Site) -> None:
    response = httpx.get(site.url + "/")
    assert "set-cookie" not in response.headers
    assert "cache-control" not in response.headers
    assert '<a href="/signin">Sign in</a>' in response.text
    assert "Signed in as" not in response.text and "confidential" not in response.text


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(site: Site) -> None:
    answers = []
    with site.client() as browser:
        for email, password in (
            (MEMBER, "not the password at all"),
            ("nobody@teststeel.fi", PASSWORD),
        ):
            response = sign_in(browser, email, password)
            answers.append((response.status_code, response.text.replace(email, "EMAIL")))
            assert f'name="email" type="email" value="{email}"' in response.text  # kept
            assert password not in response.text  # never echoed
            assert "sidestream_session" not in set_cookies(response)
    assert answers[0] == answers[1]
    assert answers[0][0] == 401
    assert "email or password is wrong" in answers[0][1]
    assert site.count("sessions") == 0


def test_too_many_failures_are_refused_with_429(site: Site) -> None:
    with site.client() as browser:
        for minute in range(5):
            site.clock.moment = T0 + timedelta(minutes=minute)
            assert sign_in(browser, MEMBER, f"guess number {minute}!!").status_code == 401
        site.clock.moment = T0 + timedelta(minutes=5)
        refused = sign_in(browser, MEMBER)  # even the right password waits
        assert refused.status_code == 429
        assert re.search(r"too many attempts, try again after \d\d:\d\d", refused.text)
        assert refused.headers["retry-after"] == str(10 * 60)  # the first failure + 15 minutes
        assert f'value="{MEMBER}"' in refused.text and PASSWORD not in refused.text
        assert site.count("sessions") == 0
        site.clock.moment = T0 + timedelta(minutes=15)
        assert sign_in(browser, MEMBER).status_code == 303


def test_signing_out_ends_the_session_on_the_server(site: Site) -> None:
    with site.client() as browser:
        sign_in(browser, MEMBER)
        old_cookie = browser.cookies["sidestream_session"]
        token = form_token(browser.get("/"))
        signed_out = browser.post("/signout", data={"csrf_token": token})
        assert signed_out.status_code == 303 and signed_out.headers["location"] == "/"
        cleared = set_cookies(signed_out)["sidestream_session"]
        assert cleared.startswith('sidestream_session="";') and "max-age=0" in attributes(cleared)
        assert "sidestream_session" not in browser.cookies
    assert site.count("sessions") == 0
    # whoever kept the old cookie is the public now, and is told to forget it
    with site.client(cookies={"sidestream_session": old_cookie}) as replay:
        page = replay.get("/")
        assert '<a href="/signin">Sign in</a>' in page.text and "Filter dust" not in page.text
        assert "max-age=0" in attributes(set_cookies(page)["sidestream_session"])
        assert "Filter dust" not in str(replay.get("/index.json").json())


def test_signing_in_again_ends_the_previous_session(site: Site) -> None:
    with site.client() as browser:
        sign_in(browser, MEMBER)
        first = browser.cookies["sidestream_session"]
        assert sign_in(browser, FACILITATOR).status_code == 303
        assert browser.cookies["sidestream_session"] != first
    assert site.count("sessions") == 1


# --- CSRF ------------------------------------------------------------------------------------


def test_a_sign_in_without_the_right_csrf_token_is_refused_and_changes_nothing(
    site: Site,
) -> None:
    credentials = {"email": MEMBER, "password": PASSWORD}
    with site.client() as browser, site.client() as attacker:
        token = form_token(browser.get("/signin"))
        attackers_token = form_token(attacker.get("/signin"))
        for form in (
            credentials,  # no token
            credentials | {"csrf_token": ""},
            credentials | {"csrf_token": token[:-1] + ("0" if token[-1] != "0" else "1")},
            credentials | {"csrf_token": attackers_token},  # valid, but for another browser
        ):
            refused = browser.post("/signin", data=form)
            assert refused.status_code == 403
            assert refused.headers["content-type"].startswith("text/html")
            assert "did not come from this site" in refused.text
            assert "set-cookie" not in refused.headers
        # a token without its cookie is no good either
        with site.client() as cookieless:
            refused = cookieless.post("/signin", data=credentials | {"csrf_token": token})
            assert refused.status_code == 403
        # nor in a header, nor in a body that is not a form
        assert browser.post("/signin", json=credentials | {"csrf_token": token}).status_code == 403
    assert (site.count("sessions"), site.count("login_attempts")) == (0, 0)


def test_a_sign_out_without_the_right_csrf_token_ends_nothing(site: Site) -> None:
    with site.client() as browser:
        sign_in(browser, MEMBER)
        anonymous_token = form_token(httpx.get(site.url + "/signin"))
        for form in ({}, {"csrf_token": "x" * 64}, {"csrf_token": anonymous_token}):
            refused = browser.post("/signout", data=form)
            assert refused.status_code == 403 and "set-cookie" not in refused.headers
        assert site.count("sessions") == 1
        assert "Signed in as" in browser.get("/").text
        # the page's token works, in the form or in the X-CSRF-Token header
        token = form_token(browser.get("/"))
        assert browser.post("/signout", headers={"X-CSRF-Token": token}).status_code == 303
    assert site.count("sessions") == 0


def test_sessions_and_their_form_tokens_outlive_a_restart(
    container: Container, reference: ReferenceData, tmp_path: Path
) -> None:
    key_file = tmp_path / "var" / "secret_key"
    _prepare(container, secret_key=None, secret_key_file=key_file)
    _add_accounts(container)
    with running_server(create_app(container)) as url, httpx.Client(base_url=url) as browser:
        sign_in(browser, MEMBER)
        token = form_token(browser.get("/"))
        cookie = browser.cookies["sidestream_session"]
    assert key_file.exists()
    restarted = Container(settings=container.settings)
    restarted.__dict__["reference"] = reference
    restarted.clock = container.clock
    try:
        with (
            running_server(create_app(restarted)) as url,
            httpx.Client(base_url=url, cookies={"sidestream_session": cookie}) as browser,
        ):
            assert "Signed in as" in browser.get("/").text
            assert browser.post("/signout", data={"csrf_token": token}).status_code == 303
    finally:
        restarted.dispose()
    assert restarted.secret_key == container.secret_key


# --- API tokens ------------------------------------------------------------------------------


def test_an_api_token_sees_its_organisations_private_listing(site: Site) -> None:
    unit_of_work = site.container.unit_of_work
    member = Principal(site.member_id)
    issued = create_api_token(unit_of_work, member, site.member_id, "nightly export", None, T0)
    bearer = {"Authorization": f"Bearer {issued.secret}"}
    with site.client(headers=bearer) as program:
        streams = streams_seen(program.get("/index.json").json())
        assert streams["Filter dust"]["cost_eur_per_unit"] == 95
        page = program.get("/")
        assert "Filter dust" in page.text and "Signed in as" in page.text
        assert 'action="/signout"' not in page.text  # no browser session to end
        assert program.post("/signout").status_code == 303  # no CSRF token needed
    assert "Filter dust" not in streams_seen(httpx.get(site.url + "/index.json").json())
    # a scheme that is not ours (Basic, from a proxy in front) is ignored
    basic = httpx.get(site.url + "/index.json", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert basic.status_code == 200 and "Filter dust" not in str(basic.json())


def test_a_revoked_or_unknown_api_token_is_refused_with_401(site: Site) -> None:
    unit_of_work = site.container.unit_of_work
    member = Principal(site.member_id)
    issued = create_api_token(unit_of_work, member, site.member_id, "ci", None, T0)
    assert issued.token.token_id is not None
    revoke_token(unit_of_work, member, issued.token.token_id, T0)
    for authorization in (f"Bearer {issued.secret}", "Bearer not-a-token", "bearer"):
        for path in ("/index.json", "/", "/healthz"):
            response = httpx.get(site.url + path, headers={"Authorization": authorization})
            assert response.status_code == 401, (authorization, path)
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert "Filter dust" not in response.text


# --- what every response carries ------------------------------------------------------------


def test_every_response_carries_the_security_headers(site: Site) -> None:
    with site.client() as browser:
        responses = [
            browser.get("/"),
            browser.get("/signin"),
            browser.get("/index.json"),
            browser.get("/static/sidestream.css"),
            browser.post("/signout"),  # 403
            browser.get("/nowhere"),  # 404
            browser.get("/index.json", headers={"Authorization": "Bearer nothing"}),  # 401
        ]
    for response in responses:
        headers = response.headers
        assert headers["content-security-policy"].startswith("default-src 'self'"), response.url
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"
    assert [response.status_code for response in responses[4:]] == [403, 404, 401]
    for page in responses[:2]:
        # nothing inline: scripts come from our own files (the CSP forbids inline code)
        assert not INLINE_SCRIPT.search(page.text) and " style=" not in page.text


def test_listing_names_and_typed_addresses_are_escaped(site: Site) -> None:
    with site.container.unit_of_work() as uow:
        stream = next(s for s in uow.streams.list_all() if s.name == "Ferrochrome slag")
        stream.name = '<script>alert("slag")</script>'
        uow.streams.update(stream)
        uow.commit()
    page = httpx.get(site.url + "/").text
    assert "<script>" not in page and not INLINE_SCRIPT.search(page)
    assert "&lt;script&gt;alert(&#34;slag&#34;)&lt;/script&gt;" in page
    with site.client() as browser:
        typed = '"><script>alert(1)</script>@example.fi'
        refused = sign_in(browser, typed)
    assert refused.status_code == 401
    assert "<script>" not in refused.text and not INLINE_SCRIPT.search(refused.text)
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;@example.fi"' in refused.text


# --- the cookie's Secure flag, and the server secret ----------------------------------------


@pytest.mark.parametrize(
    ("host", "cookie_secure", "forwarded_proto", "secure"),
    [
        ("127.0.0.1", None, None, False),  # local use over plain HTTP
        ("localhost", None, None, False),
        ("127.0.0.1", None, "https", True),  # behind a TLS proxy on the same machine
        ("0.0.0.0", None, None, True),  # reachable from elsewhere: HTTPS is assumed
        ("127.0.0.1", True, None, True),
        ("0.0.0.0", False, None, False),  # SIDESTREAM_COOKIE_SECURE=false: plain HTTP wanted
    ],
)
def test_the_session_cookie_is_secure_unless_used_locally_over_http(
    sqlite_container: Container,
    host: str,
    cookie_secure: bool | None,
    forwarded_proto: str | None,
    secure: bool,
) -> None:
    _prepare(sqlite_container, host=host, cookie_secure=cookie_secure)
    _add_accounts(sqlite_container)
    # uvicorn believes X-Forwarded-Proto from 127.0.0.1, as from a proxy on the same machine
    headers = {"X-Forwarded-Proto": forwarded_proto} if forwarded_proto else {}
    with (
        running_server(create_app(sqlite_container)) as url,
        httpx.Client(base_url=url, headers=headers) as browser,
    ):
        form = browser.get("/signin")
        token = form_token(form)
        if secure:  # a Secure cookie is not sent back over plain HTTP: hand it over
            nonce = set_cookies(form)["sidestream_csrf"].partition(";")[0].partition("=")[2]
            browser.cookies.set("sidestream_csrf", nonce)
        signed_in = browser.post(
            "/signin", data={"email": MEMBER, "password": PASSWORD, "csrf_token": token}
        )
    assert signed_in.status_code == 303
    for cookie in (
        set_cookies(form)["sidestream_csrf"],
        set_cookies(signed_in)["sidestream_session"],
    ):
        assert ("secure" in attributes(cookie)) is secure


def test_the_server_secret_is_made_once_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret_key"
    key = load_or_create_secret_key(path)
    assert len(key) >= 43 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret_key(path) == key
    assert os.listdir(path.parent) == ["secret_key"]  # no temporary file left behind
    assert Container(settings=Settings(secret_key_file=path)).secret_key == key
    configured = Settings(secret_key_file=path, secret_key=SECRET_KEY)
    assert Container(settings=configured).secret_key == SECRET_KEY.encode()
    assert SECRET_KEY not in repr(configured)
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(secret_key="too short")
    path.write_text("too short\n", encoding="ascii")
    with pytest.raises(ValueError, match="no usable secret key"):
        load_or_create_secret_key(path)
