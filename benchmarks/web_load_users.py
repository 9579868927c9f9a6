"""Who loads the web app in `python -m benchmarks.web_load`, and what each of them asks for.

ENDPOINTS is the one table of paths. benchmarks.web_load reads it to probe every path once
(a 404 there is "not available yet" and the path is left out of the run) and to say which
readers take part; locust reads this file to run the users. Run by hand against a server of
your own (tokens made with `sidestream users token`):

    SIDESTREAM_LOAD_TOKENS='{"member": ["..."], "facilitator": ["..."]}' \\
        .venv/bin/locust -f benchmarks/web_load_users.py --headless -u 100 -r 20 -t 60s \\
        --host http://127.0.0.1:8000 Visitor Member Facilitator

Environment (set by benchmarks.web_load):
    SIDESTREAM_LOAD_TOKENS     JSON {"member": [API token, ...], "facilitator": [API token, ...]}
    SIDESTREAM_LOAD_ENDPOINTS  JSON list of Endpoint.key to run (unset: all of them)
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Reader(StrEnum):
    VISITOR = "visitor"  # anonymous: browses and searches the public registry
    MEMBER = "member"  # a member of a demo organisation, with an API token
    FACILITATOR = "facilitator"  # the region's facilitator, with an API token


@dataclass(frozen=True)
class Endpoint:
    reader: Reader
    path: str  # also the label in the figures
    weight: int  # how often, against the reader's other endpoints
    queries: tuple[str, ...] = ("",)  # query strings, taken in turn

    @property
    def key(self) -> str:
        return f"{self.reader} {self.path}"

    def url(self, query: str) -> str:
        return f"{self.path}?{query}" if query else self.path


# --- the table ---------------------------------------------------------------------------------
ENDPOINTS: tuple[Endpoint, ...] = (
    # anonymous visitors browse the registry and the map ...
    Endpoint(Reader.VISITOR, "/", 4),
    Endpoint(Reader.VISITOR, "/index.json", 2),
    Endpoint(Reader.VISITOR, "/map", 2),
    Endpoint(Reader.VISITOR, "/api/v1/map/listings.geojson", 2),
    Endpoint(Reader.VISITOR, "/api/v1/streams", 2),
    Endpoint(Reader.VISITOR, "/api/v1/needs", 2),
    # ... and search the reference lists
    Endpoint(
        Reader.VISITOR,
        "/api/v1/reference/waste-codes",
        2,
        ("q=slag", "q=fly%20ash", "q=sludge", "q=mill%20scale", "q=10%2002"),
    ),
    Endpoint(
        Reader.VISITOR,
        "/api/v1/reference/nace",
        1,
        ("q=steel", "q=cement", "q=paper", "q=dairy", "q=24.10"),
    ),
    # members read their proposals
    Endpoint(Reader.MEMBER, "/api/v1/proposals", 3),
    Endpoint(Reader.MEMBER, "/proposals", 2),
    Endpoint(Reader.MEMBER, "/proposals.json", 2),
    Endpoint(Reader.MEMBER, "/dashboard", 2),
    # the facilitator reads the synergy board and the region's impact
    Endpoint(Reader.FACILITATOR, "/api/v1/synergies", 2),
    Endpoint(Reader.FACILITATOR, "/api/v1/impact", 1),
)
# Of every 100 users, how many are of each reader.
READER_SHARES: dict[Reader, int] = {Reader.VISITOR: 70, Reader.MEMBER: 25, Reader.FACILITATOR: 5}
# Each user waits a uniformly drawn time in this range after each response (think time).
THINK_TIME_S = (0.5, 2.0)
# The baseline: the same users asking only for this (no database, no template).
BASELINE_PATH = "/healthz"
# Locust user classes, by reader and for the baseline (benchmarks.web_load names them).
USER_CLASS_NAMES: dict[Reader | None, str] = {
    Reader.VISITOR: "Visitor",
    Reader.MEMBER: "Member",
    Reader.FACILITATOR: "Facilitator",
    None: "HealthzOnly",
}
# ------------------------------------------------------------------------------------------------

TOKENS_VARIABLE = "SIDESTREAM_LOAD_TOKENS"
ENDPOINTS_VARIABLE = "SIDESTREAM_LOAD_ENDPOINTS"


def chosen_endpoints() -> list[Endpoint]:
    """The endpoints SIDESTREAM_LOAD_ENDPOINTS names, or all of them."""
    names = os.environ.get(ENDPOINTS_VARIABLE)
    if names is None:
        return list(ENDPOINTS)
    wanted = set(json.loads(names))
    return [endpoint for endpoint in ENDPOINTS if endpoint.key in wanted]


def _tokens(reader: Reader) -> Iterator[str | None]:
    """The API tokens of the reader's users, in turn (visitors have none)."""
    if reader is Reader.VISITOR:
        return itertools.repeat(None)
    tokens = json.loads(os.environ.get(TOKENS_VARIABLE, "{}")).get(reader.value, [])
    return itertools.cycle(tokens)


# Locust (and with it gevent's monkey patching) only when locust loads this file: the benchmark
# driver imports the table above without them.
if "locust" in sys.modules:
    from locust import FastHttpUser, between

    def _task(endpoint: Endpoint) -> Callable[[Any], None]:
        queries = itertools.cycle(endpoint.queries)

        def ask(user: Any) -> None:
            user.client.get(endpoint.url(next(queries)), name=endpoint.path, headers=user.headers)

        ask.__name__ = f"get {endpoint.path}"
        return ask

    def _user_class(reader: Reader | None) -> type[FastHttpUser]:
        if reader is None:
            tasks: dict[Callable[[Any], None], int] = {
                _task(Endpoint(Reader.VISITOR, BASELINE_PATH, 1)): 1
            }
            weight, tokens = 1, _tokens(Reader.VISITOR)
        else:
            tasks = {
                _task(endpoint): endpoint.weight
                for endpoint in chosen_endpoints()
                if endpoint.reader is reader
            }
            weight, tokens = READER_SHARES[reader], _tokens(reader)

        def on_start(self: Any) -> None:
            token = next(tokens, "")
            if token == "":
                raise RuntimeError(f"{TOKENS_VARIABLE} has no {reader} token")
            self.headers = {"Authorization": f"Bearer {token}"} if token else {}

        return type(
            USER_CLASS_NAMES[reader],
            (FastHttpUser,),
            {
                "abstract": not tasks,  # every endpoint of the reader left out: no such users
                "tasks": tasks,
                "weight": weight,
                "wait_time": between(*THINK_TIME_S),
                "on_start": on_start,
                "__module__": __name__,
            },
        )

    Visitor = _user_class(Reader.VISITOR)
    Member = _user_class(Reader.MEMBER)
    Facilitator = _user_class(Reader.FACILITATOR)
    HealthzOnly = _user_class(None)
