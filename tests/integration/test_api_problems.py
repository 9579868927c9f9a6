"""Errors of /api/v1 as RFC 9457 problems, over real HTTP on SQLite and PostgreSQL: the shape of
each kind pinned, and hostile input (huge numbers, markup, SQL, wrong types, unknown codes, NUL
characters, oversized bodies) answered with a problem that names the field, never with a stack
trace or SQL, and with nothing stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sidestream.bootstrap.container import Container
from sidestream.entrypoints.api.bodies import MAX_JSON_BYTES
from tests.integration.test_api_listings import mill_scale
from tests.integration.test_api_synergies import make_proposals
from tests.integration.test_web_auth import form_token, sign_in
from tests.support.api import FACILITATOR, Api, running_api

PROBLEM = "application/problem+json"
# What must never reach a client: traces, SQL and driver names, server paths.
LEAKS = (
    "Traceback",
    'File "',
    "sqlalchemy",
    "psycopg",
    "sqlite3",
    "SELECT ",
    "INSERT ",
    "site-packages",
    "/work/",
)


@pytest.fixture
def api(container: Container) -> Iterator[Api]:
    with running_api(container) as running:
        yield running


def assert_problem(
    response: httpx.Response, status: int, slug: str | None = None
) -> dict[str, Any]:
    """The response is an RFC 9457 problem of this status (and type), leaking nothing."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert body["instance"] == response.request.url.path
    if slug is not None:
        assert body["type"] == f"/problems/{slug}"
    for leak in LEAKS:
        assert leak not in response.text, leak
    return body


def fields_of(body: dict[str, Any]) -> set[str]:
    for error in body["errors"]:
        assert set(error) <= {"field", "reason", "row"} and error["reason"]
    return {error["field"] for error in body["errors"]}


# --- the shape of each kind ------------------------------------------------------------------


def test_422_names_each_field_with_its_reason(api: Api) -> None:
    with api.client("steel") as steel:
        response = steel.post("/streams", json=mill_scale(quantity_amount=-1, visibility="all"))
    body = assert_problem(response, 422, "invalid-input")
    assert body["title"] == "The request has invalid fields"
    assert body["detail"] == "Nothing was stored."
    assert fields_of(body) == {"visibility"}  # typed fields first; the rules after
    with api.client("steel") as steel:
        response = steel.post("/streams", json=mill_scale(quantity_amount=-1))
    assert fields_of(assert_problem(response, 422, "invalid-input")) == {"quantity_amount"}


def test_401_for_a_bad_token_says_how_to_authenticate(api: Api) -> None:
    for token in ("not-a-token", api.tokens["steel"] + "x", "a b"):
        with httpx.Client(base_url=api.url + "/api/v1") as client:
            response = client.get("/streams", headers={"Authorization": f"Bearer {token}"})
        body = assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "token" in body["detail"]


def test_401_for_a_bad_token_is_of_the_unauthorised_type(api: Api) -> None:
    with httpx.Client(base_url=api.url + "/api/v1") as client:
        response = client.get("/streams", headers={"Authorization": "Bearer not-a-token"})
    assert_problem(response, 401, "unauthorised")


def test_403_for_a_browser_session_without_its_csrf_token(api: Api) -> None:
    with httpx.Client(base_url=api.url) as browser:
        assert sign_in(browser, FACILITATOR).status_code in (200, 303)
        # Signed in by cookie, the API reads like a page does...
        assert browser.get("/api/v1/streams").json()["hidden_count"] == 0
        # ...but a state change without the page's token is refused before anything happens.
        refused = browser.post("/api/v1/streams", json=mill_scale())
        body = assert_problem(refused, 403, "csrf-refused")
        assert "Nothing was changed" in body["detail"]
        wrong = browser.post(
            "/api/v1/streams", json=mill_scale(), headers={"X-CSRF-Token": "0" * 64}
        )
        assert_problem(wrong, 403, "csrf-refused")
        token = form_token(browser.get("/"))
        accepted = browser.post(
            "/api/v1/streams", json=mill_scale(), headers={"X-CSRF-Token": token}
        )
        assert accepted.status_code == 201, accepted.text
    assert api.count("side_streams") == 5  # the one accepted request only


def test_403_404_and_409_problems(api: Api) -> None:
    agreed, _ = make_proposals(api)
    with api.client("mine") as mine:
        forbidden = assert_problem(mine.get("/export/streams.csv"), 403, "forbidden")
        assert "facilitators" in forbidden["detail"]
        missing = assert_problem(mine.get("/streams/424242"), 404, "not-found")
        assert missing["title"] == "Not found" and "424242" in missing["detail"]
        assert assert_problem(mine.get("/nowhere"), 404)["type"] == "/problems/not-found"
        assert mine.post("/synergies", json={"proposal_id": agreed}).status_code == 201
        twice = mine.post("/synergies", json={"proposal_id": agreed})
    conflict = assert_problem(twice, 409, "conflict")
    assert "follows proposal" in conflict["detail"]


def test_413_for_a_body_over_the_limit_declared_or_streamed(api: Api) -> None:
    oversized = mill_scale(description="x" * (MAX_JSON_BYTES + 1))
    content = json.dumps(oversized).encode()
    with api.client("steel") as steel:
        declared = steel.post(
            "/streams", content=content, headers={"Content-Type": "application/json"}
        )
        assert_problem(declared, 413, "too-large")

        def chunks() -> Iterator[bytes]:
            for start in range(0, len(content), 16 * 1024):
                yield content[start : start + 16 * 1024]

        streamed = steel.post(
            "/streams", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert "content-length" not in streamed.request.headers
        assert_problem(streamed, 413, "too-large")
        # Under the limit, the same stream in chunks is read as usual.
        small = json.dumps(mill_scale()).encode()
        fine = steel.post(
            "/streams",
            content=iter([small[:100], small[100:]]),
            headers={"Content-Type": "application/json"},
        )
        assert fine.status_code == 201, fine.text
    assert api.count("side_streams") == 5


# --- hostile input ---------------------------------------------------------------------------


def _post_raw(api: Api, path: str, content: bytes, who: str = "steel") -> httpx.Response:
    with api.client(who) as client:
        return client.post(path, content=content, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"quantity_amount": -700}, {"quantity_amount"}),
        ({"quantity_amount": 1e300}, {"quantity_amount", "quantity_high"}),
        ({"quantity_amount": "lots"}, {"quantity_amount"}),
        ({"management_cost_eur_per_unit": -1e12}, {"management_cost_eur_per_unit"}),
        ({"valid_until": 42, "recurrence_months": [0, 13]}, None),
        ({"properties": "cao=5 %"}, {"properties"}),
        ({"ewc_code": "99 99 99"}, {"ewc_code"}),
        ({"material_class_code": "'; DROP TABLE side_streams; --"}, {"material_class_code"}),
        ({"organisation_name": "'; DROP TABLE side_streams; --"}, {"organisation_name"}),
        ({"name": "<script>alert(1)</script>", "quantity_amount": 0}, {"quantity_amount"}),
        ({"name": "nul\u0000byte"}, {"name"}),
        ({"organisation_name": "Test Steel Oy\u0000"}, {"organisation_name"}),
        (
            {"properties": [{"property_code": "cao", "value": 1, "unit": "%", "method": "a;b]"}]},
            None,
        ),
        ({"stream_id": 1}, {"stream_id"}),
        ({"site_name": ["Röyttä works"]}, {"site_name"}),
    ],
)
def test_hostile_stream_fields_are_named_and_nothing_is_stored(
    api: Api, changes: dict[str, object], fields: set[str] | None
) -> None:
    with api.client("steel") as steel:
        response = steel.post("/streams", json=mill_scale(**changes))
    body = assert_problem(response, 422, "invalid-input")
    named = fields_of(body)
    if fields is not None:
        assert named == fields
    else:
        assert named and all(name.split(".")[0] in changes for name in named)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert api.count("side_streams") == 4


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b'{"quantity_amount": 1e309}', 422),  # inf once parsed
        (b'{"quantity_amount": NaN}', 422),
        (b"{", 422),
        (b"[1, 2, 3]", 422),
        (b"null", 422),
        # Bodies FastAPI cannot even decode are a bad request.
        (b'{"name": "\xff\xfe"}', 400),
        (b'{"a":' * 5000 + b"1" + b"}" * 5000, 400),  # nested deeper than the parser goes
    ],
)
def test_malformed_json_is_a_problem_not_an_error(api: Api, content: bytes, status: int) -> None:
    body = json.loads(json.dumps(mill_scale()))
    if content.startswith(b'{"quantity_amount"'):
        # The valid stream with one number the JSON way cannot spell.
        text = json.dumps(body | {"quantity_amount": 0}).replace(
            '"quantity_amount": 0', content.decode()[1:-1]
        )
        content = text.encode()
    response = _post_raw(api, "/streams", content)
    assert_problem(response, status, "invalid-input" if status == 422 else None)
    assert api.count("side_streams") == 4


def test_hostile_paths_and_queries(api: Api) -> None:
    with api.client("facilitator") as client:
        for path in (
            "/streams/1e309",
            "/streams/99999999999999999999",
            "/streams/-1",
            "/synergies/0/history",
            "/organisations/1;DROP TABLE organisations",
        ):
            assert_problem(client.get(path), 422, "invalid-input")
        too_big = client.post("/synergies", json={"proposal_id": 10**20})
        assert fields_of(assert_problem(too_big, 422)) == {"proposal_id"}
        injected = client.get("/streams", params={"q": "'; DROP TABLE side_streams; --"})
        assert injected.status_code == 200 and injected.json()["items"] == []
        assert_problem(client.get("/scenarios/a%00b"), 422, "invalid-input")
        assert_problem(client.get("/streams", params={"q": "x" * 1000}), 422)
        assert_problem(client.get("/streams", params={"limit": "1e309"}), 422)
    assert api.count("side_streams") == 4 and api.count("organisations") == 3


def test_a_csv_with_nul_characters_is_refused(api: Api) -> None:
    with api.client("facilitator") as client:
        exported = client.get("/export/streams.csv").text
        poisoned = exported.replace("Ferrochrome slag", "Ferrochrome\u0000slag", 1)
        response = client.post(
            "/import/streams", files={"file": ("s.csv", poisoned.encode(), "text/csv")}
        )
    body = assert_problem(response, 422, "invalid-input")
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, "name")]
    assert api.count("side_streams") == 4
