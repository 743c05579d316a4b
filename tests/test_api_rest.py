"""REST API v1 (issue 19 §2) driven over HTTP: bearer tokens (401 invalid_token for a missing,
random, expired, revoked or other-audience token; 403 insufficient_scope), one client's school only
(a district of two schools), paging, incremental marks, one error shape, `Cache-Control: no-store`,
and the OpenAPI document checked against every answer; one end-to-end run with authlib's client."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import httpx
import httpx2
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client
from sqlmodel import select
from starlette.testclient import TestClient

from bbbms_app import db, settings
from bbbms_app.api import openapi
from bbbms_app.api.rest import rest_api
from bbbms_app.models import AuditEvent, Guardian, Mark, PeriodMark, Pupil, TimetableSlot
from bbbms_app.services import api_clients
from tests import factories
from tests.test_api_clients import basic, register

ROUTES = list(openapi.ITEMS)
EXCHANGE = "/api/v1/exchange"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    api_clients.RATE.reset()
    yield
    api_clients.RATE.reset()


@pytest.fixture
def http() -> TestClient:
    return TestClient(rest_api)


def token_for(http: TestClient, school_id: int, scopes=("roster:read", "gradebook:read"), name="Moodle") -> str:
    client_id, secret, _ = register(school_id, scopes, name)
    answer = http.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret))
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_invalid_token(answer: httpx.Response) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"] == "invalid_token" and answer.json()["error_description"]
    assert answer.headers["www-authenticate"].startswith('Bearer realm="bbbms", error="invalid_token"')
    assert answer.headers["cache-control"] == "no-store"


def add_slot_and_period_mark(s, known) -> None:
    """The known school has no timetable nor period marks: one of each, so every list has a row."""
    s.add(TimetableSlot(school_id=known.school_id, class_id=known.class_5a, term_id=known.term_ids[0],
                        valid_from=date(2025, 9, 1), valid_to=date(2025, 11, 4), weekday=1, number=1,
                        subject_id=known.math, teacher_id=known.teacher_a, room="12"))  # fmt: skip
    s.add(PeriodMark(school_id=known.school_id, pupil_id=known.pupils_5a[0], subject_id=known.math,
                     class_id=known.class_5a, academic_year_id=known.year_id, term_id=known.term_ids[0], number=1,
                     value=5))  # fmt: skip


def test_every_documented_route_answers_with_exactly_the_documented_keys(school, http):
    with db.session() as s:
        add_slot_and_period_mark(s, school)
    token = token_for(http, school.school_id)
    doc = http.get("/api/v1/openapi.json").json()
    # the lists (the exchange file, /api/v1/exchange, is a table, not a list: tests/test_exchange.py)
    v1 = {path: item for path, item in doc["paths"].items() if path.startswith("/api/v1/") and path != EXCHANGE}
    assert EXCHANGE in doc["paths"] and doc["openapi"].startswith("3.")
    assert sorted(v1) == sorted(f"/api/v1/{r}" for r in ROUTES)
    for path, item in v1.items():
        answer = http.get(path, headers=bearer(token))
        assert answer.status_code == 200, (path, answer.text)
        assert answer.headers["cache-control"] == "no-store"
        body = answer.json()
        schema = item["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert set(body) == set(schema["required"])
        assert set(body["paging"]) == set(doc["components"]["schemas"]["Paging"]["required"])
        keys = schema["properties"]["data"]["items"]["required"]
        assert body["data"], path  # the known school has rows in every list
        for row in body["data"]:
            assert sorted(row) == sorted(keys), path
            for key, value in row.items():
                kind = schema["properties"]["data"]["items"]["properties"][key]["type"]
                kinds = kind if isinstance(kind, list) else [kind]
                py = {"integer": int, "string": str, "boolean": bool, "null": type(None), "array": list}
                assert any(isinstance(value, py[k]) for k in kinds), (path, key, value)
        # and no route answers without a token
        assert_invalid_token(http.get(path))


def test_pupils_carry_no_pin_nor_contact_fields(school, http):
    rows = http.get("/api/v1/pupils", headers=bearer(token_for(http, school.school_id))).json()["data"]
    assert len(rows) == len(school.pupils_5a) + len(school.pupils_6b)
    text = str(rows)
    assert "21503201400011" not in text and "pin" not in rows[0]
    five_a = http.get(
        f"/api/v1/pupils?class_id={school.class_5a}", headers=bearer(token_for(http, school.school_id, name="B"))
    ).json()["data"]
    assert sorted(r["id"] for r in five_a) == sorted(school.pupils_5a)
    assert {r["class_id"] for r in five_a} == {school.class_5a}


def test_missing_random_expired_revoked_and_other_audience_tokens_are_401(school, http, monkeypatch):
    assert_invalid_token(http.get("/api/v1/classes"))
    assert_invalid_token(http.get("/api/v1/classes", headers={"Authorization": "Basic eDp5"}))
    assert_invalid_token(http.get("/api/v1/classes", headers=bearer("not-a-token-" + "x" * 40)))

    client_id, secret, _ = register(school.school_id, name="Old")
    with db.session() as s:
        old = api_clients.issue_token(
            s, client_id, secret, "client_credentials", None, now=datetime.now(UTC) - timedelta(minutes=16)
        )
    assert_invalid_token(http.get("/api/v1/classes", headers=bearer(old["access_token"])))

    token = token_for(http, school.school_id, name="Revoked")
    assert http.get("/api/v1/classes", headers=bearer(token)).status_code == 200
    with db.session() as s:
        client = s.exec(select(api_clients.ApiClient).where(api_clients.ApiClient.name == "Revoked")).one()
    # The client revokes its own token (RFC 7009); another client's credentials cannot.
    assert http.post("/oauth/revoke", data={"token": token}, headers=basic(client_id, secret)).status_code == 200
    assert http.get("/api/v1/classes", headers=bearer(token)).status_code == 200
    with db.session() as s:
        api_clients.revoke_client(s, client.id, by="test")  # type: ignore[arg-type]
    assert_invalid_token(http.get("/api/v1/classes", headers=bearer(token)))

    fresh = token_for(http, school.school_id, name="Moved")
    monkeypatch.setenv("BBBMS_PUBLIC_URL", "https://another.example.kg")
    settings.reload()
    try:
        assert_invalid_token(http.get("/api/v1/classes", headers=bearer(fresh)))
    finally:
        monkeypatch.delenv("BBBMS_PUBLIC_URL")
        settings.reload()
    assert http.get("/api/v1/classes", headers=bearer(fresh)).status_code == 200


def test_a_client_revokes_its_own_token(school, http):
    client_id, secret, _ = register(school.school_id)
    token = http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret)
    ).json()
    assert http.get("/api/v1/terms", headers=bearer(token["access_token"])).status_code == 200
    assert (
        http.post("/oauth/revoke", data={"token": token["access_token"]}, headers=basic(client_id, secret)).json() == {}
    )
    assert_invalid_token(http.get("/api/v1/terms", headers=bearer(token["access_token"])))


@pytest.mark.parametrize(
    ("scopes", "route", "needed"),
    [(("gradebook:read",), "pupils", "roster:read"), (("gradebook:read",), "staff", "roster:read"),
     (("roster:read",), "marks", "gradebook:read")],
)  # fmt: skip
def test_a_token_without_the_scope_gets_403_insufficient_scope(school, http, scopes, route, needed):
    answer = http.get(f"/api/v1/{route}", headers=bearer(token_for(http, school.school_id, scopes)))
    assert answer.status_code == 403 and answer.json()["error"] == "insufficient_scope"
    assert f'scope="{needed}"' in answer.headers["www-authenticate"]
    with db.session() as s:
        denied = s.exec(select(AuditEvent).where(AuditEvent.action == "denied")).all()
    assert [(e.username, e.entity) for e in denied] == [("api:Moodle", f"api_{route}")]


def test_a_client_of_school_a_never_sees_a_row_of_school_b(school, http):
    with db.session() as s:
        other = factories.build_school(s, okpo="20000002", prefix="b_")
        add_slot_and_period_mark(s, school)
        add_slot_and_period_mark(s, other)
    token_a = token_for(http, school.school_id, name="A")
    token_b = token_for(http, other.school_id, name="B")
    for route in ROUTES:
        a = http.get(f"/api/v1/{route}?limit=500", headers=bearer(token_a)).json()["data"]
        b = http.get(f"/api/v1/{route}?limit=500", headers=bearer(token_b)).json()["data"]
        assert a and b and not ({r["id"] for r in a} & {r["id"] for r in b}), route
    # Ids of school B asked for by school A's client: nothing.
    assert http.get(f"/api/v1/pupils?class_id={other.class_5a}", headers=bearer(token_a)).json()["data"] == []
    assert http.get(f"/api/v1/marks?class_id={other.class_5a}", headers=bearer(token_a)).json()["data"] == []
    # Every call is audited with the client's name and its school.
    with db.session() as s:
        views = s.exec(select(AuditEvent).where(AuditEvent.action == "view")).all()
    assert {(e.username, e.school_id) for e in views} == {("api:A", school.school_id), ("api:B", other.school_id)}
    assert len(views) == 2 * len(ROUTES) + 2


def test_paging_walks_every_row_once_and_bad_parameters_answer_in_one_shape(school, http):
    token = token_for(http, school.school_id)
    seen, offset = [], 0
    while offset is not None:
        body = http.get(f"/api/v1/pupils?limit=2&offset={offset}", headers=bearer(token)).json()
        assert len(body["data"]) <= 2 and body["paging"]["limit"] == 2
        seen += [r["id"] for r in body["data"]]
        offset = body["paging"]["next_offset"]
    assert sorted(seen) == sorted(school.pupils_5a + school.pupils_6b) and len(seen) == len(set(seen))

    bad = http.get("/api/v1/pupils?limit=0", headers={**bearer(token), "Accept-Language": "ky"})
    assert bad.status_code == 400 and bad.json() == {
        "error": "invalid_request",
        "error_description": "«limit» параметри 1 менен 500 ортосундагы сан болушу керек.",
    }
    bad = http.get("/api/v1/marks?updated_since=yesterday", headers={**bearer(token), "Accept-Language": "ru-RU,ru"})
    assert bad.status_code == 400 and "«updated_since»" in bad.json()["error_description"]
    assert http.get("/api/v1/pupils?class_id=five", headers=bearer(token)).json()["error"] == "invalid_request"
    missing = http.get("/api/v2/pupils", headers=bearer(token))
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_marks_since_a_moment_bring_only_what_changed(school, http):
    token = token_for(http, school.school_id, scopes=("gradebook:read",))
    everything = http.get(f"/api/v1/marks?class_id={school.class_5a}&subject_id={school.math}", headers=bearer(token))
    marks = everything.json()["data"]
    assert len(marks) == 3 and {m["subject_id"] for m in marks} == {school.math}
    latest = max(m["updated_at"] for m in marks)
    since = http.get("/api/v1/marks", params={"updated_since": latest}, headers=bearer(token)).json()["data"]
    assert since == []
    later = datetime.fromisoformat(latest) + timedelta(seconds=5)
    with db.session() as s:
        mark = s.get(Mark, marks[0]["id"])
        assert mark is not None
        mark.value, mark.updated_at = 2, later
        s.add(mark)
    since = http.get("/api/v1/marks", params={"updated_since": latest}, headers=bearer(token)).json()["data"]
    assert [(m["id"], m["value"]) for m in since] == [(marks[0]["id"], 2)]
    assert http.get(f"/api/v1/marks?subject_id={school.kyrgyz}", headers=bearer(token)).json()["data"] == []


def test_soft_deleted_pupils_are_not_listed(school, http):
    with db.session() as s:
        gone = s.get(Pupil, school.pupils_6b[0])
        assert gone is not None
        gone.deleted_at = datetime.now(UTC)
        s.add(gone)
    ids = [
        r["id"] for r in http.get("/api/v1/pupils", headers=bearer(token_for(http, school.school_id))).json()["data"]
    ]
    assert school.pupils_6b[0] not in ids and len(ids) == 4


def test_calls_are_rate_limited_per_client(school, http, monkeypatch):
    monkeypatch.setattr(api_clients, "CALLS_PER_MINUTE", 2)
    token = token_for(http, school.school_id)
    codes = [http.get("/api/v1/terms", headers=bearer(token)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = http.get("/api/v1/terms", headers=bearer(token))
    assert limited.json()["error"] == "rate_limited" and int(limited.headers["retry-after"]) >= 1


async def test_an_lms_pulls_the_roster_with_authlibs_client(school):
    """authlib's OAuth 2 client does the client-credentials grant and the calls, as an LMS would."""
    client_id, secret, _ = register(school.school_id, name="LMS")
    transport = httpx2.ASGITransport(app=rest_api)  # authlib 1.9 speaks httpx2
    async with AsyncOAuth2Client(
        client_id,
        secret,
        scope="roster:read gradebook:read",
        token_endpoint="http://bbbms.test/oauth/token",
        token_endpoint_auth_method="client_secret_basic",
        transport=transport,
        base_url="http://bbbms.test",
    ) as lms:
        token = await lms.fetch_token(grant_type="client_credentials")
        assert token["token_type"] == "Bearer" and token["expires_in"] <= 900
        classes = (await lms.get("/api/v1/classes")).json()["data"]
        pupils = (await lms.get("/api/v1/pupils", params={"class_id": classes[0]["id"]})).json()["data"]
        marks = (await lms.get("/api/v1/marks", params={"class_id": school.class_5a})).json()["data"]
    assert {c["name"] for c in classes} == {"5-А", "6-Б"}
    assert pupils and all(p["class_id"] == classes[0]["id"] for p in pupils)
    assert len(marks) == 3
    with db.session() as s:
        names = set(s.exec(select(AuditEvent.username).where(AuditEvent.action.in_(("api_token", "view")))))  # type: ignore[attr-defined]
    assert names == {"api:LMS"}


def test_updated_since_with_another_zone_is_the_same_instant(school, http):
    token = token_for(http, school.school_id, scopes=("gradebook:read",))
    marks = http.get("/api/v1/marks", headers=bearer(token)).json()["data"]
    earliest = datetime.fromisoformat(min(m["updated_at"] for m in marks)) - timedelta(microseconds=1)
    bishkek = earliest.astimezone(timezone(timedelta(hours=6))).isoformat()
    since = http.get("/api/v1/marks", params={"updated_since": bishkek}, headers=bearer(token)).json()["data"]
    assert len(since) == len(marks)
    later = (earliest + timedelta(hours=1)).astimezone(timezone(timedelta(hours=6))).isoformat()
    assert http.get("/api/v1/marks", params={"updated_since": later}, headers=bearer(token)).json()["data"] == []


def test_an_unchanged_list_answers_304_to_its_etag(school, http):
    token = token_for(http, school.school_id)
    first = http.get(f"/api/v1/marks?class_id={school.class_5a}", headers=bearer(token))
    tag = first.headers["etag"]
    again = http.get(f"/api/v1/marks?class_id={school.class_5a}", headers={**bearer(token), "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    with db.session() as s:
        mark = s.get(Mark, first.json()["data"][0]["id"])
        assert mark is not None
        mark.value = 2
        s.add(mark)
    changed = http.get(f"/api/v1/marks?class_id={school.class_5a}", headers={**bearer(token), "If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    # A 304 still needs a valid token.
    assert_invalid_token(http.get("/api/v1/marks", headers={"If-None-Match": tag}))


def test_an_unexpected_failure_is_a_500_in_the_one_shape(school, http, monkeypatch):
    from bbbms_app.services import api_v1

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr(api_v1, "terms", broken)
    answer = http.get("/api/v1/terms", headers=bearer(token_for(http, school.school_id)))
    assert answer.status_code == 500 and answer.json()["error"] == "server_error"
    assert "secret detail" not in answer.text and "reference" in answer.json()["error_description"]


def test_guardians_lessons_attendance_and_period_marks(school, http):
    with db.session() as s:
        add_slot_and_period_mark(s, school)
        g = s.get(Guardian, school.guardian_1)
        g.phone, g.pin = "+996 555 123 456", "11111111111111"  # type: ignore[union-attr]
        s.add(g)
    roster = bearer(token_for(http, school.school_id, scopes=("roster:read",), name="R"))
    parents = http.get("/api/v1/guardians", params={"class_id": school.class_5a}, headers=roster).json()["data"]
    assert [(p["id"], p["children"]) for p in parents] == [
        (school.guardian_1, [{"pupil_id": school.pupils_5a[0], "relation": "mother", "is_primary": True},
                             {"pupil_id": school.pupils_5a[1], "relation": "mother", "is_primary": False}])
    ]  # fmt: skip
    assert "555" not in str(parents) and "11111111111111" not in str(parents)
    assert http.get("/api/v1/lessons", headers=roster).status_code == 403
    slots = http.get("/api/v1/timetable", headers=roster).json()["data"]
    assert [(x["weekday"], x["number"], x["room"]) for x in slots] == [(1, 1, "12")]

    marks = bearer(token_for(http, school.school_id, scopes=("gradebook:read",), name="G"))
    lessons = http.get("/api/v1/lessons", params={"class_id": school.class_5a}, headers=marks).json()["data"]
    assert [x["topic"] for x in lessons] == ["Тема 1", "Тема 2", "Тема 3"]
    absent = http.get("/api/v1/attendance", headers=marks).json()["data"]
    assert [(a["pupil_id"], a["lesson_id"], a["code"]) for a in absent] == [
        (school.pupils_5a[0], school.lessons_5a_math[2], "б")
    ]
    later = http.get("/api/v1/attendance", params={"updated_since": absent[0]["updated_at"]}, headers=marks)
    assert later.json()["data"] == []
    period = http.get("/api/v1/period_marks", params={"subject_id": school.math}, headers=marks).json()["data"]
    assert [(p["pupil_id"], p["kind"], p["number"], p["value"]) for p in period] == [
        (school.pupils_5a[0], "quarter", 1, 5)
    ]
    assert http.get("/api/v1/guardians", headers=marks).status_code == 403


def test_a_person_reads_the_document_as_a_page(http):
    page = http.get("/api/v1/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    doc = http.get("/api/v1/openapi.json").json()
    for path in doc["paths"]:
        assert f"{path}</code>" in page.text, path
    assert "<script" not in page.text and "://" not in page.text  # nothing fetched from elsewhere
