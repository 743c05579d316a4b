"""Courses in real Chromium (issue 18, «Done when»): the demo class teacher builds a course with a
module and a file at her desk; a pupil of the class reads it on his phone with taps and hands in
text and a file; a pupil of another class gets nothing (his list, a forged course id, the guessed
file addresses: 404); the teacher's mark goes into the journal, where the grid shows it, audited."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from bbbms_app import db
from bbbms_app.demo import DEMO_PASSWORD
from bbbms_app.models import AuditEvent, Enrollment, Lesson, Mark, User
from bbbms_app.models.learning import Course, CourseMaterial, SubmissionFile
from bbbms_app.services import accounts, courses, journal
from tests.browser.test_journal import grid_cell
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TITLE = "Сыноо курсу"


def _shots() -> Path:
    path = Path(os.environ.get("BBBMS_SCREENSHOT_DIR") or "/tmp/courses-shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _on_roll(today: date):  # type: ignore[no-untyped-def]
    return (Enrollment.starts_on <= today) & ((col(Enrollment.ends_on).is_(None)) | (col(Enrollment.ends_on) >= today))


def _setup(db_url: str) -> dict:
    """Two pupil accounts — one of the class the teacher's first course option is for, with an empty
    cell at that class × subject's latest lesson (up to the school's today, as the mark's lesson
    picker offers them), and one of another class — and where that cell is."""
    today = courses.school_today()
    eng = db.make_engine(db_url)
    try:
        with Session(eng) as s:
            teacher = accounts.principal_for(
                s.exec(select(User).where(User.username == "classteacher")).one(), session=s
            )
            class_id, subject_id = (int(x) for x in courses.teaching_options(s, teacher)[0]["id"].split(":"))
            lesson = s.exec(
                select(Lesson)
                .where(Lesson.class_id == class_id, Lesson.subject_id == subject_id, Lesson.date <= today)
                .where(col(Lesson.cancelled).is_(False))
                .order_by(col(Lesson.date).desc(), col(Lesson.number).desc())
            ).first()
            assert lesson is not None
            g = journal.grid(s, teacher, class_id, subject_id, lesson.term_id)
            column = [x.id for x in g.lessons].index(lesson.id)
            row = next(i for i, p in enumerate(g.pupils) if p.ends_on is None and not g.cell(p.id, lesson.id).text())  # type: ignore[arg-type]
            pupil_id = g.pupils[row].id
            other_id = s.exec(
                select(Enrollment.pupil_id)
                .where(Enrollment.class_id != class_id, _on_roll(today))
                .order_by(Enrollment.id)
            ).first()
            for username, pid in (("pupil_of_course", pupil_id), ("pupil_elsewhere", other_id)):
                if s.exec(select(User.id).where(User.username == username)).first() is None:
                    accounts.create_user(
                        s,
                        username,
                        "pupil",
                        DEMO_PASSWORD,
                        school_id=teacher.school_id,
                        full_name=username,
                        pupil_id=pid,
                    )
            s.commit()
            return {"lesson": lesson.id, "pupil": pupil_id, "row": row, "column": column, "subject": subject_id}
    finally:
        eng.dispose()


def _read(db_url: str, fn):  # type: ignore[no-untyped-def]
    eng = db.make_engine(db_url)
    try:
        with Session(eng) as s:
            return fn(s)
    finally:
        eng.dispose()


def test_a_course_is_built_read_on_a_phone_handed_in_and_marked_into_the_journal(
    page: Page, phone: Page, browser, app_url, browser_db_url
):
    shots = _shots()
    f = _setup(browser_db_url)
    today = courses.school_today()  # the due day is the school's (Bishkek's) day

    # -- the teacher builds the course at her desk
    sign_in(page, "classteacher")
    page.goto("/courses")
    expect(page.get_by_test_id("page-title")).to_have_text("Курстар")
    expect(page.get_by_test_id("course-card").first).to_be_visible()  # the demo's course
    page.get_by_test_id("course-title").fill(TITLE)
    page.get_by_test_id("course-create").click()
    expect(page.get_by_test_id("course-heading")).to_have_text(TITLE)
    page.get_by_test_id("module-title").fill("1-апта")
    page.get_by_test_id("module-topic").fill("Бөлчөктөр")
    page.get_by_test_id("module-add").click()
    expect(page.get_by_test_id("course-module")).to_contain_text("1-апта")
    page.get_by_test_id("module-publish").click()
    expect(page.get_by_test_id("course-module")).to_contain_text("жарыяланды")
    page.get_by_test_id("material-kind").click()
    page.get_by_role("option", name="Файл", exact=True).click()
    page.locator("#course-material-upload input[type=file]").set_input_files(
        {"name": "kitep.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    expect(page.get_by_test_id("material-staged")).to_contain_text("PDF")
    page.get_by_test_id("material-title").fill("Окуу китеби")
    page.get_by_test_id("material-add").click()
    expect(page.get_by_test_id("material-file")).to_contain_text("Окуу китеби")
    page.get_by_test_id("assignment-title").fill("Үй тапшырмасы 1")
    page.get_by_test_id("assignment-instructions").fill("№ 12 жана № 13 маселелерди чыгаргыла.")
    page.get_by_test_id("assignment-due").fill(f"{today:%d.%m.%Y}")
    page.get_by_test_id("assignment-add").click()
    expect(page.get_by_test_id("course-assignment")).to_contain_text("Үй тапшырмасы 1")
    page.screenshot(path=str(shots / "course-teacher-1280-ky.png"), full_page=True)

    course_id, material_id = _read(
        browser_db_url,
        lambda s: (
            s.exec(select(Course.id).where(Course.title == TITLE)).one(),
            s.exec(select(CourseMaterial.id).where(CourseMaterial.title == "Окуу китеби")).one(),
        ),
    )
    material_url = f"/private/course-material/{material_id}"

    # -- a pupil of the class reads it on his phone and hands in, with taps
    sign_in(phone, "pupil_of_course")
    phone.goto("/courses")
    phone.get_by_test_id("course-card").filter(has_text=TITLE).get_by_test_id("course-open").tap()
    expect(phone.get_by_test_id("course-heading")).to_have_text(TITLE)
    expect(phone.get_by_test_id("material-file")).to_contain_text("Окуу китеби")
    got = phone.request.get(material_url)
    assert got.status == 200 and got.body() == PDF
    phone.screenshot(path=str(shots / "course-pupil-375-ky.png"), full_page=True)
    phone.get_by_test_id("handin-open").tap()
    phone.get_by_test_id("handin-body").fill("1) 3/4  2) 5/8")
    phone.locator("#handin-upload input[type=file]").set_input_files(
        {"name": "photo.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    expect(phone.get_by_test_id("handin-staged")).to_contain_text("PDF")
    phone.screenshot(path=str(shots / "course-handin-375-ky.png"), full_page=True)
    phone.get_by_test_id("handin-send").tap()
    expect(phone.get_by_test_id("course-assignment")).to_contain_text("Тапшырылды")
    expect(phone.get_by_test_id("handin-late")).to_have_count(0)
    phone.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").tap()
    expect(phone.get_by_test_id("course-assignment")).to_contain_text("Сдано")
    phone.screenshot(path=str(shots / "course-pupil-375-ru.png"), full_page=True)
    phone.get_by_test_id("lang-switch").get_by_role("radio", name="КЫР").tap()
    expect(phone.get_by_test_id("page-title")).to_have_text("Курстар")
    handin_url = "/private/handin/" + str(_read(browser_db_url, lambda s: s.exec(select(SubmissionFile.id)).one()))
    assert phone.request.get(handin_url).status == 200

    # -- a pupil of another class: not in his list, a forged id refused, the guessed addresses 404
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, base_url=app_url, is_mobile=True, has_touch=True
    )
    other = context.new_page()
    other.set_default_timeout(20000)
    sign_in(other, "pupil_elsewhere")
    other.goto("/courses")
    expect(other.get_by_test_id("page-title")).to_have_text("Курстар")
    expect(other.get_by_test_id("course-card").filter(has_text=TITLE)).to_have_count(0)
    denied_before = _read(
        browser_db_url,
        lambda s: len(
            s.exec(
                select(AuditEvent.id).where(AuditEvent.username == "pupil_elsewhere", AuditEvent.action == "denied")
            ).all()
        ),
    )
    other.goto(f"/courses?course={course_id}")
    expect(other.get_by_text(re.compile("табылган жок|не найдено", re.IGNORECASE)).first).to_be_visible()
    expect(other.get_by_test_id("course-heading")).to_have_count(0)
    assert other.request.get(material_url).status == 404
    assert other.request.get(handin_url).status == 404
    denied_after = _read(
        browser_db_url,
        lambda s: len(
            s.exec(
                select(AuditEvent.id).where(AuditEvent.username == "pupil_elsewhere", AuditEvent.action == "denied")
            ).all()
        ),
    )
    assert denied_after >= denied_before + 3
    context.close()

    # -- the teacher reviews and marks; the mark is the journal's cell, audited
    page.get_by_test_id("course-assignment").filter(has_text="Үй тапшырмасы 1").get_by_test_id("review-open").click()
    row = page.get_by_test_id("review-row").filter(has_text="1) 3/4")
    expect(row.get_by_test_id("handin-file")).to_have_count(1)
    expect(page.get_by_test_id("mark-save")).to_have_count(0)
    row.get_by_test_id("mark-open").click()
    expect(page.get_by_test_id("mark-save")).to_have_count(1)
    page.get_by_test_id("mark-value").click()
    page.get_by_role("option", name="5", exact=True).click()
    page.get_by_test_id("mark-comment").fill("Жакшы иш")
    page.get_by_test_id("mark-save").click()
    expect(page.get_by_test_id("review-mark")).to_contain_text("5")
    expect(page.get_by_test_id("mark-save")).to_have_count(0)  # the form closes; no empty row opens one
    page.screenshot(path=str(shots / "course-review-1280-ky.png"), full_page=True)
    mark, reasons = _read(
        browser_db_url,
        lambda s: (
            s.exec(
                select(Mark.value).where(
                    Mark.lesson_id == f["lesson"], Mark.pupil_id == f["pupil"], Mark.kind == "home"
                )
            ).all(),
            s.exec(
                select(AuditEvent.reason).where(AuditEvent.entity == "lesson", AuditEvent.entity_id == f["lesson"])
            ).all(),
        ),
    )
    assert mark == [5]
    assert any(r.startswith("assignment ") for r in reasons)
    page.goto(f"/journal?lesson={f['lesson']}")
    expect(grid_cell(page, f["row"], f["column"])).to_contain_text("5")
    page.screenshot(path=str(shots / "course-journal-1280-ky.png"), full_page=True)

    # The list and the course in Russian at her desk (looked at as screenshots).
    page.goto("/courses")
    expect(page.get_by_test_id("course-card").filter(has_text=TITLE)).to_have_count(1)
    page.screenshot(path=str(shots / "courses-list-1280-ky.png"), full_page=True)
    page.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Курсы")
    page.get_by_test_id("course-card").filter(has_text=TITLE).get_by_test_id("course-open").click()
    expect(page.get_by_test_id("course-assignment")).to_contain_text("Сдали: 1")
    page.screenshot(path=str(shots / "course-teacher-1280-ru.png"), full_page=True)
    page.get_by_test_id("lang-switch").get_by_role("radio", name="КЫР").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Курстар")
