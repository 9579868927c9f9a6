"""Browser tests: Debian's chromium driven by Playwright against a real server over the demo
region on a fresh SQLite file, with realised synergies, a saved optimiser run, a facilitator
and a member.

Chromium is never downloaded (`playwright install` is not used): the tests launch
/usr/bin/chromium (`apt-get install chromium`; .ci/run installs it). Without it they are
skipped, except under CI, where they fail. Screenshots go to tests/e2e/artifacts/, or to the
directory SIDESTREAM_E2E_ARTIFACTS names."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    sync_playwright,
)
from pydantic import SecretStr

from sidestream.adapters.datasets.demo import load_demo_tables
from sidestream.adapters.scenario_files import read_scenario_file
from sidestream.bootstrap.container import Container
from sidestream.bootstrap.settings import Settings
from sidestream.domain.accounts import Principal
from sidestream.domain.reference import ReferenceData
from sidestream.domain.streams import SideStream, Visibility
from sidestream.entrypoints.server import create_app
from sidestream.services.accounts import create_user
from sidestream.services.demo import build_demo_region
from sidestream.services.matching import run_matching
from sidestream.services.optimisation import run_scenario
from sidestream.services.scenarios import save_scenario_run
from tests.integration.test_api_flows import Realised, realise_demo_synergies
from tests.integration.test_web_auth import CHEAP_HASHER, PASSWORD, SECRET_KEY
from tests.support.server import running_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).parents[2]
SCENARIO_FILE = ROOT / "examples" / "scenarios" / "kemi-crushing-hub.toml"
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
FACILITATOR = "fasilitaattori@example.org"
MEMBER = "jasen@example.org"
# A public stream renamed so that its popup would run script if it were written as HTML.
HOSTILE_NAME = 'Slag <img src=x class="injected"> & <b>"bold"</b>'
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


@dataclass(frozen=True)
class DemoSite:
    url: str
    container: Container
    realised: list[Realised]
    scenario_name: str
    hostile_stream: SideStream
    organisation_names: frozenset[str]


def _rename_a_public_stream(container: Container) -> SideStream:
    """The public stream of the rarest material class gets a name full of markup."""
    with container.unit_of_work() as uow:
        streams = uow.streams.list_all()
        counts: dict[str, int] = {}
        for stream in streams:
            counts[stream.material_class_code] = counts.get(stream.material_class_code, 0) + 1
        chosen = min(
            (s for s in streams if s.visibility is Visibility.PUBLIC),
            key=lambda s: (counts[s.material_class_code], s.stream_id or 0),
        )
        renamed = uow.streams.update(replace(chosen, name=HOSTILE_NAME))
        uow.commit()
    return renamed


def _add_accounts(container: Container, member_organisation_id: int) -> None:
    for email, name, is_facilitator, organisations in (
        (FACILITATOR, "Fanni Fasilitaattori", True, []),
        (MEMBER, "Jussi Jäsen", False, [member_organisation_id]),
    ):
        create_user(
            container.unit_of_work,
            CHEAP_HASHER,
            Principal.operator(),
            email=email,
            display_name=name,
            password=PASSWORD,
            now=NOW,
            is_facilitator=is_facilitator,
            organisation_ids=organisations,
        )


@pytest.fixture(scope="session")
def demo_site(
    tmp_path_factory: pytest.TempPathFactory, reference: ReferenceData
) -> Iterator[DemoSite]:
    """The demo region served on a fresh SQLite file, once for all browser tests."""
    database = tmp_path_factory.mktemp("e2e") / "sidestream.sqlite3"
    container = Container(
        settings=Settings(database_url=f"sqlite:///{database}", secret_key=SecretStr(SECRET_KEY))
    )
    container.__dict__["reference"] = reference
    container.__dict__["password_hasher"] = CHEAP_HASHER
    container.upgrade_database()
    build_demo_region(
        load_demo_tables(),
        container.unit_of_work,
        container.reference,
        container.regulatory_knowledge,
        container.today(),
        container.clock.now(),
    )
    realised = realise_demo_synergies(container)
    run_matching(
        container.unit_of_work, container.reference, container.knowledge_base, container.today()
    )
    spec = read_scenario_file(SCENARIO_FILE, container.reference, container.impact_factors)
    run = run_scenario(
        container.unit_of_work,
        container.reference,
        container.knowledge_base,
        container.impact_factors,
        spec,
        container.solver_for,
        container.today(),
        NOW,
    )
    save_scenario_run(container.unit_of_work, run)
    hostile = _rename_a_public_stream(container)
    _add_accounts(container, realised[0].stream.organisation_id)
    with container.unit_of_work() as uow:
        names = frozenset(o.name for o in uow.organisations.list_all())
    try:
        with running_server(create_app(container)) as url:
            yield DemoSite(url, container, realised, spec.name, hostile, names)
    finally:
        container.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI installs Debian's chromium (.ci/run)")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class BrowserPage:
    """A page in a fresh browser context, with what it logged and every address it asked for."""

    page: Page
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)  # "404 http://…"

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, path

    def sign_in(self, email: str) -> None:
        self.goto("/signin")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("form button[type=submit]")
        assert self.page.url.rstrip("/") == self.base_url, self.page.url

    def foreign_requests(self) -> list[str]:
        """Requests to any host but this machine's loopback."""
        return [url for url in self.requests if urlsplit(url).hostname not in LOCAL_HOSTS]

    def assert_clean(self) -> None:
        assert self.failed_responses == []
        assert self.console_errors == []
        assert self.foreign_requests() == []


def new_browser_page(browser: Browser, base_url: str) -> tuple[BrowserPage, BrowserContext]:
    """A page in a fresh browser context (its own cookies), recording what it logs and asks."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    recorded = BrowserPage(page, base_url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            recorded.console_errors.append(f"{message.text} ({message.location['url']})")

    def on_request(request: Request) -> None:
        recorded.requests.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda error: recorded.console_errors.append(str(error)))
    page.on("request", on_request)
    page.on(
        "response",
        lambda response: (
            recorded.failed_responses.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    return recorded, context


@pytest.fixture
def browser_page(browser: Browser, demo_site: DemoSite) -> Iterator[BrowserPage]:
    recorded, context = new_browser_page(browser, demo_site.url)
    try:
        yield recorded
    finally:
        context.close()


def artifacts_directory() -> Path:
    configured = os.environ.get("SIDESTREAM_E2E_ARTIFACTS")
    directory = Path(configured) if configured else Path(__file__).parent / "artifacts"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def screenshot(browser_page: BrowserPage) -> Callable[[str], Path]:
    """Save the page as <artifacts>/<name>.png; returns the path."""

    def take(name: str) -> Path:
        path = artifacts_directory() / f"{name}.png"
        browser_page.page.screenshot(path=str(path), full_page=True)
        return path

    return take
