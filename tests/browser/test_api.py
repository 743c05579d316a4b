"""The integration API on the served app (issue 19), over real sockets as an LMS meets it: the
console registers a client, authlib's OAuth 2 client gets a token at /oauth/token and pulls the
demo school's whole roster and marks page by page; an unknown /api/ address is a JSON 404, not the
frontend's page; a call without a token is 401. No Chromium: an API client has no browser."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from authlib.integrations.httpx_client import OAuth2Client

from tests.browser.conftest import ROOT


def _register(db_url: str, scopes: str) -> tuple[str, str]:
    env = {**os.environ, "DATABASE_URL": db_url, "BBBMS_ENV": "test"}
    done = subprocess.run(
        [sys.executable, "-m", "bbbms_app", "--lang", "en", "api-client", "create", "--name", "Served LMS",
         "--scopes", scopes, "--school", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    client_id = re.search(r"client_id: (\S+)", done.stdout)
    secret = re.search(r"client_secret: (\S+)", done.stdout)
    assert client_id and secret, done.stdout + done.stderr
    return client_id.group(1), secret.group(1)


def _pull(lms: OAuth2Client, path: str, **params: object) -> list[dict]:
    rows: list[dict] = []
    offset: int | None = 0
    while offset is not None:
        answer = lms.get(path, params={**params, "limit": 500, "offset": offset})
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "no-store"
        body = answer.json()
        rows += body["data"]
        offset = body["paging"]["next_offset"]
    return rows


def test_an_lms_pulls_the_demo_roster_from_the_served_app(app_url, browser_db_url):
    client_id, secret = _register(browser_db_url, "roster:read,gradebook:read")
    with OAuth2Client(
        client_id,
        secret,
        token_endpoint=f"{app_url}/oauth/token",
        token_endpoint_auth_method="client_secret_basic",
        base_url=app_url,
        timeout=30,
    ) as lms:
        token = lms.fetch_token(grant_type="client_credentials")
        assert token["token_type"] == "Bearer" and token["expires_in"] <= 900
        started = time.monotonic()
        classes = _pull(lms, "/api/v1/classes")
        pupils = _pull(lms, "/api/v1/pupils")
        staff = _pull(lms, "/api/v1/staff")
        roster_s = time.monotonic() - started
        # A class pupils are in today (the demo also has last year's) of the middle school (grade 1
        # has no marks).
        today = {p["class_id"] for p in pupils}
        middle = next(c for c in classes if c["grade"] >= 5 and c["id"] in today)
        marks = _pull(lms, "/api/v1/marks", class_id=middle["id"])
        spec = lms.get("/api/v1/openapi.json").json()
    assert len(classes) >= 2 and len(pupils) >= 100 and len(staff) >= 2
    assert {p["class_id"] for p in pupils if p["class_id"] is not None} <= {c["id"] for c in classes}
    assert all("pin" not in p for p in pupils)
    assert marks and {m["class_id"] for m in marks} == {middle["id"]}
    assert set(spec["paths"]) >= {"/api/v1/pupils", "/api/v1/marks"}
    print(f"roster pull (classes, pupils, staff) over HTTP: {roster_s:.2f} s")

    import httpx2

    nobody = httpx2.get(f"{app_url}/api/v1/pupils", timeout=30)
    assert nobody.status_code == 401 and 'error="invalid_token"' in nobody.headers["www-authenticate"]
    unknown = httpx2.get(f"{app_url}/api/v9/nothing", timeout=30)
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"
    # The served app's own headers are on the API's answers too (auth/headers.py).
    assert unknown.headers["x-content-type-options"] == "nosniff"


def test_an_lms_writes_results_back_over_oneroster_on_the_served_app(app_url, browser_db_url):
    """OneRoster end to end over real sockets: registered on the console, a token by authlib's
    client, a class × subject and its pupils pulled, a lesson's homework results posted; the marks
    stand in the journal grid, audited with the client's name."""
    from datetime import date

    from sqlmodel import Session, select

    from bbbms_app import db
    from bbbms_app.models import AuditEvent, Lesson, User
    from bbbms_app.services import accounts, journal

    client_id, secret = _register(browser_db_url, "roster:read,gradebook:write")
    r, g = "/ims/oneroster/rostering/v1p2", "/ims/oneroster/gradebook/v1p2"
    today = date.today().isoformat()
    auth = {"token_endpoint": f"{app_url}/oauth/token", "token_endpoint_auth_method": "client_secret_basic"}
    since = {"filter": "dateLastModified>'2026-11-10T00:00:00.000Z'", "limit": 400}
    with OAuth2Client(client_id, secret, base_url=app_url, timeout=30, **auth) as lms:
        lms.fetch_token(grant_type="client_credentials")
        classes = lms.get(f"{r}/classes", params={"filter": "classType='scheduled'", "limit": 1000}).json()["classes"]
        chosen = None
        for section in classes:  # a class × subject with a lesson held in the open quarter
            if not section["grades"] or int(section["grades"][0]) < 5:
                continue
            items = lms.get(f"{g}/classes/{section['sourcedId']}/lineItems", params=since).json()
            held = [i for i in items["lineItems"] if i["category"]["sourcedId"] == "cat-home" and
                    i["assignDate"][:10] <= today]  # fmt: skip
            if held:
                chosen = section, held[-1]
                break
        assert chosen, "no lesson of the open quarter found"
        section, item = chosen
        students = lms.get(f"{r}/classes/{section['sourcedId']}/students").json()["users"][:3]
        results = [
            {"student": {"sourcedId": u["sourcedId"]}, "score": score}
            for u, score in zip(students, (95, 75, 55), strict=True)
        ]
        posted = lms.post(f"{g}/lineItems/{item['sourcedId']}/results", json={"results": results})
    assert posted.status_code == 200, posted.text
    answers = posted.json()["results"]
    ok = [a for a in answers if a["imsx_codeMajor"] == "success"]
    assert ok, answers  # a pupil away that day may be refused by the journal; not all of them
    lesson_id = int(item["sourcedId"].split("-")[1])
    engine = db.make_engine(browser_db_url)
    try:
        with Session(engine) as s:
            director = s.exec(select(User).where(User.username == "director")).one()
            lesson = s.get(Lesson, lesson_id)
            assert lesson is not None
            grid = journal.grid(s, accounts.principal_for(director, session=s), lesson.class_id, lesson.subject_id,
                                lesson.term_id)  # fmt: skip
            for answer in ok:
                pupil = int(answer["sourcedId"].split("-")[2])
                assert grid.cell(pupil, lesson_id).marks["home"][0] == answer["mark"]
            rows = s.exec(select(AuditEvent).where(AuditEvent.entity == "lesson", AuditEvent.entity_id == lesson_id,
                                                   AuditEvent.reason == "api Served LMS")).all()  # fmt: skip
            assert len(rows) == len(ok) and {a.username for a in rows} == {"api:Served LMS"}
    finally:
        engine.dispose()
