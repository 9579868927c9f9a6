"""Who is asking, and the browser's protections: the session cookie, API tokens, CSRF tokens
and the security headers of every response.

Who is asking, on every request:

- `Authorization: Bearer <token>`: the token's user. A token that is unknown, expired or revoked
  is refused with 401 and `WWW-Authenticate: Bearer` on every path, never read as the public: a
  program whose token stopped working should hear so, not quietly see less. Other schemes (Basic
  from a proxy in front) are ignored.
- else the `sidestream_session` cookie: its user while the session lives. A cookie of an ended
  or unknown session is the public, and the response clears it.
- else the public (`Principal.anonymous()`).

CSRF: every POST, PUT, PATCH and DELETE must carry the form's token (field `csrf_token`, or the
`X-CSRF-Token` header), unless it is made with an API token (a browser never adds one to a
request another site makes it send). With a live session the token is the HMAC of the session's
secret; without one (the sign-in form) it is the HMAC of a random value kept in the
`sidestream_csrf` cookie (a signed double-submit token). Both are keyed with the server secret
(Container.secret_key). A missing or wrong token is 403 with a plain message, before anything
else happens.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from fastapi import HTTPException, Request, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import Principal
from sidestream.entrypoints.http.bodies import takes_files
from sidestream.services.accounts import display_name_of, resolve_session, resolve_token

SESSION_COOKIE = "sidestream_session"
CSRF_COOKIE = "sidestream_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_FORM_BYTES = 64 * 1024  # our forms are a few fields; a bigger body is not one of them
CSRF_NONCE_BYTES = 32
_NONCE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
_LOOPBACK_NAMES = frozenset({"localhost"})

SECURITY_HEADERS = (
    (
        "content-security-policy",
        "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
)


class CsrfRefused(Exception):
    """A state-changing request without the right CSRF token."""

    MESSAGE = (
        "Forbidden: this form has expired or did not come from this site. "
        "Nothing was changed; reload the page and try again."
    )


@dataclass(frozen=True)
class Visitor:
    """Who is asking, as the web app needs it."""

    principal: Principal
    display_name: str | None = None  # of the signed-in user
    session_secret: str | None = field(default=None, repr=False)  # a live session's cookie
    by_token: bool = False  # asked with an API token
    stale_session: bool = False  # sent a session cookie that no longer works

    @property
    def in_browser_session(self) -> bool:
        return self.session_secret is not None


def is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def client_address(request: Request) -> str:
    """The client's address (uvicorn takes it from X-Forwarded-For of a trusted proxy)."""
    return request.client.host if request.client and request.client.host else "unknown"


async def read_form_lists(request: Request) -> dict[str, list[str]]:
    """Every value of every field of a URL-encoded form body, read once per request, or the
    text fields of a multipart form on a route that takes files; another body is read as no
    fields. Larger than MAX_FORM_BYTES (or the limit of a route that takes files): 413."""
    cached: dict[str, list[str]] | None = getattr(request.state, "form", None)
    if cached is not None:
        return cached
    if _media_type(request) == "multipart/form-data" and takes_files(request):
        multipart = await _multipart_fields(request)
        request.state.form = multipart
        return multipart
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, "the form is too large")
    fields: dict[str, list[str]] = {}
    if _media_type(request) == "application/x-www-form-urlencoded":
        text = body.decode("utf-8", errors="replace")
        for name, value in parse_qsl(text, keep_blank_values=True):
            fields.setdefault(name, []).append(value)
    request.state.form = fields
    return fields


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


async def _multipart_fields(request: Request) -> dict[str, list[str]]:
    """The text fields of a form with files, on a route that takes files: its route bounded
    the body before anything read it (http/bodies.py). The files stay in request.form() for
    the handler, which reads the form from the same parse."""
    fields: dict[str, list[str]] = {}
    for name, value in (await request.form()).multi_items():
        if isinstance(value, str):
            fields.setdefault(name, []).append(value)
    return fields


async def read_form(request: Request) -> dict[str, str]:
    """The first value of each field of a URL-encoded form (see read_form_lists)."""
    return {name: values[0] for name, values in (await read_form_lists(request)).items()}


class BrowserSecurity:
    """Resolves visitors and makes and checks CSRF tokens for one app."""

    def __init__(self, container: Container) -> None:
        self._container = container

    # --- who is asking -----------------------------------------------------------------------

    def visitor(self, request: Request) -> Visitor:
        container = self._container
        now = container.clock.now()
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            principal = resolve_token(container.unit_of_work, credentials.strip(), now)
            if principal is None:
                raise HTTPException(
                    401,
                    "the API token is unknown, expired or revoked",
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
            return Visitor(principal, self._display_name(principal), by_token=True)
        secret = request.cookies.get(SESSION_COOKIE)
        if not secret:
            return Visitor(Principal.anonymous())
        principal = resolve_session(container.unit_of_work, container.session_lifetime, secret, now)
        if principal is None:
            return Visitor(Principal.anonymous(), stale_session=True)
        return Visitor(principal, self._display_name(principal), session_secret=secret)

    def _display_name(self, principal: Principal) -> str | None:
        return display_name_of(self._container.unit_of_work, principal)

    # --- CSRF --------------------------------------------------------------------------------

    def _sign(self, purpose: str, value: str) -> str:
        message = f"sidestream csrf\0{purpose}\0{value}".encode()
        return hmac.new(self._container.secret_key, message, hashlib.sha256).hexdigest()

    def _expected_token(self, request: Request, visitor: Visitor) -> str | None:
        if visitor.session_secret is not None:
            return self._sign("session", visitor.session_secret)
        nonce = request.cookies.get(CSRF_COOKIE, "")
        return self._sign("anonymous", nonce) if _NONCE.fullmatch(nonce) else None

    def form_token(self, request: Request, visitor: Visitor) -> tuple[str, str | None]:
        """The CSRF token for a form on a page to this visitor, and the value to put in the
        `sidestream_csrf` cookie when the visitor needs a new one (else None)."""
        expected = self._expected_token(request, visitor)
        if expected is not None:
            return expected, None
        nonce = secrets.token_urlsafe(CSRF_NONCE_BYTES)
        return self._sign("anonymous", nonce), nonce

    async def check_csrf(self, request: Request, visitor: Visitor) -> None:
        """CsrfRefused unless a state-changing request carries its token (or an API token)."""
        if request.method not in UNSAFE_METHODS or visitor.by_token:
            return
        submitted = request.headers.get(CSRF_HEADER)
        if submitted is None:
            submitted = (await read_form(request)).get(CSRF_FIELD, "")
        expected = self._expected_token(request, visitor)
        if expected is None or not hmac.compare_digest(
            submitted.encode("utf-8", errors="replace"), expected.encode("ascii")
        ):
            raise CsrfRefused(CsrfRefused.MESSAGE)

    # --- cookies -----------------------------------------------------------------------------

    def cookies_secure(self, request: Request) -> bool:
        """SIDESTREAM_COOKIE_SECURE when given; else Secure unless the app listens on a loopback
        address and this request came over plain HTTP (local use, where there is no TLS)."""
        settings = self._container.settings
        if settings.cookie_secure is not None:
            return settings.cookie_secure
        return request.url.scheme == "https" or not is_loopback(settings.host)

    def _set(self, response: Response, request: Request, name: str, value: str) -> None:
        # No Max-Age: the browser forgets it when it closes; the server ends sessions anyway.
        response.set_cookie(
            name,
            value,
            path="/",
            secure=self.cookies_secure(request),
            httponly=True,
            samesite="lax",
        )

    def set_session_cookie(self, response: Response, request: Request, secret: str) -> None:
        self._set(response, request, SESSION_COOKIE, secret)

    def set_csrf_cookie(self, response: Response, request: Request, nonce: str) -> None:
        self._set(response, request, CSRF_COOKIE, nonce)

    def clear_session_cookie(self, response: Response, request: Request) -> None:
        response.delete_cookie(
            SESSION_COOKIE,
            path="/",
            secure=self.cookies_secure(request),
            httponly=True,
            samesite="lax",
        )


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response (pages, JSON, static files, errors), where
    the response does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
