"""Courses, second round, in real Chromium: the demo class teacher edits her course at her desk
(1280 px) — a module's title, an assignment, the journal lessons a module follows — deletes a
material (asked first), takes the delete back from the course's list of deleted things and deletes it
again, and is refused deleting an assignment already handed in; on a 375 px phone (taps only) she
takes a delete back from the toast's own button and another from the list; the demo parent on a 375 px
phone (taps only) sees a line per child on the course cards and the assignment, follows the
diary's «Курстун материалы» link to the course, reads his child's project and taps «write to the
supervisor» into a new message to him."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from bbbms_app import db
from bbbms_app.demo import DEMO_PASSWORD
from bbbms_app.models import AuditEvent, Enrollment, User
from bbbms_app.models.learning import (
    Assignment,
    Course,
    CourseClass,
    CourseMaterial,
    CourseModule,
    ModuleLesson,
    Submission,
)
from bbbms_app.models.messaging import Message
from bbbms_app.services import accounts, courses, diary, projects
from bbbms_app.services.projects import ProjectDraft
from bbbms_app.services.school import own_children
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser


def _shots() -> Path:
    path = Path(os.environ.get("BBBMS_SCREENSHOT_DIR") or "screenshots") / "courses2"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _db(db_url: str, fn):  # type: ignore[no-untyped-def]
    eng = db.make_engine(db_url)
    try:
        with Session(eng) as s:
            out = fn(s)
            s.commit()
            return out
    finally:
        eng.dispose()


def _teacher_course(s: Session) -> dict:
    """The demo class teacher's course, with a hand-in on its assignment (a pupil of its class)."""
    user = s.exec(select(User).where(User.username == "classteacher")).one()
    # The demo's course is her first: other browser tests (test_courses) add courses of hers to the same database.
    course = s.exec(select(Course).where(Course.teacher_id == user.staff_id).order_by(Course.id)).first()
    assert course is not None
    module = s.exec(
        select(CourseModule).where(CourseModule.course_id == course.id).order_by(CourseModule.position)
    ).first()
    assignment = s.exec(select(Assignment).where(Assignment.module_id == module.id)).one()  # type: ignore[union-attr]
    if s.exec(select(Submission).where(Submission.assignment_id == assignment.id)).first() is None:
        today = courses.school_today()
        class_id = s.exec(select(CourseClass.class_id).where(CourseClass.course_id == course.id)).one()
        pupil_id = s.exec(
            select(Enrollment.pupil_id).where(
                Enrollment.class_id == class_id, Enrollment.starts_on <= today, col(Enrollment.ends_on).is_(None)
            )
        ).first()
        username = "courses2_pupil"
        if s.exec(select(User).where(User.username == username)).first() is None:
            accounts.create_user(
                s, username, "pupil", DEMO_PASSWORD, school_id=course.school_id, full_name=username, pupil_id=pupil_id
            )
            s.flush()
        me = accounts.principal_for(s.exec(select(User).where(User.username == username)).one(), session=s)
        courses.submit(s, me, assignment.id, "Жооп", [], courses.school_now())  # type: ignore[arg-type]
    return {"course": course.id, "module": module.id, "assignment": assignment.id}  # type: ignore[union-attr]


def test_the_teacher_edits_ties_lessons_and_deletes_at_her_desk(page: Page, browser_db_url):
    shots = _shots()
    f = _db(browser_db_url, _teacher_course)
    sign_in(page, "classteacher")
    page.goto(f"/courses?course={f['course']}")
    module = page.get_by_test_id("course-module").first
    expect(module).to_contain_text("1-апта")
    # A module's title, in place.
    module.get_by_test_id("module-edit").click()
    form = page.get_by_test_id("edit-form")
    expect(form.get_by_test_id("edit-title")).to_have_value("1-апта")
    form.get_by_test_id("edit-title").fill("1-апта: кайталоо")
    form.get_by_test_id("edit-save").click()
    expect(page.get_by_test_id("edit-form")).to_have_count(0)
    expect(page.get_by_test_id("course-module").first).to_contain_text("1-апта: кайталоо")
    # The assignment's title and due date.
    card = page.get_by_test_id("course-assignment").first
    card.get_by_test_id("assignment-edit").click()
    form = page.get_by_test_id("edit-form")
    form.get_by_test_id("edit-title").fill("Үй тапшырмасы: 3 суроо")
    form.get_by_test_id("edit-save").click()
    expect(page.get_by_test_id("course-assignment").first).to_contain_text("Үй тапшырмасы: 3 суроо")
    # The lessons the module follows: untick all, tick the first two.
    page.get_by_test_id("course-module").first.get_by_test_id("module-lessons").click()
    panel = page.get_by_test_id("lessons-panel")
    expect(panel.get_by_test_id("lesson-choice").first).to_be_visible()
    boxes = panel.get_by_role("checkbox")
    for i in range(boxes.count()):
        if boxes.nth(i).get_attribute("aria-checked") == "true":
            boxes.nth(i).click()
    boxes.nth(0).click()
    boxes.nth(1).click()
    expect(boxes.nth(1)).to_have_attribute("aria-checked", "true")
    page.screenshot(path=str(shots / "teacher-lessons-1280-ky.png"), full_page=True)
    panel.get_by_test_id("lessons-save").click()
    expect(page.get_by_test_id("lessons-panel")).to_have_count(0)
    expect(page.get_by_test_id("course-module").first.get_by_test_id("module-linked")).to_be_visible()
    # A material deleted: asked first («Cancel» leaves it), then confirmed; listed under «Өчүрүлгөндөр».
    video = page.get_by_test_id("course-material").filter(has_text="Видео сабак")
    video.get_by_test_id("material-remove").click()
    expect(page.get_by_test_id("confirm-dialog")).to_contain_text("Өчүрөсүзбү?")
    page.screenshot(path=str(shots / "teacher-confirm-1280-ky.png"))
    page.get_by_test_id("confirm-cancel").click()
    expect(page.get_by_test_id("confirm-dialog")).to_have_count(0)
    expect(video).to_have_count(1)
    video.get_by_test_id("material-remove").click()
    page.get_by_test_id("confirm-delete").click()
    expect(page.get_by_test_id("course-material").filter(has_text="Видео сабак")).to_have_count(0)
    gone = page.get_by_test_id("deleted-list").get_by_test_id("deleted-row").filter(has_text="Видео сабак")
    expect(gone).to_have_count(1)
    gone.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "teacher-deleted-1280-ky.png"), full_page=True)
    # «Калыбына келтирүү»: back in its module, off the list; then deleted again (confirmed).
    gone.get_by_test_id("restore").click()
    expect(page.get_by_test_id("course-material").filter(has_text="Видео сабак")).to_have_count(1)
    expect(gone).to_have_count(0)
    page.get_by_test_id("course-material").filter(has_text="Видео сабак").get_by_test_id("material-remove").click()
    page.get_by_test_id("confirm-delete").click()
    expect(page.get_by_test_id("course-material").filter(has_text="Видео сабак")).to_have_count(0)
    # The handed-in assignment is not deleted, even confirmed (said, in Kyrgyz).
    page.get_by_test_id("course-assignment").first.get_by_test_id("assignment-delete").click()
    page.get_by_test_id("confirm-delete").click()
    expect(page.get_by_test_id("course-error").first).to_contain_text("өчүрүүгө болбойт")
    expect(page.get_by_test_id("course-assignment")).to_have_count(1)
    page.screenshot(path=str(shots / "teacher-edit-1280-ky.png"), full_page=True)
    # The list of deleted things on a phone, in Russian.
    page.set_viewport_size({"width": 375, "height": 740})
    page.get_by_role("radio", name="РУС").click()
    expect(page.get_by_test_id("deleted-list")).to_contain_text("Восстановить")
    page.mouse.move(0, 0)  # a resting pointer over the toasts holds them open (sonner pauses on hover)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=30000)  # the toasts gone: the list seen
    page.get_by_test_id("deleted-list").screenshot(path=str(shots / "teacher-deleted-375-ru.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 800})

    def check(s: Session) -> None:
        assert s.get(CourseModule, f["module"]).title == "1-апта: кайталоо"  # type: ignore[union-attr]
        a = s.get(Assignment, f["assignment"])
        assert a.title == "Үй тапшырмасы: 3 суроо" and a.deleted_at is None  # type: ignore[union-attr]
        assert len(s.exec(select(ModuleLesson).where(ModuleLesson.module_id == f["module"])).all()) == 2
        gone = s.exec(select(CourseMaterial).where(CourseMaterial.title == "Видео сабак")).all()
        assert [m.deleted_at is not None for m in gone if m.module_id == f["module"]] == [True]
        video_id = next(m.id for m in gone if m.module_id == f["module"])
        actions = s.exec(
            select(AuditEvent.action)
            .where(AuditEvent.entity == "course_material", AuditEvent.entity_id == video_id)
            .order_by(col(AuditEvent.id))
        ).all()
        assert actions[-3:] == ["delete", "restore", "delete"]

    _db(browser_db_url, check)


def _live_material(s: Session) -> dict:
    """A material of the class teacher's demo course that is not deleted (not the one the desk test deletes)."""
    f = _teacher_course(s)
    modules = s.exec(select(CourseModule.id).where(CourseModule.course_id == f["course"])).all()
    row = s.exec(
        select(CourseMaterial)
        .where(
            col(CourseMaterial.module_id).in_(modules),
            col(CourseMaterial.deleted_at).is_(None),
            CourseMaterial.title != "Видео сабак",
        )
        .order_by(col(CourseMaterial.id))
    ).first()
    assert row is not None
    return {"course": f["course"], "id": row.id, "title": row.title}


def test_the_teacher_on_a_phone_takes_a_delete_back_from_the_toast_and_from_the_list(phone: Page, browser_db_url):
    """375 px, taps only: a delete is taken back from the toast's own button (where the finger is), and
    a second one from the list of deleted things at the foot of the course."""
    shots = _shots()
    f = _db(browser_db_url, _live_material)
    sign_in(phone, "classteacher")
    phone.goto(f"/courses?course={f['course']}")
    material = phone.get_by_test_id("course-material").filter(has_text=f["title"])
    expect(material).to_have_count(1)
    material.get_by_test_id("material-remove").tap()
    phone.get_by_test_id("confirm-delete").tap()
    expect(material).to_have_count(0)
    toast = phone.locator("[data-sonner-toast]").filter(has_text="Өчүрүлдү")
    undo = toast.get_by_role("button", name="Калыбына келтирүү")
    expect(undo).to_be_visible()
    phone.screenshot(path=str(shots / "teacher-undo-toast-375-ky.png"))
    undo.tap()
    expect(material).to_have_count(1)
    # Deleted again, and taken back from the list below this time.
    material.get_by_test_id("material-remove").tap()
    phone.get_by_test_id("confirm-delete").tap()
    expect(material).to_have_count(0)
    row = phone.get_by_test_id("deleted-list").get_by_test_id("deleted-row").filter(has_text=f["title"])
    expect(row).to_have_count(1)
    row.get_by_test_id("restore").tap()
    expect(material).to_have_count(1)
    expect(row).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    def check(s: Session) -> None:
        actions = s.exec(
            select(AuditEvent.action)
            .where(AuditEvent.entity == "course_material", AuditEvent.entity_id == f["id"])
            .order_by(col(AuditEvent.id))
        ).all()
        assert actions[-4:] == ["delete", "restore", "delete", "restore"]
        assert s.get(CourseMaterial, f["id"]).deleted_at is None  # type: ignore[union-attr]

    _db(browser_db_url, check)


def _family(s: Session) -> dict:
    """The demo parent's children, the diary week the page opens on for the first, its course
    links, and a project of the first child supervised by the director (made once)."""
    parent_user = s.exec(select(User).where(User.username == "parent")).one()
    parent = accounts.principal_for(parent_user, session=s)
    today = date.today()
    children = own_children(s, parent, today)
    first = int(children[0]["id"])
    week = diary.pupil_week(s, parent, first, diary.default_monday(s, parent, first, today))
    links = [r["course"] for day in week["lessons"] for r in day if r["course"]]
    director = s.exec(select(User).where(User.username == "director")).one()
    title = "Суу үнөмдөө (сыноо)"
    from bbbms_app.models.portfolio import Project

    if s.exec(select(Project).where(Project.title == title)).first() is None:
        draft = ProjectDraft(
            title=title,
            goal="Мектептеги сууну эсептөө",
            starts_on=today,
            ends_on=date(today.year + 1, 5, 20),
            member_ids=(first,),
        )
        projects.create(s, accounts.principal_for(director, session=s), draft)
    return {"children": len(children), "links": links, "director": director.id, "project": title}


def test_a_parent_on_a_phone_sees_each_child_follows_the_diary_and_writes_to_the_supervisor(
    phone: Page, browser_db_url
):
    shots = _shots()
    f = _db(browser_db_url, _family)
    assert f["children"] >= 2 and f["links"]
    sign_in(phone, "parent")
    phone.goto("/courses")
    expect(phone.get_by_test_id("course-kid").first).to_be_visible()
    expect(phone.get_by_test_id("course-kid")).to_have_count(f["children"])
    phone.screenshot(path=str(shots / "parent-courses-375-ky.png"), full_page=True)
    phone.get_by_test_id("course-open").first.tap()
    expect(phone.get_by_test_id("course-heading")).to_be_visible()
    expect(phone.get_by_test_id("child-status").first).to_be_visible()
    expect(phone.get_by_test_id("handin-open")).to_have_count(0)  # a parent reads, never hands in
    phone.screenshot(path=str(shots / "parent-course-375-ky.png"), full_page=True)
    # The diary links the lessons the course's module follows.
    phone.goto("/diary")
    expect(phone.get_by_test_id("diary-course")).to_have_count(len(f["links"]))
    phone.get_by_test_id("diary-course").first.scroll_into_view_if_needed()
    phone.screenshot(path=str(shots / "parent-diary-375-ky.png"))
    phone.get_by_test_id("diary-course").first.tap()
    phone.wait_for_url("**/courses?course=*")
    expect(phone.get_by_test_id("course-heading")).to_be_visible()
    # His child's project, and «write to the supervisor».
    phone.goto("/projects")
    phone.get_by_test_id("pj-row").filter(has_text=f["project"]).get_by_test_id("pj-open").tap()
    expect(phone.get_by_test_id("pj-heading")).to_have_text(f["project"])
    phone.screenshot(path=str(shots / "parent-project-375-ky.png"), full_page=True)
    phone.get_by_test_id("pj-write-supervisor").tap()
    phone.wait_for_url(f"**/messages?to=u{f['director']}")
    expect(phone.get_by_test_id("msg-send")).to_be_enabled()
    phone.get_by_test_id("msg-body").tap()
    phone.get_by_test_id("msg-body").fill("Саламатсызбы! Долбоор боюнча суроо бар.")
    phone.get_by_test_id("msg-send").tap()
    expect(phone.get_by_test_id("thread")).to_contain_text("Долбоор боюнча суроо бар")
    phone.screenshot(path=str(shots / "parent-message-375-ky.png"), full_page=True)
    bodies = _db(browser_db_url, lambda s: s.exec(select(Message.body)).all())
    assert "Саламатсызбы! Долбоор боюнча суроо бар." in bodies
