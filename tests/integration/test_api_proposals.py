"""/api/v1/proposals over real HTTP on the matched demo region (SQLite and PostgreSQL): each
party sees the other anonymously until both accept, names after, costs never; a decline names
its reason; outsiders get 404, the public 401."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from sidestream.adapters.datasets.demo import load_demo_tables
from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import Principal
from sidestream.domain.streams import Need, SideStream
from sidestream.entrypoints.server import create_app
from sidestream.services.accounts import create_api_token, create_user
from sidestream.services.demo import build_demo_region
from sidestream.services.matching import run_matching
from tests.integration.test_web_auth import CHEAP_HASHER, PASSWORD, T0, _prepare
from tests.support.server import running_server

ROLES = ("producer", "receiver", "outsider", "facilitator")


@dataclass
class ProposalSite:
    """A server on the matched demo region with a member of each party of one proposal, a
    member of a third organisation and a facilitator (e-mail <role>@example.org)."""

    url: str
    container: Container
    proposal_id: int
    stream: SideStream
    need: Need
    names: dict[int, str]
    tokens: dict[str, str]

    def client(self, role: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers)

    @property
    def producer_name(self) -> str:
        return self.names[self.stream.organisation_id]

    @property
    def receiver_name(self) -> str:
        return self.names[self.need.organisation_id]


def prepare_matched_region(container: Container) -> tuple[int, SideStream, Need, dict[int, str]]:
    """The demo region, matched; a proposal between two organisations whose stream states its
    current route's cost."""
    build_demo_region(
        load_demo_tables(),
        container.unit_of_work,
        container.reference,
        container.regulatory_knowledge,
        container.today(),
        container.clock.now(),
    )
    run_matching(
        container.unit_of_work, container.reference, container.knowledge_base, container.today()
    )
    with container.unit_of_work() as uow:
        records = uow.proposals.list_all()
        streams = {s.stream_id: s for s in uow.streams.list_all()}
        needs = {n.need_id: n for n in uow.needs.list_all()}
        names = {
            o.organisation_id: o.name for o in uow.organisations.list_all() if o.organisation_id
        }
    record = next(
        r
        for r in records
        if streams[r.proposal.stream_id].organisation_id
        != needs[r.proposal.need_id].organisation_id
        and streams[r.proposal.stream_id].management_cost_eur_per_unit
    )
    assert record.proposal_id is not None
    return (
        record.proposal_id,
        streams[record.proposal.stream_id],
        needs[record.proposal.need_id],
        names,
    )


def add_people(container: Container, stream: SideStream, need: Need) -> dict[str, int]:
    """A user per role; their user ids."""
    third = next(
        organisation_id
        for organisation_id in _organisation_ids(container)
        if organisation_id not in (stream.organisation_id, need.organisation_id)
    )
    memberships = {
        "producer": [stream.organisation_id],
        "receiver": [need.organisation_id],
        "outsider": [third],
        "facilitator": [],
    }
    ids = {}
    for role, organisation_ids in memberships.items():
        user = create_user(
            container.unit_of_work,
            CHEAP_HASHER,
            Principal.operator(),
            email=f"{role}@example.org",
            display_name=role.capitalize(),
            password=PASSWORD,
            now=T0,
            is_facilitator=role == "facilitator",
            organisation_ids=organisation_ids,
        )
        assert user.user_id is not None
        ids[role] = user.user_id
    return ids


def _organisation_ids(container: Container) -> list[int]:
    with container.unit_of_work() as uow:
        return [o.organisation_id for o in uow.organisations.list_all() if o.organisation_id]


@pytest.fixture
def site(container: Container) -> Iterator[ProposalSite]:
    _prepare(container)
    proposal_id, stream, need, names = prepare_matched_region(container)
    users = add_people(container, stream, need)
    tokens = {
        role: create_api_token(
            container.unit_of_work, Principal.operator(), user_id, "tests", None, T0
        ).secret
        for role, user_id in users.items()
    }
    with running_server(create_app(container)) as url:
        yield ProposalSite(url, container, proposal_id, stream, need, names, tokens)


def _mine(site: ProposalSite, response: httpx.Response) -> dict[str, object]:
    assert response.status_code == 200, response.text
    body = response.json()
    found = [p for p in body if p["proposal_id"] == site.proposal_id]
    assert len(found) == 1
    return found[0]  # type: ignore[no-any-return]


def test_until_both_accept_each_party_sees_the_other_anonymously(site: ProposalSite) -> None:
    cost = site.stream.management_cost_eur_per_unit
    with site.client("producer") as producer, site.client("receiver") as receiver:
        mine = _mine(site, producer.get("/api/v1/proposals"))
        assert mine["your_side"] == "stream" and mine["status"] == "proposed"
        assert mine["need"]["access"] == "anonymous"  # type: ignore[index]
        assert mine["need"]["organisation_name"] is None  # type: ignore[index]
        assert "cost_eur_per_unit" not in mine["need"]  # type: ignore[operator]
        assert mine["stream"]["cost_eur_per_unit"] == cost  # type: ignore[index]
        assert site.receiver_name not in str(mine)
        assert mine["explanation"]["level"] == "anonymous"  # type: ignore[index]

        theirs = receiver.get(f"/api/v1/proposals/{site.proposal_id}")
        assert theirs.status_code == 200
        body = theirs.json()
        assert body["your_side"] == "need" and body["stream"]["organisation_name"] is None
        assert "cost_eur_per_unit" not in body["stream"]
        assert site.producer_name not in theirs.text and site.stream.name not in theirs.text
        assert f"{cost:g} EUR" not in theirs.text
        assert body["explanation"]["trace"] == []

        accepted = producer.post(f"/api/v1/proposals/{site.proposal_id}/accept")
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["your_decision"] == "accepted"
        assert accepted.json()["need"]["organisation_name"] is None  # one is not enough
        contact = producer.post(f"/api/v1/proposals/{site.proposal_id}/contact", json={})
        assert contact.json() == {"synergy_id": None, "synergy_stage": None, "asked_by": ["stream"]}

        both = receiver.post(f"/api/v1/proposals/{site.proposal_id}/accept", json={})
        assert both.status_code == 200, both.text
        after = both.json()
        assert after["status"] == "accepted"
        assert after["stream"]["organisation_name"] == site.producer_name
        assert after["stream"]["title"] == site.stream.name
        assert after["stream"]["access"] == "public"
        assert "cost_eur_per_unit" not in after["stream"]
        assert f"{cost:g} EUR" not in both.text
        assert after["synergy_stage"] == "proposed"  # the producer had asked for contact
        seen_by_producer = producer.get(f"/api/v1/proposals/{site.proposal_id}").json()
        assert seen_by_producer["need"]["organisation_name"] == site.receiver_name


def test_a_decline_needs_a_reason_named_in_the_problem(site: ProposalSite) -> None:
    path = f"/api/v1/proposals/{site.proposal_id}/decline"
    with site.client("receiver") as receiver, site.client("producer") as producer:
        for body in (None, {}, {"reason": "  "}):
            refused = receiver.post(path, json=body) if body is not None else receiver.post(path)
            assert refused.status_code == 422, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            problem = refused.json()
            assert problem["type"] == "/problems/invalid-input"
            assert [e["field"] for e in problem["errors"]] == ["reason"]
        assert (
            receiver.get(f"/api/v1/proposals/{site.proposal_id}").json()["your_decision"]
            == "pending"
        )
        declined = receiver.post(path, json={"reason": "too wet for our kiln"})
        assert declined.status_code == 200 and declined.json()["status"] == "declined"
        seen = producer.get(f"/api/v1/proposals/{site.proposal_id}").json()
        assert seen["other_decision"] == "declined"
        assert seen["decline_reason"] == "too wet for our kiln"
        listed = producer.get("/api/v1/proposals", params={"status": "declined"}).json()
        assert [p["proposal_id"] for p in listed] == [site.proposal_id]
        wrong = producer.get("/api/v1/proposals", params={"status": "maybe"})
        assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "status"
        conflict = producer.post(f"/api/v1/proposals/{site.proposal_id}/contact")
        assert conflict.status_code == 409


def test_outsiders_get_404_the_public_401_facilitators_see_but_do_not_decide(
    site: ProposalSite,
) -> None:
    one = f"/api/v1/proposals/{site.proposal_id}"
    with site.client("outsider") as outsider:
        for response in (
            outsider.get(one),
            outsider.post(f"{one}/accept"),
            outsider.post(f"{one}/contact"),
        ):
            assert response.status_code == 404
            assert response.json()["type"] == "/problems/not-found"
        assert site.proposal_id not in [
            p["proposal_id"] for p in outsider.get("/api/v1/proposals").json()
        ]
    with site.client() as public:
        refused = public.get("/api/v1/proposals")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == "Bearer"
        assert public.get(one).status_code == 401
    with site.client("facilitator") as facilitator:
        seen = facilitator.get(one).json()
        assert seen["your_side"] is None and seen["explanation"]["level"] == "full"
        assert seen["stream"]["cost_eur_per_unit"] == site.stream.management_cost_eur_per_unit
        assert seen["explanation"]["trace"]
        refused = facilitator.post(f"{one}/accept")
        assert refused.status_code == 403 and refused.json()["type"] == "/problems/forbidden"
        assert facilitator.get(one).json()["stream_decision"] == "pending"
