"""The pages: the overview of the region's organisations, streams and needs as the person
asking may see it, signing in and out, and the error page. Every page has a JSON twin built
from the same service call."""

from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.responses import Response

from sidestream import __version__
from sidestream.domain.accounts import MAX_EMAIL_LENGTH, Principal
from sidestream.domain.errors import SignInFailed, TooManyAttempts
from sidestream.entrypoints.http.dependencies import (
    AppContainer,
    CurrentVisitor,
    current_visitor,
    security_of,
)
from sidestream.entrypoints.http.problems import ALL_KINDS, Problem
from sidestream.entrypoints.http.security import Visitor, client_address, read_form
from sidestream.entrypoints.web import i18n
from sidestream.services.accounts import authenticate, sign_out
from sidestream.services.listings import RegistryView, registry_view

HERE = Path(__file__).parent
STATIC_DIRECTORY = HERE / "static"
templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
)
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True
)
templates.env.filters["number"] = i18n.format_number
templates.env.filters["day"] = i18n.format_day
templates.env.filters["quantity"] = i18n.format_quantity
templates.env.filters["say"] = i18n.say
templates.env.filters["translate"] = i18n.gettext  # a message made elsewhere (an error's)
router = APIRouter(include_in_schema=False)
Form = Annotated[dict[str, str], Depends(read_form)]


def finish(response: Response, request: Request, visitor: Visitor) -> Response:
    """What every response to a visitor gets: a stale session cookie cleared, and no caching
    of what depends on who is asking."""
    if visitor.stale_session:
        security_of(request).clear_session_cookie(response, request)
    response.headers["Vary"] = "Cookie, Authorization, Accept-Language"
    if not visitor.principal.is_anonymous:
        response.headers["Cache-Control"] = "no-store"
    return response


def page(
    request: Request,
    visitor: Visitor,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
    has_form: bool = False,
) -> Response:
    """A page with the header saying who is signed in; its forms get the CSRF token."""
    security = security_of(request)
    language = i18n.negotiate_language(request)
    i18n.use_language(language)
    token, new_nonce = None, None
    if has_form or visitor.in_browser_session:  # the header's sign-out button is a form
        token, new_nonce = security.form_token(request, visitor)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "visitor": visitor,
            "csrf_token": token,
            "version": __version__,
            "language": language,
            "languages": i18n.LANGUAGE_NAMES,
            **context,
        },
        status_code=status_code,
    )
    if request.query_params.get("lang") == language:  # chosen: remember it
        response.set_cookie(
            i18n.LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax", path="/"
        )
        response.headers["Cache-Control"] = "no-store"
    if new_nonce is not None:
        security.set_csrf_cookie(response, request, new_nonce)
    if has_form:
        response.headers["Cache-Control"] = "no-store"
    return finish(response, request, visitor)


def error_page(request: Request, problem: Problem) -> Response:
    """An error as a page, saying what went wrong without any internals."""
    try:
        visitor = current_visitor(request)
    except HTTPException:  # the error may be about who is asking (a bad API token)
        visitor = Visitor(Principal.anonymous())
    return page(request, visitor, "error.html", {"problem": problem}, problem.status)


def _overview_json(overview: RegistryView) -> dict[str, Any]:
    return {
        "organisations": [asdict(organisation) for organisation in overview.organisations],
        "streams": [stream.as_record() for stream in overview.streams],
        "needs": [need.as_record() for need in overview.needs],
        "hidden_stream_count": overview.hidden_stream_count,
        "hidden_need_count": overview.hidden_need_count,
    }


def _overview(container: AppContainer, visitor: Visitor) -> RegistryView:
    return registry_view(
        container.unit_of_work, container.reference, visitor.principal, container.today()
    )


@router.get("/", response_class=HTMLResponse)
def index(request: Request, container: AppContainer, visitor: CurrentVisitor) -> Response:
    data = _overview(container, visitor)
    return page(
        request,
        visitor,
        "index.html",
        {
            "overview": data,
            "municipalities": container.reference.municipalities,
            "shows_confidential": any(
                listing.cost_eur_per_unit is not None or listing.visibility is not None
                for listing in [*data.streams, *data.needs]
            ),
        },
    )


@router.get("/index.json")
def index_json(request: Request, container: AppContainer, visitor: CurrentVisitor) -> Response:
    return finish(JSONResponse(_overview_json(_overview(container, visitor))), request, visitor)


def local_path(text: str | None) -> str | None:
    """A path on this site to go on to after signing in; anything else (another site,
    "//host", a scheme, control characters) is None, so sign-in never redirects away."""
    if not text or not text.startswith("/") or text.startswith("//") or "\\" in text:
        return None
    if any(ord(character) < 32 for character in text) or len(text) > 500:
        return None
    return text


def _signin_page(
    request: Request,
    visitor: Visitor,
    email: str = "",
    message: str | None = None,
    status_code: int = 200,
    next_path: str | None = None,
) -> Response:
    return page(
        request,
        visitor,
        "signin.html",
        {"email": email, "message": message, "next_path": local_path(next_path)},
        status_code=status_code,
        has_form=True,
    )


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, visitor: CurrentVisitor, next: str | None = None) -> Response:
    return _signin_page(request, visitor, next_path=next)


@router.post("/signin", response_class=HTMLResponse)
def signin(
    request: Request, container: AppContainer, visitor: CurrentVisitor, form: Form
) -> Response:
    """Sign in, then to the overview; a refusal shows the form again with the address kept,
    never the password: 401 with one message whatever was wrong, 429 when throttled."""
    email = form.get("email", "")[:MAX_EMAIL_LENGTH]
    next_path = local_path(form.get("next"))
    # In the server's local time: the throttle's "try again after HH:MM" is in this zone.
    now = container.clock.now().astimezone()
    try:
        secret = authenticate(
            container.unit_of_work,
            container.password_hasher,
            container.login_throttle,
            email=email,
            password=form.get("password", ""),
            client_address=client_address(request),
            now=now,
        )
    except SignInFailed as error:
        return _signin_page(request, visitor, email, str(error), 401, next_path)
    except TooManyAttempts as error:
        response = _signin_page(request, visitor, email, str(error), 429, next_path)
        wait = math.ceil((error.retry_at - now).total_seconds())
        response.headers["Retry-After"] = str(max(wait, 1))
        return response
    if visitor.session_secret is not None:  # signed in again: the old session ends
        sign_out(container.unit_of_work, visitor.session_secret, now)
    response = RedirectResponse(next_path or "/", status_code=303)
    security_of(request).set_session_cookie(response, request, secret)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/signout")
def signout(request: Request, container: AppContainer, visitor: CurrentVisitor) -> Response:
    """End the session on the server and forget its cookie (CSRF-checked like any form)."""
    if visitor.session_secret is not None:
        sign_out(container.unit_of_work, visitor.session_secret, container.clock.now())
    response = RedirectResponse("/", status_code=303)
    security_of(request).clear_session_cookie(response, request)
    return response


@router.get("/problems/{slug}", response_class=HTMLResponse)
def problem_type(request: Request, visitor: CurrentVisitor, slug: str) -> Response:
    """What a problem type of the API means (the `type` of a problem response points here)."""
    kind = ALL_KINDS.get(slug)
    if kind is None:
        raise HTTPException(404, "no such problem type")
    return page(request, visitor, "problem_type.html", {"kind": kind})


@router.get("/healthz")
def health() -> dict[str, str]:
    return {"status": "ok"}
