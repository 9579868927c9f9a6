"""The web app: the overview of the region's organisations, streams and needs as the person
asking may see it, and signing in and out (security.py resolves who is asking)."""

from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from sidestream import __version__
from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import MAX_EMAIL_LENGTH
from sidestream.domain.errors import SignInFailed, TooManyAttempts
from sidestream.entrypoints.web.security import (
    BrowserSecurity,
    CsrfRefused,
    SecurityHeaders,
    Visitor,
    client_address,
    read_form,
)
from sidestream.services.accounts import authenticate, sign_out
from sidestream.services.listings import RegistryView, registry_view

HERE = Path(__file__).parent


def current_visitor(request: Request) -> Visitor:
    """Who is asking (see security.py); resolved once per request."""
    security: BrowserSecurity = request.app.state.security
    return security.visitor(request)


async def check_csrf(
    request: Request, visitor: Annotated[Visitor, Depends(current_visitor)]
) -> None:
    security: BrowserSecurity = request.app.state.security
    await security.check_csrf(request, visitor)


CurrentVisitor = Annotated[Visitor, Depends(current_visitor)]
Form = Annotated[dict[str, str], Depends(read_form)]


def _overview_json(overview: RegistryView) -> dict[str, Any]:
    return {
        "organisations": [asdict(organisation) for organisation in overview.organisations],
        "streams": [stream.as_record() for stream in overview.streams],
        "needs": [need.as_record() for need in overview.needs],
        "hidden_stream_count": overview.hidden_stream_count,
        "hidden_need_count": overview.hidden_need_count,
    }


def create_app(container: Container) -> FastAPI:
    container.reference  # noqa: B018 - load and validate the reference data before serving
    security = BrowserSecurity(container)
    templates = Jinja2Templates(directory=HERE / "templates")
    # Every route resolves who is asking and checks the CSRF token of every state change.
    app = FastAPI(
        title="sidestream",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(check_csrf)],
    )
    app.state.security = security
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(CsrfRefused)
    def csrf_refused(request: Request, error: CsrfRefused) -> PlainTextResponse:
        return PlainTextResponse(str(error), status_code=403)

    def finish(response: Response, request: Request, visitor: Visitor) -> Response:
        """What every response to a visitor gets: a stale session cookie cleared, and no caching
        of what depends on who is asking."""
        if visitor.stale_session:
            security.clear_session_cookie(response, request)
        response.headers["Vary"] = "Cookie, Authorization"
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
        token, new_nonce = None, None
        if has_form or visitor.in_browser_session:  # the header's sign-out button is a form
            token, new_nonce = security.form_token(request, visitor)
        response = templates.TemplateResponse(
            request,
            template,
            {"visitor": visitor, "csrf_token": token, "version": __version__, **context},
            status_code=status_code,
        )
        if new_nonce is not None:
            security.set_csrf_cookie(response, request, new_nonce)
        if has_form:
            response.headers["Cache-Control"] = "no-store"
        return finish(response, request, visitor)

    def overview(visitor: Visitor) -> RegistryView:
        return registry_view(
            container.unit_of_work, container.reference, visitor.principal, container.today()
        )

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request, visitor: CurrentVisitor) -> Response:
        data = overview(visitor)
        municipalities = container.reference.municipalities
        return page(
            request,
            visitor,
            "index.html",
            {
                "overview": data,
                "municipalities": municipalities,
                "shows_confidential": any(
                    listing.cost_eur_per_unit is not None or listing.visibility is not None
                    for listing in [*data.streams, *data.needs]
                ),
            },
        )

    @app.get("/index.json")
    def index_json(request: Request, visitor: CurrentVisitor) -> Response:
        return finish(JSONResponse(_overview_json(overview(visitor))), request, visitor)

    def signin_page(
        request: Request,
        visitor: Visitor,
        email: str = "",
        message: str | None = None,
        status_code: int = 200,
    ) -> Response:
        return page(
            request,
            visitor,
            "signin.html",
            {"email": email, "message": message},
            status_code=status_code,
            has_form=True,
        )

    @app.get("/signin", response_class=HTMLResponse)
    def signin_form(request: Request, visitor: CurrentVisitor) -> Response:
        return signin_page(request, visitor)

    @app.post("/signin", response_class=HTMLResponse)
    def signin(request: Request, visitor: CurrentVisitor, form: Form) -> Response:
        """Sign in, then to the overview; a refusal shows the form again with the address kept,
        never the password: 401 with one message whatever was wrong, 429 when throttled."""
        email = form.get("email", "")[:MAX_EMAIL_LENGTH]
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
            return signin_page(request, visitor, email, str(error), 401)
        except TooManyAttempts as error:
            response = signin_page(request, visitor, email, str(error), 429)
            wait = math.ceil((error.retry_at - now).total_seconds())
            response.headers["Retry-After"] = str(max(wait, 1))
            return response
        if visitor.session_secret is not None:  # signed in again: the old session ends
            sign_out(container.unit_of_work, visitor.session_secret, now)
        response = RedirectResponse("/", status_code=303)
        security.set_session_cookie(response, request, secret)
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.post("/signout")
    def signout(request: Request, visitor: CurrentVisitor) -> Response:
        """End the session on the server and forget its cookie (CSRF-checked like any form)."""
        if visitor.session_secret is not None:
            sign_out(container.unit_of_work, visitor.session_secret, container.clock.now())
        response = RedirectResponse("/", status_code=303)
        security.clear_session_cookie(response, request)
        return response

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def create_app_from_environment() -> FastAPI:
    """The app as `sidestream serve` runs it: settings from the environment, and the server
    secret read (or made) at start, so a problem with it shows at once."""
    container = Container()
    container.secret_key  # noqa: B018
    return create_app(container)
