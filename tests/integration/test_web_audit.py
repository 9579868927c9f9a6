"""The audit log in the browser for facilitators, over real HTTP on both databases: a member's
change appears with who made it; members and the public are refused."""

from __future__ import annotations

import httpx

from tests.integration.test_web_auth import FACILITATOR, MEMBER, Site, form_token, sign_in
from tests.integration.test_web_forms import NEW_STREAM


def test_a_facilitator_reads_who_changed_what(site: Site) -> None:
    with site.client() as member:
        sign_in(member, MEMBER)
        token = form_token(member.get("/streams/new"))
        assert (
            member.post("/streams/new", data=NEW_STREAM | {"csrf_token": token}).status_code == 303
        )
        assert member.get("/audit").status_code == 403
        assert member.get("/audit.json").status_code == 403
    assert httpx.get(site.url + "/audit", follow_redirects=False).status_code == 303
    with site.client() as facilitator:
        sign_in(facilitator, FACILITATOR)
        page = facilitator.get("/audit", params={"action": "created", "entity_kind": "stream"})
        assert page.status_code == 200 and "Ladle slag" in page.text and MEMBER in page.text
        events = facilitator.get(
            "/audit.json", params={"action": "created", "entity_kind": "stream"}
        ).json()["events"]
        assert [(e["entity_kind"], e["actor"], e["detail"]) for e in events] == [
            ("stream", MEMBER, "Ladle slag")
        ]
        wrong = facilitator.get("/audit.json", params={"action": "invented"})
        assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "action"
