"""The projects page and the messages page through their handlers, as real and forged events call
them: a parent reads his child's project (and its shared file), another child's parent gets
nothing (404 for the file); a parent's forged posts, ticks, tasks and assessments are refused with
nothing written; «write to the supervisor» opens a new message to him only when the sender may
write to him."""

from __future__ import annotations

from datetime import date

import pytest
from reflex import constants
from reflex.istate.data import RouterData
from sqlmodel import select
from starlette.testclient import TestClient

from bbbms_app import db
from bbbms_app.models import User
from bbbms_app.models.messaging import Conversation, ConversationMember, Message
from bbbms_app.models.portfolio import Project, ProjectPost, ProjectTask
from bbbms_app.pages.messages import MessagesState
from bbbms_app.pages.projects import ProjectsState
from bbbms_app.services import accounts, projects
from bbbms_app.services.errors import NotFound
from bbbms_app.services.projects import ProjectDraft
from tests.consent_support import private_dir  # noqa: F401  (fixture)
from tests.factories import PASSWORD, principal_of
from tests.states import is_refusal, new_tab, sub

pytestmark = pytest.mark.usefixtures("private_dir")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def at(state, url: str):
    """The tab's page is now `url` (as the browser's navigation tells the server)."""
    state.router = RouterData.from_router_data(
        {constants.RouteVar.ORIGIN: url, constants.RouteVar.HEADERS: {"origin": "http://localhost"}}
    )
    return state


def user_id(username: str) -> int:
    with db.session() as s:
        return s.exec(select(User.id).where(User.username == username)).one()  # type: ignore[return-value]


def get(url: str, username: str | None = None):
    from bbbms_app.api.portfolio import portfolio_api

    client = TestClient(portfolio_api)
    if username:
        with db.session() as s:
            client.cookies.set("bbbms_session", accounts.authenticate(s, username, PASSWORD).token or "")
    return client.get(url)


@pytest.fixture
def project(school):
    """The director supervises a project of the first pupil of 5-А (he teaches no class, so the
    family writes to him only as the project's supervisor); a file in its thread, a task. The
    second child's parent (t_parent6, of a 6-Б pupil) has no part in it."""
    with db.session(write=True) as s:
        accounts.create_user(
            s, "t_parent6", "parent", PASSWORD, school_id=school.school_id, guardian_id=school.guardian_2
        )
        draft = ProjectDraft(
            title="Суу үнөмдөө",
            goal="Мектептеги сууну эсептөө",
            starts_on=date(2025, 9, 1),
            ends_on=date(2026, 2, 20),
            member_ids=(school.pupils_5a[0],),
        )
        pid = projects.create(s, principal_of("t_director", s), draft).id
        post = projects.post(s, principal_of("t_pupil", s), pid, "Өлчөө", PNG, "olchoo.png").id  # type: ignore[arg-type]
        task = projects.add_task(s, principal_of("t_director", s), pid, "Эсеп", None, None).id  # type: ignore[arg-type]
    return {"id": pid, "post": post, "task": task}


async def test_a_parent_reads_his_childs_project_and_another_parent_gets_nothing(project):
    parent = at(sub(new_tab("t_parent"), ProjectsState), f"/projects?id={project['id']}")
    assert not is_refusal(await parent.load())
    assert [r["title"] for r in parent.rows] == ["Суу үнөмдөө"]
    assert parent.card["title"] == "Суу үнөмдөө" and [p["text"] for p in parent.posts] == ["Өлчөө"]
    assert (parent.supervises, parent.takes_part) == (False, False)
    assert get(f"/private/project-file/{project['post']}", "t_parent").content == PNG

    other = at(sub(new_tab("t_parent6"), ProjectsState), f"/projects?id={project['id']}")
    assert is_refusal(await other.load())
    assert other.card == {} and other.rows == []
    assert is_refusal(await other.open_project(str(project["id"])))
    assert get(f"/private/project-file/{project['post']}", "t_parent6").status_code == 404
    with db.session() as s, pytest.raises(NotFound):
        projects.detail(s, principal_of("t_parent6", s), project["id"], "ky")


async def test_a_parents_forged_events_are_refused_and_nothing_is_written(project, school):
    parent = at(sub(new_tab("t_parent"), ProjectsState), f"/projects?id={project['id']}")
    assert not is_refusal(await parent.load())
    parent.post_text = "мен да жазам"
    parent.task_title = "Бөтөн тапшырма"
    parent.assess_comment = "Баа"
    parent.project_members = [{**m, "mark": "5"} for m in parent.project_members]
    parent.title, parent.starts_on, parent.ends_on = "Жаңы", "01.10.2025", "01.11.2025"
    parent.members = [str(school.pupils_5a[0])]
    for forged in (
        parent.send_post(),
        parent.tick(str(project["task"]), True),
        parent.add_task(),
        parent.assess(),
        parent.create(),
    ):
        assert is_refusal(await forged)
    # A pupil outside the project forges his way in: refused.
    with db.session(write=True) as s:
        accounts.create_user(s, "t_pupil6", "pupil", PASSWORD, school_id=school.school_id, pupil_id=school.pupils_6b[0])
    stranger = sub(new_tab("t_pupil6"), ProjectsState)
    assert is_refusal(await stranger.open_project(str(project["id"])))
    stranger.project_id, stranger.post_text = str(project["id"]), "мен да"
    assert is_refusal(await stranger.send_post())
    assert is_refusal(await stranger.tick(str(project["task"]), True))
    with db.session() as s:
        assert [p.text for p in s.exec(select(ProjectPost)).all()] == ["Өлчөө"]
        assert s.get(ProjectTask, project["task"]).done_at is None
        assert len(s.exec(select(ProjectTask)).all()) == 1
        assert len(s.exec(select(Project)).all()) == 1
        assert s.get(Project, project["id"]).assessed_at is None


async def test_write_to_the_supervisor_opens_a_new_message_to_him_only_when_allowed(project):
    director = user_id("t_director")
    parent = at(sub(new_tab("t_parent"), ProjectsState), f"/projects?id={project['id']}")
    assert not is_refusal(await parent.load())
    assert parent.card["write_to"] == str(director)
    # The link's page: a new message to the supervisor, picked.
    page = at(sub(new_tab("t_parent"), MessagesState), f"/messages?to=u{director}")
    assert not is_refusal(await page.load())
    assert (page.to, page.form_error) == (f"u{director}", "")
    await page.set_body("Саламатсызбы, долбоор боюнча суроо бар")
    assert not is_refusal(await page.send_new())
    with db.session() as s:
        conv = s.exec(select(Conversation)).one()
        members = s.exec(select(ConversationMember.user_id).where(ConversationMember.conversation_id == conv.id))
        assert sorted(members.all()) == sorted([director, user_id("t_parent")])
        assert s.exec(select(Message.body)).all() == ["Саламатсызбы, долбоор боюнча суроо бар"]
    # A person he may not write to (a teacher of no class of his children): said, nothing picked.
    teacher = user_id("t_teacher")
    page = at(sub(new_tab("t_parent"), MessagesState), f"/messages?to=u{teacher}")
    assert not is_refusal(await page.load())
    assert page.to == "" and page.form_error == "Бул адамга жаза албайсыз"
    # Forged: the pick itself is refused by the service when sent.
    page.to = f"u{teacher}"
    await page.set_body("Салам")
    assert is_refusal(await page.send_new())
    # The supervisor sees no link to himself; a pupil without message.write sees none either.
    sup = at(sub(new_tab("t_director"), ProjectsState), f"/projects?id={project['id']}")
    assert not is_refusal(await sup.load())
    assert sup.card["write_to"] == ""
    pupil = at(sub(new_tab("t_pupil"), ProjectsState), f"/projects?id={project['id']}")
    assert not is_refusal(await pupil.load())
    assert pupil.card["write_to"] == ""
    with db.session() as s:
        assert len(s.exec(select(Message)).all()) == 1
