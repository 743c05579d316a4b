"""The courses page through its handlers, as real and forged events call them, and the private
routes of course files and hand-ins (a pupil of another class, a guessed id: 404)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import reflex as rx
from sqlmodel import select
from starlette.testclient import TestClient

from bbbms_app import db
from bbbms_app.api.private_files import private_files_api
from bbbms_app.models import AuditEvent, Mark
from bbbms_app.models.learning import Course, CourseMaterial, Submission, SubmissionFile
from bbbms_app.pages.courses import CoursesState
from bbbms_app.services import accounts
from tests.consent_support import PDF, private_dir  # noqa: F401  (fixture)
from tests.factories import PASSWORD
from tests.states import is_refusal, new_tab, sub

pytestmark = pytest.mark.usefixtures("private_dir")


def upload(data: bytes, name: str = "file.pdf") -> list[rx.UploadFile]:
    return [rx.UploadFile(file=io.BytesIO(data), path=Path(name), size=len(data))]


def get(url: str, username: str | None = None):
    client = TestClient(private_files_api)
    if username:
        with db.session() as s:
            client.cookies.set("bbbms_session", accounts.authenticate(s, username, PASSWORD).token or "")
    return client.get(url)


@pytest.fixture
def other_pupil(school):
    with db.session(write=True) as s:
        accounts.create_user(s, "t_pupil6", "pupil", PASSWORD, school_id=school.school_id, pupil_id=school.pupils_6b[0])
    return "t_pupil6"


async def build(school) -> CoursesState:
    """The class teacher of 5-А builds a maths course: a published module with a text, a file and
    an assignment due on 01.12.2026 (before today: a hand-in now is late)."""
    page = sub(new_tab("t_classteacher"), CoursesState)
    assert not is_refusal(await page.load())
    assert page.options == [{"id": f"{school.class_5a}:{school.math}", "name": "5-А · Математика"}]
    assert not is_refusal(
        await page.create_course({"for": page.options[0]["id"], "title": "Математика 5", "description": ""})
    )
    assert page.how == "write" and page.course["title"] == "Математика 5"
    assert not is_refusal(await page.add_module({"title": "1-апта", "topic": "Бөлчөктөр"}))
    module = page.modules[0]["id"]
    assert not is_refusal(await page.publish(module, True))
    await page.set_material_kind("text")
    assert not is_refusal(
        await page.add_material({"module": module, "title": "Эреже", "body": "# Бөлчөк\n- алым\n- бөлүм", "url": ""})
    )
    await page.set_material_kind("file")
    assert not is_refusal(await page.stage_material_file(upload(PDF)))
    assert page.staged_label.startswith("PDF")
    assert not is_refusal(await page.add_material({"module": module, "title": "Китеп", "body": "", "url": ""}))
    await page.set_material_kind("video")
    await page.add_material({"module": module, "title": "Видео", "body": "", "url": "javascript:alert(1)"})
    assert page.form_error != ""  # refused in place, nothing written
    assert not is_refusal(
        await page.add_assignment(
            {
                "module": module,
                "title": "Үй тапшырмасы",
                "instructions": "№ 12",
                "due_on": "01.12.2026",
                "mark_kind": "home",
            }
        )
    )
    kinds = [(i["type"], i.get("kind", i.get("style", ""))) for i in page.items]
    assert kinds == [
        ("module", ""),
        ("material", "text"),
        ("block", "h"),
        ("block", "li"),
        ("block", "li"),
        ("material", "file"),
        ("assignment", ""),
    ]
    return page


async def test_a_course_is_built_read_handed_in_and_marked_into_the_journal(school):
    teacher = await build(school)
    pupil = sub(new_tab("t_pupil"), CoursesState)
    assert not is_refusal(await pupil.load())
    assert [r["title"] for r in pupil.rows] == ["Математика 5"]
    assert not is_refusal(await pupil.open_course(pupil.rows[0]["id"]))
    assert pupil.how == "family"
    assignment = next(i for i in pupil.items if i["type"] == "assignment")
    assert not is_refusal(await pupil.open_handin(assignment["id"]))
    assert not is_refusal(await pupil.stage_handin_file(upload(PDF, "photo.pdf")))
    assert not is_refusal(await pupil.hand_in({"body": "Жообум: 3/4"}))
    mine = next(i for i in pupil.items if i["type"] == "assignment")
    assert (mine["status"], mine["late"], mine["mark"]) == ("submitted", "1", "")

    assert not is_refusal(await teacher.open_review(assignment["id"]))
    row = next(r for r in teacher.review_rows if r["id"])
    assert (row["body"], row["late"]) == ("Жообум: 3/4", "1") and row["files"].startswith("/private/handin/")
    assert len(row["files"].split("\n")) == 1 and row["files"].endswith("|PDF · 1 KB")
    assert not is_refusal(await teacher.open_marking(row["id"]))
    # The latest lesson (4 Sep) he was absent at: the grid's rule refuses the mark, shown in place.
    assert [o["id"] for o in teacher.lessons] == [str(x) for x in reversed(school.lessons_5a_math)]
    await teacher.save_mark({"lesson": teacher.lessons[0]["id"], "mark": "5", "comment": ""})
    assert teacher.mark_error != "" and teacher.marking_id == row["id"]
    lesson = teacher.lessons[1]["id"]
    assert not is_refusal(await teacher.save_mark({"lesson": lesson, "mark": "5", "comment": "Азамат"}))
    assert teacher.mark_error == "" and next(r for r in teacher.review_rows if r["id"])["mark"] == "5"
    with db.session() as s:
        assert s.exec(select(Mark.value).where(Mark.lesson_id == int(lesson), Mark.kind == "home")).all() == [5]
        reasons = s.exec(select(AuditEvent.reason).where(AuditEvent.entity == "lesson")).all()
        assert f"assignment {assignment['id']}" in reasons
    assert not is_refusal(await pupil.open_course(pupil.rows[0]["id"]))
    mine = next(i for i in pupil.items if i["type"] == "assignment")
    assert (mine["status"], mine["mark"], mine["comment"]) == ("marked", "5", "Азамат")
    # His parent reads the same, on his line (her other child in the class has her own line), with
    # no hand-in of her own.
    parent = sub(new_tab("t_parent"), CoursesState)
    assert not is_refusal(await parent.open_course(pupil.rows[0]["id"]))
    theirs = next(i for i in parent.items if i["type"] == "assignment")
    lines = {line.split("\t")[0]: line.split("\t")[1:3] for line in theirs["kids"].split("\n")}
    assert parent.how == "family"
    assert lines == {"Нурбек Үсөнов": ["marked", "5"], "Мөлдир Абдыкадырова": ["none", ""]}
    assert is_refusal(await parent.open_handin(assignment["id"]))


async def test_forged_events_and_guessed_urls_are_refused(school, other_pupil):
    teacher = await build(school)
    course_id = teacher.course_id
    with db.session() as s:
        material = s.exec(select(CourseMaterial.id).where(CourseMaterial.kind == "file")).one()
    url = f"/private/course-material/{material}"
    assert get(url, "t_pupil").status_code == 200
    assert get(url, "t_pupil").content == PDF
    for who in (None, other_pupil, "t_teacher", "t_admin"):
        assert get(url, who).status_code == 404, who
    assert get("/private/course-material/999999", "t_pupil").status_code == 404

    # A pupil of 6-Б: the course is not in his list, and opening it by its id is refused.
    stranger = sub(new_tab(other_pupil), CoursesState)
    assert not is_refusal(await stranger.load())
    assert stranger.rows == []
    assert is_refusal(await stranger.open_course(course_id))
    assert stranger.items == []
    assignment = next(i for i in teacher.items if i["type"] == "assignment")["id"]
    assert is_refusal(await stranger.open_handin(assignment))
    stranger.handin_id = assignment  # forged into the tab
    assert is_refusal(await stranger.hand_in({"body": "x"}))
    # A pupil of the class may not build, review or mark; a teacher of another class reads nothing.
    pupil = sub(new_tab("t_pupil"), CoursesState)
    assert not is_refusal(await pupil.load())
    assert is_refusal(
        await pupil.create_course({"for": f"{school.class_5a}:{school.math}", "title": "x", "description": ""})
    )
    assert is_refusal(await pupil.open_review(assignment))
    other = sub(new_tab("t_teacher"), CoursesState)
    assert not is_refusal(await other.load())
    assert other.rows == []
    assert is_refusal(await other.open_course(course_id))
    other.course_id = course_id
    assert is_refusal(await other.add_module({"title": "x", "topic": ""}))
    assert is_refusal(await other.publish(teacher.modules[0]["id"], False))
    # The teacher himself cannot hand in; the leaders read the course and its hand-ins.
    teacher.handin_id = assignment
    assert is_refusal(await teacher.hand_in({"body": "x"}))
    deputy = sub(new_tab("t_deputy"), CoursesState)
    assert not is_refusal(await deputy.open_course(course_id))
    assert deputy.how == "lead"
    assert not is_refusal(await deputy.open_review(assignment))
    assert is_refusal(await deputy.add_module({"title": "x", "topic": ""}))

    # A hand-in file: the pupil and the teacher get it; the other pupil does not.
    assert not is_refusal(await pupil.open_course(course_id))
    assert not is_refusal(await pupil.open_handin(assignment))
    assert not is_refusal(await pupil.stage_handin_file(upload(PDF)))
    assert not is_refusal(await pupil.hand_in({"body": ""}))
    with db.session() as s:
        fid = s.exec(select(SubmissionFile.id)).one()
        assert len(s.exec(select(Submission)).all()) == 1 and len(s.exec(select(Course)).all()) == 1
    for who, status in (
        ("t_pupil", 200),
        ("t_classteacher", 200),
        ("t_parent", 200),
        (other_pupil, 404),
        ("t_teacher", 404),
    ):
        assert get(f"/private/handin/{fid}", who).status_code == status, who


async def test_a_course_is_copied_only_to_a_class_the_page_offered(school):
    from datetime import date

    from bbbms_app.models import AcademicYear, SchoolClass, TeachingAssignment

    teacher = await build(school)
    assert teacher.copy_targets == []  # no later year yet
    with db.session(write=True) as s:
        year = AcademicYear(
            school_id=school.school_id, name="2026–2027", starts_on=date(2026, 9, 1), ends_on=date(2027, 5, 31)
        )
        s.add(year)
        s.flush()
        mine = SchoolClass(school_id=school.school_id, academic_year_id=year.id, grade=6, letter="А")
        theirs = SchoolClass(school_id=school.school_id, academic_year_id=year.id, grade=6, letter="В")
        s.add_all([mine, theirs])
        s.flush()
        s.add(
            TeachingAssignment(
                school_id=school.school_id, class_id=mine.id, subject_id=school.math, teacher_id=school.teacher_a
            )
        )
        ids = (mine.id, theirs.id)
    assert not is_refusal(await teacher.open_course(teacher.course_id))
    assert [o["id"] for o in teacher.copy_targets] == [str(ids[0])]
    await teacher.copy_course({"target": str(ids[1])})  # not offered: refused in place
    assert teacher.form_error != ""
    original = teacher.course_id
    assert not is_refusal(await teacher.copy_course({"target": str(ids[0])}))
    assert teacher.course_id != original and teacher.course["classes"] == "6-А"
    assert [(i["title"], i["state"]) for i in teacher.items if i["type"] == "module"] == [("1-апта", "draft")]


async def test_one_course_for_parallel_classes_and_a_material_taken_out(school, other_pupil):
    from bbbms_app.models import Enrollment, SchoolClass, TeachingAssignment

    with db.session(write=True) as s:
        c6v = SchoolClass(school_id=school.school_id, academic_year_id=school.year_id, grade=6, letter="В")
        s.add(c6v)
        s.flush()
        s.add(
            TeachingAssignment(
                school_id=school.school_id, class_id=c6v.id, subject_id=school.math, teacher_id=school.teacher_b
            )
        )
        # The 6-Б pupil moves to 6-В: still on the course's lists.
        enrollment = s.exec(select(Enrollment).where(Enrollment.pupil_id == school.pupils_6b[0])).one()
        enrollment.class_id = c6v.id  # type: ignore[assignment]
        s.add(enrollment)
        both = f"{school.class_6b},{c6v.id}:{school.math}"
    page = sub(new_tab("t_teacher"), CoursesState)
    assert not is_refusal(await page.load())
    assert {"id": both, "name": "6-Б, 6-В · Математика"} in page.options
    assert not is_refusal(await page.create_course({"for": both, "title": "Алгебра 6", "description": ""}))
    assert page.course["classes"] == "6-Б, 6-В"
    assert not is_refusal(await page.add_module({"title": "1-апта", "topic": ""}))
    module = page.modules[0]["id"]
    assert not is_refusal(await page.publish(module, True))
    await page.set_material_kind("link")
    assert not is_refusal(
        await page.add_material({"module": module, "title": "Сайт", "body": "", "url": "https://lib.kg"})
    )
    reader = sub(new_tab(other_pupil), CoursesState)
    assert not is_refusal(await reader.load())
    assert [r["title"] for r in reader.rows] == ["Алгебра 6"]
    assert not is_refusal(await reader.open_course(reader.rows[0]["id"]))
    material = next(i for i in reader.items if i["type"] == "material")
    assert (material["kind"], material["url"]) == ("link", "https://lib.kg")
    # The pupil cannot take it out, nor another teacher store a file for this course.
    assert is_refusal(await reader.remove_material(material["id"]))
    stranger = sub(new_tab("t_classteacher"), CoursesState)
    stranger.course_id = page.course_id
    assert is_refusal(await stranger.stage_material_file(upload(PDF)))
    assert stranger.staged_label == ""
    assert not is_refusal(await page.remove_material(material["id"]))
    assert [i for i in page.items if i["type"] == "material"] == []
    with db.session() as s:
        gone = s.exec(
            select(AuditEvent).where(AuditEvent.entity == "course_material", AuditEvent.action == "delete")
        ).one()
        assert (gone.old_value, gone.username) == ("Сайт", "t_teacher")
