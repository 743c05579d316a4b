"""The director's screen of API clients through its handlers: register with scopes, the secret shown
once and working at the token endpoint, last use, revoke; nobody else may."""

from __future__ import annotations

from sqlmodel import select
from starlette.testclient import TestClient

from bbbms_app import db
from bbbms_app.api.rest import rest_api
from bbbms_app.models import ApiClient, AuditEvent
from bbbms_app.pages.api_clients import ApiClientsState
from bbbms_app.services import api_clients
from tests.states import is_refusal, new_tab, sub
from tests.test_api_clients import basic


async def test_the_director_registers_sees_and_revokes_a_client(school):
    api_clients.RATE.reset()
    page = sub(new_tab("t_director"), ApiClientsState)
    assert not is_refusal(await page.load())
    assert page.rows == []
    await page.create()  # no name, no scope
    assert page.error and page.new_secret == ""
    await page.set_name("  Moodle   5-мектеп ")
    await page.toggle_scope("gradebook:write", True)
    await page.toggle_scope("roster:read", True)
    await page.toggle_scope("made:up", True)  # not offered: refused, nothing chosen
    assert page.scopes == ["roster:read", "gradebook:write"]
    await page.create()
    assert page.error == "" and page.new_secret and page.new_client_id.startswith("bbbms_")
    [row] = page.rows
    assert (row["name"], row["scopes"], row["active"]) == ("Moodle 5-мектеп", "roster:read, gradebook:write", "1")
    assert row["used"] == "азырынча жок"
    http = TestClient(rest_api)
    token = http.post("/oauth/token", data={"grant_type": "client_credentials"},
                      headers=basic(page.new_client_id, page.new_secret))  # fmt: skip
    assert token.status_code == 200 and token.json()["scope"] == "roster:read gradebook:write"
    await page.forget_secret()
    assert page.new_secret == ""
    assert not is_refusal(await page.load())
    assert page.rows[0]["used"] != "азырынча жок"

    assert not is_refusal(await page.revoke(page.rows[0]["id"]))
    assert page.rows[0]["active"] == ""
    with db.session() as s:
        assert s.exec(select(ApiClient.active)).all() == [False]
        rows = s.exec(select(AuditEvent).where(AuditEvent.entity == "api_client")).all()
        assert [(a.action, a.username) for a in rows if a.action in ("create", "revoke")] == [
            ("create", "t_director"),
            ("revoke", "t_director"),
        ]


async def test_only_the_director_manages_clients_and_only_his_schools(school):
    for who in ("t_deputy", "t_admin", "t_teacher", "t_parent"):
        page = sub(new_tab(who), ApiClientsState)
        assert is_refusal(await page.load()), who
        assert is_refusal(await page.create()), who
    with db.session() as s:
        from tests import factories

        other = factories.build_school(s, okpo="20000002", prefix="u_")
        theirs, _secret = api_clients.create_client(s, other.school_id, "Their LMS", ["roster:read"], "test")
        theirs_id = theirs.id
    page = sub(new_tab("t_director"), ApiClientsState)
    assert not is_refusal(await page.load()) and page.rows == []  # another school's client is not listed
    assert is_refusal(await page.revoke(str(theirs_id)))
    with db.session() as s:
        assert s.get(ApiClient, theirs_id).active  # type: ignore[union-attr]
