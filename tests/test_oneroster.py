"""OneRoster 1.2 (issue 19 §3) over HTTP: the rostering collections of one school (OKPO org, year
and quarters, courses, classes, users with roles, enrollments; demographics only with scope and
consent), OneRoster's paging / filter / sort / fields and error shape, the gradebook read, and
results written back into the journal through its save path — an LMS end to end with authlib's
client, `roster:read` refused on a write, a closed term refused per result, a district of two
schools where a client of school A never sees school B."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date

import httpx2
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client
from sqlmodel import select
from starlette.testclient import TestClient

from bbbms_app import cli, db
from bbbms_app.api.rest import rest_api
from bbbms_app.models import ApiClient, AuditEvent, Consent, Mark
from bbbms_app.services import api_clients, journal, oneroster, oneroster_csv
from tests import factories
from tests.factories import principal_of
from tests.test_api_rest import bearer, token_for

R = "/ims/oneroster/rostering/v1p2"
G = "/ims/oneroster/gradebook/v1p2"
ALL = ("roster:read", "gradebook:read", "gradebook:write")


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    api_clients.RATE.reset()
    oneroster.SNAPSHOTS.reset()
    yield
    api_clients.RATE.reset()
    oneroster.SNAPSHOTS.reset()


@pytest.fixture
def http() -> TestClient:
    return TestClient(rest_api)


def imsx_minor(answer) -> str:
    body = answer.json()
    assert body["imsx_codeMajor"] == "failure" and body["imsx_severity"] == "error" and body["imsx_description"]
    return body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]


def test_the_roster_of_the_school(school, http):
    h = bearer(token_for(http, school.school_id, scopes=("roster:read",)))
    orgs = http.get(f"{R}/orgs", headers=h)
    assert orgs.status_code == 200 and orgs.headers["cache-control"] == "no-store"
    assert orgs.headers["x-total-count"] == "1"
    [org] = orgs.json()["orgs"]
    assert (org["sourcedId"], org["identifier"], org["type"], org["name"]) == ("org-10000001", "10000001", "school",
                                                                             "№ 1 мектеп")  # fmt: skip

    sessions = http.get(f"{R}/academicSessions", headers=h).json()["academicSessions"]
    years = [x for x in sessions if x["type"] == "schoolYear"]
    quarters = [x for x in sessions if x["type"] == "gradingPeriod"]
    assert [y["title"] for y in years] == ["2025–2026"] and len(quarters) == 4
    assert {q["parent"]["sourcedId"] for q in quarters} == {years[0]["sourcedId"]}
    assert http.get(f"{R}/gradingPeriods", headers=h).headers["x-total-count"] == "4"

    classes = http.get(f"{R}/classes", headers=h).json()["classes"]
    titles = {c["sourcedId"]: (c["title"], c["classType"]) for c in classes}
    assert titles[f"class-{school.class_5a}"] == ("5-А", "homeroom")
    assert titles[f"class-{school.class_5a}-{school.math}"] == ("5-А Математика", "scheduled")
    assert titles[f"class-{school.class_6b}-{school.kyrgyz}"] == ("6-Б Кыргыз тили", "scheduled")
    assert len(classes) == 2 + 3  # two homerooms, three class × subject
    courses = {c["sourcedId"] for c in http.get(f"{R}/courses", headers=h).json()["courses"]}
    assert courses == {f"course-{school.math}", f"course-{school.kyrgyz}"}

    users = http.get(f"{R}/users", params={"limit": 1000}, headers=h).json()["users"]
    roles = {u["sourcedId"]: u["roles"][0]["role"] for u in users}
    assert [roles[f"pupil-{p}"] for p in school.pupils_5a + school.pupils_6b] == ["student"] * 5
    assert roles[f"staff-{school.teacher_a}"] == "teacher" and roles[f"guardian-{school.guardian_1}"] == "guardian"
    assert sorted(r for r in roles.values() if r == "administrator") == ["administrator"] * 2  # director, deputy
    mother = next(u for u in users if u["sourcedId"] == f"guardian-{school.guardian_1}")
    assert {a["sourcedId"] for a in mother["agents"]} == {f"pupil-{p}" for p in school.pupils_5a[:2]}
    assert "21503201400011" not in str(users)  # never a PIN
    assert all(u["identifier"] is None and u["phone"] is None and u["email"] is None for u in users)

    enrollments = http.get(f"{R}/enrollments", params={"limit": 1000}, headers=h).json()["enrollments"]
    known_users, known_classes = set(roles), set(titles)
    assert all(e["user"]["sourcedId"] in known_users and e["class"]["sourcedId"] in known_classes for e in enrollments)
    in_math = {e["user"]["sourcedId"] for e in enrollments if e["class"]["sourcedId"] == f"class-{school.class_5a}-"
               f"{school.math}"}  # fmt: skip
    assert in_math == {f"pupil-{p}" for p in school.pupils_5a} | {f"staff-{school.teacher_a}"}
    students = http.get(f"{R}/classes/class-{school.class_5a}-{school.math}/students", headers=h).json()["users"]
    assert {u["sourcedId"] for u in students} == {f"pupil-{p}" for p in school.pupils_5a}
    teachers = http.get(f"{R}/classes/class-{school.class_5a}/teachers", headers=h).json()["users"]
    assert [u["sourcedId"] for u in teachers] == [f"staff-{school.teacher_a}"]

    one = http.get(f"{R}/users/pupil-{school.pupils_5a[0]}", headers=h)
    assert one.status_code == 200 and one.json()["user"]["familyName"] == "Үсөнов"
    assert imsx_minor(http.get(f"{R}/users/pupil-999999", headers=h)) == "unknownobject"
    assert http.get(f"{R}/users/pupil-999999", headers=h).status_code == 404


def test_paging_filter_sort_fields_and_errors(school, http):
    h = bearer(token_for(http, school.school_id, scopes=("roster:read",)))
    first = http.get(f"{R}/students", params={"limit": 2, "sort": "familyName"}, headers=h)
    assert first.headers["x-total-count"] == "5"
    assert [u["familyName"] for u in first.json()["users"]] == ["Абдыкадырова", "Орозов"]
    link = first.headers["link"]
    nxt = re.search(r'<([^>]+)>; rel="next"', link).group(1)  # type: ignore[union-attr]
    assert "offset=2" in nxt and 'rel="last"' in link
    second = http.get(nxt, headers=h).json()["users"]
    assert [u["familyName"] for u in second] == ["Петрова", "Ңаматов"]  # str order, then the next page
    desc = http.get(f"{R}/students", params={"sort": "familyName", "orderBy": "desc", "limit": 1}, headers=h)
    assert desc.json()["users"][0]["familyName"] == "Үсөнов"

    girls = http.get(f"{R}/users", params={"filter": "givenName='Мөлдир'"}, headers=h).json()["users"]
    assert [u["sourcedId"] for u in girls] == [f"pupil-{school.pupils_5a[1]}"]
    either = http.get(
        f"{R}/users", params={"filter": "givenName='Мөлдир' OR familyName~'петр'", "fields": "sourcedId,givenName"},
        headers=h,
    ).json()["users"]  # fmt: skip
    assert sorted(u["givenName"] for u in either) == ["Анна", "Игорь", "Мөлдир"]
    assert all(set(u) == {"sourcedId", "givenName"} for u in either)
    teachers = http.get(f"{R}/users", params={"filter": "roles.role='teacher'"}, headers=h).json()["users"]
    assert {u["sourcedId"] for u in teachers} >= {f"staff-{school.teacher_a}", f"staff-{school.teacher_b}"}

    assert imsx_minor(http.get(f"{R}/users", params={"filter": "nosuch='x'"}, headers=h)) == "invalid_filter_field"
    assert imsx_minor(http.get(f"{R}/users", params={"filter": "givenName=Anna"}, headers=h)) == "invalid_filter_field"
    assert imsx_minor(http.get(f"{R}/users", params={"fields": "pin"}, headers=h)) == "invalid_selection_field"
    assert imsx_minor(http.get(f"{R}/users", params={"sort": "pin"}, headers=h)) == "invalid_sort_field"
    bad = http.get(f"{R}/users", params={"limit": "lots"}, headers=h)
    assert bad.status_code == 400 and imsx_minor(bad) == "invaliddata"
    nowhere = http.get("/ims/oneroster/rostering/v1p2/nothing", headers=h)
    assert nowhere.status_code == 404 and imsx_minor(nowhere) == "unknownobject"

    anonymous = http.get(f"{R}/users")
    assert anonymous.status_code == 401 and imsx_minor(anonymous) == "unauthorisedrequest"
    assert anonymous.headers["www-authenticate"].startswith('Bearer realm="bbbms", error="invalid_token"')
    marks_only = bearer(token_for(http, school.school_id, scopes=("gradebook:read",), name="Marks"))
    refused = http.get(f"{R}/users", headers=marks_only)
    assert refused.status_code == 403 and imsx_minor(refused) == "forbidden"
    assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]


def test_a_pull_pages_through_one_snapshot_and_a_new_pull_sees_the_change(school, http):
    h = bearer(token_for(http, school.school_id, scopes=("roster:read",)))
    first = http.get(f"{R}/students", params={"limit": 3}, headers=h).json()["users"]
    with db.session() as s:
        factories.make_pupil(s, school.school_id, last_name="Абаев", first_name="Жаңы")
    rest = http.get(f"{R}/students", params={"limit": 3, "offset": 3}, headers=h).json()["users"]
    assert len(first) + len(rest) == 5 and "Жаңы" not in str(first + rest)  # no row shifted or repeated
    again = http.get(f"{R}/students", params={"limit": 10}, headers=h)
    assert again.headers["x-total-count"] == "6" and "Жаңы" in again.text


def test_demographics_need_the_scope_and_a_consent(school, http):
    plain = bearer(token_for(http, school.school_id, scopes=("roster:read",)))
    assert http.get(f"{R}/demographics", headers=plain).status_code == 403
    with_scope = bearer(token_for(http, school.school_id, scopes=("roster:read", "demographics:read"), name="D"))
    assert http.get(f"{R}/demographics", headers=with_scope).json()["demographics"] == []
    first = school.pupils_5a[0]
    with db.session() as s:
        for pupil, categories in ((first, "education,identity"), (school.pupils_5a[1], "photo")):
            s.add(
                Consent(
                    school_id=school.school_id, subject_type="pupil", subject_id=pupil, signed_by_name="Үсөнова Ч.",
                    categories=categories, given_on=date(2025, 9, 1), scan_name="c.pdf", scan_size=1,
                    scan_sha256="0" * 64, scan_content_type="application/pdf",
                )
            )  # fmt: skip
    rows = http.get(f"{R}/demographics", headers=with_scope).json()["demographics"]
    assert rows == [{**rows[0], "sourcedId": f"pupil-{first}", "birthDate": "2014-03-15", "sex": "male"}]


def test_gradebook_reads_marks_as_results(school, http):
    h = bearer(token_for(http, school.school_id, scopes=("gradebook:read",)))
    cats = http.get(f"{G}/categories", headers=h).json()["categories"]
    assert [c["sourcedId"] for c in cats] == ["cat-class", "cat-home", "cat-test", "cat-control"]
    section = f"class-{school.class_5a}-{school.math}"
    items = http.get(f"{G}/classes/{section}/lineItems", params={"limit": 5, "offset": 2}, headers=h)
    assert items.headers["x-total-count"] == "12"  # three lessons × four kinds
    li = items.json()["lineItems"]
    lesson0, lesson1 = school.lessons_5a_math[:2]
    assert [x["sourcedId"] for x in li] == [f"li-{lesson0}-test", f"li-{lesson0}-control"] + [
        f"li-{lesson1}-{k}" for k in ("class", "home", "test")
    ]
    assert li[0]["class"]["sourcedId"] == section and li[0]["resultValueMax"] == 100.0
    assert li[0]["title"].startswith("02.09.2025 №1 Математика")
    results = http.get(f"{G}/results", headers=h).json()["results"]
    assert sorted(r["score"] for r in results) == [3.0, 4.0, 5.0]
    one = http.get(f"{G}/lineItems/li-{lesson0}-class/results", headers=h).json()["results"]
    assert sorted((r["student"]["sourcedId"], r["score"]) for r in one) == sorted(
        [(f"pupil-{school.pupils_5a[0]}", 5.0), (f"pupil-{school.pupils_5a[1]}", 3.0)]
    )
    newest = max(r["dateLastModified"] for r in results)
    later = http.get(f"{G}/results", params={"filter": f"dateLastModified>'{newest}'"}, headers=h)
    assert later.status_code == 200 and later.json()["results"] == []
    oldest = min(r["dateLastModified"] for r in results)
    since = http.get(f"{G}/results", params={"filter": f"dateLastModified>='{oldest}'"}, headers=h).json()["results"]
    assert len(since) == 3
    assert imsx_minor(http.get(f"{G}/results", params={"filter": "score>'3'"}, headers=h)) == "invalid_filter_field"
    assert http.get(f"{G}/results/{one[0]['sourcedId']}", headers=h).json()["result"] == one[0]
    assert http.get(f"{G}/lineItems/li-{lesson0}-bogus", headers=h).status_code == 404


def _result(pupil: int, score: object, **extra: object) -> dict:
    return {"student": {"sourcedId": f"pupil-{pupil}", "type": "user"}, "score": score, "scoreStatus": "fully graded",
            **extra}  # fmt: skip


def test_roster_read_gets_403_on_a_write_and_nothing_is_written(school, http):
    h = bearer(token_for(http, school.school_id, scopes=("roster:read", "gradebook:read")))
    lesson = school.lessons_5a_math[2]
    posted = http.post(f"{G}/lineItems/li-{lesson}-test/results", json={"results": [_result(school.pupils_5a[1], 90)]},
                       headers=h)  # fmt: skip
    assert posted.status_code == 403 and imsx_minor(posted) == "forbidden"
    assert 'scope="gradebook:write"' in posted.headers["www-authenticate"]
    one = {**_result(school.pupils_5a[1], 90), "lineItem": {"sourcedId": f"li-{lesson}-test"}}
    put = http.put(f"{G}/results/res-{lesson}-{school.pupils_5a[1]}-test", json={"result": one}, headers=h)
    assert put.status_code == 403
    with db.session() as s:
        assert s.exec(select(Mark).where(Mark.lesson_id == lesson)).all() == []


def test_results_written_back_are_answered_one_by_one(school, http):
    h = bearer(token_for(http, school.school_id, scopes=ALL, name="Online school"))
    lesson = school.lessons_5a_math[2]
    _p1, p2, p3 = school.pupils_5a
    stranger = school.pupils_6b[0]
    posted = http.post(
        f"{G}/lineItems/li-{lesson}-test/results",
        json={"results": [_result(p2, 92), _result(p3, 130), _result(stranger, 80), {"score": 50}, _result(p3, 61.5)]},
        headers={**h, "Accept-Language": "ky"},
    )
    assert posted.status_code == 200, posted.text
    answers = posted.json()["results"]
    assert [a["imsx_codeMajor"] for a in answers] == ["success", "failure", "failure", "failure", "success"]
    assert answers[0] == {"sourcedId": f"res-{lesson}-{p2}-test", "mark": 5, "imsx_codeMajor": "success"}
    assert "«score»" in answers[1]["imsx_description"] and "пайыз" in answers[1]["imsx_description"]
    assert answers[3]["imsx_CodeMinor"] == "invaliddata" and "«student»" in answers[3]["imsx_description"]
    assert answers[2]["imsx_CodeMinor"] == "invaliddata"  # a pupil of 6-Б is not in 5-А's journal
    assert answers[4]["mark"] == 3
    with db.session() as s:
        marks = {m.pupil_id: (m.kind, m.value) for m in s.exec(select(Mark).where(Mark.lesson_id == lesson))}
    assert marks == {p2: ("test", 5), p3: ("test", 3)}

    # PUT one result; a second PUT replaces it (one mark, one place); "not submitted" clears it.
    url = f"{G}/results/res-{lesson}-{p2}-test"
    body = {"result": {**_result(p2, 70), "lineItem": {"sourcedId": f"li-{lesson}-test"}}}
    put = http.put(url, json=body, headers=h)
    assert put.status_code == 201 and put.json()["result"]["mark"] == 4
    clear = {"result": {"student": {"sourcedId": f"pupil-{p2}"}, "lineItem": {"sourcedId": f"li-{lesson}-test"},
                        "scoreStatus": "not submitted"}}  # fmt: skip
    assert http.put(url, json=clear, headers=h).status_code == 201
    with db.session() as s:
        assert s.exec(select(Mark).where(Mark.lesson_id == lesson, Mark.pupil_id == p2)).all() == []
    # The result's own address names its line item and pupil: a score alone will do; a body
    # naming another pupil is refused.
    assert http.put(url, json={"result": {"score": 100}}, headers=h).json()["result"]["mark"] == 5
    other = http.put(url, json={"result": {"score": 50, "student": {"sourcedId": f"pupil-{p3}"}}}, headers=h)
    assert other.status_code == 400 and imsx_minor(other) == "invaliddata"
    with db.session() as s:
        assert s.exec(select(Mark.value).where(Mark.lesson_id == lesson, Mark.pupil_id == p2)).one() == 5
    assert http.put(url, json={"result": "x"}, headers=h).status_code == 400
    assert http.put(url, content=b"{", headers={**h, "Content-Type": "application/json"}).status_code == 400

    # A closed term refuses every result, each answered.
    with db.session(write=True) as s:
        journal.close_term(s, principal_of("t_deputy"), school.term_ids[0])
    closed = http.post(f"{G}/lineItems/li-{lesson}-test/results", json={"results": [_result(p3, 100)]}, headers=h)
    assert closed.json()["results"][0]["imsx_codeMajor"] == "failure"
    with db.session() as s:
        assert s.exec(select(Mark.value).where(Mark.lesson_id == lesson, Mark.pupil_id == p3)).one() == 3
        denied = s.exec(select(AuditEvent).where(AuditEvent.action == "denied", AuditEvent.entity == "api_oneroster"))
        assert {a.username for a in denied} == {"api:Online school"}


async def test_an_lms_end_to_end(school, capsys):
    """An LMS as a client would be: registered on the console, token by authlib's client, the roster
    pulled, results of a class posted; the marks are in the journal grid, audited with its name."""
    assert cli.main(["--lang", "en", "api-client", "create", "--name", "Moodle 5", "--scopes",
                     "roster:read,gradebook:read,gradebook:write", "--school", str(school.school_id)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    client_id = re.search(r"client_id: (\S+)", out).group(1)  # type: ignore[union-attr]
    secret = re.search(r"client_secret: (\S+)", out).group(1)  # type: ignore[union-attr]
    transport = httpx2.ASGITransport(app=rest_api)
    async with AsyncOAuth2Client(
        client_id, secret, token_endpoint="http://bbbms.test/oauth/token",
        token_endpoint_auth_method="client_secret_basic", transport=transport, base_url="http://bbbms.test",
    ) as lms:  # fmt: skip
        await lms.fetch_token(grant_type="client_credentials")
        classes = (await lms.get(f"{R}/classes", params={"filter": "classType='scheduled'"})).json()["classes"]
        section = next(c for c in classes if c["title"] == "5-А Математика")["sourcedId"]
        students = (await lms.get(f"{R}/classes/{section}/students")).json()["users"]
        items = (await lms.get(f"{G}/classes/{section}/lineItems", params={"limit": 4})).json()["lineItems"]
        home = next(i for i in items if i["category"]["sourcedId"] == "cat-home")
        scores = [95, 75, 55]
        posted = await lms.post(
            f"{G}/lineItems/{home['sourcedId']}/results",
            json={
                "results": [
                    _result(int(u["sourcedId"].split("-")[1]), sc) for u, sc in zip(students, scores, strict=True)
                ]
            },
        )
    assert posted.status_code == 200 and [r["imsx_codeMajor"] for r in posted.json()["results"]] == ["success"] * 3
    lesson = int(home["sourcedId"].split("-")[1])
    with db.session() as s:
        grid = journal.grid(s, principal_of("t_classteacher"), school.class_5a, school.math, school.term_ids[0])
        got = {int(u["sourcedId"].split("-")[1]): grid.cell(int(u["sourcedId"].split("-")[1]), lesson).marks["home"][0]
               for u in students}  # fmt: skip
        rows = s.exec(select(AuditEvent).where(AuditEvent.entity == "lesson", AuditEvent.entity_id == lesson)).all()
        client = s.exec(select(ApiClient).where(ApiClient.client_id == client_id)).one()
    expected = dict(zip((int(u["sourcedId"].split("-")[1]) for u in students), (5, 4, 3), strict=True))
    assert got == expected
    assert {(a.username, a.reason, a.field) for a in rows} == {("api:Moodle 5", "api Moodle 5", "mark.home")}
    assert len(rows) == 3 and client.name == "Moodle 5"


def test_a_client_of_school_a_never_sees_school_b(school, http):
    with db.session() as s:
        other = factories.build_school(s, okpo="20000002", prefix="u_")
    h = bearer(token_for(http, school.school_id, scopes=(*ALL, "demographics:read")))
    for path in ("orgs", "academicSessions", "courses", "classes", "users", "enrollments"):
        text = http.get(f"{R}/{path}", params={"limit": 1000}, headers=h).text
        assert "20000002" not in text and f'class-{other.class_5a}"' not in text, path
        assert f'pupil-{other.pupils_5a[0]}"' not in text and f'staff-{other.teacher_a}"' not in text, path
    assert http.get(f"{R}/users/pupil-{other.pupils_5a[0]}", headers=h).status_code == 404
    assert http.get(f"{R}/classes/class-{other.class_5a}", headers=h).status_code == 404
    results = http.get(f"{G}/results", params={"limit": 1000}, headers=h).json()["results"]
    assert len(results) == 3 and all(r["student"]["sourcedId"] != f"pupil-{other.pupils_5a[0]}" for r in results)
    theirs = f"li-{other.lessons_5a_math[2]}-class"
    assert http.get(f"{G}/lineItems/{theirs}", headers=h).status_code == 404
    assert http.get(f"{G}/lineItems/{theirs}/results", headers=h).status_code == 404
    posted = http.post(f"{G}/lineItems/{theirs}/results", json={"results": [_result(other.pupils_5a[1], 100)]},
                       headers=h)  # fmt: skip
    assert posted.json()["results"][0]["imsx_CodeMinor"] == "unknownobject"
    with db.session() as s:
        assert s.exec(select(Mark).where(Mark.lesson_id == other.lessons_5a_math[2])).all() == []


def _read_zip(data: bytes) -> dict[str, list[dict[str, str]]]:
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            text = z.read(name).decode("utf-8")
            out[name] = list(csv.DictReader(io.StringIO(text)))
    return out


def test_the_csv_bundle_reads_back_with_every_required_file(school, tmp_path, capsys):
    with db.session() as s:
        s.add(
            Consent(
                school_id=school.school_id, subject_type="pupil", subject_id=school.pupils_5a[0], signed_by_name="Ч.",
                categories="identity", given_on=date(2025, 9, 1), scan_name="c.pdf", scan_size=1,
                scan_sha256="0" * 64, scan_content_type="application/pdf",
            )
        )  # fmt: skip
    out = tmp_path / "oneroster.zip"
    assert cli.main(["--lang", "ru", "oneroster-csv", str(out), "--school", str(school.school_id)]) == 0
    assert "Пакет OneRoster CSV записан" in capsys.readouterr().out
    files = _read_zip(out.read_bytes())
    manifest = {r["propertyName"]: r["value"] for r in files["manifest.csv"]}
    assert manifest["oneroster.version"] == "1.2" and manifest["manifest.version"] == "1.0"
    for name in oneroster_csv.REQUIRED:
        assert f"{name}.csv" in files, name
    for name in oneroster_csv.ALL_FILES:
        assert manifest[f"file.{name}"] == ("bulk" if f"{name}.csv" in files else "absent"), name
    with zipfile.ZipFile(out) as z:
        for name, header in oneroster_csv.HEADERS.items():
            first = z.read(f"{name}.csv").decode("utf-8").splitlines()[0]
            assert first.split(",") == header, name
    assert [o["identifier"] for o in files["orgs.csv"]] == ["10000001"]
    assert all(r["status"] == "" and r["dateLastModified"] == "" for r in files["users.csv"])  # bulk
    users = {u["sourcedId"]: u for u in files["users.csv"]}
    roles = {r["userSourcedId"]: r["role"] for r in files["roles.csv"]}
    assert roles[f"pupil-{school.pupils_5a[0]}"] == "student" and set(roles) == set(users)
    assert users[f"guardian-{school.guardian_1}"]["agentSourcedIds"] == ",".join(
        f"pupil-{p}" for p in school.pupils_5a[:2]
    )
    assert "21503201400011" not in str(files)
    assert [d["sourcedId"] for d in files["demographics.csv"]] == [f"pupil-{school.pupils_5a[0]}"]
    classes = {c["sourcedId"] for c in files["classes.csv"]}
    assert all(e["classSourcedId"] in classes and e["userSourcedId"] in users for e in files["enrollments.csv"])
    assert sorted(float(r["score"]) for r in files["results.csv"]) == [3.0, 4.0, 5.0]
    lines = {li["sourcedId"] for li in files["lineItems.csv"]}
    assert len(lines) == 12 and all(r["lineItemSourcedId"] in lines for r in files["results.csv"])


def test_the_csv_bundle_over_http_follows_the_tokens_scopes(school, http):
    url = "/ims/oneroster/csv/v1p2/bundle.zip"
    assert http.get(url).status_code == 401
    marks_only = bearer(token_for(http, school.school_id, scopes=("gradebook:read",), name="G"))
    assert http.get(url, headers=marks_only).status_code == 403
    answer = http.get(url, headers=bearer(token_for(http, school.school_id, scopes=("roster:read",))))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    assert answer.headers["cache-control"] == "no-store"
    files = _read_zip(answer.content)
    assert "users.csv" in files and "results.csv" not in files and "demographics.csv" not in files
    manifest = {r["propertyName"]: r["value"] for r in files["manifest.csv"]}
    assert manifest["file.results"] == "absent" and manifest["file.users"] == "bulk"
    with db.session() as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.action == "export", AuditEvent.entity == "api_oneroster"))
        assert [a.username for a in rows] == ["api:Moodle"]
