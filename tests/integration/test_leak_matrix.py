"""Nothing leaks: every GET endpoint and page of the app (found from its routes, so a new one is
covered the day it is added), asked by every role, about listings of every tier, over real HTTP.

The registry is seeded with canaries: each listing of the owner organisation carries its tier
in a unique name and description, a unique cost of its current route and (for the anonymous
tier) a unique exact quantity. A role may find a canary in a response only when the rules of
domain/access.py entitle it, written out by hand in ENTITLED below; otherwise no response to
that role, in any format (page, JSON twin, API, GeoJSON, CSV export, error message), may
contain it. Pending proposals keep the counterpart's names hidden; accepted ones reveal them.

SQLite only: what is checked is what the app answers, which does not depend on the database
(both databases are covered by the feature tests of each endpoint).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import httpx
import pytest
from fastapi.routing import APIRoute
from pydantic import SecretStr

from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import Principal
from sidestream.domain.documents import DocumentUpload
from sidestream.domain.proposals import Decision, Side
from sidestream.domain.regulation import RegulatoryStatus, StatusRecord
from sidestream.entrypoints.server import create_app
from sidestream.services.accounts import create_api_token, create_user, set_partners
from sidestream.services.documents import upload_document
from sidestream.services.listing_edits import save_need, save_stream
from sidestream.services.matching import decide_proposal
from sidestream.services.screening import record_status
from sidestream.services.synergies import open_synergy
from sidestream.services.transfer import import_organisations
from tests.integration.test_synergies import _propose
from tests.integration.test_web_auth import CHEAP_HASHER, SECRET_KEY, SteppedClock
from tests.support.server import running_server

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TIERS = ("private", "partners", "public_anonymous", "public")
ROLES = ("anonymous", "owner", "partner", "counterpart", "outsider", "facilitator")
ORGANISATIONS = {
    "owner": ("Leak Owner Oy", "", 65.78, 24.17),
    "partner": ("Leak Partner Oy", "", 65.80, 24.20),
    "counterpart": ("Leak Counterpart Oy", "", 65.73, 24.56),
    "outsider": ("Leak Outsider Oy", "", 65.85, 24.60),
}
ANONYMOUS_EXACT_QUANTITY = ("43210", "43,210", "43\u00a0210", "43 210")


def stream_canaries(tier: str) -> tuple[str, ...]:
    return (f"LEAKSTREAM{tier.upper()}", f"LEAKSDESC{tier.upper()}")


def cost_canaries(tier: str) -> tuple[str, ...]:
    cents = 11 + TIERS.index(tier)
    return (f"913.{cents}", f"913,{cents}")


def need_canaries(tier: str) -> tuple[str, ...]:
    return (f"LEAKNEED{tier.upper()}", f"LEAKNDESC{tier.upper()}")


def document_canaries(tier: str) -> tuple[str, ...]:
    """A stream's document is confidential evidence, whatever the stream's tier: its title,
    its file's name and its content."""
    return (
        f"LEAKDOCTITLE{tier.upper()}",
        f"LEAKDOCFILE{tier.upper()}",
        f"LEAKDOCBODY{tier.upper()}",
    )


PENDING_NEED = ("LEAKCPPENDING",)  # the counterpart's private need, in a pending proposal
ACCEPTED_NEED = ("LEAKCPACCEPTED",)  # its private need in a proposal both accepted


def entitled(role: str) -> set[str]:
    """The canaries a role may see somewhere, by the rules of domain/access.py."""
    allowed: set[str] = set()
    if role in ("owner", "facilitator"):
        for tier in TIERS:
            allowed |= {*stream_canaries(tier), *need_canaries(tier), *cost_canaries(tier)}
            allowed |= set(document_canaries(tier))  # full access only
        allowed |= set(ANONYMOUS_EXACT_QUANTITY)
        allowed |= set(ACCEPTED_NEED)  # both accepted: the counterpart is named
        if role == "facilitator":
            allowed |= set(PENDING_NEED)
        return allowed
    allowed |= {*stream_canaries("public"), *need_canaries("public")}
    if role == "partner":
        allowed |= {*stream_canaries("partners"), *need_canaries("partners")}
    if role == "counterpart":
        allowed |= {*stream_canaries("partners"), *PENDING_NEED, *ACCEPTED_NEED}
    return allowed


EVERY_CANARY = entitled("facilitator")


@dataclass
class World:
    url: str
    tokens: dict[str, str]
    ids: dict[str, list[int]]  # path parameter name → values to try
    organisation_of: dict[str, int]  # role → its organisation's id


def _organisation_rows() -> list[dict[str, str]]:
    return [
        {
            "organisation_name": name,
            "business_id": business_id,
            "nace_code": "24.10",
            "size_class": "medium",
            "site_name": f"{name} works",
            "municipality_code": "851",
            "latitude_deg": str(latitude),
            "longitude_deg": str(longitude),
        }
        for name, business_id, latitude, longitude in ORGANISATIONS.values()
    ]


def _stream(tier: str) -> dict[str, str]:
    name, description = stream_canaries(tier)
    quantity = "43210" if tier == "public_anonymous" else "5000"
    return {
        "organisation_name": ORGANISATIONS["owner"][0],
        "site_name": f"{ORGANISATIONS['owner'][0]} works",
        "name": name,
        "description": description,
        "description_lang": "en",
        "ewc_code": "10 02 02",
        "material_class_code": "ferrochrome_slag",
        "physical_form": "solid",
        "quantity_amount": quantity,
        "quantity_unit": "t/yr",
        "recurrence": "continuous",
        "management_route": "landfill",
        "management_cost_eur_per_unit": cost_canaries(tier)[0],
        "visibility": tier,
        "valid_until": "2028-12-31",
    }


def _need(owner: str, name: str, description: str, tier: str) -> dict[str, str]:
    return {
        "organisation_name": ORGANISATIONS[owner][0],
        "site_name": f"{ORGANISATIONS[owner][0]} works",
        "name": name,
        "description": description,
        "description_lang": "en",
        "accepted_material_class_codes": "ferrochrome_slag",
        "quantity_amount": "3000",
        "quantity_unit": "t/yr",
        "recurrence": "continuous",
        "max_distance_km": "200",
        "visibility": tier,
        "valid_until": "2028-12-31",
    }


def _document(container: Container, stream_id: int, tier: str) -> int:
    """A document of the stream, in support of a status record of it (so that the screening
    lists it with the record too)."""
    status = record_status(
        container.unit_of_work,
        frozenset(),
        Principal.operator(),
        StatusRecord(
            stream_id=stream_id,
            use="road base",
            status=RegulatoryStatus.BY_PRODUCT,
            legal_basis="Waste Act 646/2011, section 5",
            decided_on=date(2026, 1, 15),
        ),
        container.today(),
        NOW,
    )
    title, file_name, body = document_canaries(tier)
    document = upload_document(
        container.unit_of_work,
        Principal.operator(),
        DocumentUpload(
            stream_id,
            title,
            "decision",
            f"{file_name}.txt",
            f"The decision: {body}\n".encode(),
            status.status_record_id,
        ),
        NOW,
    )
    assert document.document_id is not None
    return document.document_id


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, reference: object) -> Iterator[World]:
    from tests.conftest import migrated_container

    path = tmp_path_factory.mktemp("leaks") / "leaks.sqlite3"
    container: Container = migrated_container(f"sqlite:///{path}", reference)  # type: ignore[arg-type]
    container.clock = SteppedClock(NOW)
    container.__dict__["password_hasher"] = CHEAP_HASHER
    container.settings = container.settings.model_copy(update={"secret_key": SecretStr(SECRET_KEY)})
    uow, ref, operator = container.unit_of_work, container.reference, Principal.operator()
    import_organisations(_organisation_rows(), uow, ref)
    with uow() as work:
        org_ids = {
            role: work.organisations.get_by_name(name).organisation_id  # type: ignore[union-attr]
            for role, (name, *_) in ORGANISATIONS.items()
        }
    set_partners(uow, operator, org_ids["owner"], [org_ids["partner"]], NOW)
    today = container.today()
    streams = {tier: save_stream(uow, ref, operator, _stream(tier), today, NOW) for tier in TIERS}
    needs = {
        tier: save_need(uow, ref, operator, _need("owner", *need_canaries(tier), tier), NOW)
        for tier in TIERS
    }
    pending = save_need(
        uow, ref, operator, _need("counterpart", *PENDING_NEED, "x", "private"), NOW
    )
    accepted = save_need(
        uow, ref, operator, _need("counterpart", *ACCEPTED_NEED, "y", "private"), NOW
    )
    pending_id = _propose(container, streams["private"].stream_id, pending.need_id)  # type: ignore[arg-type]
    accepted_id = _propose(container, streams["partners"].stream_id, accepted.need_id)  # type: ignore[arg-type]
    for side in Side:
        decide_proposal(uow, accepted_id, side, Decision.ACCEPTED, NOW)
    decide_proposal(uow, pending_id, Side.NEED, Decision.ACCEPTED, NOW)
    synergy = open_synergy(uow, accepted_id, Principal(None, is_facilitator=True), NOW)
    documents = [
        _document(container, stream.stream_id, tier)  # type: ignore[arg-type]
        for tier, stream in streams.items()
    ]
    tokens: dict[str, str] = {}
    for role in ROLES[1:]:
        user = create_user(
            uow,
            CHEAP_HASHER,
            operator,
            email=f"{role}@leak.example",
            display_name=role,
            password="a long enough password",
            now=NOW,
            is_facilitator=role == "facilitator",
            organisation_ids=[org_ids[role]] if role in org_ids else [],
        )
        assert user.user_id is not None
        issued = create_api_token(uow, operator, user.user_id, "leak matrix", None, NOW)
        tokens[role] = issued.secret
    ids = {
        "stream_id": [s.stream_id for s in streams.values()],  # type: ignore[misc]
        "need_id": [n.need_id for n in [*needs.values(), pending, accepted]],  # type: ignore[misc]
        "organisation_id": list(org_ids.values()),
        "proposal_id": [pending_id, accepted_id],
        "synergy_id": [synergy.synergy_id],  # type: ignore[list-item]
        "document_id": documents,
        "table": ["organisations", "streams", "needs"],
    }
    try:
        with running_server(create_app(container)) as url:
            yield World(url, tokens, ids, org_ids)
    finally:
        container.dispose()


PARAMETER = re.compile(r"{([a-z_]+)(?::[a-z]+)?}")
# Path parameters that name no record of the registry: tried with one harmless value.
FIXED_VALUES = {"slug": ["not-found"], "name": ["no-such-scenario"], "kind": ["streams"]}


def _ids_for(name: str, path: str, world: World) -> list[object]:
    if name == "listing_id":
        return list(world.ids["need_id" if path.startswith("/needs") else "stream_id"])
    if name in world.ids:
        return list(world.ids[name])
    return list(FIXED_VALUES.get(name, ["1"]))


# Searches asked for each canary word: a hidden listing must not be found by what is hidden.
SEARCHES = {
    "/api/v1/streams": "q",
    "/api/v1/needs": "q",
    "/pickers/waste-codes": "ewc_code",
}


def get_paths(world: World) -> list[str]:
    """Every GET route of the app with each combination of the seeded records' ids, and the
    searches for every canary word."""
    paths: list[str] = [
        f"{route}?{parameter}={word}"
        for route, parameter in SEARCHES.items()
        for word in ("LEAK", *stream_canaries("private"), *need_canaries("partners"))
    ]
    for route in ROUTES:
        names = PARAMETER.findall(route)
        choices = [_ids_for(name, route, world) for name in names]
        for values in itertools.product(*choices):
            path = route
            for name, value in zip(names, values, strict=True):
                path = re.sub(r"{" + name + r"(?::[a-z]+)?}", str(value), path, count=1)
            paths.append(path)
    return paths


def _routes_of(routes: list[object], method: str, prefix: str = "") -> list[str]:
    """The paths of the routes answering the method, into included routers (FastAPI keeps
    those nested)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            if method in route.methods:
                found.append(prefix + route.path)
        elif (context := getattr(route, "include_context", None)) is not None:
            found += _routes_of(context.included_router.routes, method, prefix + context.prefix)
    return found


def _collect_routes(method: str) -> list[str]:
    from sidestream.entrypoints.api import build_router
    from sidestream.entrypoints.web import (
        audit,
        dashboard,
        listings,
        maps,
        organisations,
        pages,
        proposals,
        screening,
        synergies,
    )

    routers = [build_router(), pages.router, dashboard.router, listings.router, maps.router]
    routers += [organisations.router, proposals.router, synergies.router, audit.router]
    routers += [screening.router]
    return sorted({path for router in routers for path in _routes_of(list(router.routes), method)})


ROUTES = _collect_routes("GET")
POST_ROUTES = _collect_routes("POST")


def test_the_matrix_covers_the_api_pages_twins_and_exports() -> None:
    assert len(ROUTES) >= 20
    for expected in ("/", "/index.json", "/dashboard", "/synergies/{synergy_id}.json"):
        assert expected in ROUTES, expected
    for documents in ("/api/v1/streams/{stream_id}", "/streams/{stream_id}"):
        assert f"{documents}/documents/{{document_id}}" in ROUTES  # the downloads
    assert "/streams/{stream_id}/documents" in POST_ROUTES  # the page's upload
    assert "/streams/{stream_id}/lab-results" in POST_ROUTES  # the page's laboratory file
    assert "/streams/{stream_id}/statuses" in POST_ROUTES  # the page's regulatory status
    assert any(route.startswith("/api/v1/") for route in ROUTES)


@pytest.mark.parametrize("role", ROLES)
def test_no_response_shows_a_role_what_it_may_not_see(world: World, role: str) -> None:
    forbidden = EVERY_CANARY - entitled(role)
    headers = {"Authorization": f"Bearer {world.tokens[role]}"} if role in world.tokens else {}
    seen_anything = False
    with httpx.Client(base_url=world.url, headers=headers, timeout=60) as client:
        for path in get_paths(world):
            response = client.get(path)
            assert response.status_code < 500, (role, path, response.text[:300])
            body = response.text
            leaked = sorted(canary for canary in forbidden if canary in body)
            assert not leaked, f"{role} sees {leaked} at {path}"
            seen_anything |= any(canary in body for canary in entitled(role))
    assert seen_anything  # the matrix reached pages that show this role what it may see


@pytest.mark.parametrize("role", ["anonymous", "partner", "outsider"])
def test_refusals_and_error_messages_show_nothing_either(world: World, role: str) -> None:
    """Every state-changing route, asked by a role that may change none of the seeded records,
    about each of them: refused, and the refusal names nothing it may not see."""
    forbidden = EVERY_CANARY - entitled(role)
    headers = {"Authorization": f"Bearer {world.tokens[role]}"} if role in world.tokens else {}
    with httpx.Client(base_url=world.url, headers=headers, timeout=60) as client:
        for route in POST_ROUTES:
            names = PARAMETER.findall(route)
            if not names or route.endswith("/new") or route.endswith("/check"):
                continue  # creating one's own records, or checking a form: nobody else's
            for values in itertools.product(*(_ids_for(name, route, world) for name in names)):
                path = route
                for name, value in zip(names, values, strict=True):
                    path = re.sub(r"{" + name + r"(?::[a-z]+)?}", str(value), path, count=1)
                if dict(zip(names, values, strict=True)).get(
                    "organisation_id"
                ) == world.organisation_of.get(role):
                    continue  # its own organisation's profile is its to change
                response = client.post(path, json={})
                assert response.status_code in (401, 403, 404, 409, 422), (role, path)
                leaked = sorted(canary for canary in forbidden if canary in response.text)
                assert not leaked, f"{role} sees {leaked} in the answer to POST {path}"
