"""Announcements to named people, and their attachments (issue 17 #1's remainder): the service, the
download route and the page's handlers, as real and forged events call them."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
import reflex as rx
from sqlmodel import select
from starlette.testclient import TestClient

from bbbms_app import db, settings
from bbbms_app.api.private_files import private_files_api
from bbbms_app.models import AuditEvent
from bbbms_app.models.communication import Announcement, AnnouncementAttachment, AnnouncementRecipient
from bbbms_app.pages.announcements import AnnouncementsState
from bbbms_app.pages.home import HomeState
from bbbms_app.services import accounts, announcements, private_files
from bbbms_app.services.announcements import Draft
from bbbms_app.services.errors import NotFound, OutOfScope, Refused
from tests.consent_support import PDF, private_dir  # noqa: F401  (fixture)
from tests.factories import PASSWORD, principal_of
from tests.states import is_refusal, new_tab, sub
from tests.test_private_files import _docx

pytestmark = pytest.mark.usefixtures("private_dir")
TODAY = date.today()


def uid(username: str) -> int:
    with db.session() as s:
        return principal_of(username, s).user_id


def post(username: str, **fields) -> int:
    draft = Draft(**{"title": "Жолугушуу", "body": "Эртең", "publish_on": TODAY, **fields})
    with db.session(write=True) as s:
        return announcements.post(s, principal_of(username, s), draft, TODAY).id  # type: ignore[return-value]


def titles(username: str) -> list[str]:
    with db.session() as s:
        return [r["title"] for r in announcements.feed(s, principal_of(username, s), TODAY)]


def stage(username: str, data: bytes, name: str) -> announcements.Attachment:
    with db.session() as s:
        return announcements.stage_attachment(principal_of(username, s), data, name)


def test_named_people_receive_it_and_nobody_else(school):
    post("t_director", title="Сизге жеке", audience="people", people=(uid("t_teacher"), uid("t_clerk")))
    assert titles("t_teacher") == ["Сизге жеке"]
    assert titles("t_clerk") == ["Сизге жеке"]
    for other in ("t_classteacher", "t_deputy", "t_parent", "t_pupil"):
        assert titles(other) == [], other
    with db.session() as s:
        row = announcements.written(s, principal_of("t_director", s))[0]
        a = s.exec(select(Announcement)).one()
        assert announcements.mark_read(s, principal_of("t_teacher", s), a.id, TODAY) is True
    assert (row["audience"], row["detail"], a.reach) == ("people", "t_clerk, t_teacher", "all")
    with db.session(write=True) as s, pytest.raises(NotFound):  # not addressed to her
        announcements.mark_read(s, principal_of("t_classteacher", s), a.id, TODAY)


def test_who_may_be_named(school):
    # A class teacher names the families of her class only.
    post("t_classteacher", title="5-А ата-энесине", audience="people", people=(uid("t_parent"),))
    assert titles("t_parent") == ["5-А ата-энесине"]
    with db.session(write=True) as s:
        accounts.create_user(
            s, "t_parent_b", "parent", PASSWORD, school_id=school.school_id, guardian_id=school.guardian_2
        )
    for username, person in [
        ("t_classteacher", "t_teacher"),  # staff: not hers to name
        ("t_classteacher", "t_parent_b"),  # a parent of 6-Б
        ("t_director", "t_parent_b"),  # the director names staff (and the families of a class he leads)
    ]:
        with pytest.raises(OutOfScope):
            post(username, audience="people", people=(uid(person),))
    with pytest.raises(Refused) as exc:
        post("t_director", audience="people", people=())
    assert exc.value.key == "comm.error.people"
    with pytest.raises(OutOfScope):  # a teacher writes no announcements at all
        post("t_teacher", audience="people", people=(uid("t_clerk"),))
    with db.session() as s:
        assert len(s.exec(select(Announcement)).all()) == 1
        assert len(s.exec(select(AnnouncementRecipient)).all()) == 1
        options = announcements.people_options(s, principal_of("t_classteacher", s), TODAY)
    assert [o["name"] for o in options] == ["t_parent", "t_pupil"]


def token_of(username: str) -> str:
    with db.session() as s:
        result = accounts.authenticate(s, username, PASSWORD)
    assert result.token
    return result.token


def get(url: str, username: str | None = None):
    client = TestClient(private_files_api)
    if username:
        client.cookies.set(settings.SESSION_COOKIE, token_of(username))
    return client.get(url)


def test_attachments_go_to_its_recipients_only(school):
    files = (stage("t_classteacher", PDF, "чакыруу.pdf"), stage("t_classteacher", _docx(), "../күн тартиби.docx"))
    aid = post("t_classteacher", audience="class", class_id=school.class_5a, reach="parents", attachments=files)
    with db.session() as s:
        stored = s.exec(select(AnnouncementAttachment).order_by(AnnouncementAttachment.id)).all()
        feed = announcements.feed(s, principal_of("t_parent", s), TODAY)
    assert [f.original_name for f in stored] == ["чакыруу.pdf", ".. күн тартиби.docx"]
    assert feed[0]["files"] == f"{stored[0].id}\tчакыруу.pdf\n{stored[1].id}\t.. күн тартиби.docx"
    # Moved out of staging into the private documents folder.
    assert not private_files.path_of("staging", stored[0].file_name).exists()
    assert private_files.path_of("documents", stored[0].file_name).read_bytes() == PDF
    url = f"{announcements.FILE_ROUTE}/{stored[0].id}"
    for username in ("t_parent", "t_classteacher", "t_director", "t_deputy"):
        r = get(url, username)
        assert r.status_code == 200 and r.content == PDF, username
        assert r.headers["content-disposition"].startswith("attachment")
    for username in (None, "t_teacher", "t_pupil", "t_clerk"):  # a pupil: it went to the parents
        assert get(url, username).status_code == 404, username
    assert get(f"{announcements.FILE_ROUTE}/999999", "t_parent").status_code == 404
    with db.session(write=True) as s:
        announcements.withdraw(s, principal_of("t_classteacher", s), aid)
    assert get(url, "t_parent").status_code == 404  # withdrawn: no longer his
    assert get(url, "t_classteacher").status_code == 200  # still its author's
    with db.session() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.entity == "announcement_file")).all()
    assert sorted({e.action for e in events}) == ["create", "denied", "download"]
    assert len([e for e in events if e.action == "download"]) == 5


def test_a_file_is_told_by_content_and_a_staged_name_cannot_be_forged(school):
    with pytest.raises(private_files.FileRejected):
        stage("t_classteacher", b"MZ\x90\x00 an executable", "чакыруу.pdf")
    with db.session(write=True) as s:
        from tests.factories import build_school

        build_school(s, okpo="20000002", prefix="u_")
    theirs = stage("u_director", PDF, "бөтөн.pdf")
    with pytest.raises(OutOfScope):  # staged in another school's folder
        post("t_director", attachments=(theirs,))
    gone = stage("t_director", PDF, "a.pdf")
    private_files.remove("staging", gone.name)
    with pytest.raises(Refused) as exc:
        post("t_director", attachments=(gone,))
    assert exc.value.key == "comm.error.file_gone"
    with pytest.raises(Refused):
        post("t_director", attachments=tuple(stage("t_director", PDF, "x.pdf") for _ in range(6)))
    with db.session() as s:
        assert s.exec(select(Announcement)).all() == []


def upload(data: bytes, name: str) -> list[rx.UploadFile]:
    return [rx.UploadFile(file=io.BytesIO(data), path=Path(name), size=len(data))]


async def test_the_page_names_people_and_attaches_files(school):
    page = sub(new_tab("t_director"), AnnouncementsState)
    assert not is_refusal(await page.load())
    assert "people" in page.audience_options
    await page.set_value("title", "Методикалык кеңешке")
    await page.set_value("audience", "people")
    await page.add_person(str(uid("t_teacher")))
    await page.add_person(str(uid("t_parent")))  # not offered to the director: ignored
    await page.add_person(str(uid("t_teacher")))  # twice: once
    assert [p["name"] for p in page.people] == ["t_teacher"]
    assert not is_refusal(await page.attach(upload(PDF, "план.pdf")))
    assert [f["name"] for f in page.staged] == ["план.pdf"]
    assert not is_refusal(await page.attach(upload(b"<html>", "x.pdf")))  # refused in place
    assert page.form_error != "" and len(page.staged) == 1
    assert not is_refusal(await page.send())
    assert page.form_error == "" and page.staged == [] and page.people == []
    assert page.rows[0]["detail"] == "t_teacher" and page.rows[0]["files"].endswith("\tплан.pdf")

    home = sub(new_tab("t_teacher"), HomeState)
    assert not is_refusal(await home.load())
    assert [(r["title"], r["files"] != "") for r in home.announcements] == [("Методикалык кеңешке", True)]

    # A forged list of people: refused by the service, audited, nothing written.
    page.audience = "people"
    page.title = "Бөтөнгө"
    page.people = [{"id": str(uid("t_parent")), "name": "x"}]
    assert is_refusal(await page.send())
    with db.session() as s:
        assert [a.title for a in s.exec(select(Announcement)).all()] == ["Методикалык кеңешке"]
