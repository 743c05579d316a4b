"""OneRoster 1.2 resources (issue 19 §3) over HTTP: the courses' published materials of the
client's school only (a draft, a module published for a later day, a deleted course and another
school's course are not there), each with the 1.2 fields; by course and by class; a file's bytes
only with a token of `resources:read`; and the resources files of the CSV bundle read back."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from bbbms_app import db
from bbbms_app.api import openapi_oneroster
from bbbms_app.api.rest import rest_api
from bbbms_app.models import AuditEvent
from bbbms_app.models.learning import Course
from bbbms_app.services import api_clients, courses, oneroster, oneroster_csv, private_files
from tests import factories
from tests.factories import principal_of
from tests.test_api_rest import bearer, token_for
from tests.test_oneroster import _read_zip, imsx_minor

RES = "/ims/oneroster/resources/v1p2"
TODAY = date(2025, 9, 10)
PDF_BYTES = b"%PDF-1.4\n" + b"x" * 300


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    api_clients.RATE.reset()
    oneroster.SNAPSHOTS.reset()
    yield
    api_clients.RATE.reset()


@pytest.fixture
def http() -> TestClient:
    return TestClient(rest_api)


@pytest.fixture
def materials(school):
    """5-А maths: a published module with a text, a file (really stored) and a video; a draft module
    with a link; a module published for 2099 with a text; a deleted course with a published text."""
    stored = private_files.store("courses", school.school_id, PDF_BYTES)
    with db.session(write=True) as s:
        me = principal_of("t_classteacher", s)
        c = courses.create_course(s, me, school.math, [school.class_5a], "Математика 5")
        m1 = courses.add_module(s, me, c.id, "1-апта", "Натуралдык сандар", TODAY)
        courses.publish_module(s, me, m1.id, date(2025, 9, 8), TODAY)
        text = courses.add_material(s, me, m1.id, "text", "Эреже", body="Кошуу эрежеси", today=TODAY)
        pdf = courses.add_material(s, me, m1.id, "file", "Китеп", stored=stored, today=TODAY)
        video = courses.add_material(s, me, m1.id, "video", "Видео сабак", url="https://youtu.be/abc", today=TODAY)
        draft = courses.add_module(s, me, c.id, "2-апта", "", TODAY)
        link = courses.add_material(s, me, draft.id, "link", "Шилтеме", url="https://example.kg", today=TODAY)
        later = courses.add_module(s, me, c.id, "3-апта", "", TODAY)
        courses.publish_module(s, me, later.id, date(2099, 1, 1), TODAY)
        future = courses.add_material(s, me, later.id, "text", "Кийин", body="Кийин", today=TODAY)
        gone = courses.create_course(s, me, school.math, [school.class_5a], "Эски курс")
        gm = courses.add_module(s, me, gone.id, "1", "", TODAY)
        courses.publish_module(s, me, gm.id, date(2025, 9, 8), TODAY)
        old = courses.add_material(s, me, gm.id, "text", "Эски", body="Эски", today=TODAY)
        s.get(Course, gone.id).deleted_at = datetime(2025, 9, 9, tzinfo=UTC)
        return {"text": text.id, "file": pdf.id, "video": video.id, "link": link.id, "future": future.id,
                "old": old.id}  # fmt: skip


def test_published_materials_are_resources_with_the_specs_fields(school, materials, http):
    h = bearer(token_for(http, school.school_id, scopes=("resources:read",), name="LMS"))
    answer = http.get(f"{RES}/resources", headers=h)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store" and answer.headers["x-total-count"] == "3"
    rows = {r["sourcedId"]: r for r in answer.json()["resources"]}
    assert set(rows) == {f"resource-{materials[k]}" for k in ("text", "file", "video")}  # no draft, later, deleted
    pdf = rows[f"resource-{materials['file']}"]
    assert set(pdf) == set(openapi_oneroster.BASE) | set(openapi_oneroster.ENTITIES["resource"])  # as documented
    assert pdf["title"] == "Китеп" and pdf["importance"] == "primary"
    assert pdf["vendorResourceId"] == f"bbbms-material-{materials['file']}" and pdf["vendorId"] == "bbbms"
    assert pdf["roles"] == ["student", "parent", "teacher"] and pdf["applicationId"] is None
    assert pdf["metadata"]["url"] == f"{RES}/resources/resource-{materials['file']}/file"
    assert pdf["metadata"]["fileType"] == "application/pdf" and pdf["metadata"]["fileSize"] == len(PDF_BYTES)
    video = rows[f"resource-{materials['video']}"]
    assert video["importance"] == "secondary" and video["metadata"]["url"] == "https://youtu.be/abc"
    assert rows[f"resource-{materials['text']}"]["metadata"]["text"] == "Кошуу эрежеси"

    one = http.get(f"{RES}/resources/resource-{materials['video']}", headers=h)
    assert one.status_code == 200 and one.json()["resource"]["title"] == "Видео сабак"
    for hidden in ("link", "future", "old"):
        missing = http.get(f"{RES}/resources/resource-{materials[hidden]}", headers=h)
        assert missing.status_code == 404 and imsx_minor(missing) == "unknownobject", hidden

    by_class = http.get(f"{RES}/classes/class-{school.class_5a}-{school.math}/resources", headers=h).json()
    assert {r["sourcedId"] for r in by_class["resources"]} == set(rows)
    by_course = http.get(f"{RES}/courses/course-{school.math}/resources", headers=h).json()
    assert {r["sourcedId"] for r in by_course["resources"]} == set(rows)
    assert http.get(f"{RES}/courses/course-{school.kyrgyz}/resources", headers=h).json()["resources"] == []
    assert http.get(f"{RES}/classes/class-{school.class_6b}-{school.math}/resources", headers=h).json() == {
        "resources": []
    }
    assert http.get(f"{RES}/classes/class-999999-1/resources", headers=h).status_code == 404
    pupil = http.get(f"{RES}/users/pupil-{school.pupils_5a[0]}/resources", headers=h).json()["resources"]
    assert {r["sourcedId"] for r in pupil} == set(rows)  # a pupil of 5-А: his class's maths materials
    assert http.get(f"{RES}/users/pupil-{school.pupils_6b[0]}/resources", headers=h).json()["resources"] == []
    teacher = http.get(f"{RES}/users/staff-{school.teacher_a}/resources", headers=h).json()["resources"]
    assert {r["sourcedId"] for r in teacher} == set(rows)
    assert http.get(f"{RES}/users/pupil-999999/resources", headers=h).status_code == 404
    some = http.get(f"{RES}/resources", params={"filter": "importance='secondary'"}, headers=h).json()["resources"]
    assert [r["title"] for r in some] == ["Видео сабак"]


def test_a_files_bytes_need_a_token_with_the_scope(school, materials, http):
    url = f"{RES}/resources/resource-{materials['file']}/file"
    anonymous = http.get(url)
    assert anonymous.status_code == 401 and 'error="invalid_token"' in anonymous.headers["www-authenticate"]
    assert PDF_BYTES not in anonymous.content
    roster = bearer(token_for(http, school.school_id, scopes=("roster:read",), name="Roster"))
    refused = http.get(url, headers=roster)
    assert refused.status_code == 403 and 'error="insufficient_scope"' in refused.headers["www-authenticate"]
    assert http.get(f"{RES}/resources", headers=roster).status_code == 403
    h = bearer(token_for(http, school.school_id, scopes=("resources:read",), name="LMS"))
    answer = http.get(url, headers=h)
    assert answer.status_code == 200 and answer.content == PDF_BYTES
    assert answer.headers["content-type"] == "application/pdf" and answer.headers["cache-control"] == "no-store"
    not_a_file = http.get(f"{RES}/resources/resource-{materials['video']}/file", headers=h)
    assert not_a_file.status_code == 404
    with db.session() as s:
        views = s.exec(select(AuditEvent).where(AuditEvent.entity == "api_oneroster", AuditEvent.action == "view"))
        assert url in [a.reason for a in views if a.username == "api:LMS"]


def test_a_client_of_another_school_sees_none_of_them(school, materials, http):
    with db.session() as s:
        other = factories.build_school(s, okpo="20000002", prefix="b_")
    h = bearer(token_for(http, other.school_id, scopes=("resources:read",), name="Other"))
    assert http.get(f"{RES}/resources", headers=h).json()["resources"] == []
    assert http.get(f"{RES}/resources/resource-{materials['text']}", headers=h).status_code == 404
    assert http.get(f"{RES}/resources/resource-{materials['file']}/file", headers=h).status_code == 404
    assert http.get(f"{RES}/classes/class-{school.class_5a}-{school.math}/resources", headers=h).status_code == 404


def test_the_csv_bundle_carries_the_resources_files(school, materials, http):
    h = bearer(token_for(http, school.school_id, scopes=("roster:read", "resources:read"), name="LMS"))
    files = _read_zip(http.get("/ims/oneroster/csv/v1p2/bundle.zip", headers=h).content)
    manifest = {r["propertyName"]: r["value"] for r in files["manifest.csv"]}
    for name in ("resources", "classResources", "courseResources"):
        assert manifest[f"file.{name}"] == "bulk" and f"{name}.csv" in files, name
    resources = {r["sourcedId"]: r for r in files["resources.csv"]}
    assert set(resources) == {f"resource-{materials[k]}" for k in ("text", "file", "video")}
    pdf = resources[f"resource-{materials['file']}"]
    assert (pdf["vendorResourceId"], pdf["importance"], pdf["roles"]) == (
        f"bbbms-material-{materials['file']}", "primary", "student,parent,teacher"
    )  # fmt: skip
    links = {(r["classSourcedId"], r["resourceSourcedId"]) for r in files["classResources.csv"]}
    assert links == {(f"class-{school.class_5a}-{school.math}", sid) for sid in resources}
    links = {(r["courseSourcedId"], r["resourceSourcedId"]) for r in files["courseResources.csv"]}
    assert links == {(f"course-{school.math}", sid) for sid in resources}
    assert len({r["sourcedId"] for r in files["classResources.csv"] + files["courseResources.csv"]}) == 6
    raw = _raw_headers(http.get("/ims/oneroster/csv/v1p2/bundle.zip", headers=h).content)
    for name in ("resources", "classResources", "courseResources"):
        assert raw[f"{name}.csv"] == oneroster_csv.HEADERS[name], name
    # without the scope the files are absent (and said so)
    plain = bearer(token_for(http, school.school_id, scopes=("roster:read",), name="Plain"))
    files = _read_zip(http.get("/ims/oneroster/csv/v1p2/bundle.zip", headers=plain).content)
    manifest = {r["propertyName"]: r["value"] for r in files["manifest.csv"]}
    assert "resources.csv" not in files and manifest["file.resources"] == "absent"


def _raw_headers(data: bytes) -> dict[str, list[str]]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n).decode("utf-8").splitlines()[0].split(",") for n in z.namelist()}
